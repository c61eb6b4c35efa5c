// The domain records that flow from the reader to the warehouse: one SalesLine per good
// order line, one RejectedRow per bad one. Shared by reader, generator, warehouse, ingest.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/money.h"

namespace salesflow::core {

// One validated order line. Field names are the canonical report columns (DESIGN.md).
// The reader reuses one SalesLine per row, so strings keep their capacity: no per-row
// allocation on the hot path.
struct SalesLine {
  std::string order_id;
  int32_t line_no = 0;         // from the file, or the line's position within its order
  int32_t order_date = 0;      // days since 1970-01-01, the wall-clock date as written
  int32_t order_seconds = -1;  // seconds since midnight as written; -1 when only a date
  std::string sku;
  int64_t quantity = 0;        // non-zero; negative = return line
  int64_t unit_price = 0;      // scaled by 10^kPriceScale, >= 0
  int32_t discount = 0;        // scaled by 10^kDiscountScale, 0 <= d < kDiscountUnit
  std::string currency;        // ISO 4217, upper case, 3 letters
  std::string product_name;
  std::string category;
  std::string customer_id;     // empty = unknown
  std::string country;
  std::string region;
  std::string channel;
  std::string payment_method;
  Money revenue;               // LineRevenue(quantity, unit_price, discount)
  int64_t source_line = 0;     // 1-based physical line of the record's start in the file
};

// Why a row was rejected. The code strings are stable: they are stored in the warehouse,
// shown in rejects downloads and counted by reason in the generator's manifest.
enum class RejectReason {
  kMissingValue,    // a required field is empty
  kBadNumber,       // quantity / unit_price / discount / line_no is not a number
  kZeroQuantity,    // quantity == 0
  kNegativePrice,   // unit_price < 0
  kBadDiscount,     // discount outside [0, 1)
  kBadDate,         // order_date does not parse or is out of range
  kBadCurrency,     // not three ASCII letters
  kTooLong,         // a field exceeds its column's length limit
  kLineTooLong,     // a physical record exceeds the reader's line limit
  kFieldCount,      // a CSV record whose field count differs from the header's
  kDuplicateLine,   // (order_id, line_no) repeated within the same report
  kBadJson,         // a JSON Lines record that is not a JSON object
  kCount_,
};

inline constexpr std::array<std::string_view, static_cast<size_t>(RejectReason::kCount_)>
    kRejectReasonCodes = {"missing_value", "bad_number",  "zero_quantity", "negative_price",
                          "bad_discount",  "bad_date",    "bad_currency",  "too_long",
                          "line_too_long", "field_count", "duplicate_line", "bad_json"};

constexpr std::string_view RejectReasonCode(RejectReason reason) {
  return kRejectReasonCodes[static_cast<size_t>(reason)];
}

// One rejected row, reported with enough context for a user to fix the source file.
struct RejectedRow {
  int64_t line = 0;      // 1-based physical line where the record starts
  std::string column;    // canonical column name, or "" when the whole row is at fault
  RejectReason reason = RejectReason::kMissingValue;
  std::string message;   // human sentence: what was found, what was expected
  std::string raw;       // the record's raw text (capped by the reader)
};

}  // namespace salesflow::core
