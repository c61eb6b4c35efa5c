#include "generator/generator.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <numeric>
#include <string_view>

#include "core/date.h"
#include "core/money.h"
#include "generator/file_encoder.h"
#include "generator/prng.h"
#include "generator/world.h"

namespace salesflow::generator {
namespace {

using core::RejectReason;

constexpr size_t kCatalogSize = 1500;
constexpr int64_t kMinCustomers = 50;
constexpr int64_t kMaxCustomers = 5'000'000;
constexpr int64_t kLinesPerCustomer = 4;  // customer pool = total lines / this
// Longer than any column's length limit, far below the reader's 1 MiB line limit.
constexpr size_t kTooLongBytes = 5000;

// Order shape: lines per order 1..6, share of return orders, promotions.
constexpr uint32_t kLinesPerOrderWeights[] = {40, 25, 15, 10, 6, 4};
constexpr double kReturnOrderShare = 0.03;
constexpr double kPromoShare = 0.18;
constexpr double kEventPromoShare = 0.55;  // on Black Friday / Cyber Monday
constexpr double kClearanceLineShare = 0.05;
constexpr double kOtherChannelShare = 0.25;
constexpr double kOtherPaymentShare = 0.15;
constexpr double kRegularCustomerShare = 0.7;  // orders drawn from the long tail's head

struct Discount {
  int32_t scaled;
  std::string_view text;
};
constexpr Discount kNoDiscount = {0, "0"};
constexpr Discount kDiscounts[] = {{500, "0.05"},   {1000, "0.1"},    {1500, "0.15"},
                                   {2000, "0.2"},   {2500, "0.25"},   {3000, "0.3"},
                                   {1250, "0.125"}, {3333, "0.3333"}, {5000, "0.5"}};

enum Col : size_t {
  kOrderId,
  kLineNo,
  kOrderDate,
  kCustomerId,
  kSku,
  kProductName,
  kCategory,
  kQuantity,
  kUnitPrice,
  kDiscount,
  kCurrency,
  kCountry,
  kRegion,
  kChannel,
  kPaymentMethod,
  kColumnCount,
};

constexpr std::array<std::string_view, kColumnCount> kColumnNames = {
    "order_id",     "line_no",  "order_date", "customer_id", "sku",
    "product_name", "category", "quantity",   "unit_price",  "discount",
    "currency",     "country",  "region",     "channel",     "payment_method"};

// The reasons injected, in equal shares. JSON Lines has no field count; a record that is
// not an object is its structural fault instead.
constexpr RejectReason kCsvReasons[] = {RejectReason::kMissingValue, RejectReason::kBadNumber,
                                        RejectReason::kZeroQuantity, RejectReason::kNegativePrice,
                                        RejectReason::kBadDiscount,  RejectReason::kBadDate,
                                        RejectReason::kBadCurrency,  RejectReason::kTooLong,
                                        RejectReason::kFieldCount,   RejectReason::kDuplicateLine};
constexpr RejectReason kJsonReasons[] = {RejectReason::kMissingValue, RejectReason::kBadNumber,
                                         RejectReason::kZeroQuantity, RejectReason::kNegativePrice,
                                         RejectReason::kBadDiscount,  RejectReason::kBadDate,
                                         RejectReason::kBadCurrency,  RejectReason::kTooLong,
                                         RejectReason::kBadJson,      RejectReason::kDuplicateLine};

// ---- hand-written formatting: no allocation, no locale --------------------------------

char* PutText(char* p, std::string_view text) {
  std::memcpy(p, text.data(), text.size());
  return p + text.size();
}

char* PutUint(char* p, uint64_t value) {
  char digits[20];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  while (n > 0) *p++ = digits[--n];
  return p;
}

// At least `width` digits, zero-padded.
char* PutPadded(char* p, uint64_t value, int width) {
  char digits[20];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0 || n < width);
  while (n > 0) *p++ = digits[--n];
  return p;
}

char* PutInt(char* p, int64_t value) {
  if (value < 0) {
    *p++ = '-';
    return PutUint(p, 0 - static_cast<uint64_t>(value));
  }
  return PutUint(p, static_cast<uint64_t>(value));
}

// A scaled price as written in a report: "19.99", "0.0375" (four places only when needed),
// "2990" for zero-decimal currencies.
std::string PriceText(int64_t scaled, int currency_decimals) {
  if (currency_decimals == 0 && scaled % core::kPriceUnit == 0) {
    return std::to_string(scaled / core::kPriceUnit);
  }
  if (scaled % 100 == 0) return core::FormatDecimal(scaled / 100, 2);
  return core::FormatDecimal(scaled, core::kPriceScale);
}

std::string CsvEscape(std::string_view text) {
  if (text.find_first_of(",\"\r\n\t") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

// JSON string contents (without the quotes); UTF-8 passes through unchanged.
std::string JsonEscape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          static constexpr char kHex[] = "0123456789abcdef";
          out += "\\u00";
          out += kHex[(c >> 4) & 0xF];
          out += kHex[c & 0xF];
        } else {
          out += c;
        }
    }
  }
  return out;
}

