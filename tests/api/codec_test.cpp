#include "api/codec.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace salesflow::api {
namespace {

using Json = nlohmann::json;

Result<StatsQuery> Stats(std::string_view query) {
  SF_ASSIGN_OR_RETURN(auto params,
                      ParseQuery(query, {"from", "to", "group_by", "top", "currency"}));
  return ParseStatsQuery(params);
}

TEST(CodecTest, StatsParameterValidation) {
  struct Case {
    std::string query;
    bool ok;
    std::string message_part;
  };
  const std::vector<Case> cases = {
      {"", true, ""},
      {"from=2026-10-01&to=2026-10-31&group_by=day&top=5&currency=eur", true, ""},
      {"from=2026-10-01&to=2026-10-01", true, ""},
      {"from=2026-13-01", false, "from must be a date"},
      {"to=2026-02-30", false, "to must be a date"},
      {"from=26-10-01", false, "YYYY-MM-DD"},
      {"from=2026-10-02&to=2026-10-01", false, "is after"},
      {"group_by=week", false, "group_by must be one of"},
      {"top=0", false, "top must be an integer"},
      {"top=-3", false, "top must be an integer"},
      {"top=abc", false, "top must be an integer"},
      {"top=99999999999999999999", false, "top must be an integer"},
      {"currency=US", false, "3-letter"},
      {"currency=US1", false, "3-letter"},
      {"groupby=day", false, "unknown query parameter 'groupby'"},
      {"from=2026-10-01&from=2026-10-02", false, "given twice"},
      {"from=%zz", false, "percent-encoding"},
  };
  for (const Case& c : cases) {
    const auto result = Stats(c.query);
    EXPECT_EQ(result.ok(), c.ok) << c.query << ": " << result.status().ToString();
    if (!c.ok) {
      EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument) << c.query;
      EXPECT_NE(result.status().message().find(c.message_part), std::string::npos)
          << c.query << ": " << result.status().message();
    }
  }
  const auto full = Stats("from=2026-10-01&to=2026-10-31&group_by=sku&top=5&currency=eur").value();
  EXPECT_EQ(full.group_by, GroupBy::kSku);
  EXPECT_EQ(full.top, 5);
  EXPECT_EQ(full.currency, "EUR");
  EXPECT_EQ(full.to_day.value() - full.from_day.value(), 30);
}

TEST(CodecTest, ProcessRequestIsStrict) {
  struct Case {
    std::string body;
    bool ok;
    std::string message_part;
  };
  const std::vector<Case> cases = {
      {R"({"key":"a/b.csv"})", true, ""},
      {R"({"keys":["a.csv","b.csv"],"dry_run":true,"force":true,"wait":true})", true, ""},
      {R"({"pending":true,"prefix":"daily/"})", true, ""},
      {R"({"key":"a.csv","mapping":{"order_id":"Invoice"},"max_reject_ratio":0.5,
          "date_format":"%d/%m/%Y","delimiter":";","encoding":"latin1","currency":"EUR"})",
       true, ""},
      {R"({})", false, "exactly one of"},
      {R"({"key":"a.csv","keys":["b.csv"]})", false, "exactly one of"},
      {R"({"key":"a.csv","dryrun":true})", false, "unknown field 'dryrun'"},
      {R"({"key":"../etc/passwd"})", false, ""},
      {R"({"key":"a.csv","prefix":"x"})", false, "only allowed with"},
      {R"({"keys":[]})", false, "array of 1 to 1000"},
      {R"({"keys":[1]})", false, "array of 1 to 1000"},
      {R"({"key":5})", false, "must be a string"},
      {R"({"key":"a.csv","wait":"yes"})", false, "true or false"},
      {R"({"key":"a.csv","max_reject_ratio":1.5})", false, "from 0 to 1"},
      {R"({"key":"a.csv","mapping":["x"]})", false, "canonical column"},
      {R"({"key":"a.csv","mapping":{"order_id":""}})", false, "non-empty"},
  };
  for (const Case& c : cases) {
    auto json = ParseJsonObject(c.body);
    ASSERT_TRUE(json.ok()) << c.body;
    const auto result = ParseProcessCommand(*json);
    EXPECT_EQ(result.ok(), c.ok) << c.body << ": " << result.status().ToString();
    if (!c.ok) {
      EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
      EXPECT_NE(result.status().message().find(c.message_part), std::string::npos)
          << result.status().message();
    }
  }
  const auto parsed =
      ParseProcessCommand(*ParseJsonObject(R"({"pending":true,"prefix":"d/","wait":true})"))
          .value();
  EXPECT_TRUE(parsed.wait);
  EXPECT_TRUE(parsed.request.pending);
  EXPECT_EQ(parsed.request.prefix, "d/");
}

