#include "core/money.h"

#include <limits>

namespace salesflow::core {
namespace {

constexpr int64_t Pow10(int n) {
  int64_t p = 1;
  for (int i = 0; i < n; ++i) p *= 10;
  return p;
}

}  // namespace

std::string Money::ToString() const { return FormatDecimal(cents, kMoneyScale); }

Money LineRevenue(int64_t quantity, int64_t price_scaled, int32_t discount_scaled) {
  // Scale of the product: price 10^4 x (1 - discount) 10^4 = 10^8; cents are 10^2,
  // so divide by 10^6 with half-away-from-zero rounding. __int128 keeps it exact.
  __extension__ typedef __int128 Wide;  // GCC and Clang; __extension__ silences -Wpedantic
  const Wide exact = static_cast<Wide>(quantity) * price_scaled * (kDiscountUnit - discount_scaled);
  constexpr Wide kDivisor = Pow10(kPriceScale + kDiscountScale - kMoneyScale);
  const Wide magnitude = exact < 0 ? -exact : exact;
  Wide rounded = (magnitude + kDivisor / 2) / kDivisor;
  if (exact < 0) rounded = -rounded;
  return Money{static_cast<int64_t>(rounded)};
}

ParseDecimalError ParseDecimal(std::string_view text, int scale, int64_t* out) {
  size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
    negative = text[i] == '-';
    ++i;
  }
  if (i == text.size()) return ParseDecimalError::kEmpty;
  constexpr uint64_t kLimit = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  uint64_t value = 0;
  bool any_digit = false;
  bool out_of_range = false;
  auto push_digit = [&](char c) {
    const uint64_t d = static_cast<uint64_t>(c - '0');
    if (value > (kLimit - d) / 10) {
      out_of_range = true;
    } else {
      value = value * 10 + d;
    }
  };
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
    push_digit(text[i]);
    any_digit = true;
  }
  int fraction_digits = 0;
  if (i < text.size() && text[i] == '.') {
    ++i;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
      any_digit = true;
      if (fraction_digits < scale) {
        push_digit(text[i]);
        ++fraction_digits;
      } else if (text[i] != '0') {
        return ParseDecimalError::kTooPrecise;
      }
    }
  }
  if (!any_digit || i != text.size()) return ParseDecimalError::kSyntax;
  for (; fraction_digits < scale; ++fraction_digits) push_digit('0');
  if (out_of_range) return ParseDecimalError::kOutOfRange;
  *out = negative ? -static_cast<int64_t>(value) : static_cast<int64_t>(value);
  return ParseDecimalError::kOk;
}

std::string FormatDecimal(int64_t value, int scale) {
  const bool negative = value < 0;
  // Work in unsigned so INT64_MIN formats correctly.
  uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(value) : static_cast<uint64_t>(value);
  char buffer[48];
  char* end = buffer + sizeof(buffer);
  char* p = end;
  for (int digits = 0; digits < scale || magnitude > 0 || digits <= scale; ++digits) {
    if (digits == scale && scale > 0) *--p = '.';
    *--p = static_cast<char>('0' + magnitude % 10);
    magnitude /= 10;
  }
  if (negative) *--p = '-';
  return std::string(p, end);
}

}  // namespace salesflow::core