// ---- weighted choices ------------------------------------------------------------------

// Cumulative weights for picking an index with probability proportional to its weight.
class WeightedTable {
 public:
  WeightedTable() = default;
  template <typename Weights>
  explicit WeightedTable(const Weights& weights) {
    uint64_t sum = 0;
    for (const auto& w : weights) cumulative_.push_back(sum += w);
  }
  size_t Pick(uint64_t random) const {
    const uint64_t target = random % cumulative_.back();
    return static_cast<size_t>(std::upper_bound(cumulative_.begin(), cumulative_.end(), target) -
                               cumulative_.begin());
  }
  size_t size() const { return cumulative_.size(); }

 private:
  std::vector<uint64_t> cumulative_;
};

template <typename Table, typename Fn>
std::vector<uint32_t> WeightsOf(const Table& table, Fn weight) {
  std::vector<uint32_t> out;
  for (const auto& row : table) out.push_back(weight(row));
  return out;
}

// ---- totals ----------------------------------------------------------------------------

struct Accumulator {
  int64_t revenue_cents = 0;
  int64_t lines = 0;
  int64_t units = 0;
  int64_t orders = 0;
  int64_t customers = 0;

  CurrencyTotals ToTotals() const {
    return {core::Money{revenue_cents}, lines, units, orders, customers};
  }
};

// One text cell of a record, with whether JSON may write it as a bare number.
struct Cell {
  std::string_view text;
  bool number = false;
};
using Record = std::array<Cell, kColumnCount>;

// How a record is laid out: normally, or with the structural faults of field_count
// (CSV) and bad_json (JSON Lines).
enum class Shape { kNormal, kExtraField, kMissingField, kNotAnObject };

// ---- the generator ---------------------------------------------------------------------

class ReportGenerator {
 public:
  ReportGenerator(const GenerateConfig& config, ReportSink& sink)
      : config_(config),
        sink_(sink),
        csv_(config.format == FileFormat::kCsv),
        encoder_(&sink, config.gzip),
        catalog_(MakeCatalog(config.seed, kCatalogSize)),
        too_long_(kTooLongBytes, 'X') {
    const int64_t total = config.rows_per_day * config.days;
    customer_pool_ = std::clamp(total / kLinesPerCustomer, kMinCustomers, kMaxCustomers);
    customer_file_stamp_.assign(static_cast<size_t>(customer_pool_), 0);
    customer_seen_.assign(static_cast<size_t>(customer_pool_), false);
    uint64_t state = config.seed ^ 0x0FF5E7ULL;
    customer_id_offset_ = SplitMix64(state) % kCustomerIdSpace;
    const uint64_t tag = SplitMix64(state);
    static constexpr char kHex[] = "0123456789ABCDEF";
    for (int i = 0; i < 4; ++i) run_tag_[i] = kHex[(tag >> (4 * i)) & 0xF];

    for (const std::string& code : config.currencies)
      currency_info_.push_back(LookupCurrency(code));
    BuildTables();
    grand_.assign(config.currencies.size(), {});
    file_.assign(config.currencies.size(), {});
  }

