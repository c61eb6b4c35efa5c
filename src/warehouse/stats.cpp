#include "warehouse/stats.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <deque>
#include <limits>
#include <map>
#include <mutex>
#include <span>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "core/date.h"
#include "warehouse/summary_bitmaps.h"
#include "warehouse/summary_keys.h"

namespace salesflow::warehouse {
namespace {

// The sales column behind each dimension (for the naive queries).
constexpr std::array<std::string_view, 6> kDimensionColumns = {"",        "category", "region",
                                                               "country", "channel",  "sku"};
constexpr uint8_t kTotal = 0;

// DATE's supported range: open or absurd bounds are clamped to it.
const int32_t kMinDay = core::DaysFromCivil({1000, 1, 1});
const int32_t kMaxDay = core::DaysFromCivil({9999, 12, 31});

uint8_t DimensionOf(StatsGroupBy group_by) {
  switch (group_by) {
    case StatsGroupBy::kCategory:
      return 1;
    case StatsGroupBy::kRegion:
      return 2;
    case StatsGroupBy::kCountry:
      return 3;
    case StatsGroupBy::kChannel:
      return 4;
    case StatsGroupBy::kSku:
      return 5;
    case StatsGroupBy::kNone:
    case StatsGroupBy::kDay:
    case StatsGroupBy::kMonth:
      break;
  }
  return kTotal;
}

bool IsDateGrouping(StatsGroupBy group_by) {
  return group_by == StatsGroupBy::kDay || group_by == StatsGroupBy::kMonth;
}

Status Validate(const StatsQuery& query) {
  if (query.currency.empty()) {
    return Status::InvalidArgument("stats: currency is required (the caller's default)");
  }
  if (query.top && *query.top < 1) {
    return Status::InvalidArgument(fmt::format("stats: top must be >= 1, got {}", *query.top));
  }
  if (query.from_day && query.to_day && *query.from_day > *query.to_day) {
    return Status::InvalidArgument(fmt::format("stats: from ({}) is after to ({})",
                                               core::FormatDate(*query.from_day),
                                               core::FormatDate(*query.to_day)));
  }
  return Status::Ok();
}

// ---- parsing server text exactly --------------------------------------------------------

Result<int64_t> ParseCents(std::optional<std::string_view> text, std::string_view what) {
  if (!text) return int64_t{0};  // SUM over no rows
  int64_t cents = 0;
  if (core::ParseDecimal(*text, core::kMoneyScale, &cents) != core::ParseDecimalError::kOk) {
    return Status::Internal(fmt::format("{} is not an amount of cents: '{}'", what, *text));
  }
  return cents;
}

Result<int64_t> ParseInteger(std::optional<std::string_view> text, std::string_view what) {
  if (!text) return int64_t{0};
  int64_t value = 0;
  const char* end = text->data() + text->size();
  const auto [ptr, error] = std::from_chars(text->data(), end, value);
  if (error != std::errc() || ptr != end) {
    return Status::Internal(fmt::format("{} is not an integer: '{}'", what, *text));
  }
  return value;
}

std::optional<std::string_view> Cell(const QueryResult& result, size_t row, size_t col) {
  if (result.IsNull(row, col)) return std::nullopt;
  return std::string_view(result.Text(row, col));
}

// Revenue descending, then key ascending by bytes: the order of non-date groups.
void SortByRevenue(std::vector<StatsGroup>& groups) {
  std::sort(groups.begin(), groups.end(), [](const StatsGroup& a, const StatsGroup& b) {
    if (a.figures.revenue != b.figures.revenue) return a.figures.revenue > b.figures.revenue;
    return a.key < b.key;
  });
}

std::string MonthKey(int32_t day) {
  const core::CivilDate date = core::CivilFromDays(day);
  return fmt::format("{:04}-{:02}", date.year, date.month);
}

}  // namespace

// Types SummaryCache::State holds: a named namespace, as a class with external linkage may
// not have members of anonymous-namespace types.
namespace stats_internal {

// ---- summary slices ----------------------------------------------------------------------

// One daily_summary row, its dim_value interned in the dimension's dictionary.
struct SummaryRow {
  std::string currency;
  uint32_t value_id = 0;
  int64_t revenue_cents = 0;
  int64_t lines = 0;
  int64_t units = 0;
  int64_t order_count = 0;
  int64_t customer_count = 0;
  std::string orders;  // portable roaring bitmaps
  std::string customers;
  // Decoded once at install for the total rows, which every query unions (a full-range total
  // would otherwise decode two bitmaps per day per request). Null for other dimensions.
  std::shared_ptr<const Bitmap> decoded_orders;
  std::shared_ptr<const Bitmap> decoded_customers;
};

// Every row of one (dimension, day), all currencies, sorted by (currency, value_id).
struct DaySlice {
  std::vector<SummaryRow> rows;
  size_t bytes = 0;

