// Stats from the summaries must equal GROUP BY / COUNT(DISTINCT) over sales, always: for every
// grouping, range and currency, after loads, overlapping loads, re-loads and unloads; with and
// without the in-process cache. Data goes through the real load path (staging table,
// ApplyStagedReport, the summary refresh and its bitmaps) on the real MariaDB.
#include "warehouse/stats.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <random>
#include <set>
#include <thread>

#include "core/date.h"
#include "test_db.h"
#include "warehouse/migrations.h"
#include "warehouse/report_load.h"
#include "warehouse/summary_bitmaps.h"

namespace salesflow::warehouse {

// Readable failures: gtest prints these instead of bytes.
void PrintTo(const StatsFigures& f, std::ostream* os) {
  *os << fmt::format("{{revenue {}, orders {}, lines {}, units {}, customers {}}}",
                     f.revenue.ToString(), f.orders, f.lines, f.units, f.customers);
}
void PrintTo(const StatsGroup& g, std::ostream* os) {
  *os << "'" << g.key << "' ";
  PrintTo(g.figures, os);
}

namespace {

using testing::WarehouseTest;

// ---- pure parts ----------------------------------------------------------------------------

TEST(AverageOrderValue, RoundsHalfAwayFromZeroToTheCent) {
  EXPECT_EQ(AverageOrderValue(core::Money{1000}, 3).cents, 333);  // 3.333 -> 3.33
  EXPECT_EQ(AverageOrderValue(core::Money{1001}, 2).cents, 501);  // 5.005 -> 5.01
  EXPECT_EQ(AverageOrderValue(core::Money{-1001}, 2).cents, -501);
  EXPECT_EQ(AverageOrderValue(core::Money{5}, 10).cents, 1);  // 0.005 -> 0.01
  EXPECT_EQ(AverageOrderValue(core::Money{4}, 10).cents, 0);
  EXPECT_EQ(AverageOrderValue(core::Money{-4}, 10).cents, 0);
  EXPECT_EQ(AverageOrderValue(core::Money{123456}, 0).cents, 0);
  EXPECT_EQ(AverageOrderValue(core::Money{INT64_MAX}, 1).cents, INT64_MAX);
  EXPECT_EQ(AverageOrderValue(core::Money{INT64_MIN + 1}, 1).cents, INT64_MIN + 1);
}

TEST(Bitmap, PortableRoundTripKeepsEveryKey) {
  Bitmap bitmap;
  std::vector<uint32_t> keys = {0, 1, 2, 3, 65535, 65536, 70000, 4'000'000'000u, UINT32_MAX};
  for (uint32_t k = 100'000; k < 200'000; ++k) keys.push_back(k);  // a run container
  for (uint32_t k = 1; k < 3000; ++k) keys.push_back(k * 977);     // scattered
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  bitmap.AddSorted(keys);
  const std::string bytes = bitmap.Serialize();
  auto back = Bitmap::Deserialize(bytes);
  ASSERT_OK(back.status());
  EXPECT_EQ(back->Cardinality(), keys.size());
  for (uint32_t k : keys) ASSERT_TRUE(back->Contains(k)) << k;
  EXPECT_FALSE(back->Contains(99'999));
  EXPECT_FALSE(back->Contains(4));
}

TEST(Bitmap, EmptyRoundTrips) {
  Bitmap empty;
  auto back = Bitmap::Deserialize(empty.Serialize());
  ASSERT_OK(back.status());
  EXPECT_EQ(back->Cardinality(), 0u);
}

TEST(Bitmap, CorruptBytesAreDataLossNotACrash) {
  Bitmap bitmap;
  for (uint32_t k = 0; k < 5000; k += 3) bitmap.Add(k);
  const std::string bytes = bitmap.Serialize();
  for (const std::string& bad :
       {std::string(), bytes.substr(0, bytes.size() - 1), bytes.substr(0, 3), bytes + "x",
        std::string("\xff\xff\xff\xff\xff\xff\xff\xff", 8), std::string(64, '\0')}) {
    auto parsed = Bitmap::Deserialize(bad);
    ASSERT_FALSE(parsed.ok()) << bad.size();
    EXPECT_EQ(parsed.status().code(), StatusCode::kDataLoss);
  }
}

TEST(Bitmap, UnionCardinalityCountsOverlapsOnce) {
  Bitmap a, b, c;
  for (uint32_t k = 0; k < 1000; ++k) a.Add(k);
  for (uint32_t k = 500; k < 1500; ++k) b.Add(k);
  for (uint32_t k = 1'000'000; k < 1'000'010; ++k) c.Add(k);
  const std::string sa = a.Serialize(), sb = b.Serialize(), sc = c.Serialize();
  std::vector<std::string_view> all = {sa, sb, sc, sa};
  auto count = UnionCardinality(all);
  ASSERT_OK(count.status());
  EXPECT_EQ(*count, 1510u);
  std::vector<std::string_view> none;
  EXPECT_EQ(*UnionCardinality(none), 0u);
  std::vector<std::string_view> corrupt = {sa, "nope"};
  EXPECT_EQ(UnionCardinality(corrupt).status().code(), StatusCode::kDataLoss);
}

// ---- against MariaDB ---------------------------------------------------------------------

int32_t Day(std::string_view iso) { return *core::ParseIsoDate(iso); }

// Deterministic, varied sales: several currencies, returns, discounts, missing optional
// values, hostile text, values equal under PAD SPACE ('Books' and 'Books ').
class SalesMaker {
 public:
  explicit SalesMaker(uint32_t seed) : rng_(seed) {}

  // `count` lines of orders "<prefix>-<n>" on days [first, first + days).
  std::vector<core::SalesLine> Lines(std::string_view prefix, int count, int32_t first, int days) {
    static const std::vector<std::string> kCurrencies = {"USD", "USD", "USD", "EUR", "EUR", "JPY"};
    static const std::vector<std::string> kCategories = {
        "Books", "Books ", "Toys", "", "Garden & Outdoor", "Tab\there \\N \"quoted\"", "Émoji 😀"};
    static const std::vector<std::string> kRegions = {"Europe", "North America", "", "Asia"};
    static const std::vector<std::string> kCountries = {"DE", "US", "FR", "JP", ""};
    static const std::vector<std::string> kChannels = {"web", "app", "marketplace", ""};
    std::vector<core::SalesLine> lines;
    int order = 0;
    while (static_cast<int>(lines.size()) < count) {
      const std::string order_id = fmt::format("{}-{}", prefix, order++);
      const int32_t date = first + Pick(days);
      const std::string& currency = kCurrencies[static_cast<size_t>(Pick(6))];
      const std::string customer = Pick(10) == 0 ? "" : fmt::format("C{}", Pick(150));
      const int items = 1 + Pick(4);
      for (int item = 1; item <= items && static_cast<int>(lines.size()) < count; ++item) {
        core::SalesLine line;
        line.source_line = static_cast<int64_t>(lines.size()) + 2;
        line.order_id = order_id;
        line.line_no = item;
        line.order_date = date;
        line.sku = Pick(20) == 0 ? "SKU-1 " : fmt::format("SKU-{}", Pick(25));
        line.quantity = Pick(12) == 0 ? -(1 + Pick(3)) : 1 + Pick(5);
        line.unit_price = currency == "JPY" ? (100 + Pick(5000)) * 10'000 : 99 + Pick(500'000);
        line.discount = Pick(4) == 0 ? Pick(5000) : 0;
        line.currency = currency;
        line.category = kCategories[static_cast<size_t>(Pick(7))];
        line.region = kRegions[static_cast<size_t>(Pick(4))];
        line.country = kCountries[static_cast<size_t>(Pick(5))];
        line.channel = kChannels[static_cast<size_t>(Pick(4))];
        line.customer_id = customer;
        line.revenue = core::LineRevenue(line.quantity, line.unit_price, line.discount);
        lines.push_back(std::move(line));
      }
    }
    return lines;
  }

 private:
  int Pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  std::mt19937 rng_;
};

class StatsTest : public WarehouseTest {
 protected:
  void Load(uint64_t report_id, const std::vector<core::SalesLine>& lines) {
    const uint64_t job_id = next_job_++;
    auto tx = Transaction::Start(*conn_);
    ASSERT_OK(tx.status());
    auto staging = StagingTable::Create(*conn_, job_id);
    ASSERT_OK(staging.status());
    std::string text;
    for (const auto& line : lines) AppendLoadDataRow(line, &text);
    StringChunkSource source(text);
    ASSERT_OK(staging->Load(source).status());
    ASSERT_OK(ApplyStagedReport(*conn_, *staging, report_id, job_id).status());
    ASSERT_OK(tx->Commit());
  }

  void Unload(uint64_t report_id) {
    auto tx = Transaction::Start(*conn_);
    ASSERT_OK(tx.status());
    ASSERT_OK(RemoveReportRows(*conn_, report_id).status());
    ASSERT_OK(RefreshSummaries(*conn_).status());
    ASSERT_OK(tx->Commit());
  }

  static std::vector<StatsQuery> Queries() {
    const std::vector<std::pair<std::optional<int32_t>, std::optional<int32_t>>> ranges = {
        {std::nullopt, std::nullopt},           {Day("2026-01-31"), Day("2026-01-31")},
        {Day("2026-01-20"), Day("2026-02-10")},  // crosses a month
        {Day("2026-02-01"), std::nullopt},      {std::nullopt, Day("2026-01-25")},
        {Day("2027-01-01"), Day("2027-12-31")},  // no data
    };
    std::vector<StatsQuery> queries;
    for (const auto& [from, to] : ranges) {
      for (StatsGroupBy group_by :
           {StatsGroupBy::kNone, StatsGroupBy::kDay, StatsGroupBy::kMonth, StatsGroupBy::kCategory,
            StatsGroupBy::kRegion, StatsGroupBy::kCountry, StatsGroupBy::kChannel,
            StatsGroupBy::kSku}) {
        for (const char* currency : {"USD", "EUR", "JPY", "GBP"}) {
          for (std::optional<int> top : {std::optional<int>(), std::optional<int>(3)}) {
            queries.push_back({from, to, group_by, top, currency});
          }
        }
      }
    }
    return queries;
  }

  // Every query: summaries (cached and uncached) == naive GROUP BY.
  void ExpectExactEverywhere(const std::string& stage, bool expect_data = true) {
    int nontrivial = 0;
    for (const StatsQuery& query : Queries()) {
      const std::string what = fmt::format("{}: group {} from {} to {} {} top {}", stage,
                                           static_cast<int>(query.group_by),
                                           query.from_day ? core::FormatDate(*query.from_day) : "-",
                                           query.to_day ? core::FormatDate(*query.to_day) : "-",
                                           query.currency, query.top ? *query.top : 0);
      auto naive = QueryStatsNaive(*conn_, query);
      ASSERT_OK(naive.status());
      auto cached = QueryStats(*conn_, query, &cache_);
      ASSERT_OK(cached.status());
      EXPECT_EQ(*cached, *naive) << what;
      auto uncached = QueryStats(*conn_, query);
      ASSERT_OK(uncached.status());
      EXPECT_EQ(*uncached, *naive) << what;
      if (naive->totals.lines > 0 && !naive->groups.empty()) ++nontrivial;
    }
    if (expect_data) {
      EXPECT_GT(nontrivial, 100) << stage << ": the data should exercise most queries";
    } else {
      EXPECT_EQ(nontrivial, 0) << stage;
    }
  }

  // Every summary row's bitmaps hold exactly the keys of its lines in sales.
  void ExpectBitmapsEqualSales() {
    auto rows = conn_->Query(
        "SELECT dimension, currency, day, dim_value, orders, customers FROM daily_summary");
    ASSERT_OK(rows.status());
    ASSERT_FALSE(rows->empty());
    for (size_t i = 0; i < rows->rows.size(); ++i) {
      const std::string dimension = rows->Text(i, 0);
      const std::string column = dimension == "total" ? "''" : "COALESCE(" + dimension + ", '')";
      for (auto [col, key] :
           {std::pair<size_t, const char*>{4, "order_key"}, {5, "customer_key"}}) {
        ASSERT_FALSE(rows->IsNull(i, col)) << "no bitmap in row " << i;
        auto bitmap = Bitmap::Deserialize(rows->Text(i, col));
        ASSERT_OK(bitmap.status());
        auto expected = conn_->Query(
            fmt::format("SELECT DISTINCT {} FROM sales WHERE currency = ? AND order_date = ? AND "
                        "{} = ? AND {} IS NOT NULL",
                        key, column, key),
            {std::string_view(rows->Text(i, 1)), std::string_view(rows->Text(i, 2)),
             std::string_view(rows->Text(i, 3))});
        ASSERT_OK(expected.status());
        EXPECT_EQ(bitmap->Cardinality(), expected->rows.size())
            << dimension << " " << rows->Text(i, 1) << " " << rows->Text(i, 2) << " '"
            << rows->Text(i, 3) << "' " << key;
        for (size_t r = 0; r < expected->rows.size(); ++r) {
          ASSERT_TRUE(bitmap->Contains(static_cast<uint32_t>(expected->Int(r, 0))));
        }
      }
    }
  }

  uint64_t next_job_ = 1;
  SummaryCache cache_;
};

TEST_F(StatsTest, EmptyWarehouseGivesZeroTotals) {
  for (const StatsQuery& query : Queries()) {
    auto stats = QueryStats(*conn_, query, &cache_);
    ASSERT_OK(stats.status());
    EXPECT_EQ(*stats, *QueryStatsNaive(*conn_, query));
    EXPECT_TRUE(stats->currencies.empty());
    EXPECT_EQ(stats->totals, StatsFigures{});
    EXPECT_TRUE(stats->groups.empty());
  }
}

TEST_F(StatsTest, ExactThroughLoadsOverlapsReloadsAndUnloads) {
  SalesMaker maker(7);
  const auto a = maker.Lines("A", 1500, Day("2026-01-15"), 20);
  auto b = maker.Lines("B", 1500, Day("2026-01-25"), 20);
  // Report 3 overwrites some of report 1's lines (same order and line, other day/values):
  // last load wins, both days change.
  auto overlap = maker.Lines("C", 900, Day("2026-02-05"), 10);
  for (size_t i = 0; i < 300; ++i) {
    overlap[i].order_id = a[i * 3].order_id;
    overlap[i].line_no = a[i * 3].line_no;
  }
  Load(1, a);
  Load(2, b);
  ExpectExactEverywhere("two reports");
  Load(3, overlap);
  ExpectExactEverywhere("overlapping report");
  ExpectBitmapsEqualSales();

  // A corrected report 2: fewer lines, other values (replace = remove + upsert).
  auto b2 = maker.Lines("B", 700, Day("2026-01-28"), 5);
  Load(2, b2);
  ExpectExactEverywhere("replaced report");
  Unload(1);
  ExpectExactEverywhere("unloaded report");
  ExpectBitmapsEqualSales();

  // Distinct counts really do not add up across days in this data.
  StatsQuery by_day{std::nullopt, std::nullopt, StatsGroupBy::kDay, std::nullopt, "USD"};
  auto days = QueryStats(*conn_, by_day, &cache_);
  ASSERT_OK(days.status());
  int64_t summed_customers = 0;
  for (const StatsGroup& group : days->groups) summed_customers += group.figures.customers;
  EXPECT_LT(days->totals.customers, summed_customers);

  Unload(2);
  Unload(3);
  ExpectExactEverywhere("everything unloaded", /*expect_data=*/false);
  auto empty = QueryStats(*conn_, by_day, &cache_);
  ASSERT_OK(empty.status());
  EXPECT_EQ(empty->totals, StatsFigures{});
  EXPECT_TRUE(empty->currencies.empty());
}

TEST_F(StatsTest, CacheStaysExactAfterEveryLoadAndReusesUnchangedDays) {
  SalesMaker maker(11);
  Load(1, maker.Lines("A", 800, Day("2026-01-01"), 30));
  const StatsQuery all{std::nullopt, std::nullopt, StatsGroupBy::kSku, 5, "USD"};
  ASSERT_OK(QueryStats(*conn_, all, &cache_).status());
  const uint64_t misses = cache_.counters().misses;
  ASSERT_OK(QueryStats(*conn_, all, &cache_).status());
  EXPECT_EQ(cache_.counters().misses, misses) << "a repeated query reads nothing from MySQL";
  EXPECT_GT(cache_.counters().hits, 0u);

  // Another connection loads a report touching 3 days: only those days are re-read.
  Load(2, maker.Lines("B", 300, Day("2026-01-10"), 3));
  auto after = QueryStats(*conn_, all, &cache_);
  ASSERT_OK(after.status());
  EXPECT_EQ(*after, *QueryStatsNaive(*conn_, all));
  EXPECT_EQ(cache_.counters().misses - misses, 6u) << "3 days x (total + sku)";
  EXPECT_EQ(cache_.counters().invalidated, 6u);
}

TEST_F(StatsTest, GroupingSlicesHoldOnlyTheQueriedCurrency) {
  SalesMaker maker(29);
  Load(1, maker.Lines("A", 900, Day("2026-01-01"), 10));
  StatsQuery usd{std::nullopt, std::nullopt, StatsGroupBy::kSku, 5, "USD"};
  auto first = QueryStats(*conn_, usd, &cache_);
  ASSERT_OK(first.status());
  EXPECT_EQ(*first, *QueryStatsNaive(*conn_, usd));
  EXPECT_EQ(cache_.counters().misses, 20u) << "10 days x (total + USD skus)";
  StatsQuery eur = usd;
  eur.currency = "EUR";
  auto second = QueryStats(*conn_, eur, &cache_);
  ASSERT_OK(second.status());
  EXPECT_EQ(*second, *QueryStatsNaive(*conn_, eur));
  EXPECT_EQ(cache_.counters().misses, 30u) << "the totals are shared: only EUR skus are read";

  // A load touching 2 days drops those days' slices in every currency.
  Load(2, maker.Lines("B", 200, Day("2026-01-04"), 2));
  for (const StatsQuery& query : {usd, eur}) {
    auto after = QueryStats(*conn_, query, &cache_);
    ASSERT_OK(after.status());
    EXPECT_EQ(*after, *QueryStatsNaive(*conn_, query));
  }
  EXPECT_EQ(cache_.counters().invalidated, 6u) << "2 days x (total, USD skus, EUR skus)";
}

TEST_F(StatsTest, CurrenciesNoRowCanHoldGiveZeroTotalsNotErrors) {
  SalesMaker maker(31);
  Load(1, maker.Lines("A", 300, Day("2026-01-01"), 5));
  for (const char* currency : {"US'D", "EURO", "\xe2\x82\xac", "usd", "X\\"}) {
    for (StatsGroupBy group_by : {StatsGroupBy::kNone, StatsGroupBy::kSku, StatsGroupBy::kDay}) {
      SCOPED_TRACE(currency);
      const StatsQuery query{std::nullopt, std::nullopt, group_by, std::nullopt, currency};
      for (SummaryCache* cache : {&cache_, static_cast<SummaryCache*>(nullptr)}) {
        auto stats = QueryStats(*conn_, query, cache);
        ASSERT_OK(stats.status());
        EXPECT_EQ(stats->totals, StatsFigures{});
        EXPECT_TRUE(stats->groups.empty());
        EXPECT_EQ(stats->currencies, (std::vector<std::string>{"EUR", "JPY", "USD"}));
      }
    }
  }
}

TEST_F(StatsTest, RepeatedQueriesReuseTheirAnswerUntilALoadCommits) {
  SalesMaker maker(37);
  Load(1, maker.Lines("A", 1000, Day("2026-01-01"), 20));
  const StatsQuery query{Day("2026-01-01"), Day("2026-01-31"), StatsGroupBy::kSku, 3, "USD"};
  auto first = QueryStats(*conn_, query, &cache_);
  ASSERT_OK(first.status());
  const SummaryCache::Counters before = cache_.counters();
  EXPECT_EQ(before.answers_reused, 0u);
  EXPECT_GT(before.answer_bytes, 0u);
  auto again = QueryStats(*conn_, query, &cache_);
  ASSERT_OK(again.status());
  EXPECT_EQ(*again, *first);
  EXPECT_EQ(cache_.counters().answers_reused, 1u);
  EXPECT_EQ(cache_.counters().hits, before.hits) << "a reused answer computes nothing";

  // Equivalent queries share the answer: top means nothing to a date grouping, and an open
  // bound is the same as DATE's limit.
  const StatsQuery by_day{std::nullopt, Day("2026-01-31"), StatsGroupBy::kDay, 3, "USD"};
  const StatsQuery same_by_day{Day("1000-01-01"), Day("2026-01-31"), StatsGroupBy::kDay,
                               std::nullopt, "USD"};
  ASSERT_OK(QueryStats(*conn_, by_day, &cache_).status());
  auto shared = QueryStats(*conn_, same_by_day, &cache_);
  ASSERT_OK(shared.status());
  EXPECT_EQ(cache_.counters().answers_reused, 2u);
  EXPECT_EQ(*shared, *QueryStatsNaive(*conn_, same_by_day));

  // A load makes every remembered answer stale, even for days it did not touch.
  Load(2, maker.Lines("B", 300, Day("2026-01-25"), 3));
  for (const StatsQuery& q : {query, by_day}) {
    auto after = QueryStats(*conn_, q, &cache_);
    ASSERT_OK(after.status());
    EXPECT_EQ(*after, *QueryStatsNaive(*conn_, q));
  }
  EXPECT_EQ(cache_.counters().answers_reused, 2u) << "nothing reused across the load";
  EXPECT_NE(*QueryStats(*conn_, query, &cache_), *first) << "the load changed the answer";
  EXPECT_EQ(cache_.counters().answers_reused, 3u);
}

TEST_F(StatsTest, RememberedAnswersStayWithinTheirBudget) {
  SalesMaker maker(41);
  Load(1, maker.Lines("A", 1500, Day("2026-01-10"), 30));
  SummaryCache small(size_t{32} << 10);  // answers: 2 KiB
  int remembered = 0, forgotten = 0;
  for (const StatsQuery& query : Queries()) {
    uint64_t reused = 0;
    for (int round = 0; round < 2; ++round) {
      reused = small.counters().answers_reused;
      auto stats = QueryStats(*conn_, query, &small);
      ASSERT_OK(stats.status());
      EXPECT_EQ(*stats, *QueryStatsNaive(*conn_, query));
      EXPECT_LE(small.counters().answer_bytes, size_t{2} << 10);
    }
    ++(small.counters().answers_reused > reused ? remembered : forgotten);
  }
  EXPECT_GT(remembered, 0) << "small answers are remembered";
  EXPECT_GT(forgotten, 0) << "large ones (a month by day, every sku) do not fit";

  SummaryCache none(1);
  for (int round = 0; round < 2; ++round) {
    ASSERT_OK(QueryStats(*conn_, Queries().front(), &none).status());
  }
  EXPECT_EQ(none.counters().answers_reused, 0u);
  EXPECT_EQ(none.counters().answer_bytes, 0u);
}

TEST_F(StatsTest, TinyCacheBudgetEvictsButStaysExact) {
  SalesMaker maker(13);
  Load(1, maker.Lines("A", 1000, Day("2026-01-20"), 25));
  SummaryCache tiny(1);
  for (const StatsQuery& query : Queries()) {
    auto stats = QueryStats(*conn_, query, &tiny);
    ASSERT_OK(stats.status());
    EXPECT_EQ(*stats, *QueryStatsNaive(*conn_, query));
  }
  EXPECT_GT(tiny.counters().evicted, 0u);
}

TEST_F(StatsTest, ConcurrentQueriesShareOneCacheWhileLoadsCommit) {
  SalesMaker maker(17);
  Load(1, maker.Lines("A", 600, Day("2026-01-01"), 40));
  std::atomic<bool> stop{false};
  std::atomic<int> errors{0}, answers{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&, t] {
      Connection connection = Connect();
      const auto queries = Queries();
      for (size_t i = static_cast<size_t>(t); !stop.load(); i = (i + 7) % queries.size()) {
        auto stats = QueryStats(connection, queries[i], &cache_);
        if (!stats.ok()) ++errors;
        ++answers;
      }
    });
  }
  for (uint64_t report = 2; report < 6; ++report) {
    Load(report, maker.Lines(fmt::format("R{}", report), 200, Day("2026-01-05"), 30));
  }
  stop = true;
  for (std::thread& reader : readers) reader.join();
  EXPECT_EQ(errors.load(), 0);
  EXPECT_GT(answers.load(), 0);
  // After the last commit, the shared cache answers exactly.
  for (const StatsQuery& query : Queries()) {
    auto stats = QueryStats(*conn_, query, &cache_);
    ASSERT_OK(stats.status());
    EXPECT_EQ(*stats, *QueryStatsNaive(*conn_, query));
  }
}

TEST_F(StatsTest, GroupsAreOrderedAndTopKeepsTheFirstN) {
  SalesMaker maker(19);
  Load(1, maker.Lines("A", 2000, Day("2026-03-01"), 60));
  StatsQuery query{std::nullopt, std::nullopt, StatsGroupBy::kSku, 4, "USD"};
  auto top = QueryStats(*conn_, query, &cache_);
  ASSERT_OK(top.status());
  ASSERT_EQ(top->groups.size(), 4u);
  for (size_t i = 1; i < top->groups.size(); ++i) {
    EXPECT_GE(top->groups[i - 1].figures.revenue, top->groups[i].figures.revenue);
  }
  query.group_by = StatsGroupBy::kMonth;
  auto months = QueryStats(*conn_, query, &cache_);
  ASSERT_OK(months.status());
  ASSERT_EQ(months->groups.size(), 2u) << "top is ignored for dates";
  EXPECT_EQ(months->groups[0].key, "2026-03");
  EXPECT_EQ(months->groups[1].key, "2026-04");
  // 'Books' and 'Books ' are one group, as in GROUP BY.
  query.group_by = StatsGroupBy::kCategory;
  query.top.reset();
  auto categories = QueryStats(*conn_, query, &cache_);
  ASSERT_OK(categories.status());
  std::set<std::string> keys;
  for (const auto& group : categories->groups) keys.insert(group.key);
  EXPECT_EQ(keys.size(), categories->groups.size());
  EXPECT_TRUE(keys.count("Books"));
  EXPECT_FALSE(keys.count("Books "));
  EXPECT_TRUE(keys.count("")) << "lines without a category";
  EXPECT_EQ(categories->currencies, (std::vector<std::string>{"EUR", "JPY", "USD"}));
}

TEST_F(StatsTest, BadQueriesAreInvalidArgument) {
  const std::vector<StatsQuery> bad = {
      {std::nullopt, std::nullopt, StatsGroupBy::kNone, std::nullopt, ""},
      {std::nullopt, std::nullopt, StatsGroupBy::kSku, 0, "USD"},
      {Day("2026-02-01"), Day("2026-01-01"), StatsGroupBy::kNone, std::nullopt, "USD"},
  };
  for (const StatsQuery& query : bad) {
    EXPECT_EQ(QueryStats(*conn_, query, &cache_).status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(QueryStatsNaive(*conn_, query).status().code(), StatusCode::kInvalidArgument);
  }
}

TEST_F(StatsTest, OneCacheServesOneDatabase) {
  ASSERT_OK(
      QueryStats(*conn_, {std::nullopt, std::nullopt, StatsGroupBy::kNone, {}, "USD"}, &cache_)
          .status());
  const DbConfig other_config = testing::TestDbConfig("wh-other");
  auto other = Connection::Open(other_config);
  ASSERT_OK(other.status());
  ASSERT_OK(Migrate(*other).status());
  auto answer =
      QueryStats(*other, {std::nullopt, std::nullopt, StatsGroupBy::kNone, {}, "USD"}, &cache_);
  EXPECT_EQ(answer.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_OK(other->Execute("DROP DATABASE " + Connection::QuoteIdentifier(other_config.database)));
}

TEST_F(StatsTest, SummariesWithoutBitmapsAreReportedAndRebuilt) {
  SalesMaker maker(23);
  Load(1, maker.Lines("A", 500, Day("2026-05-01"), 5));
  ASSERT_OK(conn_->Execute("UPDATE daily_summary SET orders = NULL, customers = NULL"));
  const StatsQuery query{std::nullopt, std::nullopt, StatsGroupBy::kDay, {}, "USD"};
  EXPECT_EQ(QueryStats(*conn_, query).status().code(), StatusCode::kFailedPrecondition);
  auto rebuilt = RebuildAllSummaryBitmaps(*conn_);
  ASSERT_OK(rebuilt.status());
  EXPECT_EQ(rebuilt->days, 5u);
  EXPECT_EQ(rebuilt->lines, 500u);
  auto stats = QueryStats(*conn_, query, &cache_);
  ASSERT_OK(stats.status());
  EXPECT_EQ(*stats, *QueryStatsNaive(*conn_, query));
}

}  // namespace
}  // namespace salesflow::warehouse