  Result<Manifest> Run() {
    Manifest manifest = EmptyManifest();
    const std::vector<int64_t> counts = DailyLineCounts(config_);
    for (int32_t i = 0; i < config_.days; ++i) {
      SF_ASSIGN_OR_RETURN(FileManifest file, WriteDay(config_.start_day + i, counts[i]));
      manifest.lines += file.lines;
      manifest.bad_lines += file.bad_lines;
      for (size_t r = 0; r < kReasonCount; ++r) manifest.bad_by_reason[r] += file.bad_by_reason[r];
      manifest.files.push_back(std::move(file));
    }
    for (size_t c = 0; c < config_.currencies.size(); ++c) {
      if (grand_[c].lines > 0) manifest.totals[config_.currencies[c]] = grand_[c].ToTotals();
    }
    SF_RETURN_IF_ERROR(WriteManifest(manifest));
    return manifest;
  }

 private:
  static constexpr uint64_t kCustomerIdSpace = 100'000'000;  // C00000000..C99999999

  Manifest EmptyManifest() const {
    Manifest m;
    m.seed = config_.seed;
    m.start_date = core::FormatDate(config_.start_day);
    m.days = config_.days;
    m.rows_per_day = config_.rows_per_day;
    m.dirty_rate = config_.dirty_rate;
    m.format = csv_ ? "csv" : "jsonl";
    m.gzip = config_.gzip;
    m.currencies = config_.currencies;
    m.columns = ReportColumns();
    return m;
  }

  void BuildTables() {
    const size_t n = catalog_.size();
    for (const Product& p : catalog_) {
      name_text_.push_back(csv_ ? CsvEscape(p.name) : JsonEscape(p.name));
      category_text_.push_back(csv_ ? CsvEscape(p.category) : JsonEscape(p.category));
    }
    for (const CurrencyInfo& currency : currency_info_) {
      for (size_t i = 0; i < n; ++i) {
        const int64_t price = LocalPrice(catalog_[i], currency);
        price_scaled_.push_back(price);
        price_text_.push_back(PriceText(price, currency.decimals));
      }
    }
    channel_table_ = WeightedTable(WeightsOf(Channels(), [](auto& r) { return r.weight; }));
    payment_table_ = WeightedTable(WeightsOf(PaymentMethods(), [](auto& r) { return r.weight; }));
    lines_table_ = WeightedTable(kLinesPerOrderWeights);
    hour_table_ = WeightedTable(HourWeights());

    // Customers: the first currency serves half of them (all when alone), the others share
    // the rest; a customer lives in a country whose home currency that is, if any.
    const size_t k = currency_info_.size();
    std::vector<uint32_t> currency_weights(k, 1);
    currency_weights[0] = static_cast<uint32_t>(std::max<size_t>(1, k - 1));
    currency_table_ = WeightedTable(currency_weights);
    const auto countries = Countries();
    for (const CurrencyInfo& currency : currency_info_) {
      std::vector<uint32_t> weights;
      bool any = false;
      for (const CountryInfo& country : countries) {
        const bool home = k > 1 && country.currency == currency.code;
        weights.push_back(home ? country.weight : 0);
        any = any || home;
      }
      if (!any) weights = WeightsOf(countries, [](auto& r) { return r.weight; });
      country_tables_.emplace_back(weights);
    }
  }

  // Attributes of a customer are a pure function of (seed, customer): a returning customer
  // keeps their country, currency and habits.
  struct Customer {
    size_t currency;
    size_t country;
    size_t channel;
    size_t payment;
  };
  Customer CustomerAttributes(uint64_t customer) const {
    const uint64_t h = Mix(config_.seed, customer);
    Customer c;
    c.currency = currency_table_.Pick(Mix(h, 1));
    c.country = country_tables_[c.currency].Pick(Mix(h, 2));
    c.channel = channel_table_.Pick(Mix(h, 3));
    c.payment = payment_table_.Pick(Mix(h, 4));
    return c;
  }

  uint64_t DrawCustomer(Prng& prng) const {
    const auto pool = static_cast<uint64_t>(customer_pool_);
    if (!prng.Chance(kRegularCustomerShare)) return prng.Below(pool);
    // u^2 puts most orders on the head of the pool: a long tail of one-time buyers.
    const double u = prng.Uniform01();
    return std::min(pool - 1, static_cast<uint64_t>(u * u * static_cast<double>(pool)));
  }

