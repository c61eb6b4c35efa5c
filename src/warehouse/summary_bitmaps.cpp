#include "warehouse/summary_bitmaps.h"

#include <fmt/format.h>
#include <mysql.h>
#include <roaring/roaring.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <memory>
#include <unordered_map>
#include <vector>

#include "core/date.h"
#include "warehouse/summary_keys.h"

namespace salesflow::warehouse {
namespace {

// Rows per multi-row upsert: 8 placeholders each, far below the 65535 limit, and a packet
// of a few MiB at most for realistic bitmaps.
constexpr size_t kInsertBatchRows = 500;

// Keys buffered per bitmap before a sorted bulk add: CRoaring adds sorted runs fastest,
// and the buffer bounds memory whatever the day's size.
constexpr size_t kKeyBufferSize = 256;

using Clock = std::chrono::steady_clock;
double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

Result<uint32_t> ParseKey(std::string_view text, std::string_view column) {
  uint32_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    return Status::Internal(fmt::format("sales.{} is not an unsigned integer: '{}'", column, text));
  }
  return value;
}

// The bitmaps of one summary row while a day is scanned.
struct PendingRow {
  uint8_t dimension = 0;  // index into kSummaryDimensionNames
  std::string currency;
  std::string value;
  Bitmap orders;
  Bitmap customers;
  std::vector<uint32_t> order_buffer;
  std::vector<uint32_t> customer_buffer;

  static void Drain(std::vector<uint32_t>& buffer, Bitmap& bitmap) {
    std::sort(buffer.begin(), buffer.end());
    bitmap.AddSorted(buffer);
    buffer.clear();
  }
  void AddOrder(uint32_t key) {
    order_buffer.push_back(key);
    if (order_buffer.size() >= kKeyBufferSize) Drain(order_buffer, orders);
  }
  void AddCustomer(uint32_t key) {
    customer_buffer.push_back(key);
    if (customer_buffer.size() >= kKeyBufferSize) Drain(customer_buffer, customers);
  }
  void Finish() {
    Drain(order_buffer, orders);
    Drain(customer_buffer, customers);
  }
};

// Every summary row of one day, built from one scan of the day's sales lines.
class DayBitmaps {
 public:
  // Row columns: currency, category, region, country, channel, sku, order_key, customer_key.
  Status AddLine(StreamedRow row) {
    if (row.size() != 8 || !row[0] || !row[5] || !row[6]) {
      return Status::Internal("unexpected sales row shape while building summary bitmaps");
    }
    SF_ASSIGN_OR_RETURN(const uint32_t order_key, ParseKey(*row[6], "order_key"));
    std::optional<uint32_t> customer_key;
    if (row[7]) {
      SF_ASSIGN_OR_RETURN(customer_key, ParseKey(*row[7], "customer_key"));
    }
    const std::string_view currency = *row[0];
    for (uint8_t dimension = 0; dimension < kSummaryDimensionNames.size(); ++dimension) {
      const std::string_view value =
          dimension == 0 || !row[dimension] ? std::string_view() : *row[dimension];
      PendingRow& pending = Find(dimension, currency, StripTrailingSpaces(value));
      pending.AddOrder(order_key);
      if (customer_key) pending.AddCustomer(*customer_key);
    }
    return Status::Ok();
  }

  std::vector<PendingRow>& Finish() {
    for (PendingRow& row : rows_) row.Finish();
    return rows_;
  }

 private:
  PendingRow& Find(uint8_t dimension, std::string_view currency, std::string_view value) {
    // Lines arrive in index order (day, currency, order): consecutive lines mostly share the
    // currency, country, region and channel, so the previous entry usually matches.
    Last& last = last_[dimension];
    if (last.index < rows_.size() && rows_[last.index].currency == currency &&
        rows_[last.index].value == value) {
      return rows_[last.index];
    }
    // dimension, currency length, currency, value: unambiguous whatever the bytes.
    key_.clear();
    key_.push_back(static_cast<char>(dimension));
    key_.push_back(static_cast<char>(currency.size()));
    key_.append(currency);
    key_.append(value);
    auto [it, inserted] = index_.try_emplace(key_, rows_.size());
    if (inserted) {
      PendingRow& row = rows_.emplace_back();
      row.dimension = dimension;
      row.currency = currency;
      row.value = value;
    }
    last.index = it->second;
    return rows_[it->second];
  }

