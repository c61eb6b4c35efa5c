// Argument parsing and request building: --map, delimiters, keys in URLs, base URLs, the
// process and stats requests, upload keys.
#include "cli/options.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/url.h"
#include "test_util.h"

namespace salesflow::cli {
namespace {

TEST(ParseColumnMappingTest, ParsesPairsInOrder) {
  auto mapping = ParseColumnMapping({"order_id=InvoiceNo", "SKU=Stock Code", "Unit-Price=a=b"});
  ASSERT_OK(mapping.status());
  const ColumnMapping expected = {
      {"order_id", "InvoiceNo"}, {"sku", "Stock Code"}, {"unit_price", "a=b"}};
  EXPECT_EQ(*mapping, expected);
}

TEST(ParseColumnMappingTest, EmptyListIsEmptyMapping) {
  auto mapping = ParseColumnMapping({});
  ASSERT_OK(mapping.status());
  EXPECT_TRUE(mapping->empty());
}

TEST(ParseColumnMappingTest, RejectsBadValuesWithTheValueQuoted) {
  struct Case {
    std::vector<std::string> values;
    std::string message_part;
  };
  const Case cases[] = {
      {{"order_id"}, "--map 'order_id': expected COLUMN=HEADER"},
      {{"=InvoiceNo"}, "the column before '=' is empty"},
      {{"order_id="}, "the header after '=' is empty"},
      {{"orderid=X"}, "'orderid' is not a report column (one of: order_id, order_date"},
      {{"order_id=A", "ORDER_ID=B"}, "column 'order_id' is mapped twice ('A' and 'B')"},
      {{"x.csv"}, "--map 'x.csv': expected COLUMN=HEADER"},  // a KEY swallowed by --map
  };
  for (const auto& c : cases) {
    auto mapping = ParseColumnMapping(c.values);
    ASSERT_FALSE(mapping.ok()) << c.values.front();
    EXPECT_EQ(mapping.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(mapping.status().message().find(c.message_part), std::string::npos)
        << mapping.status().message();
  }
}

TEST(NormalizeDelimiterTest, TabAliasesAndSingleCharacters) {
  for (const char* tab : {"tab", "\\t", "\t"}) {
    auto d = NormalizeDelimiter(tab);
    ASSERT_OK(d.status());
    EXPECT_EQ(*d, "\t");
  }
  auto semicolon = NormalizeDelimiter(";");
  ASSERT_OK(semicolon.status());
  EXPECT_EQ(*semicolon, ";");
  EXPECT_FALSE(NormalizeDelimiter("").ok());
  EXPECT_FALSE(NormalizeDelimiter(";;").ok());
}

TEST(EncodePathSegmentTest, SlashesAndEverythingReservedArePercentEncoded) {
  struct Case {
    std::string key;
    std::string encoded;
  };
  const Case cases[] = {
      {"day.csv", "day.csv"},
      {"shop/2024/day 1.csv", "shop%2F2024%2Fday%201.csv"},
      {"a+b&c=d?e#f%g", "a%2Bb%26c%3Dd%3Fe%23f%25g"},
      {"day (1).csv", "day%20%281%29.csv"},
      {"caf\u00e9.csv", "caf%C3%A9.csv"},
      {"~_-.", "~_-."},
      {"..", ".."},  // the server validates keys; the client only encodes
  };
  for (const auto& c : cases) EXPECT_EQ(EncodePathSegment(c.key), c.encoded) << c.key;
}

TEST(BuildQueryTest, SkipsEmptyValuesAndEncodes) {
  EXPECT_EQ(BuildQuery({}), "");
  EXPECT_EQ(BuildQuery({{"prefix", ""}}), "");
  EXPECT_EQ(BuildQuery({{"prefix", "a/b c"}, {"page_token", ""}, {"top", "5"}}),
            "?prefix=a%2Fb%20c&top=5");
}

TEST(ParseBaseUrlTest, SplitsOriginAndPathPrefix) {
  auto plain = ParseBaseUrl("http://127.0.0.1:8080");
  ASSERT_OK(plain.status());
  EXPECT_EQ(plain->origin, "http://127.0.0.1:8080");
  EXPECT_EQ(plain->path_prefix, "");
  auto proxied = ParseBaseUrl("https://sales.example.com/salesflow/");
  ASSERT_OK(proxied.status());
  EXPECT_EQ(proxied->origin, "https://sales.example.com");
  EXPECT_EQ(proxied->path_prefix, "/salesflow");
}

TEST(ParseBaseUrlTest, RejectsBadUrlsWithoutEchoingSecrets) {
  for (const char* url : {"ftp://x", "127.0.0.1:8080", "http://", "http://:80", "http://h/?q=1"}) {
    auto parsed = ParseBaseUrl(url);
    ASSERT_FALSE(parsed.ok()) << url;
    EXPECT_NE(parsed.status().message().find("SALESFLOW_URL"), std::string::npos);
  }
  auto with_password = ParseBaseUrl("http://admin:hunter2@host:8080");
  ASSERT_FALSE(with_password.ok());
  EXPECT_EQ(with_password.status().message().find("hunter2"), std::string::npos);
}

nlohmann::json Body(const ProcessArgs& args) {
  auto body = ProcessRequestBody(args);
  EXPECT_OK(body.status());
  return body.ok() ? nlohmann::json::parse(*body) : nlohmann::json();
}

TEST(ProcessRequestBodyTest, OneKeySeveralKeysOrPending) {
  ProcessArgs one;
  one.keys = {"a.csv"};
  EXPECT_EQ(Body(one), nlohmann::json({{"key", "a.csv"}}));

  ProcessArgs many;
  many.keys = {"a.csv", "b.csv"};
  many.dry_run = true;
  many.force = true;
  EXPECT_EQ(Body(many),
            nlohmann::json({{"keys", {"a.csv", "b.csv"}}, {"dry_run", true}, {"force", true}}));

  ProcessArgs pending;
  pending.pending = true;
  pending.prefix = "shop/";
  pending.map = {"order_id=InvoiceNo"};
  pending.reader.delimiter = "tab";
  pending.reader.date_format = "%d/%m/%Y";
  pending.max_reject_ratio = 0.05;
  EXPECT_EQ(Body(pending), nlohmann::json({{"pending", true},
                                           {"prefix", "shop/"},
                                           {"mapping", {{"order_id", "InvoiceNo"}}},
                                           {"delimiter", "\t"},
                                           {"date_format", "%d/%m/%Y"},
                                           {"max_reject_ratio", 0.05}}));
}

TEST(ProcessRequestBodyTest, UsageErrors) {
  ProcessArgs none;
  EXPECT_FALSE(ProcessRequestBody(none).ok());
  ProcessArgs both;
  both.keys = {"a.csv"};
  both.pending = true;
  EXPECT_FALSE(ProcessRequestBody(both).ok());
  ProcessArgs prefix_without_pending;
  prefix_without_pending.keys = {"a.csv"};
  prefix_without_pending.prefix = "x/";
  EXPECT_FALSE(ProcessRequestBody(prefix_without_pending).ok());
  ProcessArgs bad_map;
  bad_map.keys = {"a.csv"};
  bad_map.map = {"nonsense"};
  auto body = ProcessRequestBody(bad_map);
  ASSERT_FALSE(body.ok());
  EXPECT_NE(body.status().message().find("--map 'nonsense'"), std::string::npos);
  ProcessArgs bad_ratio;
  bad_ratio.keys = {"a.csv"};
  bad_ratio.max_reject_ratio = 1.5;
  EXPECT_FALSE(ProcessRequestBody(bad_ratio).ok());
}

TEST(StatsPathTest, BuildsTheQuery) {
  StatsArgs args;
  auto bare = StatsPath(args);
  ASSERT_OK(bare.status());
  EXPECT_EQ(*bare, "/api/stats");
  args.from = "2024-01-01";
  args.to = "2024-01-31";
  args.by = "category";
  args.top = 5;
  args.currency = "EUR";
  auto full = StatsPath(args);
  ASSERT_OK(full.status());
  EXPECT_EQ(*full, "/api/stats?from=2024-01-01&to=2024-01-31&group_by=category&top=5&currency=EUR");
}

TEST(StatsPathTest, RejectsBadArguments) {
  StatsArgs bad_date;
  bad_date.from = "2024-02-30";
  EXPECT_FALSE(StatsPath(bad_date).ok());
  StatsArgs reversed;
  reversed.from = "2024-02-01";
  reversed.to = "2024-01-01";
  EXPECT_FALSE(StatsPath(reversed).ok());
  StatsArgs bad_by;
  bad_by.by = "week";
  auto path = StatsPath(bad_by);
  ASSERT_FALSE(path.ok());
  EXPECT_NE(path.status().message().find("--by 'week'"), std::string::npos);
  StatsArgs bad_top;
  bad_top.top = 0;
  EXPECT_FALSE(StatsPath(bad_top).ok());
}

TEST(UploadKeysTest, KeyPrefixOrFileName) {
  UploadArgs plain;
  plain.files = {"/tmp/x/day.csv", "rel/other.csv.gz"};
  auto keys = UploadKeys(plain);
  ASSERT_OK(keys.status());
  EXPECT_EQ(*keys, (std::vector<std::string>{"day.csv", "other.csv.gz"}));

  UploadArgs prefixed = plain;
  prefixed.prefix = "shop/2024/";
  keys = UploadKeys(prefixed);
  ASSERT_OK(keys.status());
  EXPECT_EQ(*keys, (std::vector<std::string>{"shop/2024/day.csv", "shop/2024/other.csv.gz"}));

  UploadArgs keyed;
  keyed.files = {"day.csv"};
  keyed.key = "in/today.csv";
  keys = UploadKeys(keyed);
  ASSERT_OK(keys.status());
  EXPECT_EQ(*keys, (std::vector<std::string>{"in/today.csv"}));

  UploadArgs key_for_many = plain;
  key_for_many.key = "k.csv";
  EXPECT_FALSE(UploadKeys(key_for_many).ok());
}

}  // namespace
}  // namespace salesflow::cli
