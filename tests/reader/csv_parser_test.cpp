#include "reader/csv_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "reader_test_util.h"
#include "test_util.h"

namespace salesflow::reader {
namespace {

using Records = std::vector<std::vector<std::string>>;

class Collector : public CsvRecordHandler {
 public:
  Status OnRecord(const CsvRecord& record) override {
    records.emplace_back(record.fields.begin(), record.fields.end());
    lines.push_back(record.line);
    return Status::Ok();
  }
  Status OnTooLong(int64_t line, std::string_view prefix) override {
    too_long.emplace_back(line, std::string(prefix));
    return Status::Ok();
  }
  Records records;
  std::vector<int64_t> lines;
  std::vector<std::pair<int64_t, std::string>> too_long;
};

struct ParseResult {
  Status status;
  Collector got;
  char delimiter = '\0';
};

ParseResult Parse(std::string_view input, size_t chunk, char delimiter = ',',
                  size_t max_record = size_t{1} << 20) {
  ParseResult r;
  CsvParser parser({delimiter, max_record}, &r.got);
  for (size_t at = 0; at < input.size() && r.status.ok(); at += chunk) {
    r.status = parser.Feed(input.substr(at, chunk));
  }
  if (r.status.ok()) r.status = parser.Finish();
  r.delimiter = parser.delimiter();
  return r;
}

struct Case {
  const char* name;
  std::string input;
  Records records;
  std::vector<int64_t> lines;
};

const std::vector<Case>& Rfc4180Cases() {
  static const std::vector<Case> cases = {
      {"simple", "a,b\n1,2\n", {{"a", "b"}, {"1", "2"}}, {1, 2}},
      {"no_final_newline", "a,b\n1,2", {{"a", "b"}, {"1", "2"}}, {1, 2}},
      {"crlf", "a,b\r\n1,2\r\n", {{"a", "b"}, {"1", "2"}}, {1, 2}},
      {"lone_cr", "a,b\r1,2\r", {{"a", "b"}, {"1", "2"}}, {1, 2}},
      {"quoted_delimiter", "\"a,b\",c\n", {{"a,b", "c"}}, {1}},
      {"escaped_quotes", "\"he said \"\"hi\"\"\",x\n", {{"he said \"hi\"", "x"}}, {1}},
      {"only_escaped_quote", "\"\"\"\"\n", {{"\""}}, {1}},
      {"embedded_lf", "\"l1\nl2\",x\ny,z\n", {{"l1\nl2", "x"}, {"y", "z"}}, {1, 3}},
      {"embedded_crlf", "\"l1\r\nl2\",x\r\ny,z\r\n", {{"l1\r\nl2", "x"}, {"y", "z"}}, {1, 3}},
      {"empty_fields", ",,\n", {{"", "", ""}}, {1}},
      {"empty_quoted", "\"\",a,\"\"\n", {{"", "a", ""}}, {1}},
      {"trailing_delimiter", "a,\nb,", {{"a", ""}, {"b", ""}}, {1, 2}},
      {"blank_lines_skipped", "a\n\n\r\n\nb\n", {{"a"}, {"b"}}, {1, 5}},
      {"leading_blank_lines", "\n\na,b\n", {{"a", "b"}}, {3}},
      {"stray_quote_literal", "ab\"c,d\n", {{"ab\"c", "d"}}, {1}},
      {"text_after_closing_quote", "\"ab\"c,d\n", {{"abc", "d"}}, {1}},
      {"quoted_last_field_at_eof", "a,\"b\"", {{"a", "b"}}, {1}},
      {"spaces_kept", " a , b \n", {{" a ", " b "}}, {1}},
      {"utf8", "caf\xC3\xA9,\xE2\x82\xAC\n", {{"caf\xC3\xA9", "\xE2\x82\xAC"}}, {1}},
      {"single_column", "x\ny\n", {{"x"}, {"y"}}, {1, 2}},
      {"empty_input", "", {}, {}},
      {"quote_newline_quote", "\"a\n\"\"\n\",b\nc,d\n", {{"a\n\"\n", "b"}, {"c", "d"}}, {1, 4}},
      {"crlf_after_quote", "\"a\"\r\n\"b\"\r\n", {{"a"}, {"b"}}, {1, 2}},
  };
  return cases;
}

TEST(CsvParserTest, Rfc4180CasesAtEveryBufferSize) {
  for (const Case& c : Rfc4180Cases()) {
    for (size_t chunk : testing::kChunkSizes) {
      SCOPED_TRACE(std::string(c.name) + " chunk=" + std::to_string(chunk));
      ParseResult r = Parse(c.input, chunk);
      ASSERT_OK(r.status);
      EXPECT_EQ(r.got.records, c.records);
      EXPECT_EQ(r.got.lines, c.lines);
    }
  }
}

TEST(CsvParserTest, DetectsDelimiterFromHeader) {
  struct D {
    std::string input;
    char expected;
  };
  const std::vector<D> cases = {{"a;b;c\n1;2;3\n", ';'},       {"a\tb\n1\t2\n", '\t'},
                                {"a|b\n1|2\n", '|'},           {"a,b\n1,2\n", ','},
                                {"\"x;y\",b,c\n1,2,3\n", ','}, {"single\n1\n", ','}};
  for (const D& d : cases) {
    for (size_t chunk : testing::kChunkSizes) {
      SCOPED_TRACE(d.input + " chunk=" + std::to_string(chunk));
      ParseResult r = Parse(d.input, chunk, '\0');
      ASSERT_OK(r.status);
      EXPECT_EQ(r.delimiter, d.expected);
      ASSERT_EQ(r.got.records.size(), 2u);
      EXPECT_EQ(r.got.records[0].size(), r.got.records[1].size());
    }
  }
}

TEST(CsvParserTest, NulByteIsNotText) {
  for (size_t chunk : testing::kChunkSizes) {
    ParseResult r = Parse(std::string("a,b\n1,\0\n", 8), chunk);
    EXPECT_EQ(r.status.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status.message().find("NUL byte at line 2"), std::string::npos)
        << r.status.message();
  }
}

TEST(CsvParserTest, UnterminatedQuoteAtEndNamesItsLine) {
  for (size_t chunk : testing::kChunkSizes) {
    ParseResult r = Parse("a,b\n1,2\n3,\"oops\n4,5\n", chunk);
    EXPECT_EQ(r.status.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status.message().find("opened at line 3"), std::string::npos) << r.status.message();
  }
}

TEST(CsvParserTest, UnterminatedQuoteFailsOnceItPassesTheLimit) {
  std::string input = "a,b\n1,\"";
  input.append(5000, 'x');
  CsvParser::Options options{',', 1024};
  Collector got;
  CsvParser parser(options, &got);
  const Status s = parser.Feed(input);  // fails without waiting for the end of the file
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("opened at line 2"), std::string::npos) << s.message();
  EXPECT_EQ(parser.Feed("more").code(), StatusCode::kInvalidArgument);  // sticky
}

TEST(CsvParserTest, TooLongRecordIsReportedAndParsingResumes) {
  std::string input = "a,b\n";
  input += std::string(3000, 'x') + "," + std::string(10, 'y') + "\n";
  input += "\"q\"," + std::string(2000, 'q') + ",\"short,quoted\"\n";  // quotes on both sides
  input += "1,2\n";
  for (size_t chunk : {size_t{1}, size_t{7}, size_t{4096}}) {
    ParseResult r = Parse(input, chunk, ',', 1024);
    ASSERT_OK(r.status);
    ASSERT_EQ(r.got.too_long.size(), 2u);
    EXPECT_EQ(r.got.too_long[0].first, 2);
    EXPECT_EQ(r.got.too_long[1].first, 3);
    EXPECT_LE(r.got.too_long[0].second.size(), 1030u);
    EXPECT_EQ(r.got.records, (Records{{"a", "b"}, {"1", "2"}}));
    EXPECT_EQ(r.got.lines, (std::vector<int64_t>{1, 4}));
  }
}

TEST(CsvParserTest, JoinQuotesWhereNeeded) {
  const std::vector<std::string_view> fields = {"plain", "a,b", "say \"hi\"", "l1\nl2", ""};
  EXPECT_EQ(JoinCsvFields(fields, ',', 1000), "plain,\"a,b\",\"say \"\"hi\"\"\",\"l1\nl2\",");
  EXPECT_EQ(JoinCsvFields({"\xC3\xA9\xC3\xA9"}, ',', 3), "\xC3\xA9");  // no split sequence
}

}  // namespace
}  // namespace salesflow::reader