  // The rows of `currency`.
  std::span<const SummaryRow> Currency(std::string_view currency) const {
    const auto lower = std::lower_bound(
        rows.begin(), rows.end(), currency,
        [](const SummaryRow& row, std::string_view c) { return row.currency < c; });
    auto upper = lower;
    while (upper != rows.end() && upper->currency == currency) ++upper;
    return {lower, upper};
  }
};
using SlicePtr = std::shared_ptr<const DaySlice>;

// A slice is one day of one dimension. Total slices hold every currency (each query lists
// the currencies of its range); a grouping dimension's slices hold one currency, so a query
// reads and keeps only its currency's rows (most summary rows are skus in many currencies).
// Ordered by day first: a load's invalidation erases one contiguous run per day.
struct SliceKey {
  int32_t day = 0;
  uint8_t dimension = 0;
  std::string currency;  // "" for total slices

  friend auto operator<=>(const SliceKey&, const SliceKey&) = default;
};

// dim_value <-> dense id, per dimension. Values are never removed (they are few: skus,
// categories, ...); a deque keeps references stable while it grows.
struct Dictionary {
  std::unordered_map<std::string, uint32_t> ids;
  std::deque<std::string> values;

  uint32_t Intern(std::string_view value) {
    auto [it, inserted] = ids.try_emplace(std::string(value), static_cast<uint32_t>(values.size()));
    if (inserted) values.emplace_back(value);
    return it->second;
  }
};

// A summary row as read, before interning.
struct LoadedRow {
  uint8_t dimension = 0;
  int32_t day = 0;
  std::string value;
  SummaryRow row;
};

// The slices one query computes on, in day order. Immutable once built.
struct View {
  std::vector<int32_t> days;
  std::vector<SlicePtr> totals;  // per day
  std::vector<SlicePtr> groups;  // per day, for a dimension grouping; else empty
};

// A computed answer, kept for the summary generation it was computed from.
struct Answer {
  std::shared_ptr<const StatsResult> result;
  uint64_t generation = 0;
  uint64_t last_used = 0;
  size_t bytes = 0;
};

}  // namespace stats_internal

using stats_internal::Answer;
using stats_internal::DaySlice;
using stats_internal::Dictionary;
using stats_internal::LoadedRow;
using stats_internal::SliceKey;
using stats_internal::SlicePtr;
using stats_internal::SummaryRow;
using stats_internal::View;

struct SummaryCache::State {
  State(size_t budget, size_t answer_budget) : max_bytes(budget), max_answer_bytes(answer_budget) {}

  static constexpr size_t kMaxAnswers = 4096;

  const size_t max_bytes;         // slices
  const size_t max_answer_bytes;  // remembered answers (on top of the slices)
  std::mutex load_mutex;          // one loader at a time: MySQL reads that fill the cache
  mutable std::mutex mutex;       // everything below
  bool initialized = false;
  std::string database;  // "host:port/db" of the bound warehouse
  uint64_t generation = 0;
  std::map<int32_t, uint64_t> calendar;  // every day daily_summary ever held -> generation
  struct Entry {
    SlicePtr slice;
    uint64_t last_used = 0;
  };
  std::map<SliceKey, Entry> slices;
  std::array<Dictionary, 6> dictionaries;
  // Answers of the current generation by normalised query (AnswerKey): a repeated query
  // (a dashboard's default view, a poll) costs one generation read. Cleared when the
  // generation moves, as every answer of an older one may be stale.
  std::unordered_map<std::string, Answer> answers;
  uint64_t tick = 0;
  Counters counters;

  // The key of a query's slice: total slices hold every currency.
  static SliceKey Key(uint8_t dimension, int32_t day, std::string_view currency) {
    return {day, dimension, std::string(dimension == kTotal ? std::string_view() : currency)};
  }

  // REQUIRES: mutex held. The days of [from, to] (clamped) present in the calendar.
  std::vector<int32_t> DaysIn(const StatsQuery& query) const {
    std::vector<int32_t> days;
    if (calendar.empty()) return days;
    const int32_t from = std::max(query.from_day.value_or(kMinDay), kMinDay);
    const int32_t to = std::min(query.to_day.value_or(kMaxDay), kMaxDay);
    for (auto it = calendar.lower_bound(from); it != calendar.end() && it->first <= to; ++it) {
      days.push_back(it->first);
    }
    return days;
  }