  size_t DrawProduct(Prng& prng) const {
    const double u = prng.Uniform01();
    return std::min(catalog_.size() - 1,
                    static_cast<size_t>(u * u * static_cast<double>(catalog_.size())));
  }

  // Seconds since midnight for an order placed after `fraction` of the day's lines: the
  // inverse of the hourly volume curve, so the file is in time order.
  int64_t SecondsAt(double fraction) const {
    const auto& weights = HourWeights();
    const uint64_t total = std::accumulate(weights.begin(), weights.end(), uint64_t{0});
    const double target = fraction * static_cast<double>(total);
    double before = 0;
    for (size_t h = 0; h < weights.size(); ++h) {
      const auto w = static_cast<double>(weights[h]);
      if (target < before + w || h + 1 == weights.size()) {
        const auto within = static_cast<int64_t>((target - before) / w * 3600.0);
        return static_cast<int64_t>(h) * 3600 + std::clamp<int64_t>(within, 0, 3599);
      }
      before += w;
    }
    return 86399;
  }

  Result<FileManifest> WriteDay(int32_t day, int64_t line_count);
  Status WriteManifest(const Manifest& manifest);
  char* WriteRecord(char* p, const Record& record, Shape shape) const;
  RejectReason PickReason(Prng& prng, bool have_good_line) const;
  Shape Corrupt(RejectReason reason, Prng& prng, Record& record);

  const GenerateConfig& config_;
  ReportSink& sink_;
  const bool csv_;
  FileEncoder encoder_;
  std::vector<Product> catalog_;
  std::vector<std::string> name_text_;      // per product, escaped for the format
  std::vector<std::string> category_text_;  // per product, escaped for the format
  std::vector<CurrencyInfo> currency_info_;
  std::vector<int64_t> price_scaled_;    // [currency * catalog + product]
  std::vector<std::string> price_text_;  // same index
  WeightedTable channel_table_, payment_table_, lines_table_, hour_table_, currency_table_;
  std::vector<WeightedTable> country_tables_;  // per currency

  int64_t customer_pool_ = 0;
  uint64_t customer_id_offset_ = 0;
  char run_tag_[4] = {};
  std::vector<uint32_t> customer_file_stamp_;  // file number + 1 that last counted them
  std::vector<bool> customer_seen_;            // counted in the grand totals
  std::vector<Accumulator> file_, grand_;      // per currency

  std::string last_good_record_;  // bytes of the previous good record: duplicate_line
  std::string too_long_;
  char scratch_[64] = {};
};

