#include "cli/options.h"

#include <algorithm>

namespace salesflow::cli {

const std::vector<std::string_view>& CanonicalColumns() {
  static const std::vector<std::string_view> kColumns = {
      "order_id",    "order_date",   "sku",      "quantity", "unit_price",
      "line_no",     "product_name", "category", "discount", "currency",
      "customer_id", "country",      "region",   "channel",  "payment_method"};
  return kColumns;
}

namespace {

std::string CanonicalName(std::string_view column) {
  std::string out;
  for (const char c : column) {
    out.push_back(c == '-' ? '_' : static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
  }
  return out;
}

std::string ColumnList() {
  std::string out;
  for (const auto column : CanonicalColumns()) {
    if (!out.empty()) out += ", ";
    out += column;
  }
  return out;
}

}  // namespace

Result<ColumnMapping> ParseColumnMapping(const std::vector<std::string>& values) {
  ColumnMapping mapping;
  for (const auto& value : values) {
    const size_t eq = value.find('=');
    if (eq == std::string::npos) {
      return Status::InvalidArgument("--map '" + value +
                                     "': expected COLUMN=HEADER, e.g. order_id=InvoiceNo");
    }
    const std::string column = CanonicalName(value.substr(0, eq));
    const std::string header = value.substr(eq + 1);
    if (column.empty()) {
      return Status::InvalidArgument("--map '" + value + "': the column before '=' is empty");
    }
    if (header.empty()) {
      return Status::InvalidArgument("--map '" + value + "': the header after '=' is empty");
    }
    const auto& canonical = CanonicalColumns();
    if (std::find(canonical.begin(), canonical.end(), column) == canonical.end()) {
      return Status::InvalidArgument("--map '" + value + "': '" + value.substr(0, eq) +
                                     "' is not a report column (one of: " + ColumnList() + ")");
    }
    const auto same = std::find_if(mapping.begin(), mapping.end(),
                                   [&](const auto& entry) { return entry.first == column; });
    if (same != mapping.end()) {
      return Status::InvalidArgument("--map: column '" + column + "' is mapped twice ('" +
                                     same->second + "' and '" + header + "')");
    }
    mapping.emplace_back(column, header);
  }
  return mapping;
}

Result<std::string> NormalizeDelimiter(std::string_view value) {
  if (value == "tab" || value == "\\t" || value == "\t") return std::string("\t");
  if (value.size() != 1) {
    return Status::InvalidArgument("--delimiter '" + std::string(value) +
                                   "': expected one character such as , ; | or 'tab'");
  }
  return std::string(value);
}

void AddReaderFields(const ColumnMapping& mapping, const ReaderOptions& options,
                     nlohmann::json& body) {
  if (!mapping.empty()) {
    nlohmann::json object = nlohmann::json::object();
    for (const auto& [column, header] : mapping) object[column] = header;
    body["mapping"] = std::move(object);
  }
  auto set = [&](const char* name, const std::string& value) {
    if (!value.empty()) body[name] = value;
  };
  set("date_format", options.date_format);
  set("delimiter", options.delimiter);
  set("encoding", options.encoding);
  set("currency", options.currency);
}

}  // namespace salesflow::cli
