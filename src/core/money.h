// Exact money: scaled integers end to end, never binary floating point.
//
//   Money       int64 cents (scale 2): line revenue, totals. DECIMAL(18,2) in MySQL.
//   unit price  int64 scaled by 10^4 (kPriceScale):      DECIMAL(18,4) in MySQL.
//   discount    int32 scaled by 10^4 (kDiscountScale), 0 <= d < 10^4: DECIMAL(5,4).
//
// A line's revenue is quantity x unit_price x (1 - discount), rounded half away from zero
// to the cent (DESIGN.md's "half-up"; a return line rounds symmetrically to its sale).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace salesflow::core {

inline constexpr int kMoneyScale = 2;
inline constexpr int kPriceScale = 4;
inline constexpr int kDiscountScale = 4;
inline constexpr int64_t kPriceUnit = 10'000;     // 1.0000 as a scaled price
inline constexpr int32_t kDiscountUnit = 10'000;  // 1.0000 as a scaled discount

// Cents. A strong type so a price (scale 4) is never added to revenue (scale 2) by accident.
struct Money {
  int64_t cents = 0;

  friend constexpr Money operator+(Money a, Money b) { return {a.cents + b.cents}; }
  friend constexpr Money operator-(Money a, Money b) { return {a.cents - b.cents}; }
  constexpr Money& operator+=(Money o) {
    cents += o.cents;
    return *this;
  }
  friend constexpr bool operator==(Money, Money) = default;
  friend constexpr auto operator<=>(Money, Money) = default;

  // "1234.50", "-0.05": always two places, no grouping, no currency.
  std::string ToString() const;
};

// Bounds the reader enforces (beyond them a row is rejected), so that a line's revenue fits
// DECIMAL(18,2) and any realistic total fits int64 cents.
inline constexpr int64_t kMaxQuantity = 1'000'000;                 // |quantity|
inline constexpr int64_t kMaxUnitPriceScaled = 9'999'999'999'999;  // 999,999,999.9999

// quantity x price x (1 - discount), half away from zero to the cent.
// REQUIRES: |quantity| <= kMaxQuantity, 0 <= price_scaled <= kMaxUnitPriceScaled,
//           0 <= discount_scaled < kDiscountUnit.
Money LineRevenue(int64_t quantity, int64_t price_scaled, int32_t discount_scaled);

enum class ParseDecimalError {
  kOk,
  kEmpty,          // "" or only a sign
  kSyntax,         // not [+-]digits[.digits]
  kTooPrecise,     // more fractional digits than the scale holds (and they are not zeros)
  kOutOfRange,     // does not fit in int64 at that scale, or exceeds max_abs
};

// Parses "[+-]digits[.digits]" exactly into value x 10^scale. Trailing zero decimals
// beyond the scale are accepted ("1.250000" at scale 4). No exponent, no grouping: the
// reader strips locale grouping first when an explicit option asks for it.
ParseDecimalError ParseDecimal(std::string_view text, int scale, int64_t* out);

// Formats value x 10^-scale with exactly `scale` places: FormatDecimal(-5, 2) == "-0.05".
std::string FormatDecimal(int64_t value, int scale);

}  // namespace salesflow::core