Result<FileManifest> ReportGenerator::WriteDay(int32_t day, int64_t line_count) {
  const size_t file_number = static_cast<size_t>(day - config_.start_day);
  FileManifest file;
  file.name = ReportFileName(day, config_);
  file.date = core::FormatDate(day);
  file.lines = line_count;
  std::fill(file_.begin(), file_.end(), Accumulator{});
  last_good_record_.clear();

  Prng prng(Mix(config_.seed, static_cast<uint64_t>(day) + 1));
  const bool event_day = DayWeight(day) >= 100 * 100 * 200;
  const double promo_share = event_day ? kEventPromoShare : kPromoShare;
  const core::CivilDate civil = core::CivilFromDays(day);

  // Per-day prefixes: "SO-20261001-A3F1-" and "2026-10-01T".
  char order_prefix[32];
  char* op = PutText(order_prefix, "SO-");
  op = PutPadded(op, static_cast<uint64_t>(civil.year), 4);
  op = PutPadded(op, static_cast<uint64_t>(civil.month), 2);
  op = PutPadded(op, static_cast<uint64_t>(civil.day), 2);
  *op++ = '-';
  op = PutText(op, std::string_view(run_tag_, 4));
  *op++ = '-';
  const std::string_view order_prefix_text(order_prefix, static_cast<size_t>(op - order_prefix));
  const std::string date_prefix = file.date + "T";

  SF_RETURN_IF_ERROR(encoder_.Begin(file.name));
  if (csv_) {
    std::string header;
    for (const std::string& column : ReportColumns())
      header += (header.empty() ? "" : ",") + column;
    header += '\n';
    SF_RETURN_IF_ERROR(encoder_.Append(header));
  }

  const auto countries = Countries();
  const auto channels = Channels();
  const auto payments = PaymentMethods();
  const size_t catalog_size = catalog_.size();

  char order_id[48], customer_id[16], timestamp[32], line_no[12], quantity[24];
  int64_t remaining = line_count;
  uint64_t order_seq = 0;
  while (remaining > 0) {
    ++order_seq;
    const int64_t lines =
        std::min<int64_t>(remaining, static_cast<int64_t>(lines_table_.Pick(prng.Next())) + 1);
    const double fraction = (static_cast<double>(line_count - remaining) + prng.Uniform01()) /
                            static_cast<double>(line_count);
    remaining -= lines;

    const uint64_t customer = DrawCustomer(prng);
    const Customer attrs = CustomerAttributes(customer);
    const size_t channel =
        prng.Chance(kOtherChannelShare) ? channel_table_.Pick(prng.Next()) : attrs.channel;
    const size_t payment =
        prng.Chance(kOtherPaymentShare) ? payment_table_.Pick(prng.Next()) : attrs.payment;
    const bool is_return = prng.Chance(kReturnOrderShare);
    const Discount promo =
        prng.Chance(promo_share) ? kDiscounts[prng.Below(std::size(kDiscounts))] : kNoDiscount;
    const CountryInfo& country = countries[attrs.country];
    Accumulator& acc = file_[attrs.currency];

    char* end = PutText(order_id, order_prefix_text);
    end = PutPadded(end, order_seq, 6);
    const std::string_view order_id_text(order_id, static_cast<size_t>(end - order_id));
    end = PutText(customer_id, "C");
    end = PutPadded(end, (customer * 48271 + customer_id_offset_) % kCustomerIdSpace, 8);
    const std::string_view customer_id_text(customer_id, static_cast<size_t>(end - customer_id));
    const int64_t seconds = SecondsAt(fraction);
    end = PutText(timestamp, date_prefix);
    end = PutPadded(end, static_cast<uint64_t>(seconds / 3600), 2);
    *end++ = ':';
    end = PutPadded(end, static_cast<uint64_t>(seconds / 60 % 60), 2);
    *end++ = ':';
    end = PutPadded(end, static_cast<uint64_t>(seconds % 60), 2);
    const std::string_view timestamp_text(timestamp, static_cast<size_t>(end - timestamp));

    bool order_counted = false;
    for (int64_t line = 1; line <= lines; ++line) {
      const size_t product = DrawProduct(prng);
      const Product& item = catalog_[product];
      int64_t qty = item.bulk
                        ? prng.Between(10, 500)
                        : (prng.Below(100) < 70 ? 1 : prng.Between(2, prng.Below(4) == 0 ? 10 : 3));
      if (is_return) qty = -std::min<int64_t>(qty, item.bulk ? qty : 2);
      const Discount discount =
          promo.scaled == 0 && prng.Chance(kClearanceLineShare) ? kDiscounts[prng.Below(3)] : promo;
      const size_t price_index = attrs.currency * catalog_size + product;

      char* lp = PutUint(line_no, static_cast<uint64_t>(line));
      const std::string_view line_no_text(line_no, static_cast<size_t>(lp - line_no));
      char* qp = PutInt(quantity, qty);
      const std::string_view quantity_text(quantity, static_cast<size_t>(qp - quantity));

      Record record = {{{order_id_text},
                        {line_no_text, true},
                        {timestamp_text},
                        {customer_id_text},
                        {item.sku},
                        {name_text_[product]},
                        {category_text_[product]},
                        {quantity_text, true},
                        {price_text_[price_index], true},
                        {discount.text, true},
                        {config_.currencies[attrs.currency]},
                        {country.code},
                        {country.region},
                        {channels[channel].name},
                        {payments[payment].name}}};

      char* const start = encoder_.cursor();
      if (config_.dirty_rate > 0 && prng.Chance(config_.dirty_rate)) {
        const RejectReason reason = PickReason(prng, !last_good_record_.empty());
        ++file.bad_by_reason[static_cast<size_t>(reason)];
        ++file.bad_lines;
        char* record_end;
        if (reason == RejectReason::kDuplicateLine) {
          record_end = PutText(start, last_good_record_);
        } else {
          const Shape shape = Corrupt(reason, prng, record);
          record_end = WriteRecord(start, record, shape);
        }
        SF_RETURN_IF_ERROR(encoder_.Advance(record_end));
        continue;
      }

      char* const record_end = WriteRecord(start, record, Shape::kNormal);
      last_good_record_.assign(start, static_cast<size_t>(record_end - start));
      SF_RETURN_IF_ERROR(encoder_.Advance(record_end));
      acc.revenue_cents +=
          core::LineRevenue(qty, price_scaled_[price_index], discount.scaled).cents;
      ++acc.lines;
      acc.units += qty;
      if (!order_counted) {
        order_counted = true;
        ++acc.orders;
        ++grand_[attrs.currency].orders;  // order ids embed the date: distinct across files
      }
      if (customer_file_stamp_[customer] != file_number + 1) {
        customer_file_stamp_[customer] = static_cast<uint32_t>(file_number + 1);
        ++acc.customers;
        if (!customer_seen_[customer]) {
          customer_seen_[customer] = true;
          ++grand_[attrs.currency].customers;
        }
      }
    }
  }
  SF_RETURN_IF_ERROR(encoder_.Commit());
  file.bytes = encoder_.bytes_written();
  for (size_t c = 0; c < file_.size(); ++c) {
    if (file_[c].lines == 0) continue;
    file.totals[config_.currencies[c]] = file_[c].ToTotals();
    grand_[c].revenue_cents += file_[c].revenue_cents;
    grand_[c].lines += file_[c].lines;
    grand_[c].units += file_[c].units;
  }
  return file;
}

