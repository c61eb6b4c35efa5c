#include "warehouse/summary_delta.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <string_view>

#include "core/date.h"
#include "core/money.h"
#include "warehouse/summary_keys.h"

namespace salesflow::warehouse {
namespace {

static_assert(kSummaryDimensionNames.size() == SummaryDelta::kDimensions);

// Keys buffered per set before a sorted bulk add.
constexpr size_t kKeyBufferSize = 256;
// A multi-row upsert ends at this many rows (11 placeholders each, far below the 65535
// limit) or once its bitmaps pass kWriteBatchBytes: a big day's sets must stay well under
// the server's max_allowed_packet (16 MiB by default) per statement.
constexpr size_t kWriteBatchRows = 500;
constexpr size_t kWriteBatchBytes = size_t{4} << 20;
// Summary rows merged together: their stored sets are read, unioned and written at once.
// A page ends at kMergePageRows rows or once its held rows pass kMergePageLines lines, so
// that a page of big rows (a day's categories) stays a few MiB.
constexpr size_t kMergePageRows = 64;
constexpr int64_t kMergePageLines = 100'000;

std::string_view DimensionValue(const core::SalesLine& line, size_t dimension) {
  switch (dimension) {
    case 1:
      return line.category;
    case 2:
      return line.region;
    case 3:
      return line.country;
    case 4:
      return line.channel;
    case 5:
      return line.sku;
    default:
      return {};
  }
}

void Buffer(std::vector<uint32_t>& buffer, uint32_t key, Bitmap& bitmap) {
  // An order's lines come together: most repeats are the previous key.
  if (!buffer.empty() && buffer.back() == key) return;
  buffer.push_back(key);
  if (buffer.size() < kKeyBufferSize) return;
  std::sort(buffer.begin(), buffer.end());
  bitmap.AddSorted(buffer);
  buffer.clear();
}

void DrainInto(std::vector<uint32_t>& buffer, Bitmap& bitmap) {
  std::sort(buffer.begin(), buffer.end());
  bitmap.AddSorted(buffer);
  buffer.clear();
  buffer.shrink_to_fit();
}

}  // namespace

void SummaryDelta::Row::Drain() {
  DrainInto(order_buffer, orders);
  DrainInto(customer_buffer, customers);
}

SummaryDelta::SummaryDelta(std::set<int32_t> skip_days) : skip_days_(std::move(skip_days)) {}

uint32_t SummaryDelta::Find(int32_t day, uint8_t dimension, std::string_view currency,
                            std::string_view value) {
  uint32_t& last = last_[dimension];
  if (last != 0) {
    const Row& row = rows_[last - 1];
    if (row.day == day && row.currency == currency && row.value == value) return last - 1;
  }
  ValueIndex& values = SliceOf(day, currency).values[dimension];
  auto found = values.find(value);  // no allocation: the index is transparent
  if (found == values.end()) {
    found = values.emplace(std::string(value), static_cast<uint32_t>(rows_.size())).first;
    Row& row = rows_.emplace_back();
    row.day = day;
    row.dimension = dimension;
    row.currency = currency;
    row.value = value;
  }
  last = found->second + 1;
  return found->second;
}

SummaryDelta::Slice& SummaryDelta::SliceOf(int32_t day, std::string_view currency) {
  // A report mostly holds one day and one currency, or runs of them.
  if (last_slice_ < slices_.size() && slices_[last_slice_].day == day &&
      slices_[last_slice_].currency == currency) {
    return slices_[last_slice_];
  }
  std::string key(reinterpret_cast<const char*>(&day), sizeof(day));
  key.append(currency);
  auto [at, inserted] = slice_index_.try_emplace(std::move(key), slices_.size());
  if (inserted) {
    Slice& slice = slices_.emplace_back();
    slice.day = day;
    slice.currency = currency;
  }
  last_slice_ = at->second;
  return slices_[last_slice_];
}

SummaryDelta::LineRows SummaryDelta::AddLine(const core::SalesLine& line) {
  LineRows out;
  if (skip_days_.contains(line.order_date)) {
    out.skipped = true;
    return out;
  }
  for (uint8_t dimension = 0; dimension < kDimensions; ++dimension) {
    const uint32_t index = Find(line.order_date, dimension, line.currency,
                                StripTrailingSpaces(DimensionValue(line, dimension)));
    Row& row = rows_[index];
    row.revenue_cents += line.revenue.cents;
    row.lines += 1;
    row.units += line.quantity;
    out.rows[dimension] = index;
  }
  return out;
}

void SummaryDelta::AddKeys(const LineRows& rows, uint32_t order_key,
                           std::optional<uint32_t> customer_key) {
  if (rows.skipped) return;
  for (uint32_t index : rows.rows) {
    Row& row = rows_[index];
    Buffer(row.order_buffer, order_key, row.orders);
    if (customer_key) Buffer(row.customer_buffer, *customer_key, row.customers);
  }
}

Status SummaryDelta::MergeInto(Connection& connection) {
  std::map<int32_t, std::vector<uint32_t>> by_day;
  for (uint32_t i = 0; i < rows_.size(); ++i) {
    rows_[i].Drain();
    by_day[rows_[i].day].push_back(i);
  }
  for (auto& [day, day_rows] : by_day) {
    if (skip_days_.contains(day)) continue;
    SF_RETURN_IF_ERROR(MergeDay(connection, day, day_rows));
  }
  rows_.clear();
  slices_.clear();
  slice_index_.clear();
  last_slice_ = SIZE_MAX;
  last_.fill(0);
  return Status::Ok();
}

// Merges the day's rows a page at a time: reads the stored sets of exactly the page's keys,
// unions them in, writes the page and frees its sets. Memory: one page of a day's sets,
// however big the day (a day of 5M lines has sets of millions of orders).
Status SummaryDelta::MergeDay(Connection& connection, int32_t day,
                              std::vector<uint32_t>& day_rows) {
  size_t first = 0;
  while (first < day_rows.size()) {
    // A page: up to kMergePageRows rows, fewer when they are big. The stored sets grow
    // with the lines of their value, as the held ones do, so the held lines measure both.
    size_t end = first;
    int64_t lines = 0;
    while (end < day_rows.size() && end - first < kMergePageRows &&
           (end == first || lines + rows_[day_rows[end]].lines <= kMergePageLines)) {
      lines += rows_[day_rows[end]].lines;
      ++end;
    }
    const auto page = std::span<const uint32_t>(day_rows).subspan(first, end - first);
    first = end;
    SF_ASSIGN_OR_RETURN(const bool without_bitmaps, UnionStored(connection, day, page));
    if (without_bitmaps) {
      // Written before bitmaps existed: the whole day is recomputed from sales instead
      // (which also overwrites what earlier pages of this day wrote).
      skip_days_.insert(day);
      recompute_days_.insert(day);
      return Status::Ok();
    }
    SF_RETURN_IF_ERROR(WriteRows(connection, day, page));
    for (uint32_t index : page) {
      rows_[index].orders = Bitmap();
      rows_[index].customers = Bitmap();
    }
  }
  merged_days_.insert(day);
  return Status::Ok();
}

// Unions the stored sets of the page's keys into its rows. Returns true when a stored row
// of those keys has no bitmaps.
Result<bool> SummaryDelta::UnionStored(Connection& connection, int32_t day,
                                       std::span<const uint32_t> page) {
  const std::string date = core::FormatDate(day);
  std::string sql =
      "SELECT dimension, currency, dim_value, orders, customers FROM daily_summary "
      "WHERE day = ? AND (dimension, currency, dim_value) IN (";
  std::vector<Param> params;
  params.reserve(1 + 3 * page.size());
  params.emplace_back(std::string_view(date));
  std::unordered_map<std::string, uint32_t> by_key;  // dimension, currency, value -> row
  for (size_t i = 0; i < page.size(); ++i) {
    const Row& row = rows_[page[i]];
    sql += i == 0 ? "(?,?,?)" : ",(?,?,?)";
    params.emplace_back(kSummaryDimensionNames[row.dimension]);
    params.emplace_back(std::string_view(row.currency));
    params.emplace_back(std::string_view(row.value));
    by_key.emplace(fmt::format("{}\t{}\t{}", row.dimension, row.currency, row.value), page[i]);
  }
  sql += ")";
  SF_ASSIGN_OR_RETURN(QueryResult stored, connection.Query(sql, params));
  for (size_t r = 0; r < stored.rows.size(); ++r) {
    const std::optional<uint8_t> dimension = SummaryDimensionIndex(stored.Text(r, 0));
    if (!dimension) return Status::Internal("unknown daily_summary dimension");
    auto found = by_key.find(fmt::format("{}\t{}\t{}", *dimension, stored.Text(r, 1),
                                         StripTrailingSpaces(stored.Text(r, 2))));
    if (found == by_key.end()) continue;
    if (stored.IsNull(r, 3) || stored.IsNull(r, 4)) return true;
    Row& row = rows_[found->second];
    const std::array<std::pair<size_t, Bitmap*>, 2> sets = {
        {{3, &row.orders}, {4, &row.customers}}};
    for (const auto& [column, into] : sets) {
      SF_ASSIGN_OR_RETURN(Bitmap bitmap, Bitmap::Deserialize(stored.Text(r, column)));
      stored.rows[r][column].reset();  // a big day's sets: keep one copy at a time
      into->UnionWith(bitmap);
    }
  }
  return false;
}

// New keys are inserted; stored ones get the amounts added and the unions' sets and counts.
Status SummaryDelta::WriteRows(Connection& connection, int32_t day,
                               std::span<const uint32_t> day_rows) {
  const std::string date = core::FormatDate(day);
  size_t next = 0;
  while (next < day_rows.size()) {
    std::string sql =
        "INSERT INTO daily_summary (dimension, currency, day, dim_value, revenue, line_count, "
        "units, order_count, customer_count, orders, customers) VALUES ";
    // Stable storage for what the placeholders point at (reserved: no reallocation).
    std::vector<std::string> revenues;
    std::vector<std::string> serialized;
    revenues.reserve(kWriteBatchRows);
    serialized.reserve(2 * kWriteBatchRows);
    std::vector<Param> params;
    params.reserve(11 * kWriteBatchRows);
    size_t bytes = 0;
    const size_t first = next;
    for (; next < day_rows.size() && next - first < kWriteBatchRows && bytes < kWriteBatchBytes;
         ++next) {
      Row& row = rows_[day_rows[next]];
      sql += next == first ? "(?,?,?,?,?,?,?,?,?,?,?)" : ",(?,?,?,?,?,?,?,?,?,?,?)";
      revenues.push_back(core::FormatDecimal(row.revenue_cents, core::kMoneyScale));
      serialized.push_back(row.orders.Serialize());
      serialized.push_back(row.customers.Serialize());
      bytes += serialized[serialized.size() - 2].size() + serialized.back().size();
      params.emplace_back(kSummaryDimensionNames[row.dimension]);
      params.emplace_back(std::string_view(row.currency));
      params.emplace_back(std::string_view(date));
      params.emplace_back(std::string_view(row.value));
      params.emplace_back(std::string_view(revenues.back()));
      params.emplace_back(row.lines);
      params.emplace_back(row.units);
      params.emplace_back(static_cast<int64_t>(row.orders.Cardinality()));
      params.emplace_back(static_cast<int64_t>(row.customers.Cardinality()));
      params.emplace_back(std::string_view(serialized[serialized.size() - 2]));
      params.emplace_back(std::string_view(serialized.back()));
    }
    sql +=
        " ON DUPLICATE KEY UPDATE revenue = revenue + VALUES(revenue), "
        "line_count = line_count + VALUES(line_count), units = units + VALUES(units), "
        "order_count = VALUES(order_count), customer_count = VALUES(customer_count), "
        "orders = VALUES(orders), customers = VALUES(customers)";
    SF_RETURN_IF_ERROR(connection.Exec(sql, params).status());
    rows_written_ += next - first;
  }
  return Status::Ok();
}

}  // namespace salesflow::warehouse
