// SummaryDelta against the real MariaDB: lines go into sales the way the direct load sends
// them (LoadSalesDirect with KeyDictionary keys), the same lines feed a delta, and after
// MergeInto daily_summary must equal a GROUP BY over sales for every dimension, with bitmaps
// holding exactly the keys of each row's lines.
#include "warehouse/summary_delta.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <tuple>

#include "core/date.h"
#include "test_db.h"
#include "warehouse/key_dictionary.h"
#include "warehouse/load_data.h"
#include "warehouse/report_load.h"
#include "warehouse/summary_bitmaps.h"

namespace salesflow::warehouse {
namespace {

using testing::WarehouseTest;

constexpr std::string_view kDay1 = "2026-03-01";
constexpr std::string_view kDay2 = "2026-03-02";
constexpr std::string_view kDay3 = "2026-03-03";

int32_t Day(std::string_view date) { return *core::ParseIsoDate(date); }

// Source lines are the staging table's primary key: every line of a test gets its own.
int64_t NextSourceLine() {
  static int64_t next = 1;
  return ++next;
}

// A line with every dimension set; tests blank or change fields as they need.
core::SalesLine Line(std::string order_id, int32_t line_no, std::string_view date, int64_t quantity,
                     int64_t price_cents, std::string customer = "C1",
                     std::string category = "Books") {
  core::SalesLine line;
  line.source_line = NextSourceLine();
  line.order_id = std::move(order_id);
  line.line_no = line_no;
  line.order_date = Day(date);
  line.sku = "S1";
  line.quantity = quantity;
  line.unit_price = price_cents * 100;  // kPriceScale 4
  line.currency = "USD";
  line.category = std::move(category);
  line.customer_id = std::move(customer);
  line.country = "US";
  line.region = "North";
  line.channel = "web";
  line.revenue = core::LineRevenue(line.quantity, line.unit_price, line.discount);
  return line;
}

std::string StripTrailingSpaces(std::string value) {
  while (!value.empty() && value.back() == ' ') value.pop_back();
  return value;
}

constexpr std::array<std::string_view, 6> kDimensions = {"total",   "category", "region",
                                                         "country", "channel",  "sku"};

class SummaryDeltaTest : public WarehouseTest {
 protected:
  void SetUp() override {
    WarehouseTest::SetUp();
    if (HasFatalFailure()) return;
    auto dictionary = KeyDictionary::Open(Connect());
    ASSERT_OK(dictionary.status());
    dictionary_.emplace(std::move(dictionary).value());
  }

  // Sends `lines` into sales as the direct load does (keys from the dictionary, lineage, one
  // LOAD DATA ... IGNORE) on conn_, in the caller's transaction, and feeds `delta` with them.
  void LoadDirect(uint64_t report_id, const std::vector<core::SalesLine>& lines,
                  SummaryDelta& delta) {
    std::vector<std::string_view> orders;
    std::vector<std::string_view> customers;
    for (const core::SalesLine& line : lines) {
      orders.push_back(line.order_id);
      if (!line.customer_id.empty()) customers.push_back(line.customer_id);
    }
    auto order_keys = dictionary_->Resolve(KeyKind::kOrder, orders);
    ASSERT_OK(order_keys.status());
    auto customer_keys = dictionary_->Resolve(KeyKind::kCustomer, customers);
    ASSERT_OK(customer_keys.status());
    std::string text;
    size_t next_customer = 0;
    for (size_t i = 0; i < lines.size(); ++i) {
      const core::SalesLine& line = lines[i];
      AppendSalesLineFields(line, line.line_no, &text);
      const uint32_t order_key = (*order_keys)[i];
      AppendIntField(order_key, &text);
      std::optional<uint32_t> customer_key;
      if (!line.customer_id.empty()) {
        customer_key = (*customer_keys)[next_customer++];
        AppendIntField(*customer_key, &text);
      } else {
        AppendNullField(&text);
      }
      EndRow(&text);
      delta.AddKeys(delta.AddLine(line), order_key, customer_key);
    }
    StringChunkSource source(text, 97);
    auto loaded = LoadSalesDirect(*conn_, source, report_id, report_id + 100);
    ASSERT_OK(loaded.status());
    EXPECT_EQ(loaded->records, lines.size());
    EXPECT_EQ(loaded->skipped, 0u) << "test data must not repeat a line";
  }

