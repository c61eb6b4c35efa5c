// Stats over the warehouse: totals and groups for a date range in one currency, exact.
//
// QueryStats answers from daily_summary (per day, currency and dimension value: sums plus
// roaring bitmaps of the order and customer keys), so its cost depends on the number of days
// and groups in the range, not on the number of sales lines. Distinct counts over a range or
// a group are the cardinality of the union of the per-day bitmaps: exact, never a sum of
// per-day counts. QueryStatsNaive computes the same answer with GROUP BY / COUNT(DISTINCT)
// over `sales`; tests and bench/stats prove both agree (docs/stats.md).
//
//   warehouse::SummaryCache cache;                       // one per process, shared
//   SF_ASSIGN_OR_RETURN(StatsResult r, QueryStats(conn, query, &cache));
//
// Semantics (DESIGN.md, GET /api/stats):
//   * from_day/to_day inclusive, either may be open.
//   * Amounts are in `query.currency` only; `currencies` lists every currency with a sales
//     line in the range, sorted. A currency absent from the range gives zero totals.
//   * Day and month groups come in date order, every one with data (`top` is ignored);
//     other groups by revenue descending, ties by key ascending (bytes), at most `top`.
//   * Lines without a category/region/country/channel fall into the group with key "".
//     Keys compare like the warehouse's utf8mb4_bin collation: trailing spaces are ignored.
//   * customers counts lines with a customer id only.
//
// Thread-safety: QueryStats and QueryStatsNaive use only the caller's Connection (one
// thread per Connection); SummaryCache is thread-safe and may be shared by all threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/money.h"
#include "core/status.h"
#include "warehouse/connection.h"

namespace salesflow::warehouse {

enum class StatsGroupBy { kNone, kDay, kMonth, kCategory, kRegion, kCountry, kChannel, kSku };

struct StatsQuery {
  std::optional<int32_t> from_day;  // days since epoch, inclusive; nullopt = no lower bound
  std::optional<int32_t> to_day;    // inclusive; nullopt = no upper bound
  StatsGroupBy group_by = StatsGroupBy::kNone;
  std::optional<int> top;  // >= 1; only for non-date groupings
  std::string currency;    // ISO 4217, upper case. REQUIRES: not empty (the caller defaults it)
};

struct StatsFigures {
  core::Money revenue;
  int64_t orders = 0;  // exact distinct count of orders
  int64_t lines = 0;
  int64_t units = 0;      // sum of quantities (returns count negative)
  int64_t customers = 0;  // exact distinct count of known customer ids

  friend bool operator==(const StatsFigures&, const StatsFigures&) = default;
};

struct StatsGroup {
  std::string key;  // "2026-10-01", "2026-10", a category, a sku ...
  StatsFigures figures;

  friend bool operator==(const StatsGroup&, const StatsGroup&) = default;
};

struct StatsResult {
  std::string currency;                 // the currency of every amount below
  std::vector<std::string> currencies;  // every currency present in the range, sorted
  StatsFigures totals;
  std::vector<StatsGroup> groups;  // empty for StatsGroupBy::kNone

  friend bool operator==(const StatsResult&, const StatsResult&) = default;
};

// revenue / orders, rounded half away from zero to the cent (DESIGN.md's "half-up"; a
// negative revenue of returns rounds symmetrically); 0.00 when orders is 0.
core::Money AverageOrderValue(core::Money revenue, int64_t orders);

// An in-process cache of daily_summary, so repeated stats requests do not re-read summaries
// from MySQL. Exact after every load: each request first reads summary_generation (one row,
// bumped in the same transaction as every summary refresh) and drops the days refreshed
// since. Holds at most `max_bytes` of summary rows (least recently used days go first):
// every currency's total rows, but a grouping's rows only for the currencies queried.
// It also remembers computed answers of the current generation (by default at most
// max_bytes / 16 and 4096 answers, least recently used go first), so a repeated query costs
// one generation read; the first load that commits after them makes them all stale.
// One cache serves one warehouse database: the first QueryStats binds it (a query through
// another database fails with kFailedPrecondition).
class SummaryCache {
 public:
  static constexpr size_t kDefaultMaxBytes = size_t{512} << 20;
  explicit SummaryCache(size_t max_bytes = kDefaultMaxBytes);
  // `max_answer_bytes` for remembered answers (0: compute every answer from the slices).
  SummaryCache(size_t max_bytes, size_t max_answer_bytes);
  ~SummaryCache();
  SummaryCache(const SummaryCache&) = delete;
  SummaryCache& operator=(const SummaryCache&) = delete;

  struct Counters {
    uint64_t hits = 0;            // day slices served from memory
    uint64_t misses = 0;          // day slices read from MySQL
    uint64_t invalidated = 0;     // day slices dropped because a load changed the day
    uint64_t evicted = 0;         // day slices dropped for the byte budget
    size_t bytes = 0;             // held now by day slices
    uint64_t answers_reused = 0;  // queries answered with a remembered answer
    size_t answer_bytes = 0;      // held now by remembered answers
  };
  Counters counters() const;

  struct State;  // internal (stats.cpp)

 private:
  friend Result<StatsResult> QueryStats(Connection&, const StatsQuery&, SummaryCache*);
  std::unique_ptr<State> state_;
};

// Stats from the summaries; `cache` may be null (then every summary row the answer needs is
// read from MySQL). kInvalidArgument for an empty currency, top < 1 or from_day > to_day;
// kFailedPrecondition when summaries lack bitmaps (rows written before they existed: reload
// the affected reports, or RebuildAllSummaryBitmaps); connection errors as Connection maps
// them. REQUIRES: no transaction open on `connection` (it reads in its own read-only snapshot).
Result<StatsResult> QueryStats(Connection& connection, const StatsQuery& query,
                               SummaryCache* cache = nullptr);

// The same answer by GROUP BY / COUNT(DISTINCT order_id, customer_id) over `sales`: the
// reference for tests and benchmarks. Cost grows with the lines in the range.
Result<StatsResult> QueryStatsNaive(Connection& connection, const StatsQuery& query);

}  // namespace salesflow::warehouse
