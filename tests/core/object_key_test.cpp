#include "core/object_key.h"

#include <gtest/gtest.h>

#include <string>

#include "test_util.h"

namespace salesflow {
namespace {

struct KeyCase {
  std::string name;
  std::string key;
  bool valid;
};

std::string Repeat(char c, std::size_t n) { return std::string(n, c); }

const KeyCase kKeyCases[] = {
    {"simple", "day.csv", true},
    {"deep", "a/b/c/d/e/f/g/h/2026-10-01.csv", true},
    {"space_plus_equals_percent", "sales reports/Q1 +extra/a=b%25c&d.csv", true},
    {"unicode", "日本/données ünïcödé 📈.csv", true},
    {"backslash_allowed", "a\\b.csv", true},
    {"dots_inside_names", "a/..b/c../.hidden/...", true},
    {"max_length", Repeat('k', 1024), true},
    {"four_byte_max", "\xF4\x8F\xBF\xBF", true},
    {"empty", "", false},
    {"too_long", Repeat('k', 1025), false},
    {"leading_slash", "/etc/passwd", false},
    {"trailing_slash", "a/", false},
    {"empty_segment", "a//b", false},
    {"dot_segment", "a/./b", false},
    {"dotdot_segment", "a/../../etc/passwd", false},
    {"dotdot_alone", "..", false},
    {"dot_alone", ".", false},
    {"dotdot_last", "a/..", false},
    {"nul", std::string("a\0b", 3), false},
    {"newline", "a\nb.csv", false},
    {"tab", "a\tb.csv", false},
    {"escape_sequence", "\x1b[31mred.csv", false},
    {"del", "a\x7f.csv", false},
    {"c1_control", "a\xC2\x85.csv", false},
    {"c1_csi",
     "a\xC2\x9B"
     "31m.csv",
     false},
    {"invalid_lead_byte", "a\xFF.csv", false},
    {"lone_continuation", "a\x80.csv", false},
    {"truncated_sequence", "a\xE6\x97", false},
    {"overlong_slash",
     "a\xC0\xAF..\xC0\xAF"
     "b",
     false},
    {"overlong_nul", "a\xC0\x80", false},
    {"surrogate", "\xED\xA0\x80", false},
    {"above_max_code_point", "\xF4\x90\x80\x80", false},
};

class ObjectKeyTest : public ::testing::TestWithParam<KeyCase> {};

TEST_P(ObjectKeyTest, Validates) {
  const KeyCase& c = GetParam();
  const Status status = ValidateObjectKey(c.key);
  EXPECT_EQ(status.ok(), c.valid) << status.ToString();
  if (!c.valid) {
    EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
    // Messages never echo the raw key: it may hold the very bytes that are hostile.
    EXPECT_EQ(status.message().find('\x1b'), std::string::npos);
    EXPECT_EQ(status.message().find('\0'), std::string::npos);
  }
}

INSTANTIATE_TEST_SUITE_P(Table, ObjectKeyTest, ::testing::ValuesIn(kKeyCases),
                         [](const auto& param_info) { return param_info.param.name; });

TEST(ObjectKeyMessages, NameTheProblem) {
  EXPECT_NE(ValidateObjectKey("a/../b").message().find("'..'"), std::string::npos);
  EXPECT_NE(ValidateObjectKey(Repeat('x', 2000)).message().find("1024"), std::string::npos);
  EXPECT_NE(ValidateObjectKey("a\x01").message().find("U+0001"), std::string::npos);
  EXPECT_NE(ValidateObjectKey("a\xFF").message().find("UTF-8"), std::string::npos);
}

TEST(KeyPrefix, AllowsAPartialLastSegment) {
  EXPECT_OK(ValidateKeyPrefix(""));
  EXPECT_OK(ValidateKeyPrefix("daily/"));
  EXPECT_OK(ValidateKeyPrefix("daily/2026-"));
  EXPECT_OK(ValidateKeyPrefix("a/."));  // the start of "a/.hidden"
  EXPECT_FALSE(ValidateKeyPrefix("/daily").ok());
  EXPECT_FALSE(ValidateKeyPrefix("a//").ok());
  EXPECT_FALSE(ValidateKeyPrefix("../x").ok());
  EXPECT_FALSE(ValidateKeyPrefix("a\nb").ok());
  EXPECT_FALSE(ValidateKeyPrefix(Repeat('p', 1025)).ok());
}

struct ReportCase {
  std::string key;
  bool report;
};

TEST(LooksLikeReport, Table) {
  const ReportCase cases[] = {
      {"day.csv", true},       {"a/b/DAY.CSV", true}, {"x.tsv", true},      {"x.jsonl", true},
      {"x.ndjson", true},      {"x.csv.gz", true},    {"x.CSV.GZ", true},   {"x.NdJson.Gz", true},
      {"x.tsv.gz", true},      {"x.json", false},     {"x.csv.zip", false}, {"x.gz", false},
      {"x.csv.gz.bak", false}, {"csv", false},        {".csv", false},      {"a/.csv", false},
      {"x.csvx", false},       {"x.gz.csv", true},    {"", false},          {"x.csv.gz.gz", false},
      {"notes.txt", false},
  };
  for (const auto& c : cases) EXPECT_EQ(LooksLikeReport(c.key), c.report) << c.key;
}

}  // namespace
}  // namespace salesflow