  // LoadDirect and MergeInto in one committed transaction.
  void LoadAndMerge(uint64_t report_id, const std::vector<core::SalesLine>& lines,
                    SummaryDelta& delta) {
    auto tx = Transaction::Start(*conn_);
    ASSERT_OK(tx.status());
    LoadDirect(report_id, lines, delta);
    ASSERT_OK(delta.MergeInto(*conn_));
    ASSERT_OK(tx->Commit());
  }

  // The staged path (summaries and bitmaps recomputed from sales), committed.
  void LoadStaged(uint64_t report_id, const std::vector<core::SalesLine>& lines) {
    auto tx = Transaction::Start(*conn_);
    ASSERT_OK(tx.status());
    auto staging = StagingTable::Create(*conn_, report_id + 100);
    ASSERT_OK(staging.status());
    std::string text;
    for (const core::SalesLine& line : lines) AppendLoadDataRow(line, &text);
    StringChunkSource source(text);
    ASSERT_OK(staging->Load(source).status());
    ASSERT_OK(ApplyStagedReport(*conn_, *staging, report_id, report_id + 100).status());
    ASSERT_OK(tx->Commit());
  }

  QueryResult Rows(const std::string& sql) {
    auto result = conn_->Query(sql);
    EXPECT_OK(result.status());
    return result.ok() ? *std::move(result) : QueryResult{};
  }
  int64_t Scalar(const std::string& sql) {
    QueryResult result = Rows(sql);
    return result.empty() ? -1 : result.Int(0, 0);
  }
  // One summary figure: `column` of (dimension, USD, day, value).
  std::string Summary(std::string_view column, std::string_view dimension, std::string_view day,
                      std::string_view value = "", std::string_view currency = "USD") {
    auto result = conn_->Query(
        fmt::format("SELECT {} FROM daily_summary WHERE dimension = ? AND currency = ? AND "
                    "day = ? AND dim_value = ?",
                    column),
        {dimension, currency, day, value});
    EXPECT_OK(result.status());
    if (!result.ok() || result->rows.size() != 1) return "<no row>";
    return result->Text(0, 0);
  }
  // The daily_summary rows of `day`, summed up: equal when they did not change.
  std::string DayFingerprint(std::string_view day) {
    QueryResult result = Rows(fmt::format(
        "SELECT CONCAT(COUNT(*), '/', COALESCE(SUM(CRC32(CONCAT_WS('|', dimension, currency, "
        "dim_value, revenue, line_count, units, order_count, customer_count, HEX(orders), "
        "HEX(customers)))), 0)) FROM daily_summary WHERE day = '{}'",
        day));
    return result.empty() ? "" : result.Text(0, 0);
  }

  // daily_summary equals a GROUP BY over sales for every dimension (values compared without
  // trailing spaces: the PAD SPACE collation groups 'x' and 'x ' and either may be shown).
  void ExpectSummariesMatchSales() {
    for (std::string_view dimension : kDimensions) {
      const std::string value =
          dimension == "total" ? std::string("''") : fmt::format("COALESCE({}, '')", dimension);
      QueryResult summary = Rows(fmt::format(
          "SELECT currency, day, TRIM(TRAILING ' ' FROM dim_value) v, revenue, line_count, units, "
          "order_count, customer_count FROM daily_summary WHERE dimension = '{}' "
          "ORDER BY currency, day, v",
          dimension));
      QueryResult facts = Rows(fmt::format(
          "SELECT currency, order_date, TRIM(TRAILING ' ' FROM MIN({0})) v, SUM(revenue), "
          "COUNT(*), SUM(quantity), COUNT(DISTINCT order_key), COUNT(DISTINCT customer_key) "
          "FROM sales GROUP BY currency, order_date, {0} ORDER BY currency, order_date, v",
          value));
      EXPECT_FALSE(facts.empty());
      EXPECT_EQ(summary.rows, facts.rows) << "daily_summary differs from sales for " << dimension;
    }
  }

