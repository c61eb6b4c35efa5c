// ReportReader over the fixtures in tests/data/reader, at every buffer size.
#include "reader/report_reader.h"

#include <gtest/gtest.h>

#include "core/date.h"
#include "reader_test_util.h"
#include "test_util.h"

namespace salesflow::reader {
namespace {

using testing::CodeOf;
using testing::kChunkSizes;
using testing::ReadAll;
using testing::ReadFixture;
using testing::ReadOutcome;

int32_t Day(int y, int m, int d) { return core::DaysFromCivil({y, m, d}); }

void ExpectAccounted(const ReadOutcome& r) {
  EXPECT_EQ(r.stats.rows_read, r.stats.rows_good + r.stats.rows_rejected());
  EXPECT_EQ(static_cast<size_t>(r.stats.rows_good), r.lines.size());
  EXPECT_EQ(static_cast<size_t>(r.stats.rows_rejected()), r.rejects.size());
}

TEST(ReportReaderTest, ShopifyExport) {
  const std::string bytes = ReadFixture("tests/data/reader/shopify_orders.csv");
  for (size_t chunk : kChunkSizes) {
    SCOPED_TRACE(chunk);
    ReaderOptions options;
    options.source_name = "shop/2026-03-15.csv";
    ReadOutcome r = ReadAll(options, bytes, chunk);
    ASSERT_OK(r.status);
    ExpectAccounted(r);
    ASSERT_EQ(r.lines.size(), 4u);
    EXPECT_TRUE(r.rejects.empty());
    const core::SalesLine& first = r.lines[0];
    EXPECT_EQ(first.order_id, "#1001");
    EXPECT_EQ(first.sku, "MUG-BLU");
    EXPECT_EQ(first.product_name, "Mug, blue");
    EXPECT_EQ(first.quantity, 2);
    EXPECT_EQ(first.unit_price, 125000);
    EXPECT_EQ(first.revenue.cents, 2500);
    EXPECT_EQ(first.country, "US");
    EXPECT_EQ(first.region, "NY");
    EXPECT_EQ(first.channel, "web");
    EXPECT_EQ(first.payment_method, "Shopify Payments");
    EXPECT_EQ(first.line_no, 0);  // assigned by position later
    EXPECT_EQ(first.source_line, 2);
    EXPECT_EQ(r.lines[1].product_name, "Tea \"Earl Grey\" 100g");
    EXPECT_EQ(r.lines[2].order_date, Day(2026, 3, 15));  // wall clock, offset not applied
    EXPECT_EQ(r.lines[2].order_seconds, 86399);
    EXPECT_EQ(r.lines[2].quantity, -1);
    EXPECT_EQ(r.lines[2].currency, "USD");
    EXPECT_EQ(r.lines[2].revenue.cents, -499);
    EXPECT_EQ(r.lines[3].unit_price, 12000);
    EXPECT_EQ(r.stats.delimiter, ',');
    EXPECT_EQ(r.stats.format, ReportFormat::kCsv);
    EXPECT_EQ(r.stats.bytes_in, static_cast<int64_t>(bytes.size()));
  }
}

TEST(ReportReaderTest, ShopifyDateWithSpaceBeforeOffsetNeedsNoOption) {
  // "2026-03-14 09:15:02 -0500" is Shopify's own spelling: accepted, wall clock kept.
  const std::string bytes = ReadFixture("tests/data/reader/shopify_orders.csv");
  ReadOutcome r = ReadAll({}, bytes, testing::kDefaultChunk);
  ASSERT_OK(r.status);
  ASSERT_FALSE(r.lines.empty());
  EXPECT_EQ(r.lines[0].order_date, Day(2026, 3, 14));
  EXPECT_EQ(r.lines[0].order_seconds, 9 * 3600 + 15 * 60 + 2);
}

TEST(ReportReaderTest, GzipEqualsPlain) {
  const std::string plain = ReadFixture("tests/data/reader/shopify_orders.csv");
  const std::string gz = ReadFixture("tests/data/reader/shopify_orders.csv.gz");
  const ReadOutcome expected = ReadAll({}, plain, testing::kDefaultChunk);
  ASSERT_OK(expected.status);
  for (size_t chunk : kChunkSizes) {
    SCOPED_TRACE(chunk);
    ReadOutcome r = ReadAll({}, gz, chunk);
    ASSERT_OK(r.status);
    EXPECT_TRUE(r.stats.gzip);
    EXPECT_EQ(r.stats.bytes_in, static_cast<int64_t>(gz.size()));
    EXPECT_EQ(r.stats.bytes_out, static_cast<int64_t>(plain.size()));
    ASSERT_EQ(r.lines.size(), expected.lines.size());
    for (size_t i = 0; i < r.lines.size(); ++i) {
      EXPECT_EQ(r.lines[i].order_id, expected.lines[i].order_id);
      EXPECT_EQ(r.lines[i].revenue, expected.lines[i].revenue);
    }
  }
}

TEST(ReportReaderTest, WooCommerceExport) {
  const std::string bytes = ReadFixture("tests/data/reader/woocommerce_orders.csv");
  for (size_t chunk : kChunkSizes) {
    ReadOutcome r = ReadAll({}, bytes, chunk);
    ASSERT_OK(r.status);
    ASSERT_EQ(r.lines.size(), 3u);
    EXPECT_EQ(r.lines[0].order_id, "5001");
    EXPECT_EQ(r.lines[0].unit_price, 399000);
    EXPECT_EQ(r.lines[0].currency, "EUR");
    EXPECT_EQ(r.lines[0].customer_id, "17");
    EXPECT_EQ(r.lines[0].payment_method, "Direct bank transfer");
    EXPECT_EQ(r.lines[0].region, "BE");
    EXPECT_EQ(r.lines[2].quantity, -1);
    EXPECT_EQ(r.lines[2].customer_id, "");
  }
}

TEST(ReportReaderTest, ClassicRetailDetectsMonthFirstDates) {
  const std::string bytes = ReadFixture("tests/data/reader/retail_online.csv");
  for (size_t chunk : kChunkSizes) {
    SCOPED_TRACE(chunk);
    ReadOutcome r = ReadAll({}, bytes, chunk);
    ASSERT_OK(r.status);
    ExpectAccounted(r);
    ASSERT_EQ(r.lines.size(), 4u);
    EXPECT_EQ(r.stats.date_format, "%m/%d/%Y");
    EXPECT_EQ(r.lines[0].order_date, Day(2010, 12, 1));  // held, then released in order
    EXPECT_EQ(r.lines[0].order_seconds, 8 * 3600 + 26 * 60);
    EXPECT_EQ(r.lines[0].order_id, "536365");
    EXPECT_EQ(r.lines[1].order_id, "536366");
    EXPECT_EQ(r.lines[2].order_date, Day(2010, 12, 13));
    EXPECT_EQ(r.lines[3].order_id, "C536379");
    EXPECT_EQ(r.lines[3].quantity, -1);
    EXPECT_EQ(r.lines[0].product_name, "WHITE HANGING HEART T-LIGHT HOLDER");
    EXPECT_EQ(r.lines[0].country, "United Kingdom");
  }
}

TEST(ReportReaderTest, SemicolonDecimalCommaWithMapping) {
  const std::string bytes = ReadFixture("tests/data/reader/semicolon_decimal_comma.csv");
  ReaderOptions options;
  ASSERT_OK(SetReaderOption(&options, "decimal_format", "1.234,50"));
  ASSERT_OK(AddMappingArg(&options, "order_id=Bestellnummer"));
  for (size_t chunk : kChunkSizes) {
    SCOPED_TRACE(chunk);
    ReadOutcome r = ReadAll(options, bytes, chunk);
    ASSERT_OK(r.status);
    ExpectAccounted(r);
    EXPECT_EQ(r.stats.delimiter, ';');
    EXPECT_EQ(r.stats.date_format, "%d.%m.%Y");
    ASSERT_EQ(r.lines.size(), 2u);
    EXPECT_EQ(r.lines[0].order_id, "A-1");
    EXPECT_EQ(r.lines[0].order_date, Day(2026, 4, 3));
    EXPECT_EQ(r.lines[0].unit_price, 12345000);
    EXPECT_EQ(r.lines[0].discount, 1000);
    EXPECT_EQ(r.lines[0].revenue.cents, 222210);  // 2 x 1234.50 x 0.9
    EXPECT_EQ(r.lines[1].unit_price, 99900);
    ASSERT_EQ(r.rejects.size(), 1u);
    EXPECT_EQ(r.rejects[0].line, 4);
    EXPECT_EQ(r.rejects[0].column, "unit_price");
    EXPECT_EQ(CodeOf(r.rejects[0].reason), "bad_number");
    EXPECT_EQ(r.rejects[0].raw, "A-3;26.04.2026;SKU-3;1;1.5;;EUR");
  }
  // Without the mapping: a clear header error.
  ReadOutcome r = ReadAll({}, bytes, testing::kDefaultChunk);
  EXPECT_EQ(r.status.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status.message().find("missing required column order_id"), std::string::npos);
}

TEST(ReportReaderTest, Windows1252TextIsDecoded) {
  const std::string bytes = ReadFixture("tests/data/reader/windows1252.csv");
  for (size_t chunk : kChunkSizes) {
    ReadOutcome r = ReadAll({}, bytes, chunk);
    ASSERT_OK(r.status);
    ASSERT_EQ(r.lines.size(), 2u);
    EXPECT_EQ(r.lines[0].product_name, "Caf\xC3\xA9 cr\xC3\xA8me \xE2\x82\xAC l\xE2\x80\x99orange");
    EXPECT_EQ(r.lines[1].product_name, "Th\xC3\xA9 vert");  // UTF-8 row left as is
    ReaderOptions latin1;
    ASSERT_OK(SetReaderOption(&latin1, "encoding", "latin1"));
    r = ReadAll(latin1, bytes, chunk);
    ASSERT_OK(r.status);
    EXPECT_EQ(r.lines[0].product_name.substr(0, 5), "Caf\xC3\xA9");
  }
  ReaderOptions bad;
  EXPECT_EQ(SetReaderOption(&bad, "encoding", "ebcdic").code(), StatusCode::kInvalidArgument);
}

TEST(ReportReaderTest, JsonLines) {
  const std::string bytes = ReadFixture("tests/data/reader/orders.jsonl");
  for (size_t chunk : kChunkSizes) {
    SCOPED_TRACE(chunk);
    ReaderOptions options;
    options.source_name = "exports/orders.jsonl";
    ReadOutcome r = ReadAll(options, bytes, chunk);
    ASSERT_OK(r.status);
    ExpectAccounted(r);
    EXPECT_EQ(r.stats.format, ReportFormat::kJsonLines);
    ASSERT_EQ(r.lines.size(), 3u);
    EXPECT_EQ(r.lines[0].order_id, "J-1");
    EXPECT_EQ(r.lines[0].unit_price, 199900);  // 19.99 exactly: never through double
    EXPECT_EQ(r.lines[0].discount, 1000);
    EXPECT_EQ(r.lines[0].currency, "GBP");
    EXPECT_EQ(r.lines[0].customer_id, "42");
    EXPECT_EQ(r.lines[0].revenue.cents, 3598);
    EXPECT_EQ(r.lines[1].unit_price, 1000);
    EXPECT_EQ(r.lines[2].unit_price, 123456781234);
    EXPECT_EQ(r.lines[2].source_line, 7);
    ASSERT_EQ(r.rejects.size(), 3u);
    EXPECT_EQ(r.rejects[0].line, 4);
    EXPECT_EQ(CodeOf(r.rejects[0].reason), "bad_json");
    EXPECT_EQ(r.rejects[0].raw, "[1, 2, 3]");
    EXPECT_EQ(r.rejects[1].line, 5);
    EXPECT_EQ(r.rejects[1].column, "unit_price");
    EXPECT_EQ(r.rejects[2].line, 6);
    EXPECT_EQ(CodeOf(r.rejects[2].reason), "bad_json");
  }
  // Detected from content when the name says nothing.
  ReadOutcome r = ReadAll({}, bytes, testing::kDefaultChunk);
  ASSERT_OK(r.status);
  EXPECT_EQ(r.stats.format, ReportFormat::kJsonLines);
}

TEST(ReportReaderTest, AmazonItemPriceIsNotTakenForUnitPrice) {
  const std::string bytes = ReadFixture("tests/data/reader/amazon_orders.tsv");
  ReaderOptions options;
  options.source_name = "amazon/orders.tsv";
  ReadOutcome r = ReadAll(options, bytes, testing::kDefaultChunk);
  ASSERT_EQ(r.status.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status.message().find("unit_price (closest header: \"item-price\")"),
            std::string::npos)
      << r.status.message();
  ASSERT_OK(AddMappingArg(&options, "unit_price=item-price"));
  r = ReadAll(options, bytes, testing::kDefaultChunk);
  ASSERT_OK(r.status);
  ASSERT_EQ(r.lines.size(), 1u);
  EXPECT_EQ(r.lines[0].order_id, "111-222");
  EXPECT_EQ(r.lines[0].channel, "Amazon.com");
  EXPECT_EQ(r.stats.delimiter, '\t');
}

// Every reject reason the reader produces, each through the whole reader.
TEST(ReportReaderTest, EveryRejectReason) {
  const std::string header =
      "order_id,line_no,order_date,sku,quantity,unit_price,discount,currency\n";
  struct C {
    std::string row;
    std::string reason;
    std::string column;
  };
  const std::vector<C> cases = {
      {",1,2026-01-01,S,1,1.00,,", "missing_value", "order_id"},
      {"O,1,2026-01-01,S,x,1.00,,", "bad_number", "quantity"},
      {"O,1,2026-01-01,S,0,1.00,,", "zero_quantity", "quantity"},
      {"O,1,2026-01-01,S,1,-1.00,,", "negative_price", "unit_price"},
      {"O,1,2026-01-01,S,1,1.00,1.5,", "bad_discount", "discount"},
      {"O,1,2026-01-32,S,1,1.00,,", "bad_date", "order_date"},
      {"O,1,2026-01-01,S,1,1.00,,EURO", "bad_currency", "currency"},
      {std::string(65, 'O') + ",1,2026-01-01,S,1,1.00,,", "too_long", "order_id"},
      {"O,1,2026-01-01,S,1,1.00,", "field_count", ""},
      {"O,1,2026-01-01,S,1,1.00,,,", "field_count", ""},
      {"O,1,2026-01-01,S," + std::string(300, '9') + ",1.00,,", "line_too_long", ""},
  };
  for (const C& c : cases) {
    for (size_t chunk : kChunkSizes) {
      SCOPED_TRACE(c.reason + " chunk=" + std::to_string(chunk));
      ReaderOptions options;
      options.max_line_bytes = 256;
      ReadOutcome r = ReadAll(
          options,
          header + "G,1,2026-01-01,S,1,1.00,,\n" + c.row + "\n" + "G,2,2026-01-01,S,1,1.00,,\n",
          chunk);
      ASSERT_OK(r.status);
      ExpectAccounted(r);
      EXPECT_EQ(r.lines.size(), 2u);
      ASSERT_EQ(r.rejects.size(), 1u);
      EXPECT_EQ(CodeOf(r.rejects[0].reason), c.reason) << r.rejects[0].message;
      EXPECT_EQ(r.rejects[0].column, c.column);
      EXPECT_EQ(r.rejects[0].line, 3);
      EXPECT_FALSE(r.rejects[0].message.empty());
      EXPECT_FALSE(r.rejects[0].raw.empty());
      EXPECT_EQ(r.stats.rejects_by_reason[static_cast<size_t>(r.rejects[0].reason)], 1);
    }
  }
}

TEST(ReportReaderTest, RawTextIsCappedAndKeptForTheFirstRejectsOnly) {
  std::string csv = "order_id,order_date,sku,quantity,unit_price,product_name\n";
  for (int i = 0; i < 5; ++i) csv += "O,2026-01-01,S,0,1.00," + std::string(100, 'p') + "\n";
  ReaderOptions options;
  options.max_raw_rejects = 2;
  options.max_raw_bytes = 20;
  ReadOutcome r = ReadAll(options, csv, testing::kDefaultChunk);
  ASSERT_OK(r.status);
  ASSERT_EQ(r.rejects.size(), 5u);
  EXPECT_EQ(r.rejects[0].raw, "O,2026-01-01,S,0,1.0");
  EXPECT_EQ(r.rejects[1].raw.size(), 20u);
  EXPECT_EQ(r.rejects[2].raw, "");
  EXPECT_FALSE(r.rejects[4].message.empty());
  EXPECT_EQ(r.stats.rejects_by_reason[static_cast<size_t>(core::RejectReason::kZeroQuantity)], 5);
}

TEST(ReportReaderTest, AmbiguousDatesFailNamingTheOption) {
  const std::string csv =
      "order_id,order_date,sku,quantity,unit_price\nA,03/04/2026,S,1,1\nB,05/06/2026,S,1,1\n";
  for (size_t chunk : kChunkSizes) {
    ReadOutcome r = ReadAll({}, csv, chunk);
    EXPECT_EQ(r.status.code(), StatusCode::kFailedPrecondition);
    EXPECT_NE(r.status.message().find("date_format"), std::string::npos);
    EXPECT_NE(r.status.message().find("\"03/04/2026\" (line 2)"), std::string::npos)
        << r.status.message();
    EXPECT_TRUE(r.lines.empty());
  }
  ReaderOptions options;
  ASSERT_OK(SetReaderOption(&options, "date_format", "%d/%m/%Y"));
  ReadOutcome r = ReadAll(options, csv, testing::kDefaultChunk);
  ASSERT_OK(r.status);
  ASSERT_EQ(r.lines.size(), 2u);
  EXPECT_EQ(r.lines[0].order_date, Day(2026, 4, 3));
}

TEST(ReportReaderTest, DetectionWindowIsBounded) {
  std::string csv = "order_id,order_date,sku,quantity,unit_price\n";
  for (int i = 0; i < 50; ++i) csv += "A,03/04/2026,S,1,1\n";
  csv += "B,13/04/2026,S,1,1\n";
  ReaderOptions options;
  options.date_detect_rows = 10;
  ReadOutcome r = ReadAll(options, csv, testing::kDefaultChunk);
  EXPECT_EQ(r.status.code(), StatusCode::kFailedPrecondition);
  options.date_detect_rows = 100;
  r = ReadAll(options, csv, testing::kDefaultChunk);
  ASSERT_OK(r.status);
  EXPECT_EQ(r.stats.date_format, "%d/%m/%Y");
  EXPECT_EQ(r.lines.size(), 51u);
}

TEST(ReportReaderTest, RejectsKeepFileOrderAcrossDetection) {
  const std::string csv =
      "order_id,order_date,sku,quantity,unit_price\n"
      "A,03/04/2026,S,1,1\nB,03/04/2026,S,0,1\nC,03/04/2026,S,1\nD,13/04/2026,S,1,1\n";
  ReadOutcome r = ReadAll({}, csv, 3);
  ASSERT_OK(r.status);
  ASSERT_EQ(r.rejects.size(), 2u);
  EXPECT_EQ(r.rejects[0].line, 3);
  EXPECT_EQ(r.rejects[1].line, 4);
  EXPECT_EQ(CodeOf(r.rejects[1].reason), "field_count");
  ASSERT_EQ(r.lines.size(), 2u);
  EXPECT_EQ(r.lines[0].order_id, "A");
}

TEST(ReportReaderTest, HeaderOnlyIsZeroRowsButEmptyIsAnError) {
  ReadOutcome r = ReadAll({}, "order_id,order_date,sku,quantity,unit_price\n", 7);
  ASSERT_OK(r.status);
  EXPECT_EQ(r.stats.rows_read, 0);
  for (const char* empty : {"", "\xEF\xBB\xBF", "\n\n\r\n"}) {
    r = ReadAll({}, empty, 1);
    EXPECT_EQ(r.status.code(), StatusCode::kFailedPrecondition) << empty;
    EXPECT_NE(r.status.message().find("empty"), std::string::npos);
  }
}

TEST(ReportReaderTest, SinkErrorStopsTheRead) {
  class FailingSink : public LineSink {
   public:
    Status OnLine(const core::SalesLine&) override {
      return ++lines == 2 ? Status::Unavailable("warehouse went away") : Status::Ok();
    }
    Status OnReject(const core::RejectedRow&) override { return Status::Ok(); }
    int lines = 0;
  } sink;
  ReportReader reader({}, &sink);
  const Status s = reader.Feed(
      "order_id,order_date,sku,quantity,unit_price\nA,2026-01-01,S,1,1\nB,2026-01-01,S,1,1\n"
      "C,2026-01-01,S,1,1\n");
  EXPECT_EQ(s.code(), StatusCode::kUnavailable);
  EXPECT_EQ(sink.lines, 2);
  EXPECT_EQ(reader.Feed("D,2026-01-01,S,1,1\n").code(), StatusCode::kUnavailable);
  EXPECT_EQ(reader.Finish().code(), StatusCode::kUnavailable);
}

TEST(ReportReaderTest, OptionValidation) {
  ReaderOptions o;
  EXPECT_EQ(SetReaderOption(&o, "delimiter", "x").code(), StatusCode::kInvalidArgument);
  EXPECT_OK(SetReaderOption(&o, "delimiter", "tab"));
  EXPECT_EQ(o.delimiter, '\t');
  EXPECT_EQ(SetReaderOption(&o, "date_format", "%Q").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(SetReaderOption(&o, "currency", "dollars").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(SetReaderOption(&o, "colour", "red").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(SetReaderOption(&o, "decimal_format", "roman").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(AddMappingArg(&o, "order_id").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(AddMappingArg(&o, "invoice=Invoice").code(), StatusCode::kInvalidArgument);
  EXPECT_OK(AddMappingArg(&o, "order_id=Invoice No"));
  EXPECT_EQ(o.mapping.at("order_id"), "Invoice No");
  ReaderOptions bad;
  bad.currency = "X";
  testing::CollectingSink sink;
  ReportReader reader(bad, &sink);
  EXPECT_EQ(reader.Feed("a").code(), StatusCode::kInvalidArgument);
}

TEST(ReportReaderTest, BomAndExplicitDelimiter) {
  const std::string csv =
      "\xEF\xBB\xBForder_id|order_date|sku|quantity|unit_price\nA|2026-01-01|S|1|1\n";
  for (size_t chunk : kChunkSizes) {
    ReadOutcome r = ReadAll({}, csv, chunk);
    ASSERT_OK(r.status);
    EXPECT_EQ(r.stats.delimiter, '|');
    ASSERT_EQ(r.lines.size(), 1u);
    EXPECT_EQ(r.lines[0].order_id, "A");
  }
}

}  // namespace
}  // namespace salesflow::reader