  struct Last {
    size_t index = SIZE_MAX;  // into rows_
  };
  std::array<Last, kSummaryDimensionNames.size()> last_;
  std::string key_;  // scratch, reused
  std::unordered_map<std::string, size_t> index_;
  std::vector<PendingRow> rows_;
};

// Writes serialized bitmaps into the daily_summary rows RefreshSummaries just computed, with
// multi-row INSERT ... ON DUPLICATE KEY UPDATE (one statement per batch, no temporary table).
// A row whose distinct counts disagree with the bitmaps gets NULL bitmaps, and a key that had
// no summary row is inserted with line_count 0: CheckDays then fails the load for either.
class SummaryWriter {
 public:
  explicit SummaryWriter(Connection& connection) : connection_(connection) {}

  Status Add(const std::string& day, PendingRow& row) {
    Item& item = items_.emplace_back();
    item.day = day;
    item.dimension = row.dimension;
    item.currency = row.currency;
    item.value = row.value;
    item.order_count = static_cast<int64_t>(row.orders.Cardinality());
    item.customer_count = static_cast<int64_t>(row.customers.Cardinality());
    item.orders = row.orders.Serialize();
    item.customers = row.customers.Serialize();
    bytes_ += item.orders.size() + item.customers.size();
    ++rows_;
    if (items_.size() >= kInsertBatchRows) return Flush();
    return Status::Ok();
  }

  Status Flush() {
    if (items_.empty()) return Status::Ok();
    std::string sql =
        "INSERT INTO daily_summary (dimension, currency, day, dim_value, revenue, line_count, "
        "units, order_count, customer_count, orders, customers) VALUES ";
    std::vector<Param> params;
    params.reserve(items_.size() * 8);
    for (size_t i = 0; i < items_.size(); ++i) {
      const Item& item = items_[i];
      sql += i == 0 ? "(?,?,?,?,0,0,0,?,?,?,?)" : ",(?,?,?,?,0,0,0,?,?,?,?)";
      params.emplace_back(kSummaryDimensionNames[item.dimension]);
      params.emplace_back(std::string_view(item.currency));
      params.emplace_back(std::string_view(item.day));
      params.emplace_back(std::string_view(item.value));
      params.emplace_back(item.order_count);
      params.emplace_back(item.customer_count);
      params.emplace_back(std::string_view(item.orders));
      params.emplace_back(std::string_view(item.customers));
    }
    // Assignments run left to right; neither changes the counts the second one compares.
    sql +=
        " ON DUPLICATE KEY UPDATE "
        "orders = IF(order_count = VALUES(order_count) AND "
        "customer_count = VALUES(customer_count), VALUES(orders), NULL), "
        "customers = IF(order_count = VALUES(order_count) AND "
        "customer_count = VALUES(customer_count), VALUES(customers), NULL)";
    SF_ASSIGN_OR_RETURN(uint64_t affected, connection_.Exec(sql, params));
    (void)affected;
    items_.clear();
    return Status::Ok();
  }

  uint64_t rows() const { return rows_; }
  uint64_t bytes() const { return bytes_; }

 private:
  struct Item {
    std::string day;
    uint8_t dimension = 0;
    std::string currency;
    std::string value;
    int64_t order_count = 0;
    int64_t customer_count = 0;
    std::string orders;
    std::string customers;
  };
  Connection& connection_;
  std::vector<Item> items_;
  uint64_t rows_ = 0;
  uint64_t bytes_ = 0;
};

// Proves the write: every summary row of the dirty days has bitmaps that agree with its
// COUNT(DISTINCT) counts, none was invented, and there is one bitmap row per summary row.
Status CheckDays(Connection& connection, std::string_view dirty_days_table, uint64_t written) {
  SF_ASSIGN_OR_RETURN(
      QueryResult counts,
      connection.Query(fmt::format(
          "SELECT COUNT(*), COALESCE(SUM(d.orders IS NULL OR d.customers IS NULL), 0), "
          "COALESCE(SUM(d.line_count = 0), 0) FROM daily_summary d JOIN {} x ON d.day = x.day",
          Connection::QuoteIdentifier(dirty_days_table))));
  const int64_t rows = counts.Int(0, 0);
  const int64_t without_bitmaps = counts.Int(0, 1);
  const int64_t invented = counts.Int(0, 2);
  if (rows != static_cast<int64_t>(written) || without_bitmaps != 0 || invented != 0) {
    return Status::Internal(fmt::format(
        "summary bitmaps disagree with daily_summary: {} summary rows, {} bitmap rows written, "
        "{} rows whose distinct counts differ from their bitmaps, {} without a GROUP BY row",
        rows, written, without_bitmaps, invented));
  }
  return Status::Ok();
}

}  // namespace

