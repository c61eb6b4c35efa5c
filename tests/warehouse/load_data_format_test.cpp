// The LOAD DATA text format, without a server (the round trip through MariaDB is in
// load_data_test.cpp).
#include <gtest/gtest.h>

#include "core/date.h"
#include "warehouse/load_data.h"

namespace salesflow::warehouse {
namespace {

TEST(LoadDataFormat, EscapesEverySpecialByte) {
  struct Case {
    std::string_view in, out;
  } cases[] = {
      {"plain", "plain\t"},
      {"", "\t"},
      {"a\\b", "a\\\\b\t"},
      {"\\N", "\\\\N\t"},
      {"tab\there", "tab\\there\t"},
      {"new\nline\r\n", "new\\nline\\r\\n\t"},
      {std::string_view("nul\0byte", 8), "nul\\0byte\t"},
      {"'); DROP TABLE sales; --", "'); DROP TABLE sales; --\t"},
      {"\"quoted\"", "\"quoted\"\t"},
  };
  for (const Case& c : cases) {
    std::string out;
    AppendField(c.in, &out);
    EXPECT_EQ(out, c.out);
  }
}

TEST(LoadDataFormat, NumbersAndNulls) {
  std::string out;
  AppendIntField(-42, &out);
  AppendDecimalField(-5, 2, &out);
  AppendDecimalField(12345678, 4, &out);
  AppendDecimalField(INT64_MIN, 2, &out);
  AppendDecimalField(7, 0, &out);
  AppendNullField(&out);
  EndRow(&out);
  EXPECT_EQ(out, "-42\t-0.05\t1234.5678\t-92233720368547758.08\t7\t\\N\n");
}

TEST(LoadDataFormat, SalesLineRow) {
  core::SalesLine line;
  line.source_line = 7;
  line.order_id = "O-1";
  line.line_no = 0;  // not in the file: NULL
  line.order_date = core::DaysFromCivil({2026, 3, 9});
  line.order_seconds = 3600 * 13 + 60 * 5 + 9;
  line.sku = "SKU\t1";
  line.quantity = -2;
  line.unit_price = 19990;  // 1.9990
  line.discount = 1500;     // 0.1500
  line.currency = "EUR";
  line.customer_id = "C\\9";
  line.revenue = core::Money{-340};
  std::string out;
  AppendLoadDataRow(line, &out);
  EXPECT_EQ(out,
            "7\tO-1\t\\N\t2026-03-09\t13:05:09\tSKU\\t1\t-2\t1.9990\t0.1500\tEUR\t\\N\t\\N\t"
            "C\\\\9\t\\N\t\\N\t\\N\t\\N\t-3.40\n");
  EXPECT_EQ(SalesLineColumns().size(), 18u);
}

TEST(LoadDataFormat, NoAllocationOnceTheBufferHasGrown) {
  core::SalesLine line;
  line.order_id = "order";
  line.sku = "sku";
  line.currency = "USD";
  line.product_name = std::string(200, 'x');
  std::string out;
  AppendLoadDataRow(line, &out);
  out.clear();
  const char* data = out.data();
  const size_t capacity = out.capacity();
  for (int i = 0; i < 1; ++i) AppendLoadDataRow(line, &out);
  EXPECT_EQ(out.data(), data);
  EXPECT_EQ(out.capacity(), capacity);
}

}  // namespace
}  // namespace salesflow::warehouse
