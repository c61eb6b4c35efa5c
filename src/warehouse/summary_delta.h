// The daily_summary rows a load adds, accumulated in C++ while the report streams.
//
// When a load only adds lines (the direct load proved that no line repeats or overwrites
// another: report_load.h), every summary row of the days it touches changes by addition:
// revenue, lines and units add up, and the sets of orders and customers become the union of
// the old sets and the load's (roaring bitmaps are exact sets, so the cardinality of the union
// is the exact distinct count). MergeInto writes exactly that, reading only the existing
// summary rows of those days: no GROUP BY over sales, and each summary row written once.
//
// Memory follows the summary rows held (days x currencies x dimension values), not the lines:
// the caller merges whenever rows() passes its budget and goes on (merges add up).
//
//   SummaryDelta delta(days_recomputed_anyway);
//   SummaryDelta::LineRows rows = delta.AddLine(line);   // as each line streams
//   delta.AddKeys(rows, order_key, customer_key);        // once its keys are known
//   SF_RETURN_IF_ERROR(delta.MergeInto(connection));     // inside the load's transaction
//
// Thread-safety: a value type, not synchronised.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/sales_line.h"
#include "core/status.h"
#include "core/string_map.h"
#include "warehouse/connection.h"
#include "warehouse/summary_bitmaps.h"

namespace salesflow::warehouse {

class SummaryDelta {
 public:
  static constexpr size_t kDimensions = 6;  // daily_summary.dimension, in ENUM order

  // A line's summary rows, one per dimension (indexes into the delta); none when the line's
  // day is left to a recompute.
  struct LineRows {
    std::array<uint32_t, kDimensions> rows{};
    bool skipped = false;
  };

  // Lines of `skip_days` (days since 1970-01-01) are not accumulated: their summaries will be
  // recomputed from sales (e.g. days of a replaced version's deleted lines).
  explicit SummaryDelta(std::set<int32_t> skip_days = {});

  // Adds the line's revenue, units and count to its six rows.
  LineRows AddLine(const core::SalesLine& line);
  // Adds the line's order and customer (nullopt = none) to its rows' sets.
  void AddKeys(const LineRows& rows, uint32_t order_key, std::optional<uint32_t> customer_key);

  // Summary rows held now.
  size_t rows() const { return rows_.size(); }

  // Adds the held rows to daily_summary and empties the delta. A day whose stored rows have
  // no bitmaps (written before bitmaps existed) cannot be merged: it is skipped from then on
  // and listed in days_to_recompute(). REQUIRES: inside the load's transaction, after the
  // lines were loaded in it, under the apply lock.
  Status MergeInto(Connection& connection);

  // Days merged so far (their generation must be bumped: BumpSummaryGeneration).
  const std::set<int32_t>& merged_days() const { return merged_days_; }
  // Days that need a recompute from sales (see MergeInto).
  const std::set<int32_t>& days_to_recompute() const { return recompute_days_; }
  // Summary rows written by MergeInto so far.
  uint64_t rows_written() const { return rows_written_; }

 private:
  struct Row {
    int32_t day = 0;
    uint8_t dimension = 0;
    std::string currency;
    std::string value;  // trailing spaces stripped: the PAD SPACE collation groups them
    int64_t revenue_cents = 0;
    int64_t lines = 0;
    int64_t units = 0;
    Bitmap orders;
    Bitmap customers;
    std::vector<uint32_t> order_buffer;  // keys not yet in `orders` (sorted adds are fast)
    std::vector<uint32_t> customer_buffer;
    void Drain();
  };

  uint32_t Find(int32_t day, uint8_t dimension, std::string_view currency, std::string_view value);
  Status MergeDay(Connection& connection, int32_t day, std::vector<uint32_t>& day_rows);
  Result<bool> UnionStored(Connection& connection, int32_t day, std::span<const uint32_t> page);
  Status WriteRows(Connection& connection, int32_t day, std::span<const uint32_t> day_rows);

  std::set<int32_t> skip_days_;
  std::set<int32_t> merged_days_;
  std::set<int32_t> recompute_days_;
  std::vector<Row> rows_;
  // Rows by (day, currency), then by dimension and value: lookups by string_view.
  using ValueIndex = core::StringMap<uint32_t>;
  struct Slice {
    int32_t day = 0;
    std::string currency;
    std::array<ValueIndex, kDimensions> values;
  };
  Slice& SliceOf(int32_t day, std::string_view currency);
  std::vector<Slice> slices_;
  std::unordered_map<std::string, size_t> slice_index_;  // day bytes + currency -> slice
  size_t last_slice_ = SIZE_MAX;
  std::array<uint32_t, kDimensions> last_{};  // last row found per dimension, +1 (0 = none)
  uint64_t rows_written_ = 0;
};

}  // namespace salesflow::warehouse
