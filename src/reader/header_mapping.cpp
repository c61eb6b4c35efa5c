#include "reader/header_mapping.h"

#include <algorithm>
#include <string>

namespace salesflow::reader {
namespace {

// Synonyms, normalised, in preference order per column. A synonym with a `marker` applies
// only when a header with that normalised name is also present: Shopify's "Name" is the
// order ("#1001") in an export that has "Lineitem sku", but a product name elsewhere.
struct Synonym {
  Column column;
  std::string_view name;
  std::string_view marker = {};
};

constexpr Synonym kSynonyms[] = {
    // order_id
    {Column::kOrderId, "name", "lineitemsku"},  // Shopify order name, "#1001"
    {Column::kOrderId, "orderid"},
    {Column::kOrderId, "ordernumber"},
    {Column::kOrderId, "orderno"},
    {Column::kOrderId, "order"},
    {Column::kOrderId, "amazonorderid"},  // Amazon Seller Central
    {Column::kOrderId, "incrementid"},    // Magento
    {Column::kOrderId, "invoiceno"},      // classic retail
    {Column::kOrderId, "invoicenumber"},
    {Column::kOrderId, "invoice"},
    // line_no
    {Column::kLineNo, "linenumber"},
    {Column::kLineNo, "line"},
    {Column::kLineNo, "lineitemnumber"},
    // order_date
    {Column::kOrderDate, "createdat"},     // Shopify, Magento created_at
    {Column::kOrderDate, "purchasedate"},  // Amazon, Magento grid
    {Column::kOrderDate, "orderdatetime"},
    {Column::kOrderDate, "invoicedate"},  // classic retail
    {Column::kOrderDate, "date"},
    {Column::kOrderDate, "paidat"},
    // sku
    {Column::kSku, "lineitemsku"},  // Shopify
    {Column::kSku, "productsku"},
    {Column::kSku, "itemsku"},
    {Column::kSku, "sellersku"},
    {Column::kSku, "stockcode"},  // classic retail
    {Column::kSku, "productcode"},
    {Column::kSku, "itemcode"},
    // quantity
    {Column::kQuantity, "lineitemquantity"},  // Shopify
    {Column::kQuantity, "qty"},
    {Column::kQuantity, "qtyordered"},         // Magento
    {Column::kQuantity, "quantitypurchased"},  // Amazon
    {Column::kQuantity, "quantityordered"},
    {Column::kQuantity, "itemquantity"},
    {Column::kQuantity, "units"},
    // unit_price. Not Amazon's "item-price": it is the price of all units of the line.
    {Column::kUnitPrice, "lineitemprice"},  // Shopify
    {Column::kUnitPrice, "itemcost"},       // WooCommerce
    {Column::kUnitPrice, "price"},          // classic retail, Magento
    {Column::kUnitPrice, "unitcost"},
    {Column::kUnitPrice, "priceeach"},
    // product_name
    {Column::kProductName, "lineitemname"},  // Shopify
    {Column::kProductName, "itemname"},      // WooCommerce
    {Column::kProductName, "productname"},
    {Column::kProductName, "producttitle"},
    {Column::kProductName, "title"},
    {Column::kProductName, "description"},  // classic retail
    {Column::kProductName, "name"},         // Magento items (Shopify: see order_id)
    {Column::kProductName, "product"},
    // category
    {Column::kCategory, "productcategory"},
    {Column::kCategory, "categoryname"},
    {Column::kCategory, "producttype"},
    // discount (a fraction; "Discount Amount" is money and deliberately not mapped)
    {Column::kDiscount, "discountrate"},
    {Column::kDiscount, "discountpercent"},
    {Column::kDiscount, "discountpct"},
    // currency
    {Column::kCurrency, "currencycode"},
    {Column::kCurrency, "ordercurrency"},  // WooCommerce
    // customer_id
    {Column::kCustomerId, "customerid"},      // classic retail CustomerID
    {Column::kCustomerId, "customeruserid"},  // WooCommerce
    {Column::kCustomerId, "customerno"},
    {Column::kCustomerId, "customernumber"},
    {Column::kCustomerId, "customer"},
    {Column::kCustomerId, "buyerid"},
    // country
    {Column::kCountry, "shippingcountry"},  // Shopify
    {Column::kCountry, "shipcountry"},      // Amazon
    {Column::kCountry, "billingcountry"},   // Shopify, WooCommerce
    {Column::kCountry, "countrycode"},
    // region
    {Column::kRegion, "shippingprovince"},  // Shopify
    {Column::kRegion, "shipstate"},         // Amazon
    {Column::kRegion, "billingstate"},      // WooCommerce
    {Column::kRegion, "billingprovince"},
    {Column::kRegion, "state"},
    {Column::kRegion, "province"},
    // channel
    {Column::kChannel, "saleschannel"},  // Amazon
    {Column::kChannel, "source"},        // Shopify
    // payment_method
    {Column::kPaymentMethod, "paymentmethodtitle"},  // WooCommerce
    {Column::kPaymentMethod, "paymentgateway"},
    {Column::kPaymentMethod, "paymenttype"},
    {Column::kPaymentMethod, "payment"},
};

std::string Quote(std::string_view s) {
  std::string out = "\"";
  out.append(s);
  out += '"';
  return out;
}

std::string FoundList(const std::vector<std::string>& headers) {
  if (headers.empty()) return "(no headers)";
  std::string out;
  for (const std::string& h : headers) {
    if (!out.empty()) out += ", ";
    out += Quote(h);
  }
  return out;
}

}  // namespace

std::optional<Column> ColumnFromName(std::string_view name) {
  for (size_t i = 0; i < kColumnCount; ++i) {
    if (kColumns[i].name == name) return static_cast<Column>(i);
  }
  return std::nullopt;
}

std::string_view RequiredColumnList() { return "order_id, order_date, sku, quantity, unit_price"; }

std::string NormalizeHeaderName(std::string_view header) {
  std::string out;
  out.reserve(header.size());
  for (char c : header) {
    if (c == ' ' || c == '_' || c == '-' || c == '\t') continue;
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    out += c;
  }
  return out;
}

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

Result<HeaderMap> ResolveHeader(const std::vector<std::string>& headers,
                                const std::map<std::string, std::string>& mapping) {
  HeaderMap map;
  map.field_of.fill(kUnmapped);
  std::vector<std::string> normalized;
  normalized.reserve(headers.size());
  for (const std::string& h : headers) normalized.push_back(NormalizeHeaderName(h));
  std::vector<bool> used(headers.size(), false);

  auto assign = [&](Column c, size_t field) {
    map.field_of[static_cast<size_t>(c)] = static_cast<int>(field);
    map.header_of[static_cast<size_t>(c)] = headers[field];
    used[field] = true;
  };
  auto is_mapped = [&](Column c) { return map.field_of[static_cast<size_t>(c)] != kUnmapped; };
  auto find_unused = [&](std::string_view norm) -> int {
    for (size_t i = 0; i < headers.size(); ++i) {
      if (!used[i] && normalized[i] == norm) return static_cast<int>(i);
    }
    return kUnmapped;
  };

  // 1. Explicit mapping wins.
  for (const auto& [column_name, header] : mapping) {
    const std::optional<Column> column = ColumnFromName(column_name);
    if (!column) {
      return Status::InvalidArgument("mapping names unknown column \"" + column_name +
                                     "\"; columns are the canonical names, e.g. order_id");
    }
    int field = kUnmapped;
    for (size_t i = 0; i < headers.size(); ++i) {
      if (!used[i] && headers[i] == header) {
        field = static_cast<int>(i);
        break;
      }
    }
    if (field == kUnmapped) field = find_unused(NormalizeHeaderName(header));
    if (field == kUnmapped) {
      return Status::FailedPrecondition("mapping " + column_name + " -> " + Quote(header) +
                                        ": no such header; found: " + FoundList(headers));
    }
    assign(*column, static_cast<size_t>(field));
  }
  // 2. Canonical names.
  for (size_t c = 0; c < kColumnCount; ++c) {
    const Column column = static_cast<Column>(c);
    if (is_mapped(column)) continue;
    const int field = find_unused(NormalizeHeaderName(kColumns[c].name));
    if (field != kUnmapped) assign(column, static_cast<size_t>(field));
  }
  // 3. Synonyms, in preference order.
  for (const Synonym& s : kSynonyms) {
    if (is_mapped(s.column)) continue;
    if (!s.marker.empty() &&
        std::find(normalized.begin(), normalized.end(), s.marker) == normalized.end()) {
      continue;
    }
    const int field = find_unused(s.name);
    if (field != kUnmapped) assign(s.column, static_cast<size_t>(field));
  }

  std::string missing;
  for (size_t c = 0; c < kColumnCount; ++c) {
    const Column column = static_cast<Column>(c);
    if (!kColumns[c].required || is_mapped(column)) continue;
    const std::string want = NormalizeHeaderName(kColumns[c].name);
    std::string closest;
    size_t best = SIZE_MAX;
    for (size_t i = 0; i < headers.size(); ++i) {
      if (used[i]) continue;
      const size_t d = EditDistance(want, normalized[i]);
      if (d < best) {
        best = d;
        closest = headers[i];
      }
    }
    if (!missing.empty()) missing += "; ";
    missing += "missing required column " + std::string(kColumns[c].name);
    missing += closest.empty() && best == SIZE_MAX ? std::string(" (no unused header)")
                                                   : " (closest header: " + Quote(closest) + ")";
  }
  if (!missing.empty()) {
    return Status::FailedPrecondition(
        missing + "; required: " + std::string(RequiredColumnList()) +
        "; found: " + FoundList(headers) +
        "; map a header with \"mapping\": {\"<column>\": \"<header>\"} (CLI --map column=header)");
  }
  return map;
}

}  // namespace salesflow::reader