RejectReason ReportGenerator::PickReason(Prng& prng, bool have_good_line) const {
  const std::span<const RejectReason> reasons = csv_ ? std::span<const RejectReason>(kCsvReasons)
                                                     : std::span<const RejectReason>(kJsonReasons);
  // A duplicate needs an earlier good line in this file; without one, pick again among
  // the others (the last entry is kDuplicateLine).
  const size_t choices = have_good_line ? reasons.size() : reasons.size() - 1;
  return reasons[prng.Below(choices)];
}

// Makes exactly one thing wrong with the record, so it has exactly one reject reason.
Shape ReportGenerator::Corrupt(RejectReason reason, Prng& prng, Record& record) {
  const uint64_t variant = prng.Below(3);
  switch (reason) {
    case RejectReason::kMissingValue:
      record[variant == 0 ? kOrderId : kSku] = {""};
      break;
    case RejectReason::kBadNumber: {
      static constexpr std::string_view kBadQuantities[] = {"2x", "two", "3.5"};
      static constexpr std::string_view kBadPrices[] = {"12.3.4", "abc", "1e3"};
      if (prng.Below(2) == 0) {
        record[kQuantity] = {kBadQuantities[variant]};
      } else {
        record[kUnitPrice] = {kBadPrices[variant]};
      }
      break;
    }
    case RejectReason::kZeroQuantity:
      record[kQuantity] = {"0", true};
      break;
    case RejectReason::kNegativePrice: {
      char* p = PutText(scratch_, "-");
      p = PutText(p, record[kUnitPrice].text);
      record[kUnitPrice] = {{scratch_, static_cast<size_t>(p - scratch_)}, true};
      break;
    }
    case RejectReason::kBadDiscount: {
      static constexpr std::string_view kBadDiscounts[] = {"1.5", "1", "-0.1"};
      record[kDiscount] = {kBadDiscounts[variant], true};
      break;
    }
    case RejectReason::kBadDate: {
      // Shaped like the good dates, so format detection still sees ISO 8601.
      static constexpr std::string_view kBadMonthDays[] = {"-02-30", "-13-01", "-00-10"};
      const std::string_view good = record[kOrderDate].text;
      char* p = PutText(scratch_, good.substr(0, 4));
      p = PutText(p, kBadMonthDays[variant]);
      p = PutText(p, good.substr(10));
      record[kOrderDate] = {{scratch_, static_cast<size_t>(p - scratch_)}};
      break;
    }
    case RejectReason::kBadCurrency: {
      static constexpr std::string_view kBadCurrencies[] = {"US$", "X1Y", "U5D"};
      record[kCurrency] = {kBadCurrencies[variant]};
      break;
    }
    case RejectReason::kTooLong:
      record[variant == 0 ? kProductName : kSku] = {too_long_};
      break;
    case RejectReason::kFieldCount:
      return variant == 0 ? Shape::kMissingField : Shape::kExtraField;
    case RejectReason::kBadJson:
      return Shape::kNotAnObject;
    default:
      break;
  }
  return Shape::kNormal;
}

