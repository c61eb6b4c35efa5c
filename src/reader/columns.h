// The canonical report columns (DESIGN.md "Canonical report columns"): their names, which are
// required, and the per-column length limits the reader enforces (too_long rejects). The
// warehouse sizes its VARCHAR columns from the same constants.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

namespace salesflow::reader {

enum class Column {
  kOrderId,
  kLineNo,
  kOrderDate,
  kSku,
  kQuantity,
  kUnitPrice,
  kProductName,
  kCategory,
  kDiscount,
  kCurrency,
  kCustomerId,
  kCountry,
  kRegion,
  kChannel,
  kPaymentMethod,
  kCount_,
};

inline constexpr size_t kColumnCount = static_cast<size_t>(Column::kCount_);

struct ColumnInfo {
  std::string_view name;  // canonical, lower_snake_case
  bool required;
  // Text columns: maximum length in characters (Unicode code points) after decoding;
  // 0 for typed columns (numbers, dates), whose own parsers bound them.
  size_t max_chars;
};

inline constexpr std::array<ColumnInfo, kColumnCount> kColumns = {{
    {"order_id", true, 64},
    {"line_no", false, 0},
    {"order_date", true, 0},
    {"sku", true, 64},
    {"quantity", true, 0},
    {"unit_price", true, 0},
    {"product_name", false, 255},
    {"category", false, 128},
    {"discount", false, 0},
    {"currency", false, 3},
    {"customer_id", false, 64},
    {"country", false, 64},
    {"region", false, 128},
    {"channel", false, 64},
    {"payment_method", false, 64},
}};

constexpr const ColumnInfo& Info(Column c) { return kColumns[static_cast<size_t>(c)]; }
constexpr std::string_view ColumnName(Column c) { return Info(c).name; }

// The column whose canonical name is exactly `name` ("order_id"), if any.
std::optional<Column> ColumnFromName(std::string_view name);

// "order_id, order_date, sku, quantity, unit_price"
std::string_view RequiredColumnList();

}  // namespace salesflow::reader
