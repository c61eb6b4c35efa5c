// Stats straight from the fact table (GROUP BY over `sales`): correct and simple, the
// reference answer. Engine::QueryStats answers from the summaries (warehouse/stats.h); this
// stays as the oracle its tests compare against, and as the fallback to swap back in.
//
// Currency rules (DESIGN.md): amounts are in one currency only (request, else the default);
// `currencies` lists every currency present in the range; an unknown currency yields zero
// totals, not an error. orders / customers are exact COUNT(DISTINCT ...).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/money.h"
#include "core/status.h"
#include "warehouse/connection.h"

namespace salesflow::ingest {

enum class StatsGrouping { kNone, kDay, kMonth, kCategory, kRegion, kCountry, kChannel, kSku };

struct StatsRequest {
  std::optional<int32_t> from_day;  // days since epoch, inclusive
  std::optional<int32_t> to_day;    // inclusive
  StatsGrouping group_by = StatsGrouping::kNone;
  std::optional<int> top;  // >= 1; ignored for day/month groups
  std::string currency;    // "" = default_currency
};

struct StatsNumbers {
  core::Money revenue;
  int64_t orders = 0;
  int64_t lines = 0;
  int64_t units = 0;
  int64_t customers = 0;
  friend bool operator==(const StatsNumbers&, const StatsNumbers&) = default;
};

struct StatsRow {
  std::string key;  // "2026-10-01", "2026-10", or the value ("" when the line had none)
  StatsNumbers numbers;
};

struct StatsAnswer {
  std::string currency;
  std::vector<std::string> currencies;  // sorted
  StatsNumbers totals;
  std::vector<StatsRow> groups;  // dates ascending; others by revenue desc, then key
};

Result<StatsAnswer> QueryStatsFromSales(warehouse::Connection& connection,
                                        const StatsRequest& request,
                                        const std::string& default_currency);

}  // namespace salesflow::ingest