  // Every summary row's bitmaps hold exactly the order and customer keys of its lines, and
  // their cardinalities are the row's counts.
  void ExpectBitmapsMatchSales() {
    using Group = std::tuple<std::string, std::string, std::string, std::string>;
    std::map<Group, std::pair<std::set<uint32_t>, std::set<uint32_t>>> expected;
    QueryResult sales = Rows(
        "SELECT currency, order_date, category, region, country, channel, sku, order_key, "
        "customer_key FROM sales");
    for (size_t i = 0; i < sales.rows.size(); ++i) {
      for (size_t d = 0; d < kDimensions.size(); ++d) {
        const std::string value = d == 0 ? "" : StripTrailingSpaces(sales.Text(i, 1 + d));
        auto& sets =
            expected[{std::string(kDimensions[d]), sales.Text(i, 0), sales.Text(i, 1), value}];
        sets.first.insert(static_cast<uint32_t>(sales.Int(i, 7)));
        if (!sales.IsNull(i, 8)) sets.second.insert(static_cast<uint32_t>(sales.Int(i, 8)));
      }
    }
    QueryResult summary = Rows(
        "SELECT dimension, currency, day, dim_value, order_count, customer_count, orders, "
        "customers FROM daily_summary");
    EXPECT_EQ(summary.rows.size(), expected.size());
    for (size_t i = 0; i < summary.rows.size(); ++i) {
      const Group group{summary.Text(i, 0), summary.Text(i, 1), summary.Text(i, 2),
                        StripTrailingSpaces(summary.Text(i, 3))};
      const std::string what = fmt::format("{} {} {} '{}'", std::get<0>(group), std::get<1>(group),
                                           std::get<2>(group), std::get<3>(group));
      auto found = expected.find(group);
      ASSERT_NE(found, expected.end()) << what << " has no lines in sales";
      for (size_t set = 0; set < 2; ++set) {
        ASSERT_FALSE(summary.IsNull(i, 6 + set)) << what << ": no bitmap";
        auto bitmap = Bitmap::Deserialize(summary.Text(i, 6 + set));
        ASSERT_OK(bitmap.status());
        const std::set<uint32_t>& keys = set == 0 ? found->second.first : found->second.second;
        EXPECT_EQ(bitmap->Cardinality(), static_cast<uint64_t>(summary.Int(i, 4 + set))) << what;
        EXPECT_EQ(bitmap->Cardinality(), keys.size()) << what;
        for (uint32_t key : keys) EXPECT_TRUE(bitmap->Contains(key)) << what << " key " << key;
      }
    }
  }

