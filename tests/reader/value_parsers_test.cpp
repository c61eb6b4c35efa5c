// Dates, numbers, text encodings and the row validator, table-driven.
#include <gtest/gtest.h>

#include "core/date.h"
#include "reader/date_parser.h"
#include "reader/number_parser.h"
#include "reader/row_validator.h"
#include "reader/text_encoding.h"
#include "reader_test_util.h"
#include "test_util.h"

namespace salesflow::reader {
namespace {

int32_t Day(int y, int m, int d) { return core::DaysFromCivil({y, m, d}); }

TEST(DateParserTest, Iso8601) {
  struct C {
    const char* text;
    bool ok;
    int32_t days;
    int32_t seconds;
  };
  const std::vector<C> cases = {
      {"2026-03-15", true, Day(2026, 3, 15), -1},
      {"2026-03-15T14:05", true, Day(2026, 3, 15), 14 * 3600 + 5 * 60},
      {"2026-03-15 14:05:09", true, Day(2026, 3, 15), 14 * 3600 + 5 * 60 + 9},
      {"2026-03-15T14:05:09.123456", true, Day(2026, 3, 15), 50709},
      // The wall clock as written: offsets are accepted, never applied.
      {"2026-03-15T23:59:59+01:00", true, Day(2026, 3, 15), 86399},
      {"2026-03-15T00:30:00-0500", true, Day(2026, 3, 15), 1800},
      {"2026-03-15T00:30:00Z", true, Day(2026, 3, 15), 1800},
      {"2026-03-15 09:15:02 -0500", true, Day(2026, 3, 15), 33302},  // Shopify's spelling
      {"2026-03-15 09:15:02  -0500", false, 0, 0},
      {"2024-02-29", true, Day(2024, 2, 29), -1},
      {"2026-02-29", false, 0, 0},
      {"2026-13-01", false, 0, 0},
      {"2026-3-15", false, 0, 0},
      {"1899-12-31", false, 0, 0},
      {"3000-01-01", false, 0, 0},
      {"2026-03-15T24:00", false, 0, 0},
      {"2026-03-15T", false, 0, 0},
      {"", false, 0, 0},
  };
  for (const C& c : cases) {
    SCOPED_TRACE(c.text);
    DateTime dt;
    ASSERT_EQ(ParseIsoDateTime(c.text, &dt), c.ok);
    if (c.ok) {
      EXPECT_EQ(dt.days, c.days);
      EXPECT_EQ(dt.seconds, c.seconds);
    }
  }
}

TEST(DateParserTest, ExplicitFormats) {
  struct C {
    const char* format;
    const char* text;
    bool ok;
    int32_t days;
    int32_t seconds;
  };
  const std::vector<C> cases = {
      {"%m/%d/%Y", "03/15/2026", true, Day(2026, 3, 15), -1},
      {"%m/%d/%Y", "3/5/2026", true, Day(2026, 3, 5), -1},
      {"%m/%d/%Y", "3/5/2026 8:26", true, Day(2026, 3, 5), 8 * 3600 + 26 * 60},
      {"%m/%d/%Y", "15/03/2026", false, 0, 0},
      {"%d/%m/%Y", "15/03/2026", true, Day(2026, 3, 15), -1},
      {"%d.%m.%y", "15.03.26", true, Day(2026, 3, 15), -1},
      {"%d.%m.%y", "15.03.99", true, Day(1999, 3, 15), -1},
      {"%d %b %Y", "5 Mar 2026", true, Day(2026, 3, 5), -1},
      {"%d %b %Y", "5 september 2026", true, Day(2026, 9, 5), -1},
      {"%b %d, %Y", "Dec 1, 2010", true, Day(2010, 12, 1), -1},
      {"%m/%d/%Y %H:%M", "12/1/2010 8:26", true, Day(2010, 12, 1), 8 * 3600 + 26 * 60},
      {"%m/%d/%Y %H:%M", "12/1/2010", false, 0, 0},
      {"%Y%m%d", "20260315", true, Day(2026, 3, 15), -1},
      {"%Y%m%d", "2026031", true, Day(2026, 3, 1), -1},
      {"%Y-%m-%d %H:%M:%S", "2026-03-15 25:00:00", false, 0, 0},
  };
  for (const C& c : cases) {
    SCOPED_TRACE(std::string(c.format) + " / " + c.text);
    Result<DateFormat> f = DateFormat::Compile(c.format);
    ASSERT_OK(f.status());
    DateTime dt;
    ASSERT_EQ(f->Parse(c.text, &dt), c.ok);
    if (c.ok) {
      EXPECT_EQ(dt.days, c.days);
      EXPECT_EQ(dt.seconds, c.seconds);
    }
  }
}

TEST(DateParserTest, BadFormatsAreInvalidArgument) {
  for (const char* f : {"%Y-%m", "%Q/%m/%d/%Y", "%d/%m/%Y%", "plain"}) {
    EXPECT_EQ(DateFormat::Compile(f).status().code(), StatusCode::kInvalidArgument) << f;
  }
}

TEST(DateParserTest, ClassifiesEvidenceForDetection) {
  struct C {
    const char* text;
    DateEvidence evidence;
    const char* format;  // the one the evidence picks
  };
  const std::vector<C> cases = {
      {"2026-03-15", DateEvidence::kIso, ""},
      {"15/03/2026", DateEvidence::kDayFirst, "%d/%m/%Y"},
      {"03/15/2026 10:00", DateEvidence::kMonthFirst, "%m/%d/%Y"},
      {"03/04/2026", DateEvidence::kAmbiguous, "%d/%m/%Y"},
      {"2026/03/15", DateEvidence::kYearFirst, "%Y/%m/%d"},
      {"25.12.26", DateEvidence::kDayFirst, "%d.%m.%y"},
      {"13/13/2026", DateEvidence::kNotADate, ""},
      {"31/02/2026", DateEvidence::kNotADate, ""},
      {"yesterday", DateEvidence::kNotADate, ""},
  };
  for (const C& c : cases) {
    SCOPED_TRACE(c.text);
    const DateShape s = ClassifyDate(c.text);
    EXPECT_EQ(s.evidence, c.evidence);
    if (c.evidence == DateEvidence::kMonthFirst) {
      EXPECT_EQ(s.month_first_format, c.format);
    }
    if (c.evidence == DateEvidence::kDayFirst || c.evidence == DateEvidence::kAmbiguous ||
        c.evidence == DateEvidence::kYearFirst) {
      EXPECT_EQ(s.day_first_format, c.format);
    }
  }
}

TEST(NumberParserTest, FormatsAndGrouping) {
  using E = core::ParseDecimalError;
  struct C {
    const char* text;
    DecimalFormat format;
    E error;
    int64_t value;  // at scale 2
  };
  const std::vector<C> cases = {
      {"1234.50", DecimalFormat::kPoint, E::kOk, 123450},
      {"1,234.50", DecimalFormat::kPoint, E::kSyntax, 0},
      {"1,234.50", DecimalFormat::kPointGrouped, E::kOk, 123450},
      {"1,234,567", DecimalFormat::kPointGrouped, E::kOk, 123456700},
      {"12,34.5", DecimalFormat::kPointGrouped, E::kSyntax, 0},
      {"1234.5", DecimalFormat::kPointGrouped, E::kOk, 123450},
      {"1.234,50", DecimalFormat::kComma, E::kOk, 123450},
      {"1 234,50", DecimalFormat::kComma, E::kOk, 123450},
      {"1\xC2\xA0"
       "234,50",
       DecimalFormat::kComma, E::kOk, 123450},
      {"-9,99", DecimalFormat::kComma, E::kOk, -999},
      {"1.5", DecimalFormat::kComma, E::kSyntax, 0},  // never silently 15
      {"1.23", DecimalFormat::kComma, E::kSyntax, 0},
      {"1,2,3", DecimalFormat::kComma, E::kSyntax, 0},
      {"", DecimalFormat::kComma, E::kEmpty, 0},
      {"1e5", DecimalFormat::kPoint, E::kSyntax, 0},
      {"0.001", DecimalFormat::kPoint, E::kTooPrecise, 0},
  };
  for (const C& c : cases) {
    SCOPED_TRACE(c.text);
    int64_t v = 0;
    EXPECT_EQ(ParseNumber(c.text, c.format, 2, &v), c.error);
    if (c.error == E::kOk) {
      EXPECT_EQ(v, c.value);
    }
  }
}

TEST(TextEncodingTest, Utf8ValidityAndFallbacks) {
  EXPECT_TRUE(IsValidUtf8("plain ascii text, long enough for the word loop"));
  EXPECT_TRUE(IsValidUtf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("caf\xE9"));
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // > U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xE2\x82"));          // truncated
  std::string out;
  AssignUtf8("Caf\xE9 \x80 \x92", TextEncoding::kWindows1252, &out);
  EXPECT_EQ(out, "Caf\xC3\xA9 \xE2\x82\xAC \xE2\x80\x99");
  AssignUtf8("Caf\xE9 \x80", TextEncoding::kLatin1, &out);
  EXPECT_EQ(out, "Caf\xC3\xA9 \xC2\x80");
  AssignUtf8("d\xC3\xA9j\xC3\xA0", TextEncoding::kWindows1252, &out);  // valid: unchanged
  EXPECT_EQ(out, "d\xC3\xA9j\xC3\xA0");
  EXPECT_EQ(CountCodePoints("d\xC3\xA9j\xC3\xA0"), 4u);
}

TEST(TextEncodingTest, EncodingNames) {
  EXPECT_EQ(*ParseEncodingName("CP1252"), TextEncoding::kWindows1252);
  EXPECT_EQ(*ParseEncodingName("iso-8859-1"), TextEncoding::kLatin1);
  const Result<TextEncoding> bad = ParseEncodingName("utf-16");
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("windows-1252"), std::string::npos);
}

// One valid row, then one change per case that must produce exactly that reject.
TEST(RowValidatorTest, EveryFieldRule) {
  ReaderOptions options;
  Result<RowValidator> v = RowValidator::Create(options);
  ASSERT_OK(v.status());
  auto base = [] {
    RowFields f;
    f.line = 7;
    f[Column::kOrderId] = "O-1";
    f[Column::kOrderDate] = "2026-03-15";
    f[Column::kSku] = "SKU";
    f[Column::kQuantity] = "3";
    f[Column::kUnitPrice] = "2.50";
    return f;
  };
  core::SalesLine line;
  core::RejectedRow reject;
  ASSERT_TRUE(v->Validate(base(), &line, &reject)) << reject.message;
  EXPECT_EQ(line.revenue.cents, 750);
  EXPECT_EQ(line.currency, "USD");
  EXPECT_EQ(line.line_no, 0);
  EXPECT_EQ(line.source_line, 7);

  const std::string long_id(65, 'x');
  const std::string long_name(256, 'n');
  struct C {
    Column column;
    std::string value;
    core::RejectReason reason;
  };
  using R = core::RejectReason;
  const std::vector<C> cases = {
      {Column::kOrderId, "", R::kMissingValue},
      {Column::kSku, "  ", R::kMissingValue},
      {Column::kQuantity, "", R::kMissingValue},
      {Column::kQuantity, "two", R::kBadNumber},
      {Column::kQuantity, "1.5", R::kBadNumber},
      {Column::kQuantity, "1000001", R::kBadNumber},
      {Column::kQuantity, "0", R::kZeroQuantity},
      {Column::kQuantity, "-0", R::kZeroQuantity},
      {Column::kUnitPrice, "-1.00", R::kNegativePrice},
      {Column::kUnitPrice, "$5", R::kBadNumber},
      {Column::kUnitPrice, "1.23456", R::kBadNumber},
      {Column::kUnitPrice, "1000000000", R::kBadNumber},
      {Column::kDiscount, "1", R::kBadDiscount},
      {Column::kDiscount, "-0.1", R::kBadDiscount},
      {Column::kDiscount, "100%", R::kBadDiscount},
      {Column::kDiscount, "lots", R::kBadNumber},
      {Column::kOrderDate, "2026-02-30", R::kBadDate},
      {Column::kOrderDate, "15/03/2026", R::kBadDate},
      {Column::kCurrency, "US", R::kBadCurrency},
      {Column::kCurrency, "U$D", R::kBadCurrency},
      {Column::kOrderId, long_id, R::kTooLong},
      {Column::kProductName, long_name, R::kTooLong},
      {Column::kLineNo, "0", R::kBadNumber},
      {Column::kLineNo, "x", R::kBadNumber},
  };
  for (const C& c : cases) {
    SCOPED_TRACE(std::string(ColumnName(c.column)) + "=" + c.value.substr(0, 20));
    RowFields f = base();
    f[c.column] = c.value;
    ASSERT_FALSE(v->Validate(f, &line, &reject));
    EXPECT_EQ(reject.reason, c.reason) << reject.message;
    EXPECT_EQ(reject.column, ColumnName(c.column));
    EXPECT_EQ(reject.line, 7);
    EXPECT_FALSE(reject.message.empty());
  }
}

TEST(RowValidatorTest, NormalisesValues) {
  ReaderOptions options;
  options.currency = "eur";
  Result<RowValidator> v = RowValidator::Create(options);
  ASSERT_OK(v.status());
  RowFields f;
  f[Column::kOrderId] = " O-2 ";
  f[Column::kOrderDate] = "2026-03-15T10:00:00+02:00";
  f[Column::kSku] = "SKU";
  f[Column::kQuantity] = "-2";
  f[Column::kUnitPrice] = "19.99";
  f[Column::kDiscount] = "12.5%";
  f[Column::kCurrency] = "gbp";
  f[Column::kLineNo] = "3";
  f[Column::kProductName] = std::string_view("Th\xE9", 3);  // windows-1252
  core::SalesLine line;
  core::RejectedRow reject;
  ASSERT_TRUE(v->Validate(f, &line, &reject)) << reject.message;
  EXPECT_EQ(line.order_id, "O-2");
  EXPECT_EQ(line.order_seconds, 36000);
  EXPECT_EQ(line.quantity, -2);
  EXPECT_EQ(line.unit_price, 199900);
  EXPECT_EQ(line.discount, 1250);
  EXPECT_EQ(line.currency, "GBP");
  EXPECT_EQ(line.line_no, 3);
  EXPECT_EQ(line.product_name, "Th\xC3\xA9");
  EXPECT_EQ(line.revenue, core::LineRevenue(-2, 199900, 1250));
  EXPECT_EQ(line.revenue.cents, -3498);  // -2 x 19.99 x 0.875 = -34.9825 -> -34.98
  f[Column::kCurrency] = "";
  ASSERT_TRUE(v->Validate(f, &line, &reject));
  EXPECT_EQ(line.currency, "EUR");
}

}  // namespace
}  // namespace salesflow::reader