char* ReportGenerator::WriteRecord(char* p, const Record& record, Shape shape) const {
  if (csv_) {
    const size_t columns = shape == Shape::kMissingField ? kColumnCount - 1 : kColumnCount;
    for (size_t i = 0; i < columns; ++i) {
      if (i > 0) *p++ = ',';
      p = PutText(p, record[i].text);
    }
    if (shape == Shape::kExtraField) p = PutText(p, ",unexpected");
    *p++ = '\n';
    return p;
  }
  if (shape == Shape::kNotAnObject) {
    p = PutText(p, "[\"");
    p = PutText(p, record[kOrderId].text);
    p = PutText(p, "\",");
    p = PutText(p, record[kLineNo].text);
    return PutText(p, ",\"not an object\"]\n");
  }
  for (size_t i = 0; i < kColumnCount; ++i) {
    *p++ = i == 0 ? '{' : ',';
    *p++ = '"';
    p = PutText(p, kColumnNames[i]);
    p = PutText(p, "\":");
    const Cell& cell = record[i];
    if (cell.number) {
      p = PutText(p, cell.text);
    } else {
      *p++ = '"';
      p = PutText(p, cell.text);
      *p++ = '"';
    }
  }
  return PutText(p, "}\n");
}

Status ReportGenerator::WriteManifest(const Manifest& manifest) {
  const std::string json = manifest.ToJson();
  SF_RETURN_IF_ERROR(sink_.Begin(kManifestName));
  Status status = sink_.Write(json);
  if (status.ok()) return sink_.Commit();
  sink_.Abort();
  return status;
}

}  // namespace

const std::vector<std::string>& ReportColumns() {
  static const std::vector<std::string> columns(kColumnNames.begin(), kColumnNames.end());
  return columns;
}

std::vector<int64_t> DailyLineCounts(const GenerateConfig& config) {
  __extension__ typedef unsigned __int128 Wide;
  const auto days = static_cast<size_t>(config.days);
  const Wide total = static_cast<Wide>(config.rows_per_day) * days;
  // Weekday, season and events, plus +-8% day-to-day noise.
  Prng noise(Mix(config.seed, 0xDA7E5ULL));
  std::vector<uint64_t> weights(days);
  Wide weight_sum = 0;
  for (size_t i = 0; i < days; ++i) {
    weights[i] = static_cast<uint64_t>(DayWeight(config.start_day + static_cast<int32_t>(i)) *
                                       noise.Between(92, 108));
    weight_sum += weights[i];
  }
  // Largest-remainder apportionment: the counts add up to exactly days x rows_per_day.
  std::vector<int64_t> counts(days);
  std::vector<uint64_t> remainders(days);
  Wide assigned = 0;
  for (size_t i = 0; i < days; ++i) {
    const Wide share = total * weights[i];
    counts[i] = static_cast<int64_t>(share / weight_sum);
    remainders[i] = static_cast<uint64_t>(share % weight_sum);
    assigned += static_cast<Wide>(counts[i]);
  }
  std::vector<size_t> order(days);
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return remainders[a] > remainders[b]; });
  for (size_t i = 0; assigned < total; ++i, ++assigned) ++counts[order[i]];
  return counts;
}

Result<Manifest> GenerateReports(const GenerateConfig& config, ReportSink& sink) {
  ReportGenerator generator(config, sink);
  return generator.Run();
}

}  // namespace salesflow::generator