  std::optional<KeyDictionary> dictionary_;
};

TEST_F(SummaryDeltaTest, MergeIntoAnEmptyTableWritesEveryDimension) {
  std::vector<core::SalesLine> lines = {
      Line("A", 1, kDay1, 2, 1000, "C1", "Books"), Line("A", 2, kDay1, 1, 500, "C1", "Toys"),
      Line("B", 1, kDay1, 3, 199, "C2", "Books"),  Line("E", 1, kDay1, 1, 700, "C3", "Books"),
      Line("D", 1, kDay2, -1, 1250, "", ""),  // a return, no customer, no category
  };
  lines[1].discount = 1000;  // 10%: 4.50
  lines[1].revenue = core::LineRevenue(1, 500 * 100, 1000);
  lines[3].currency = "EUR";
  lines[4].region.clear();
  lines[4].country.clear();
  lines[4].channel.clear();
  lines[4].sku = "S9";
  SummaryDelta delta;
  LoadAndMerge(1, lines, delta);
  EXPECT_EQ(delta.merged_days(), (std::set<int32_t>{Day(kDay1), Day(kDay2)}));
  EXPECT_TRUE(delta.days_to_recompute().empty());
  EXPECT_EQ(delta.rows(), 0u) << "a merge empties the delta";
  EXPECT_EQ(static_cast<int64_t>(delta.rows_written()),
            Scalar("SELECT COUNT(*) FROM daily_summary"));

  EXPECT_EQ(Summary("revenue", "total", kDay1), "30.47");  // 20.00 + 4.50 + 5.97
  EXPECT_EQ(Summary("line_count", "total", kDay1), "3");
  EXPECT_EQ(Summary("units", "total", kDay1), "6");
  EXPECT_EQ(Summary("order_count", "total", kDay1), "2");
  EXPECT_EQ(Summary("customer_count", "total", kDay1), "2");
  EXPECT_EQ(Summary("order_count", "category", kDay1, "Books"), "2");
  EXPECT_EQ(Summary("revenue", "total", kDay1, "", "EUR"), "7.00");
  EXPECT_EQ(Summary("revenue", "category", kDay2, ""), "-12.50");
  EXPECT_EQ(Summary("customer_count", "total", kDay2), "0");
  EXPECT_EQ(Summary("line_count", "sku", kDay2, "S9"), "1");
  ExpectSummariesMatchSales();
  ExpectBitmapsMatchSales();
}

TEST_F(SummaryDeltaTest, MergingIntoStoredRowsUnionsOrdersAndCustomers) {
  // Day 1's rows come from the staged path (bitmaps built from sales by the stats hook).
  LoadStaged(1, {Line("A", 1, kDay1, 1, 1000, "C1"), Line("B", 1, kDay1, 1, 1000, "C2")});
  ASSERT_EQ(Summary("order_count", "total", kDay1), "2");
  // A second report adds another line of order A and an order of customer C1: counts that
  // added up would say 4 orders and 3 customers.
  SummaryDelta delta;
  LoadAndMerge(2,
               {Line("A", 2, kDay1, 2, 300, "C1"), Line("F", 1, kDay1, 1, 50, "C1", "Toys"),
                Line("G", 1, kDay3, 1, 100, "C2")},
               delta);
  EXPECT_EQ(delta.merged_days(), (std::set<int32_t>{Day(kDay1), Day(kDay3)}));
  EXPECT_EQ(Summary("line_count", "total", kDay1), "4");
  EXPECT_EQ(Summary("revenue", "total", kDay1), "26.50");
  EXPECT_EQ(Summary("order_count", "total", kDay1), "3");              // A, B, F
  EXPECT_EQ(Summary("customer_count", "total", kDay1), "2");           // C1, C2
  EXPECT_EQ(Summary("order_count", "category", kDay1, "Books"), "2");  // A, B
  EXPECT_EQ(Summary("order_count", "category", kDay1, "Toys"), "1");
  ExpectSummariesMatchSales();
  ExpectBitmapsMatchSales();

  // And a third over rows a delta wrote.
  SummaryDelta third;
  LoadAndMerge(3, {Line("B", 2, kDay1, 1, 1, "C3"), Line("H", 1, kDay3, 1, 1, "C2")}, third);
  EXPECT_EQ(Summary("order_count", "total", kDay1), "3");
  EXPECT_EQ(Summary("customer_count", "total", kDay1), "3");
  EXPECT_EQ(Summary("order_count", "total", kDay3), "2");
  EXPECT_EQ(Summary("customer_count", "total", kDay3), "1");
  ExpectSummariesMatchSales();
  ExpectBitmapsMatchSales();
}

TEST_F(SummaryDeltaTest, TwoMergesOfOneStreamAddUp) {
  SummaryDelta delta;
  auto tx = Transaction::Start(*conn_);
  ASSERT_OK(tx.status());
  LoadDirect(1, {Line("A", 1, kDay1, 1, 1000, "C1"), Line("B", 1, kDay1, 1, 1000, "C2")}, delta);
  ASSERT_OK(delta.MergeInto(*conn_));
  const uint64_t first_rows = delta.rows_written();
  EXPECT_EQ(first_rows, 6u);
  // The same orders and customers go on after the merge, and a new day starts.
  LoadDirect(1,
             {Line("B", 2, kDay1, 4, 250, "C2"), Line("A", 2, kDay1, 1, 1000, "C1"),
              Line("C", 1, kDay2, 1, 1, "C1")},
             delta);
  EXPECT_GT(delta.rows(), 0u);
  ASSERT_OK(delta.MergeInto(*conn_));
  EXPECT_EQ(delta.rows_written(), first_rows + 12u);
  ASSERT_OK(tx->Commit());
  EXPECT_EQ(Summary("line_count", "total", kDay1), "4");
  EXPECT_EQ(Summary("units", "total", kDay1), "7");
  EXPECT_EQ(Summary("revenue", "total", kDay1), "40.00");
  EXPECT_EQ(Summary("order_count", "total", kDay1), "2");
  EXPECT_EQ(Summary("customer_count", "total", kDay1), "2");
  EXPECT_EQ(delta.merged_days(), (std::set<int32_t>{Day(kDay1), Day(kDay2)}));
  ExpectSummariesMatchSales();
  ExpectBitmapsMatchSales();
}

TEST_F(SummaryDeltaTest, EmptyDeltaMergesNothing) {
  SummaryDelta delta;
  ASSERT_OK(delta.MergeInto(*conn_));
  EXPECT_TRUE(delta.merged_days().empty());
  EXPECT_EQ(delta.rows_written(), 0u);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM daily_summary"), 0);
}

TEST_F(SummaryDeltaTest, TrailingSpacesGroupWithTheTrimmedValue) {
  // The stored row's value keeps its trailing space (the staged path writes what sales has).
  LoadStaged(1, {Line("A", 1, kDay1, 1, 100, "C1", "Books ")});
  std::vector<core::SalesLine> lines = {
      Line("B", 1, kDay1, 1, 200, "C2", "Books"),
      Line("C", 1, kDay1, 1, 300, "C3", "Books   "),
      Line("D", 1, kDay1, 1, 400, "C4", "  "),  // only spaces: the empty value
      Line("E", 1, kDay1, 1, 500, "C5", ""),
  };
  lines[0].region = "North ";
  lines[1].sku = "S1 ";
  lines[2].channel = "web  ";
  SummaryDelta delta;
  LoadAndMerge(2, lines, delta);
  EXPECT_EQ(Scalar(fmt::format("SELECT COUNT(*) FROM daily_summary WHERE dimension = "
                               "'category' AND day = '{}'",
                               kDay1)),
            2);
  EXPECT_EQ(Summary("line_count", "category", kDay1, "Books"), "3");
  EXPECT_EQ(Summary("order_count", "category", kDay1, "Books"), "3") << "unioned, not replaced";
  EXPECT_EQ(Summary("customer_count", "category", kDay1, "Books"), "3");
  EXPECT_EQ(Summary("line_count", "category", kDay1, ""), "2");
  EXPECT_EQ(Summary("line_count", "region", kDay1, "North"), "5");
  EXPECT_EQ(Summary("line_count", "sku", kDay1, "S1"), "5");
  EXPECT_EQ(Summary("line_count", "channel", kDay1, "web"), "5");
  ExpectSummariesMatchSales();
  ExpectBitmapsMatchSales();
}

TEST_F(SummaryDeltaTest, TrailingSpacesInCustomerIdsCountOnce) {
  // 'C1' and 'C1 ' share a dictionary key, as they share COUNT(DISTINCT) in SQL.
  SummaryDelta delta;
  LoadAndMerge(1, {Line("A", 1, kDay1, 1, 100, "C1"), Line("B", 1, kDay1, 1, 100, "C1 ")}, delta);
  EXPECT_EQ(Summary("customer_count", "total", kDay1), "1");
  ExpectSummariesMatchSales();
  ExpectBitmapsMatchSales();
}

TEST_F(SummaryDeltaTest, ADayWhoseStoredRowsLackBitmapsIsLeftForARecompute) {
  LoadStaged(1, {Line("A", 1, kDay1, 1, 100, "C1"), Line("B", 1, kDay2, 1, 100, "C2")});
  // As written before bitmaps existed.
  ASSERT_OK(conn_->Execute(fmt::format(
      "UPDATE daily_summary SET orders = NULL, customers = NULL WHERE day = '{}'", kDay1)));
  const std::string day1_before = DayFingerprint(kDay1);
  auto generation_before = ReadSummaryGeneration(*conn_);
  ASSERT_OK(generation_before.status());

  auto tx = Transaction::Start(*conn_);
  ASSERT_OK(tx.status());
  SummaryDelta delta;
  LoadDirect(2, {Line("C", 1, kDay1, 1, 100, "C1"), Line("D", 1, kDay2, 1, 100, "C1")}, delta);
  ASSERT_OK(delta.MergeInto(*conn_));
  EXPECT_EQ(delta.days_to_recompute(), std::set<int32_t>{Day(kDay1)});
  EXPECT_EQ(delta.merged_days(), std::set<int32_t>{Day(kDay2)});
  EXPECT_EQ(DayFingerprint(kDay1), day1_before) << "a day without bitmaps is not written";
  EXPECT_EQ(Summary("order_count", "total", kDay2), "2");
  // From now on the day is skipped while streaming.
  LoadDirect(2, {Line("E", 1, kDay1, 1, 100, "C3")}, delta);
  EXPECT_EQ(delta.rows(), 0u);
  EXPECT_TRUE(delta.AddLine(Line("X", 1, kDay1, 1, 1)).skipped);

  // FinishDirectSummaries recomputes it from sales (bitmaps included).
  auto changed = FinishDirectSummaries(*conn_, delta);
  ASSERT_OK(changed.status());
  EXPECT_EQ(*changed, 2u);
  ASSERT_OK(tx->Commit());
  EXPECT_EQ(Summary("line_count", "total", kDay1), "3");
  EXPECT_EQ(Summary("order_count", "total", kDay1), "3");
  ExpectSummariesMatchSales();
  ExpectBitmapsMatchSales();
  auto generation_after = ReadSummaryGeneration(*conn_);
  ASSERT_OK(generation_after.status());
  EXPECT_GT(*generation_after, *generation_before);
  EXPECT_EQ(Scalar(fmt::format("SELECT COUNT(*) FROM summary_day_generations WHERE day IN "
                               "('{}', '{}') AND generation > {}",
                               kDay1, kDay2, *generation_before)),
            2)
      << "stats caches must learn that both days changed";
}

TEST_F(SummaryDeltaTest, SkipDaysAreNeverWritten) {
  SummaryDelta delta({Day(kDay1)});
  EXPECT_TRUE(delta.AddLine(Line("X", 1, kDay1, 1, 1)).skipped);
  EXPECT_FALSE(delta.AddLine(Line("X", 1, kDay2, 1, 1)).skipped);
  SummaryDelta streamed({Day(kDay1)});
  LoadAndMerge(1, {Line("A", 1, kDay1, 1, 100), Line("B", 1, kDay2, 1, 100)}, streamed);
  EXPECT_EQ(streamed.merged_days(), std::set<int32_t>{Day(kDay2)});
  EXPECT_TRUE(streamed.days_to_recompute().empty()) << "skip days are the caller's to refresh";
  EXPECT_EQ(Scalar(fmt::format("SELECT COUNT(*) FROM daily_summary WHERE day = '{}'", kDay1)), 0);
  EXPECT_EQ(Summary("line_count", "total", kDay2), "1");
}

// The direct load's own flow for a replaced report: RemoveReportRows marks the old days,
// the delta skips them, FinishDirectSummaries recomputes them.
TEST_F(SummaryDeltaTest, AReplacedVersionsDaysAreRecomputedNotMerged) {
  LoadStaged(1, {Line("A", 1, kDay1, 1, 100, "C1"), Line("B", 1, kDay1, 1, 100, "C2"),
                 Line("C", 1, kDay2, 1, 100, "C1")});
  const std::string day1_before = DayFingerprint(kDay1);
  auto tx = Transaction::Start(*conn_);
  ASSERT_OK(tx.status());
  auto removed = RemoveReportRows(*conn_, 1);
  ASSERT_OK(removed.status());
  EXPECT_EQ(*removed, 3u);
  auto marked = DaysMarkedForRefresh(*conn_);
  ASSERT_OK(marked.status());
  EXPECT_EQ(*marked, (std::set<int32_t>{Day(kDay1), Day(kDay2)}));
  SummaryDelta delta(*marked);
  // The new version: A moves to day 3, B stays on day 1.
  LoadDirect(1, {Line("A", 1, kDay3, 1, 100, "C1"), Line("B", 1, kDay1, 2, 100, "C2")}, delta);
  ASSERT_OK(delta.MergeInto(*conn_));
  EXPECT_EQ(delta.merged_days(), std::set<int32_t>{Day(kDay3)});
  EXPECT_EQ(DayFingerprint(kDay1), day1_before) << "skipped days are left to the refresh";
  auto changed = FinishDirectSummaries(*conn_, delta);
  ASSERT_OK(changed.status());
  EXPECT_EQ(*changed, 3u);
  ASSERT_OK(tx->Commit());
  EXPECT_EQ(Summary("line_count", "total", kDay1), "1");
  EXPECT_EQ(Scalar(fmt::format("SELECT COUNT(*) FROM daily_summary WHERE day = '{}'", kDay2)), 0);
  ExpectSummariesMatchSales();
  ExpectBitmapsMatchSales();
  auto after = DaysMarkedForRefresh(*conn_);
  ASSERT_OK(after.status());
  EXPECT_TRUE(after->empty()) << "the refresh clears the marks";
}

// Random lines over days, currencies and values (trailing spaces, empty values, customers
// missing or repeated, orders continued after a merge), merged every `merge_every` lines.
class RandomLines {
 public:
  explicit RandomLines(uint32_t seed) : rng_(seed) {}

