// Exact distinct counts over ranges: roaring bitmaps of order and customer keys per summary row.
//
// daily_summary keeps, per (dimension, currency, day, dim_value), the set of order_keys and
// customer_keys (dense ids from the order_keys / customer_keys dictionaries) as portable
// roaring bitmaps (the format Java, Go and CRoaring share). Distinct counts do not add up
// across days; the cardinality of the union of per-day bitmaps is exact.
//
// RefreshSummaryBitmaps runs inside the load's transaction, right after the SQL aggregates of
// the dirty days were recomputed (RefreshSummaries): one ordered scan of each dirty day's
// sales lines builds the bitmaps of every dimension at once, a multi-row INSERT stages them
// and one UPDATE ... JOIN writes them. It then checks every refreshed row's bitmaps against
// its COUNT(DISTINCT) counts (a mismatch fails the load) and bumps summary_generation, which
// SummaryCache (stats.h) reads to stay exact. Memory: one day's bitmaps plus small buffers.
//
// Thread-safety: Bitmap is a value type (not synchronised); the functions use only the
// caller's Connection.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/status.h"
#include "warehouse/connection.h"

struct roaring_bitmap_s;  // CRoaring's roaring_bitmap_t

namespace salesflow::warehouse {

// An owned roaring bitmap of uint32 keys. Movable, not copyable.
class Bitmap {
 public:
  Bitmap();  // empty
  ~Bitmap();
  Bitmap(Bitmap&& other) noexcept;
  Bitmap& operator=(Bitmap&& other) noexcept;
  Bitmap(const Bitmap&) = delete;
  Bitmap& operator=(const Bitmap&) = delete;

  void Add(uint32_t key);
  // REQUIRES: keys sorted ascending (duplicates allowed): the fast path of CRoaring.
  void AddSorted(std::span<const uint32_t> keys);
  void UnionWith(const Bitmap& other);
  uint64_t Cardinality() const;
  bool Contains(uint32_t key) const;

  // Portable serialisation (run containers where they are smaller).
  std::string Serialize();
  // kDataLoss when `bytes` is not exactly one valid portable bitmap.
  static Result<Bitmap> Deserialize(std::string_view bytes);

  const roaring_bitmap_s* raw() const { return bitmap_; }

 private:
  explicit Bitmap(roaring_bitmap_s* owned) : bitmap_(owned) {}
  roaring_bitmap_s* bitmap_;
};

// |union of the portable bitmaps and the decoded ones|. kDataLoss for a corrupt one.
Result<uint64_t> UnionCardinality(std::span<const std::string_view> portable_bitmaps,
                                  std::span<const Bitmap* const> decoded = {});

struct BitmapRefreshStats {
  uint64_t days = 0;          // dirty days scanned
  uint64_t lines = 0;         // sales lines read
  uint64_t summary_rows = 0;  // daily_summary rows given bitmaps
  uint64_t bytes = 0;         // serialized bitmap bytes written
  uint64_t generation = 0;    // summary_generation after the bump
  // Where the time went (seconds), for benchmarks.
  double scan_seconds = 0;   // streaming sales lines and building bitmaps
  double write_seconds = 0;  // serialising and writing them
  double check_seconds = 0;  // proving them against the summary counts
};

// Builds and stores the bitmaps of every daily_summary row of the days listed in
// `dirty_days_table` (a table with one DATE column `day`; an identifier chosen by code), then
// bumps summary_generation and records the days in summary_day_generations.
// REQUIRES: inside the load's transaction, after daily_summary rows of those days were
// recomputed from sales. kInternal when the bitmaps disagree with the summary counts.
Result<BitmapRefreshStats> RefreshSummaryBitmaps(Connection& connection,
                                                 std::string_view dirty_days_table);

// Recomputes the bitmaps of every day in daily_summary (for summaries written before the
// bitmaps existed). Runs its own transaction. Returns the stats of the refresh.
Result<BitmapRefreshStats> RebuildAllSummaryBitmaps(Connection& connection);

// Bumps summary_generation and records the new value for every day of `days_table` (one DATE
// column `day`; an identifier chosen by code) in summary_day_generations, so stats caches
// reload those days. Returns the new generation. REQUIRES: inside the load's transaction
// (the row lock orders generations as their loads commit).
Result<uint64_t> BumpSummaryGeneration(Connection& connection, std::string_view days_table);

// The current summary_generation (0 on a fresh warehouse).
Result<uint64_t> ReadSummaryGeneration(Connection& connection);

// ---- for the warehouse module's own readers (stats.cpp) ---------------------------------

// One row of a streamed result: cells as text/bytes (nullopt = NULL), valid during the call.
using StreamedRow = std::span<const std::optional<std::string_view>>;

// Runs `sql` (constant SQL, no report content) and calls `visit` for each row as it arrives
// from the server (mysql_use_result: memory stays one row whatever the result size). A
// non-ok Status from `visit` stops the scan (the rest is drained) and is returned.
Status StreamQuery(Connection& connection, std::string_view sql,
                   const std::function<Status(StreamedRow)>& visit);

}  // namespace salesflow::warehouse
