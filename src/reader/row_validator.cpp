#include "reader/row_validator.h"

#include <climits>
#include <cstdint>

#include "core/money.h"
#include "reader/number_parser.h"
#include "reader/text_encoding.h"

namespace salesflow::reader {
namespace {

using core::ParseDecimalError;
using core::RejectReason;

constexpr size_t kMaxQuotedValue = 80;

// The value as it may appear in a message: UTF-8, capped.
std::string Shown(std::string_view value, TextEncoding fallback) {
  std::string text;
  AssignUtf8(value.substr(0, kMaxQuotedValue), fallback, &text);
  if (value.size() > kMaxQuotedValue) text += "...";
  return "\"" + text + "\"";
}

bool Reject(core::RejectedRow* reject, Column column, RejectReason reason, std::string message) {
  reject->column = std::string(ColumnName(column));
  reject->reason = reason;
  reject->message = std::move(message);
  return false;
}

}  // namespace

std::string_view TrimBlanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

Result<RowValidator> RowValidator::Create(const ReaderOptions& options) {
  RowValidator v;
  v.decimal_format_ = options.decimal_format;
  v.fallback_ = options.fallback_encoding;
  v.default_currency_ = options.currency;
  for (char& c : v.default_currency_) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  if (!options.date_format.empty()) {
    SF_ASSIGN_OR_RETURN(DateFormat f, DateFormat::Compile(options.date_format));
    v.date_format_ = std::move(f);
  }
  return v;
}

bool RowValidator::Validate(const RowFields& fields, core::SalesLine* line,
                            core::RejectedRow* reject) const {
  reject->line = fields.line;
  std::array<std::string_view, kColumnCount> v;
  for (size_t c = 0; c < kColumnCount; ++c) v[c] = TrimBlanks(fields.value[c]);
  auto get = [&](Column c) { return v[static_cast<size_t>(c)]; };

  for (size_t c = 0; c < kColumnCount; ++c) {
    if (kColumns[c].required && v[c].empty()) {
      return Reject(reject, static_cast<Column>(c), RejectReason::kMissingValue,
                    std::string(kColumns[c].name) + " is empty; it is a required column");
    }
  }

  // Text columns: UTF-8 (decoded from the fallback when not), then the length limit.
  static constexpr Column kTextColumns[] = {
      Column::kOrderId,  Column::kSku,        Column::kProductName,
      Column::kCategory, Column::kCustomerId, Column::kCountry,
      Column::kRegion,   Column::kChannel,    Column::kPaymentMethod};
  std::string* const targets[] = {&line->order_id, &line->sku,         &line->product_name,
                                  &line->category, &line->customer_id, &line->country,
                                  &line->region,   &line->channel,     &line->payment_method};
  for (size_t t = 0; t < std::size(kTextColumns); ++t) {
    const Column column = kTextColumns[t];
    const std::string_view value = get(column);
    std::string* target = targets[t];
    AssignUtf8(value, fallback_, target);
    const size_t limit = Info(column).max_chars;
    if (target->size() > limit && CountCodePoints(*target) > limit) {
      return Reject(reject, column, RejectReason::kTooLong,
                    std::string(ColumnName(column)) + " has " +
                        std::to_string(CountCodePoints(*target)) + " characters; at most " +
                        std::to_string(limit) + " are allowed");
    }
  }

  // order_date
  DateTime when;
  const std::string_view date = get(Column::kOrderDate);
  const bool date_ok =
      date_format_ ? date_format_->Parse(date, &when) : ParseIsoDateTime(date, &when);
  if (!date_ok) {
    return Reject(reject, Column::kOrderDate, RejectReason::kBadDate,
                  "order_date " + Shown(date, fallback_) + " is not a valid date in " +
                      (date_format_ ? "date_format \"" + date_format_->pattern() + "\""
                                    : std::string("ISO 8601 (2026-03-15 or 2026-03-15T14:05:00); "
                                                  "set the date_format option for other "
                                                  "formats")) +
                      " between years " + std::to_string(kMinYear) + " and " +
                      std::to_string(kMaxYear));
  }
  line->order_date = when.days;
  line->order_seconds = when.seconds;

  // quantity: a whole, non-zero number; negative = return line.
  const std::string_view qty = get(Column::kQuantity);
  int64_t quantity = 0;
  const ParseDecimalError qe = ParseNumber(qty, decimal_format_, 0, &quantity);
  if (qe != ParseDecimalError::kOk || quantity > core::kMaxQuantity ||
      quantity < -core::kMaxQuantity) {
    return Reject(reject, Column::kQuantity, RejectReason::kBadNumber,
                  "quantity " + Shown(qty, fallback_) +
                      (qe == ParseDecimalError::kTooPrecise ? " is not a whole number"
                       : qe == ParseDecimalError::kOk || qe == ParseDecimalError::kOutOfRange
                           ? " is out of range (at most " + std::to_string(core::kMaxQuantity) +
                                 " units either way)"
                           : " is not a number"));
  }
  if (quantity == 0) {
    return Reject(reject, Column::kQuantity, RejectReason::kZeroQuantity,
                  "quantity is 0; a line sells (positive) or returns (negative) units");
  }
  line->quantity = quantity;

  // unit_price: >= 0, at most 4 decimals.
  const std::string_view price_text = get(Column::kUnitPrice);
  int64_t price = 0;
  const ParseDecimalError pe = ParseNumber(price_text, decimal_format_, core::kPriceScale, &price);
  if (pe == ParseDecimalError::kOk && price < 0) {
    return Reject(reject, Column::kUnitPrice, RejectReason::kNegativePrice,
                  "unit_price " + Shown(price_text, fallback_) +
                      " is negative; a return is a negative quantity at a positive price");
  }
  if (pe != ParseDecimalError::kOk || price > core::kMaxUnitPriceScaled) {
    return Reject(reject, Column::kUnitPrice, RejectReason::kBadNumber,
                  "unit_price " + Shown(price_text, fallback_) +
                      (pe == ParseDecimalError::kTooPrecise ? " has more than 4 decimal places"
                       : pe == ParseDecimalError::kOk || pe == ParseDecimalError::kOutOfRange
                           ? " is out of range (at most 999999999.9999)"
                       : decimal_format_ == DecimalFormat::kPoint
                           ? " is not a plain decimal number like 1234.50 (set the decimal_format "
                             "option for 1,234.50 or 1.234,50)"
                           : " is not a number in the configured decimal_format"));
  }
  line->unit_price = price;

  // discount: a fraction 0 <= d < 1, or a percentage "15%". Empty = none.
  const std::string_view disc = get(Column::kDiscount);
  int64_t discount = 0;
  if (!disc.empty()) {
    const bool percent = disc.back() == '%';
    const std::string_view number = percent ? TrimBlanks(disc.substr(0, disc.size() - 1)) : disc;
    // "15%" at scale 2 is 1500 = 0.15 at the discount's scale 4.
    const ParseDecimalError de =
        ParseNumber(number, decimal_format_,
                    percent ? core::kDiscountScale - 2 : core::kDiscountScale, &discount);
    if (de == ParseDecimalError::kSyntax || de == ParseDecimalError::kEmpty) {
      return Reject(reject, Column::kDiscount, RejectReason::kBadNumber,
                    "discount " + Shown(disc, fallback_) +
                        " is not a number; write a fraction like 0.15 or a percentage like 15%");
    }
    if (de != ParseDecimalError::kOk || discount < 0 || discount >= core::kDiscountUnit) {
      return Reject(reject, Column::kDiscount, RejectReason::kBadDiscount,
                    "discount " + Shown(disc, fallback_) +
                        " is outside 0 <= discount < 1 (or 0% to below 100%) with at most 4 "
                        "decimal places of a fraction");
    }
  }
  line->discount = static_cast<int32_t>(discount);

  // currency: 3 ASCII letters, upper-cased; empty = the default.
  const std::string_view cur = get(Column::kCurrency);
  if (cur.empty()) {
    line->currency = default_currency_;
  } else {
    bool ok = cur.size() == 3;
    for (size_t i = 0; ok && i < 3; ++i) {
      const char c = cur[i];
      ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    }
    if (!ok) {
      return Reject(reject, Column::kCurrency, RejectReason::kBadCurrency,
                    "currency " + Shown(cur, fallback_) +
                        " is not an ISO 4217 code of three letters like USD");
    }
    line->currency.assign(cur);
    for (char& c : line->currency) {
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
  }

  // line_no: from the file when present (>= 1), else 0 = assigned by position later.
  const std::string_view ln = get(Column::kLineNo);
  int64_t line_no = 0;
  if (!ln.empty()) {
    if (core::ParseDecimal(ln, 0, &line_no) != ParseDecimalError::kOk || line_no < 1 ||
        line_no > INT32_MAX) {
      return Reject(reject, Column::kLineNo, RejectReason::kBadNumber,
                    "line_no " + Shown(ln, fallback_) + " is not a whole number >= 1");
    }
  }
  line->line_no = static_cast<int32_t>(line_no);

  line->revenue = core::LineRevenue(quantity, price, static_cast<int32_t>(discount));
  line->source_line = fields.line;
  return true;
}

}  // namespace salesflow::reader