Result<uint64_t> BumpSummaryGeneration(Connection& connection, std::string_view dirty_days_table) {
  // LAST_INSERT_ID(expr) hands the new value back without a second read. The row lock is
  // held until the load commits, so generations commit in increasing order.
  SF_RETURN_IF_ERROR(connection.Execute(
      "UPDATE summary_generation SET generation = LAST_INSERT_ID(generation + 1) WHERE id = 1"));
  if (connection.affected_rows() != 1) {
    return Status::FailedPrecondition(
        "summary_generation has no row: run `salesflow migrate` on this warehouse");
  }
  const uint64_t generation = connection.last_insert_id();
  SF_ASSIGN_OR_RETURN(
      uint64_t marked,
      connection.Exec(fmt::format("INSERT INTO summary_day_generations (day, generation) "
                                  "SELECT day, ? FROM {} "
                                  "ON DUPLICATE KEY UPDATE generation = VALUES(generation)",
                                  Connection::QuoteIdentifier(dirty_days_table)),
                      {static_cast<int64_t>(generation)}));
  (void)marked;
  return generation;
}

// ---- Bitmap ------------------------------------------------------------------------------

Bitmap::Bitmap() : bitmap_(roaring_bitmap_create()) {}
Bitmap::~Bitmap() {
  if (bitmap_ != nullptr) roaring_bitmap_free(bitmap_);
}
Bitmap::Bitmap(Bitmap&& other) noexcept : bitmap_(std::exchange(other.bitmap_, nullptr)) {}
Bitmap& Bitmap::operator=(Bitmap&& other) noexcept {
  if (this != &other) {
    if (bitmap_ != nullptr) roaring_bitmap_free(bitmap_);
    bitmap_ = std::exchange(other.bitmap_, nullptr);
  }
  return *this;
}

void Bitmap::Add(uint32_t key) { roaring_bitmap_add(bitmap_, key); }

void Bitmap::AddSorted(std::span<const uint32_t> keys) {
  if (!keys.empty()) roaring_bitmap_add_many(bitmap_, keys.size(), keys.data());
}

void Bitmap::UnionWith(const Bitmap& other) { roaring_bitmap_or_inplace(bitmap_, other.bitmap_); }

uint64_t Bitmap::Cardinality() const { return roaring_bitmap_get_cardinality(bitmap_); }

bool Bitmap::Contains(uint32_t key) const { return roaring_bitmap_contains(bitmap_, key); }

std::string Bitmap::Serialize() {
  roaring_bitmap_run_optimize(bitmap_);
  std::string out(roaring_bitmap_portable_size_in_bytes(bitmap_), '\0');
  const size_t written = roaring_bitmap_portable_serialize(bitmap_, out.data());
  out.resize(written);
  return out;
}

Result<Bitmap> Bitmap::Deserialize(std::string_view bytes) {
  // The size check first: deserialize_safe alone accepts trailing garbage.
  if (bytes.empty() ||
      roaring_bitmap_portable_deserialize_size(bytes.data(), bytes.size()) != bytes.size()) {
    return Status::DataLoss(fmt::format(
        "corrupt summary bitmap ({} bytes): not one portable roaring bitmap", bytes.size()));
  }
  roaring_bitmap_t* bitmap = roaring_bitmap_portable_deserialize_safe(bytes.data(), bytes.size());
  if (bitmap == nullptr) {
    return Status::DataLoss(fmt::format("corrupt summary bitmap ({} bytes)", bytes.size()));
  }
  return Bitmap(bitmap);
}

Result<uint64_t> UnionCardinality(std::span<const std::string_view> portable_bitmaps,
                                  std::span<const Bitmap* const> decoded) {
  std::vector<Bitmap> owned;
  owned.reserve(portable_bitmaps.size());
  for (std::string_view bytes : portable_bitmaps) {
    SF_ASSIGN_OR_RETURN(Bitmap bitmap, Bitmap::Deserialize(bytes));
    owned.push_back(std::move(bitmap));
  }
  std::vector<const roaring_bitmap_t*> raw;
  raw.reserve(owned.size() + decoded.size());
  for (const Bitmap& bitmap : owned) raw.push_back(bitmap.raw());
  for (const Bitmap* bitmap : decoded) raw.push_back(bitmap->raw());
  if (raw.empty()) return uint64_t{0};
  if (raw.size() == 1) return roaring_bitmap_get_cardinality(raw[0]);
  roaring_bitmap_t* merged = roaring_bitmap_or_many(raw.size(), raw.data());
  const uint64_t cardinality = roaring_bitmap_get_cardinality(merged);
  roaring_bitmap_free(merged);
  return cardinality;
}

// ---- streaming ---------------------------------------------------------------------------