  // REQUIRES: mutex held. Fills `view` when every slice is cached; else lists the missing
  // (dimension, day) pairs (a grouping dimension's slices are those of `currency`).
  bool Collect(const std::vector<int32_t>& days, uint8_t dimension, std::string_view currency,
               View* view, std::vector<std::pair<uint8_t, int32_t>>* missing) {
    view->days = days;
    view->totals.clear();
    view->groups.clear();
    missing->clear();
    ++tick;
    auto take = [&](uint8_t dim, int32_t day, std::vector<SlicePtr>* out) {
      auto it = slices.find(Key(dim, day, currency));
      if (it == slices.end()) {
        missing->emplace_back(dim, day);
        return;
      }
      it->second.last_used = tick;
      out->push_back(it->second.slice);
    };
    for (int32_t day : days) {
      take(kTotal, day, &view->totals);
      if (dimension != kTotal) take(dimension, day, &view->groups);
    }
    if (missing->empty()) {
      counters.hits += view->totals.size() + view->groups.size();
      return true;
    }
    return false;
  }

  // REQUIRES: mutex held. Drops every slice of `day` (all dimensions and currencies).
  void Invalidate(int32_t day) {
    auto it = slices.lower_bound(SliceKey{day, 0, {}});
    while (it != slices.end() && it->first.day == day) {
      counters.bytes -= it->second.slice->bytes;
      ++counters.invalidated;
      it = slices.erase(it);
    }
  }

  // REQUIRES: mutex held. Drops least recently used slices down to 3/4 of the budget.
  void Evict() {
    if (counters.bytes <= max_bytes) return;
    std::vector<std::pair<uint64_t, std::map<SliceKey, Entry>::iterator>> by_age;
    by_age.reserve(slices.size());
    for (auto it = slices.begin(); it != slices.end(); ++it) {
      by_age.emplace_back(it->second.last_used, it);
    }
    std::sort(by_age.begin(), by_age.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [used, it] : by_age) {
      if (counters.bytes <= max_bytes / 4 * 3) break;
      counters.bytes -= it->second.slice->bytes;
      ++counters.evicted;
      slices.erase(it);
    }
  }

  // REQUIRES: mutex held. The remembered answer to `key` at `current` generation, if any.
  std::shared_ptr<const StatsResult> Recall(const std::string& key, uint64_t current) {
    auto it = answers.find(key);
    if (it == answers.end() || it->second.generation != current) return nullptr;
    it->second.last_used = ++tick;
    ++counters.answers_reused;
    return it->second.result;
  }

  // REQUIRES: mutex held. Keeps `result`, computed from slices of generation `of`, unless the
  // cache has moved on since; drops least recently used answers beyond their budget.
  void Remember(std::string key, uint64_t of, std::shared_ptr<const StatsResult> result) {
    if (!initialized || generation != of) return;
    size_t bytes = sizeof(Answer) + key.capacity() + sizeof(StatsResult) +
                   result->currencies.capacity() * sizeof(std::string) +
                   result->groups.capacity() * sizeof(StatsGroup);
    for (const StatsGroup& group : result->groups) bytes += group.key.capacity();
    if (bytes > max_answer_bytes) return;
    auto [it, inserted] = answers.try_emplace(std::move(key));
    if (!inserted) counters.answer_bytes -= it->second.bytes;
    it->second = Answer{std::move(result), of, ++tick, bytes};
    counters.answer_bytes += bytes;
    // Bounded in count too: many tiny answers (hostile ranges) keep this scan short.
    while (counters.answer_bytes > max_answer_bytes || answers.size() > kMaxAnswers) {
      auto oldest = std::min_element(
          answers.begin(), answers.end(),
          [](const auto& a, const auto& b) { return a.second.last_used < b.second.last_used; });
      counters.answer_bytes -= oldest->second.bytes;
      answers.erase(oldest);
    }
  }

