#include "report_check.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <nlohmann/json.hpp>

#include "core/date.h"
#include "core/money.h"

namespace salesflow::generator::testing {
namespace {

using core::RejectReason;

constexpr size_t kFieldLimit = 1000;  // every column's limit is below the generator's 5000
const std::vector<std::string> kRequired = {"order_id", "order_date", "sku", "quantity",
                                            "unit_price"};

using Row = std::map<std::string, std::string>;

bool IsInteger(const std::string& s) {
  size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  if (i == s.size()) return false;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

bool IsValidDate(const std::string& s) {
  // "YYYY-MM-DD" optionally followed by "THH:MM:SS".
  if (s.size() < 10) return false;
  return core::ParseIsoDate(std::string_view(s).substr(0, 10)).has_value() &&
         (s.size() == 10 || (s.size() == 19 && s[10] == 'T'));
}

// The first reason a row breaks, or nullopt when it is good.
std::optional<RejectReason> Validate(const Row& row) {
  for (const auto& [column, value] : row) {
    if (value.size() > kFieldLimit) return RejectReason::kTooLong;
  }
  for (const std::string& column : kRequired) {
    if (row.at(column).empty()) return RejectReason::kMissingValue;
  }
  int64_t price = 0;
  int64_t discount = 0;
  if (!IsInteger(row.at("quantity")) || !IsInteger(row.at("line_no")) ||
      core::ParseDecimal(row.at("unit_price"), core::kPriceScale, &price) !=
          core::ParseDecimalError::kOk ||
      core::ParseDecimal(row.at("discount"), core::kDiscountScale, &discount) !=
          core::ParseDecimalError::kOk) {
    return RejectReason::kBadNumber;
  }
  if (std::stoll(row.at("quantity")) == 0) return RejectReason::kZeroQuantity;
  if (price < 0) return RejectReason::kNegativePrice;
  if (discount < 0 || discount >= core::kDiscountUnit) return RejectReason::kBadDiscount;
  if (!IsValidDate(row.at("order_date"))) return RejectReason::kBadDate;
  const std::string& currency = row.at("currency");
  if (currency.size() != 3 ||
      !std::all_of(currency.begin(), currency.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
    return RejectReason::kBadCurrency;
  }
  return std::nullopt;
}

// JSON Lines: keeps the literal text of numbers (nlohmann's DOM would turn 0.1 into a
// double), so money stays exact.
class FlatObjectReader : public nlohmann::json::json_sax_t {
 public:
  Row row;
  bool flat_object = true;
  int depth = 0;

  bool null() override { return Put(""); }
  bool boolean(bool v) override { return Put(v ? "true" : "false"); }
  bool number_integer(number_integer_t v) override { return Put(std::to_string(v)); }
  bool number_unsigned(number_unsigned_t v) override { return Put(std::to_string(v)); }
  bool number_float(number_float_t, const string_t& text) override { return Put(text); }
  bool string(string_t& v) override { return Put(v); }
  bool binary(binary_t&) override { return Fault(); }
  bool start_object(std::size_t) override { return ++depth == 1 ? true : Fault(); }
  bool key(string_t& k) override {
    key_ = k;
    return true;
  }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return Fault(); }
  bool end_array() override { return Fault(); }
  bool parse_error(std::size_t, const std::string&, const nlohmann::json::exception&) override {
    return Fault();
  }

 private:
  bool Put(const std::string& v) {
    if (depth != 1) return Fault();
    row[key_] = v;
    return true;
  }
  bool Fault() {
    flat_object = false;
    return false;
  }
  std::string key_;
};

void Count(const Row& row, std::set<std::pair<std::string, std::string>>* keys, Recount* out) {
  ++out->lines;
  std::optional<RejectReason> reason = Validate(row);
  if (!reason && !keys->insert({row.at("order_id"), row.at("line_no")}).second) {
    reason = RejectReason::kDuplicateLine;
  }
  if (reason) {
    ++out->bad_by_reason[static_cast<size_t>(*reason)];
    return;
  }
  int64_t price = 0;
  int64_t discount = 0;
  (void)core::ParseDecimal(row.at("unit_price"), core::kPriceScale, &price);
  (void)core::ParseDecimal(row.at("discount"), core::kDiscountScale, &discount);
  const int64_t quantity = std::stoll(row.at("quantity"));
  Recount::Currency& c = out->currencies[row.at("currency")];
  c.revenue_cents += core::LineRevenue(quantity, price, static_cast<int32_t>(discount)).cents;
  ++c.lines;
  c.units += quantity;
  c.orders.insert(row.at("order_id"));
  c.customers.insert(row.at("customer_id"));
}

}  // namespace

int64_t Recount::bad_lines() const {
  int64_t total = 0;
  for (int64_t n : bad_by_reason) total += n;
  return total;
}

std::map<std::string, CurrencyTotals> Recount::Totals() const {
  std::map<std::string, CurrencyTotals> out;
  for (const auto& [code, c] : currencies) {
    out[code] = {core::Money{c.revenue_cents}, c.lines, c.units,
                 static_cast<int64_t>(c.orders.size()), static_cast<int64_t>(c.customers.size())};
  }
  return out;
}

std::vector<std::vector<std::string>> ParseCsv(std::string_view text) {
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string field;
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '"') {
      ++i;
      while (true) {
        if (i >= text.size()) {
          ADD_FAILURE() << "unterminated quote";
          return records;
        }
        if (text[i] == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            field += '"';
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field += text[i++];
      }
    }
    while (i < text.size() && text[i] != ',' && text[i] != '\n') field += text[i++];
    record.push_back(std::move(field));
    field.clear();
    if (i < text.size() && text[i] == '\n') {
      records.push_back(std::move(record));
      record.clear();
    }
    ++i;
  }
  if (!record.empty()) records.push_back(std::move(record));
  return records;
}

void RecountFile(std::string_view text, bool jsonl, Recount* out) {
  std::set<std::pair<std::string, std::string>> keys;
  if (!jsonl) {
    const auto records = ParseCsv(text);
    ASSERT_FALSE(records.empty());
    const std::vector<std::string>& header = records[0];
    for (size_t r = 1; r < records.size(); ++r) {
      if (records[r].size() != header.size()) {
        ++out->lines;
        ++out->bad_by_reason[static_cast<size_t>(RejectReason::kFieldCount)];
        continue;
      }
      Row row;
      for (size_t c = 0; c < header.size(); ++c) row[header[c]] = records[r][c];
      Count(row, &keys, out);
    }
    return;
  }
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = text.find('\n', start);
    ASSERT_NE(end, std::string_view::npos) << "JSON Lines file does not end in a newline";
    FlatObjectReader reader;
    const bool parsed = nlohmann::json::sax_parse(text.substr(start, end - start), &reader);
    start = end + 1;
    if (!parsed || !reader.flat_object) {
      ++out->lines;
      ++out->bad_by_reason[static_cast<size_t>(RejectReason::kBadJson)];
      continue;
    }
    Count(reader.row, &keys, out);
  }
}

std::string Gunzip(std::string_view compressed) {
  z_stream z{};
  EXPECT_EQ(inflateInit2(&z, 15 + 16), Z_OK);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  z.avail_in = static_cast<uInt>(compressed.size());
  std::string out;
  char buffer[1 << 16];
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buffer);
    z.avail_out = sizeof(buffer);
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buffer, sizeof(buffer) - z.avail_out);
  }
  EXPECT_EQ(rc, Z_STREAM_END) << "corrupt gzip stream";
  EXPECT_EQ(z.avail_in, 0u) << "bytes after the gzip stream";
  inflateEnd(&z);
  return out;
}

}  // namespace salesflow::generator::testing