Status StreamQuery(Connection& connection, std::string_view sql,
                   const std::function<Status(StreamedRow)>& visit) {
  MYSQL* mysql = connection.handle();
  if (mysql_real_query(mysql, sql.data(), sql.size()) != 0) return connection.LastError("query");
  MYSQL_RES* raw = mysql_use_result(mysql);
  if (raw == nullptr) {
    if (mysql_field_count(mysql) != 0) return connection.LastError("query result");
    return Status::Ok();
  }
  std::unique_ptr<MYSQL_RES, void (*)(MYSQL_RES*)> result(raw, &mysql_free_result);
  const unsigned columns = mysql_num_fields(raw);
  std::vector<std::optional<std::string_view>> cells(columns);
  Status status;
  while (MYSQL_ROW row = mysql_fetch_row(raw)) {
    if (!status.ok()) continue;  // drain: the session must stay usable
    const unsigned long* lengths = mysql_fetch_lengths(raw);
    for (unsigned i = 0; i < columns; ++i) {
      cells[i] = row[i] == nullptr
                     ? std::nullopt
                     : std::optional<std::string_view>(std::in_place, row[i], lengths[i]);
    }
    status = visit(cells);
  }
  if (mysql_errno(mysql) != 0) return connection.LastError("reading query result");
  return status;
}

// ---- refresh -----------------------------------------------------------------------------

Result<BitmapRefreshStats> RefreshSummaryBitmaps(Connection& connection,
                                                 std::string_view dirty_days_table) {
  BitmapRefreshStats stats;
  const std::string dirty = Connection::QuoteIdentifier(dirty_days_table);
  SF_ASSIGN_OR_RETURN(QueryResult days,
                      connection.Query(fmt::format("SELECT day FROM {} ORDER BY day", dirty)));
  if (days.empty()) return stats;
  SummaryWriter writer(connection);
  for (size_t i = 0; i < days.rows.size(); ++i) {
    // Re-formatted from a parsed date: the day is never SQL text taken from a table.
    const std::optional<int32_t> parsed = core::ParseIsoDate(days.Text(i, 0));
    if (!parsed) {
      return Status::Internal(fmt::format("dirty day '{}' is not a date", days.Text(i, 0)));
    }
    const std::string day = core::FormatDate(*parsed);
    DayBitmaps bitmaps;
    auto started = Clock::now();
    SF_RETURN_IF_ERROR(StreamQuery(
        connection,
        fmt::format("SELECT currency, category, region, country, channel, sku, order_key, "
                    "customer_key FROM sales WHERE order_date = '{}'",
                    day),
        [&](StreamedRow row) {
          ++stats.lines;
          return bitmaps.AddLine(row);
        }));
    std::vector<PendingRow>& rows = bitmaps.Finish();
    stats.scan_seconds += SecondsSince(started);
    started = Clock::now();
    for (PendingRow& row : rows) SF_RETURN_IF_ERROR(writer.Add(day, row));
    stats.write_seconds += SecondsSince(started);
    ++stats.days;
  }
  auto started = Clock::now();
  SF_RETURN_IF_ERROR(writer.Flush());
  stats.write_seconds += SecondsSince(started);
  started = Clock::now();
  SF_RETURN_IF_ERROR(CheckDays(connection, dirty_days_table, writer.rows()));
  stats.check_seconds = SecondsSince(started);
  SF_ASSIGN_OR_RETURN(stats.generation, BumpSummaryGeneration(connection, dirty_days_table));
  stats.summary_rows = writer.rows();
  stats.bytes = writer.bytes();
  return stats;
}

Result<BitmapRefreshStats> RebuildAllSummaryBitmaps(Connection& connection) {
  constexpr std::string_view kAllDays = "summary_bitmaps_all_days";
  SF_ASSIGN_OR_RETURN(auto tx, Transaction::Start(connection));
  SF_RETURN_IF_ERROR(
      connection.Execute(fmt::format("DROP TEMPORARY TABLE IF EXISTS {}", kAllDays)));
  SF_RETURN_IF_ERROR(connection.Execute(
      fmt::format("CREATE TEMPORARY TABLE {} (day DATE NOT NULL PRIMARY KEY) ENGINE=InnoDB "
                  "SELECT DISTINCT day FROM daily_summary",
                  kAllDays)));
  SF_ASSIGN_OR_RETURN(BitmapRefreshStats stats, RefreshSummaryBitmaps(connection, kAllDays));
  SF_RETURN_IF_ERROR(connection.Execute(fmt::format("DROP TEMPORARY TABLE {}", kAllDays)));
  SF_RETURN_IF_ERROR(tx.Commit());
  return stats;
}

Result<uint64_t> ReadSummaryGeneration(Connection& connection) {
  SF_ASSIGN_OR_RETURN(QueryResult result,
                      connection.Query("SELECT generation FROM summary_generation WHERE id = 1"));
  if (result.empty()) {
    return Status::FailedPrecondition(
        "summary_generation has no row: run `salesflow migrate` on this warehouse");
  }
  return static_cast<uint64_t>(result.Int(0, 0));
}

}  // namespace salesflow::warehouse