TEST(CodecTest, MalformedJsonIsInvalidArgument) {
  for (const char* body : {"", "{", "[1,2]", "\"x\"", "{\"a\":1,}", "nul"}) {
    EXPECT_EQ(ParseJsonObject(body).status().code(), StatusCode::kInvalidArgument) << body;
  }
}

TEST(CodecTest, CsvCellsNeutraliseFormulas) {
  EXPECT_EQ(CsvCell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
  EXPECT_EQ(CsvCell("+1"), "'+1");
  EXPECT_EQ(CsvCell("-2"), "'-2");
  EXPECT_EQ(CsvCell("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(CsvCell("plain"), "plain");
  EXPECT_EQ(CsvCell("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvCell("line\nbreak"), "\"line\nbreak\"");
  std::string out;
  core::RejectedRow row{12, "quantity", core::RejectReason::kZeroQuantity, "quantity is 0",
                        "A1,=cmd|' /C calc'!A0,0"};
  AppendRejectCsv(row, &out);
  EXPECT_EQ(out, "12,quantity,zero_quantity,quantity is 0,\"A1,=cmd|' /C calc'!A0,0\"\r\n");
}

TEST(CodecTest, AverageOrderValueRoundsHalfAwayFromZero) {
  EXPECT_EQ(AverageOrderValue(core::Money{1000}, 3).cents, 333);
  EXPECT_EQ(AverageOrderValue(core::Money{1001}, 2).cents, 501);  // 500.5 -> 501
  EXPECT_EQ(AverageOrderValue(core::Money{-1001}, 2).cents, -501);
  EXPECT_EQ(AverageOrderValue(core::Money{1000}, 0).cents, 0);
  EXPECT_EQ(AverageOrderValue(core::Money{INT64_MAX}, INT64_MAX).cents, 1);
}

TEST(CodecTest, StatsJsonHasMoneyAsTwoPlaceStrings) {
  StatsResult stats;
  stats.currency = "USD";
  stats.currencies = {"USD"};
  stats.totals = StatsFigures{core::Money{123450}, 4, 6, 9, 3};
  stats.groups.push_back({"books", StatsFigures{core::Money{5}, 1, 1, 1, 0}});
  const Json json = StatsToJson(stats);
  EXPECT_EQ(json["totals"]["revenue"], "1234.50");
  EXPECT_EQ(json["totals"]["avg_order_value"], "308.63");  // 1234.50 / 4 = 308.625
  EXPECT_EQ(json["totals"]["orders"], 4);
  EXPECT_EQ(json["groups"][0]["key"], "books");
  EXPECT_EQ(json["groups"][0]["revenue"], "0.05");
}

TEST(CodecTest, TimestampsAreRfc3339Utc) {
  EXPECT_EQ(FormatTimestamp(Timestamp(std::chrono::seconds(0))), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatTimestamp(Timestamp(std::chrono::seconds(1790000000))), "2026-09-21T14:13:20Z");
}

TEST(CodecTest, JobJsonHasEveryContractField) {
  JobInfo job;
  job.job_id = 7;
  job.key = "a.csv";
  const Json json = JobToJson(job);
  for (const char* field : {"job_id", "key", "status", "outcome", "duplicate_of", "rows_read",
                            "rows_loaded", "rows_updated", "rows_rejected", "bytes_read",
                            "bytes_total", "error", "created_at", "started_at", "finished_at"}) {
    EXPECT_TRUE(json.contains(field)) << field;
  }
  EXPECT_TRUE(json["outcome"].is_null());
  EXPECT_EQ(json["status"], "queued");
}

}  // namespace
}  // namespace salesflow::api