  std::vector<core::SalesLine> Next(size_t count) {
    static const std::vector<std::string> kCategories = {"Books", "Books ", "Toys", "", "Garden  "};
    static const std::vector<std::string> kRegions = {"North", "North ", "South", ""};
    static const std::vector<std::string> kCountries = {"US", "DE", ""};
    static const std::vector<std::string> kChannels = {"web", "store ", ""};
    static const std::vector<std::string> kSkus = {"S1", "S1 ", "S2", "S3", "S\\N"};
    static const std::vector<std::string> kCurrencies = {"USD", "EUR"};
    std::vector<core::SalesLine> lines;
    while (lines.size() < count) {
      // A new order, or more lines of an earlier one (maybe on another day).
      const bool earlier = !next_line_.empty() && Pick(4) == 0;
      const std::string order = earlier
                                    ? fmt::format("O{}", Pick(static_cast<int>(next_line_.size())))
                                    : fmt::format("O{}", next_line_.size());
      int32_t& line_no = next_line_[order];
      const int32_t day = Day(kDay1) + Pick(3);
      const std::string customer =
          Pick(6) == 0 ? "" : fmt::format("C{}{}", Pick(40), Pick(8) == 0 ? " " : "");
      const std::string& currency = kCurrencies[static_cast<size_t>(Pick(2))];
      const int lines_in_order = 1 + Pick(4);
      for (int i = 0; i < lines_in_order && lines.size() < count; ++i) {
        core::SalesLine line;
        line.source_line = NextSourceLine();
        line.order_id = order;
        line.line_no = ++line_no;
        line.order_date = day;
        line.sku = kSkus[static_cast<size_t>(Pick(static_cast<int>(kSkus.size())))];
        line.quantity = Pick(10) == 0 ? -1 : 1 + Pick(20);
        line.unit_price = 1 + Pick(5'000'000);
        line.discount = Pick(3) == 0 ? 1250 : 0;
        line.currency = currency;
        line.category =
            kCategories[static_cast<size_t>(Pick(static_cast<int>(kCategories.size())))];
        line.region = kRegions[static_cast<size_t>(Pick(static_cast<int>(kRegions.size())))];
        line.country = kCountries[static_cast<size_t>(Pick(static_cast<int>(kCountries.size())))];
        line.channel = kChannels[static_cast<size_t>(Pick(static_cast<int>(kChannels.size())))];
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
  std::map<std::string, int32_t> next_line_;
};

TEST_F(SummaryDeltaTest, RandomStreamsMergedInPiecesEqualAGroupBy) {
  RandomLines random(20261125);
  for (uint64_t report = 1; report <= 3; ++report) {
    if (report == 2) {
      // One report in between by the staged path: deltas merge over its rows too.
      LoadStaged(report, random.Next(400));
      continue;
    }
    SummaryDelta delta;
    auto tx = Transaction::Start(*conn_);
    ASSERT_OK(tx.status());
    for (int piece = 0; piece < 6; ++piece) {
      LoadDirect(report, random.Next(250), delta);
      ASSERT_OK(delta.MergeInto(*conn_));
    }
    ASSERT_OK(tx->Commit());
    EXPECT_EQ(delta.merged_days(), (std::set<int32_t>{Day(kDay1), Day(kDay2), Day(kDay3)}));
    ExpectSummariesMatchSales();
    ExpectBitmapsMatchSales();
  }
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM sales"), 3400);
}

}  // namespace
}  // namespace salesflow::warehouse