  // REQUIRES: mutex held. Every answer may be stale once the generation moved.
  void ForgetAnswers() {
    answers.clear();
    counters.answer_bytes = 0;
  }
};

namespace {

using State = SummaryCache::State;

std::string DatabaseIdentity(const Connection& connection) {
  return connection.config().Endpoint() + "/" + connection.config().database;
}

// Whether daily_summary.currency (CHAR(3) ascii) can hold `currency` as given: when it
// cannot, no row matches and there is nothing to read.
bool IsStorableCurrency(std::string_view currency) {
  return !currency.empty() && currency.size() <= 3 &&
         std::all_of(currency.begin(), currency.end(), [](char c) {
           return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
         });
}

// Reads the rows of `dimension` for `days` (sorted) from daily_summary into `out`: every
// currency for the total, else the rows of `currency` only. One primary-key range per call
// (dimension, currency, day BETWEEN): a quarter of one currency's skus reads that and no more.
Status LoadRows(Connection& connection, uint8_t dimension, std::string_view currency,
                const std::vector<int32_t>& days, std::vector<LoadedRow>* out) {
  if (days.empty()) return Status::Ok();
  std::string where = fmt::format("dimension = '{}'", kSummaryDimensionNames[dimension]);
  if (dimension != kTotal) {
    if (!IsStorableCurrency(currency)) return Status::Ok();
    where += fmt::format(" AND currency = {}", connection.Quote(currency));
  }
  const std::string sql = fmt::format(
      "SELECT day, currency, dim_value, revenue, line_count, units, order_count, "
      "customer_count, orders, customers FROM daily_summary "
      "WHERE {} AND day BETWEEN '{}' AND '{}'",
      where, core::FormatDate(days.front()), core::FormatDate(days.back()));
  return StreamQuery(connection, sql, [&](StreamedRow cells) -> Status {
    if (cells.size() != 10 || !cells[0] || !cells[1] || !cells[2]) {
      return Status::Internal("unexpected daily_summary row shape");
    }
    const std::optional<int32_t> day = core::ParseIsoDate(*cells[0]);
    if (!day) return Status::Internal(fmt::format("daily_summary.day '{}'", *cells[0]));
    if (!std::binary_search(days.begin(), days.end(), *day)) return Status::Ok();
    if (!cells[8] || !cells[9]) {
      return Status::FailedPrecondition(fmt::format(
          "daily_summary rows of {} have no order/customer bitmaps (written before they "
          "existed): rebuild them (RebuildAllSummaryBitmaps) or reload the day's reports",
          *cells[0]));
    }
    LoadedRow& loaded = out->emplace_back();
    loaded.dimension = dimension;
    loaded.day = *day;
    loaded.value = StripTrailingSpaces(*cells[2]);
    SummaryRow& row = loaded.row;
    row.currency = *cells[1];
    SF_ASSIGN_OR_RETURN(row.revenue_cents, ParseCents(cells[3], "daily_summary.revenue"));
    SF_ASSIGN_OR_RETURN(row.lines, ParseInteger(cells[4], "daily_summary.line_count"));
    SF_ASSIGN_OR_RETURN(row.units, ParseInteger(cells[5], "daily_summary.units"));
    SF_ASSIGN_OR_RETURN(row.order_count, ParseInteger(cells[6], "daily_summary.order_count"));
    SF_ASSIGN_OR_RETURN(row.customer_count, ParseInteger(cells[7], "daily_summary.customer_count"));
    row.orders = *cells[8];
    row.customers = *cells[9];
    return Status::Ok();
  });
}

// Decodes the bitmaps of total rows (before taking the lock: it is the costly part).
Status DecodeTotals(std::vector<LoadedRow>& loaded) {
  for (LoadedRow& row : loaded) {
    if (row.dimension != kTotal) continue;
    SF_ASSIGN_OR_RETURN(Bitmap orders, Bitmap::Deserialize(row.row.orders));
    SF_ASSIGN_OR_RETURN(Bitmap customers, Bitmap::Deserialize(row.row.customers));
    row.row.decoded_orders = std::make_shared<const Bitmap>(std::move(orders));
    row.row.decoded_customers = std::make_shared<const Bitmap>(std::move(customers));
  }
  return Status::Ok();
}

// REQUIRES: state.mutex held. Interns and installs loaded rows as slices of `missing`
// (a missing slice without rows is installed empty: the day has no data for it). A grouping
// dimension's slices are those of `currency`.
void Install(State& state, const std::vector<std::pair<uint8_t, int32_t>>& missing,
             std::string_view currency, std::vector<LoadedRow>& loaded) {
  std::map<SliceKey, std::shared_ptr<DaySlice>> built;
  for (const auto& [dim, day] : missing) {
    built[State::Key(dim, day, currency)] = std::make_shared<DaySlice>();
  }
  for (LoadedRow& row : loaded) {
    auto it = built.find(State::Key(row.dimension, row.day, currency));
    if (it == built.end()) continue;
    row.row.value_id = state.dictionaries[row.dimension].Intern(row.value);
    it->second->rows.push_back(std::move(row.row));
  }
  for (auto& [key, slice] : built) {
    std::sort(slice->rows.begin(), slice->rows.end(), [](const SummaryRow& a, const SummaryRow& b) {
      return std::tie(a.currency, a.value_id) < std::tie(b.currency, b.value_id);
    });
    slice->bytes = sizeof(DaySlice) + slice->rows.capacity() * sizeof(SummaryRow);
    for (const SummaryRow& row : slice->rows) {
      // A decoded bitmap takes about as much memory as its portable bytes.
      const size_t bitmaps = row.orders.capacity() + row.customers.capacity();
      slice->bytes += row.decoded_orders ? 2 * bitmaps : bitmaps;
    }

    slice->bytes += key.currency.capacity();
    auto [it, inserted] = state.slices.try_emplace(key);
    if (!inserted) state.counters.bytes -= it->second.slice->bytes;
    it->second.slice = std::move(slice);
    it->second.last_used = state.tick;
    state.counters.bytes += it->second.slice->bytes;
    ++state.counters.misses;
  }
}

// What a query computes on: a remembered answer, or the slices of one generation.
struct Acquired {
  std::shared_ptr<const StatsResult> answer;  // when set, `view` is empty
  View view;
  uint64_t generation = 0;  // of the answer or the view
};

// Brings `state` up to the warehouse's current summary generation and loads the slices the
// query needs, all in one consistent snapshot (so the cached slices are exactly those of one
// generation). REQUIRES: state.load_mutex held, not state.mutex.
Result<Acquired> SyncAndLoad(State& state, Connection& connection, const StatsQuery& query,
                             uint8_t dimension, const std::string& answer_key) {
  SF_RETURN_IF_ERROR(connection.Execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"));
  SF_RETURN_IF_ERROR(connection.Execute("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY"));
  struct RollbackGuard {
    Connection& connection;
    ~RollbackGuard() { (void)connection.Rollback(); }  // read-only: nothing to keep
  } guard{connection};

  SF_ASSIGN_OR_RETURN(const uint64_t generation, ReadSummaryGeneration(connection));
  uint64_t known = 0;
  bool initialized = false;
  {
    std::lock_guard lock(state.mutex);
    known = state.generation;
    initialized = state.initialized;
  }
  if (initialized && generation < known) {
    return Status::Unavailable(
        "the warehouse's summary generation went backwards (a replica behind?); retry");
  }
  if (!initialized || generation != known) {
    SF_ASSIGN_OR_RETURN(
        QueryResult changed,
        initialized ? connection.Query("SELECT day, generation FROM summary_day_generations "
                                       "WHERE generation > ?",
                                       {static_cast<int64_t>(known)})
                    : connection.Query("SELECT day, generation FROM summary_day_generations"));
    std::lock_guard lock(state.mutex);
    for (size_t i = 0; i < changed.rows.size(); ++i) {
      const std::optional<int32_t> day = core::ParseIsoDate(changed.Text(i, 0));
      if (!day) return Status::Internal("summary_day_generations.day is not a date");
      state.calendar[*day] = static_cast<uint64_t>(changed.Int(i, 1));
      state.Invalidate(*day);
    }
    if (state.generation != generation) state.ForgetAnswers();
    state.generation = generation;
    state.initialized = true;
  }

  Acquired acquired;
  acquired.generation = generation;
  std::vector<std::pair<uint8_t, int32_t>> missing;
  {
    std::lock_guard lock(state.mutex);
    // Another request may have answered or loaded this while we waited for load_mutex.
    acquired.answer = state.Recall(answer_key, generation);
    if (acquired.answer ||
        state.Collect(state.DaysIn(query), dimension, query.currency, &acquired.view, &missing)) {
      return acquired;
    }
  }
  std::vector<LoadedRow> loaded;
  for (uint8_t dim : {kTotal, dimension}) {
    std::vector<int32_t> days;
    for (const auto& [d, day] : missing) {
      if (d == dim) days.push_back(day);
    }
    SF_RETURN_IF_ERROR(LoadRows(connection, dim, query.currency, days, &loaded));
    if (dimension == kTotal) break;
  }
  SF_RETURN_IF_ERROR(DecodeTotals(loaded));
  std::lock_guard lock(state.mutex);
  Install(state, missing, query.currency, loaded);
  const bool complete =
      state.Collect(acquired.view.days, dimension, query.currency, &acquired.view, &missing);
  state.Evict();
  if (!complete) return Status::Internal("stats cache: slices missing right after loading");
  return acquired;
}

// The normalised query a remembered answer is filed under: clamped bounds, and `top` only
// where it matters, so equivalent queries share one answer.
std::string AnswerKey(const StatsQuery& query) {
  const int32_t from = std::max(query.from_day.value_or(kMinDay), kMinDay);
  const int32_t to = std::min(query.to_day.value_or(kMaxDay), kMaxDay);
  const bool ranked = DimensionOf(query.group_by) != kTotal;
  return fmt::format("{}|{}|{}|{}|{}", from, to, static_cast<int>(query.group_by),
                     ranked ? query.top.value_or(0) : 0, query.currency);
}

Result<Acquired> Acquire(State& state, Connection& connection, const StatsQuery& query,
                         uint8_t dimension, const std::string& answer_key) {
  const std::string database = DatabaseIdentity(connection);
  SF_ASSIGN_OR_RETURN(const uint64_t generation, ReadSummaryGeneration(connection));
  {
    std::lock_guard lock(state.mutex);
    if (state.database.empty()) state.database = database;
    if (state.database != database) {
      return Status::FailedPrecondition(
          fmt::format("this stats cache serves {}, not {}", state.database, database));
    }
    if (state.initialized && state.generation == generation) {
      Acquired acquired;
      acquired.generation = generation;
      acquired.answer = state.Recall(answer_key, generation);
      std::vector<std::pair<uint8_t, int32_t>> missing;
      if (acquired.answer ||
          state.Collect(state.DaysIn(query), dimension, query.currency, &acquired.view, &missing)) {
        return acquired;
      }
    }
  }
  std::lock_guard load(state.load_mutex);
  return SyncAndLoad(state, connection, query, dimension, answer_key);
}

// ---- computing answers from slices --------------------------------------------------------

// Sums of rows plus the bitmaps whose union gives the distinct counts.
struct Accumulator {
  int64_t revenue = 0;
  int64_t lines = 0;
  int64_t units = 0;
  std::vector<std::string_view> orders;  // portable bitmaps still to decode
  std::vector<std::string_view> customers;
  std::vector<const Bitmap*> decoded_orders;  // owned by slices the View keeps alive
  std::vector<const Bitmap*> decoded_customers;

  void Add(const SummaryRow& row) {
    revenue += row.revenue_cents;
    lines += row.lines;
    units += row.units;
    if (row.decoded_orders) {
      decoded_orders.push_back(row.decoded_orders.get());
      decoded_customers.push_back(row.decoded_customers.get());
    } else {
      orders.push_back(row.orders);
      customers.push_back(row.customers);
    }
  }
  Result<StatsFigures> Figures() const {
    StatsFigures figures;
    figures.revenue = core::Money{revenue};
    figures.lines = lines;
    figures.units = units;
    SF_ASSIGN_OR_RETURN(const uint64_t order_count, UnionCardinality(orders, decoded_orders));
    SF_ASSIGN_OR_RETURN(const uint64_t customer_count,
                        UnionCardinality(customers, decoded_customers));
    figures.orders = static_cast<int64_t>(order_count);
    figures.customers = static_cast<int64_t>(customer_count);
    return figures;
  }
};

StatsFigures DayFigures(const SummaryRow& row) {
  return {core::Money{row.revenue_cents}, row.order_count, row.lines, row.units,
          row.customer_count};
}

Result<std::vector<StatsGroup>> DimensionGroups(State& state, const View& view,
                                                const StatsQuery& query, uint8_t dimension) {
  // Pass 1: sums per value id, cheap (no bitmaps), to rank the groups.
  struct Sum {
    int64_t revenue = 0;
    bool present = false;
  };
  std::vector<Sum> sums;
  for (const SlicePtr& slice : view.groups) {
    for (const SummaryRow& row : slice->Currency(query.currency)) {
      if (row.value_id >= sums.size()) sums.resize(row.value_id + 1);
      sums[row.value_id].revenue += row.revenue_cents;
      sums[row.value_id].present = true;
    }
  }
  struct Ranked {
    int64_t revenue;
    std::string_view key;  // into the dictionary's deque: stable
    uint32_t id;
  };
  std::vector<Ranked> ranked;
  {
    std::lock_guard lock(state.mutex);
    const Dictionary& dictionary = state.dictionaries[dimension];
    for (uint32_t id = 0; id < sums.size(); ++id) {
      if (sums[id].present) ranked.push_back({sums[id].revenue, dictionary.values[id], id});
    }
  }
  const auto order = [](const Ranked& a, const Ranked& b) {
    if (a.revenue != b.revenue) return a.revenue > b.revenue;
    return a.key < b.key;
  };
  const size_t keep =
      query.top ? std::min(ranked.size(), static_cast<size_t>(*query.top)) : ranked.size();
  std::partial_sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(keep),
                    ranked.end(), order);
  ranked.resize(keep);

  // Pass 2: full figures (bitmap unions) for the kept groups only. Rows are sorted by value
  // id within a currency, so a binary search per kept group and day finds its row. When
  // every group is kept, a linear pass is cheaper.
  std::vector<Accumulator> accumulators(ranked.size());
  std::vector<uint32_t> slot(sums.size(), UINT32_MAX);
  for (size_t i = 0; i < ranked.size(); ++i) slot[ranked[i].id] = static_cast<uint32_t>(i);
  const bool few = ranked.size() * 16 < sums.size();
  for (const SlicePtr& slice : view.groups) {
    const std::span<const SummaryRow> rows = slice->Currency(query.currency);
    if (few) {
      for (size_t i = 0; i < ranked.size(); ++i) {
        const auto it =
            std::lower_bound(rows.begin(), rows.end(), ranked[i].id,
                             [](const SummaryRow& row, uint32_t id) { return row.value_id < id; });
        if (it != rows.end() && it->value_id == ranked[i].id) accumulators[i].Add(*it);
      }
    } else {
      for (const SummaryRow& row : rows) {
        if (slot[row.value_id] != UINT32_MAX) accumulators[slot[row.value_id]].Add(row);
      }
    }
  }
  std::vector<StatsGroup> groups;
  groups.reserve(ranked.size());
  for (size_t i = 0; i < ranked.size(); ++i) {
    SF_ASSIGN_OR_RETURN(StatsFigures figures, accumulators[i].Figures());
    groups.push_back({std::string(ranked[i].key), figures});
  }
  return groups;
}

Result<StatsResult> Compute(State& state, const View& view, const StatsQuery& query) {
  StatsResult result;
  result.currency = query.currency;
  std::vector<std::string> currencies;
  Accumulator totals;
  std::string month;
  Accumulator month_sum;
  for (size_t i = 0; i < view.days.size(); ++i) {
    for (const SummaryRow& row : view.totals[i]->rows) currencies.push_back(row.currency);
    const std::span<const SummaryRow> rows = view.totals[i]->Currency(query.currency);
    if (rows.empty()) continue;
    const SummaryRow& row = rows.front();  // the total: one row per currency and day
    totals.Add(row);
    if (query.group_by == StatsGroupBy::kDay) {
      result.groups.push_back({core::FormatDate(view.days[i]), DayFigures(row)});
    } else if (query.group_by == StatsGroupBy::kMonth) {
      std::string key = MonthKey(view.days[i]);
      if (key != month && !month.empty()) {
        SF_ASSIGN_OR_RETURN(StatsFigures figures, month_sum.Figures());
        result.groups.push_back({month, figures});
        month_sum = {};
      }
      month = std::move(key);
      month_sum.Add(row);
    }
  }
  if (query.group_by == StatsGroupBy::kMonth && !month.empty()) {
    SF_ASSIGN_OR_RETURN(StatsFigures figures, month_sum.Figures());
    result.groups.push_back({month, figures});
  }
  std::sort(currencies.begin(), currencies.end());
  currencies.erase(std::unique(currencies.begin(), currencies.end()), currencies.end());
  result.currencies = std::move(currencies);
  SF_ASSIGN_OR_RETURN(result.totals, totals.Figures());
  const uint8_t dimension = DimensionOf(query.group_by);
  if (dimension != kTotal) {
    SF_ASSIGN_OR_RETURN(result.groups, DimensionGroups(state, view, query, dimension));
  }
  return result;
}

// ---- naive -------------------------------------------------------------------------------

struct NaiveRange {
  std::string from;
  std::string to;
};

NaiveRange RangeOf(const StatsQuery& query) {
  const int32_t from = std::max(query.from_day.value_or(kMinDay), kMinDay);
  const int32_t to = std::min(query.to_day.value_or(kMaxDay), kMaxDay);
  return {core::FormatDate(from), core::FormatDate(to)};
}

Result<StatsFigures> NaiveFigures(const QueryResult& result, size_t row, size_t first) {
  StatsFigures figures;
  SF_ASSIGN_OR_RETURN(figures.revenue.cents, ParseCents(Cell(result, row, first), "SUM(revenue)"));
  SF_ASSIGN_OR_RETURN(figures.orders, ParseInteger(Cell(result, row, first + 1), "orders"));
  SF_ASSIGN_OR_RETURN(figures.lines, ParseInteger(Cell(result, row, first + 2), "lines"));
  SF_ASSIGN_OR_RETURN(figures.units, ParseInteger(Cell(result, row, first + 3), "units"));
  SF_ASSIGN_OR_RETURN(figures.customers, ParseInteger(Cell(result, row, first + 4), "customers"));
  return figures;
}

constexpr std::string_view kNaiveFigures =
    "SUM(revenue), COUNT(DISTINCT order_id), COUNT(*), SUM(quantity), "
    "COUNT(DISTINCT customer_id)";

}  // namespace

// ---- public ------------------------------------------------------------------------------

SummaryCache::SummaryCache(size_t max_bytes) : SummaryCache(max_bytes, max_bytes / 16) {}
SummaryCache::SummaryCache(size_t max_bytes, size_t max_answer_bytes)
    : state_(std::make_unique<State>(max_bytes, max_answer_bytes)) {}
SummaryCache::~SummaryCache() = default;

SummaryCache::Counters SummaryCache::counters() const {
  std::lock_guard lock(state_->mutex);
  return state_->counters;
}

core::Money AverageOrderValue(core::Money revenue, int64_t orders) {
  if (orders <= 0) return {};
  // Half away from zero on the magnitude: |revenue| < 2^63, so no overflow for orders >= 1.
  const uint64_t magnitude = revenue.cents < 0 ? uint64_t{0} - static_cast<uint64_t>(revenue.cents)
                                               : static_cast<uint64_t>(revenue.cents);
  const uint64_t divisor = static_cast<uint64_t>(orders);
  const uint64_t quotient = magnitude / divisor;
  const uint64_t remainder = magnitude % divisor;
  const uint64_t rounded = quotient + (remainder >= divisor - remainder ? 1 : 0);
  const auto cents = static_cast<int64_t>(rounded);
  return {revenue.cents < 0 ? -cents : cents};
}

Result<StatsResult> QueryStats(Connection& connection, const StatsQuery& query,
                               SummaryCache* cache) {
  SF_RETURN_IF_ERROR(Validate(query));
  std::unique_ptr<State> local;
  State* state = cache ? cache->state_.get() : nullptr;
  if (state == nullptr) {
    local = std::make_unique<State>(std::numeric_limits<size_t>::max(), 0);
    state = local.get();
  }
  const uint8_t dimension = DimensionOf(query.group_by);
  const std::string answer_key = AnswerKey(query);
  SF_ASSIGN_OR_RETURN(Acquired acquired, Acquire(*state, connection, query, dimension, answer_key));
  if (acquired.answer) return *acquired.answer;
  SF_ASSIGN_OR_RETURN(StatsResult result, Compute(*state, acquired.view, query));
  if (state->max_answer_bytes > 0) {
    auto kept = std::make_shared<const StatsResult>(result);
    std::lock_guard lock(state->mutex);
    state->Remember(answer_key, acquired.generation, std::move(kept));
  }
  return result;
}

Result<StatsResult> QueryStatsNaive(Connection& connection, const StatsQuery& query) {
  SF_RETURN_IF_ERROR(Validate(query));
  const NaiveRange range = RangeOf(query);
  const std::string_view currency = query.currency;
  const std::string_view from = range.from;
  const std::string_view to = range.to;
  StatsResult result;
  result.currency = query.currency;

  SF_ASSIGN_OR_RETURN(QueryResult currencies,
                      connection.Query("SELECT DISTINCT currency FROM sales WHERE order_date "
                                       "BETWEEN ? AND ? ORDER BY currency",
                                       {from, to}));
  for (size_t i = 0; i < currencies.rows.size(); ++i) {
    result.currencies.push_back(currencies.Text(i, 0));
  }
  std::sort(result.currencies.begin(), result.currencies.end());

  SF_ASSIGN_OR_RETURN(QueryResult totals,
                      connection.Query(fmt::format("SELECT {} FROM sales WHERE currency = ? AND "
                                                   "order_date BETWEEN ? AND ?",
                                                   kNaiveFigures),
                                       {currency, from, to}));
  SF_ASSIGN_OR_RETURN(result.totals, NaiveFigures(totals, 0, 0));
  if (query.group_by == StatsGroupBy::kNone) return result;

  std::string key;
  if (query.group_by == StatsGroupBy::kDay) {
    key = "order_date";
  } else if (query.group_by == StatsGroupBy::kMonth) {
    key = "DATE_FORMAT(order_date, '%Y-%m')";
  } else {
    key = fmt::format("COALESCE({}, '')", kDimensionColumns[DimensionOf(query.group_by)]);
  }
  SF_ASSIGN_OR_RETURN(QueryResult groups,
                      connection.Query(fmt::format("SELECT {0} AS k, {1} FROM sales WHERE "
                                                   "currency = ? AND order_date BETWEEN ? AND ? "
                                                   "GROUP BY k",
                                                   key, kNaiveFigures),
                                       {currency, from, to}));
  for (size_t i = 0; i < groups.rows.size(); ++i) {
    SF_ASSIGN_OR_RETURN(StatsFigures figures, NaiveFigures(groups, i, 1));
    result.groups.push_back({std::string(StripTrailingSpaces(groups.Text(i, 0))), figures});
  }
  if (IsDateGrouping(query.group_by)) {
    std::sort(result.groups.begin(), result.groups.end(),
              [](const StatsGroup& a, const StatsGroup& b) { return a.key < b.key; });
  } else {
    SortByRevenue(result.groups);
    if (query.top && result.groups.size() > static_cast<size_t>(*query.top)) {
      result.groups.resize(static_cast<size_t>(*query.top));
    }
  }
  return result;
}

}  // namespace salesflow::warehouse
