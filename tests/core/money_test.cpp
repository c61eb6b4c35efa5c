#include "core/money.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

namespace salesflow::core {
namespace {

struct RevenueCase {
  int64_t quantity;
  const char* price;
  const char* discount;
  const char* expected;
};

TEST(MoneyTest, LineRevenueRoundsHalfAwayFromZero) {
  const RevenueCase cases[] = {
      {1, "10.00", "0", "10.00"},
      {3, "19.99", "0", "59.97"},
      {1, "0.005", "0", "0.01"},       // exactly half a cent rounds up
      {1, "0.0049", "0", "0.00"},
      {-1, "0.005", "0", "-0.01"},     // a return rounds symmetrically to its sale
      {2, "10.00", "0.15", "17.00"},
      {1, "9.99", "0.3333", "6.66"},   // 6.6603333 -> 6.66
      {7, "1.2345", "0.1", "7.78"},    // 7.777350 -> 7.78
      {1, "0.00", "0", "0.00"},
      {kMaxQuantity, "999999999.9999", "0", "999999999999900.00"},
      {-kMaxQuantity, "999999999.9999", "0.0001", "-999899999999900.01"},
  };
  for (const auto& c : cases) {
    int64_t price = 0;
    int64_t discount = 0;
    ASSERT_EQ(ParseDecimal(c.price, kPriceScale, &price), ParseDecimalError::kOk) << c.price;
    ASSERT_EQ(ParseDecimal(c.discount, kDiscountScale, &discount), ParseDecimalError::kOk);
    EXPECT_EQ(LineRevenue(c.quantity, price, static_cast<int32_t>(discount)).ToString(),
              c.expected)
        << c.quantity << " x " << c.price << " x (1 - " << c.discount << ")";
  }
}

TEST(MoneyTest, ParseDecimalIsExact) {
  struct Case {
    const char* text;
    int scale;
    ParseDecimalError error;
    int64_t value;
  };
  const Case cases[] = {
      {"1234.5", 2, ParseDecimalError::kOk, 123450},
      {"-0.05", 2, ParseDecimalError::kOk, -5},
      {"+7", 4, ParseDecimalError::kOk, 70000},
      {".5", 2, ParseDecimalError::kOk, 50},
      {"5.", 2, ParseDecimalError::kOk, 500},
      {"1.250000", 4, ParseDecimalError::kOk, 12500},
      {"1.23456", 4, ParseDecimalError::kTooPrecise, 0},
      {"", 2, ParseDecimalError::kEmpty, 0},
      {"-", 2, ParseDecimalError::kEmpty, 0},
      {".", 2, ParseDecimalError::kSyntax, 0},
      {"1e3", 2, ParseDecimalError::kSyntax, 0},
      {"1,234.50", 2, ParseDecimalError::kSyntax, 0},
      {" 1", 2, ParseDecimalError::kSyntax, 0},
      {"0.1", 0, ParseDecimalError::kTooPrecise, 0},
      {"92233720368547758.07", 2, ParseDecimalError::kOk, std::numeric_limits<int64_t>::max()},
      {"92233720368547758.08", 2, ParseDecimalError::kOutOfRange, 0},
      {"99999999999999999999999999", 0, ParseDecimalError::kOutOfRange, 0},
  };
  for (const auto& c : cases) {
    int64_t value = 0;
    EXPECT_EQ(ParseDecimal(c.text, c.scale, &value), c.error) << c.text;
    if (c.error == ParseDecimalError::kOk) {
      EXPECT_EQ(value, c.value) << c.text;
    }
  }
}

TEST(MoneyTest, FormatDecimal) {
  EXPECT_EQ(FormatDecimal(0, 2), "0.00");
  EXPECT_EQ(FormatDecimal(5, 2), "0.05");
  EXPECT_EQ(FormatDecimal(-5, 2), "-0.05");
  EXPECT_EQ(FormatDecimal(123456, 2), "1234.56");
  EXPECT_EQ(FormatDecimal(12500, 4), "1.2500");
  EXPECT_EQ(FormatDecimal(42, 0), "42");
  EXPECT_EQ(FormatDecimal(std::numeric_limits<int64_t>::min(), 2), "-92233720368547758.08");
  EXPECT_EQ((Money{150} + Money{-25}).ToString(), "1.25");
}

}  // namespace
}  // namespace salesflow::core
