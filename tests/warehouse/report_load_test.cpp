#include "warehouse/report_load.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "core/date.h"
#include "test_db.h"
#include "warehouse/line_numberer.h"

namespace salesflow::warehouse {
namespace {

using testing::WarehouseTest;

core::SalesLine Line(int64_t source_line, std::string order_id, int32_t line_no,
                     std::string_view date, std::string sku, int64_t quantity, int64_t price_scaled,
                     std::string customer = "C1", std::string category = "Books") {
  core::SalesLine line;
  line.source_line = source_line;
  line.order_id = std::move(order_id);
  line.line_no = line_no;
  line.order_date = *core::ParseIsoDate(date);
  line.sku = std::move(sku);
  line.quantity = quantity;
  line.unit_price = price_scaled;
  line.currency = "USD";
  line.customer_id = std::move(customer);
  line.category = std::move(category);
  line.revenue = core::LineRevenue(quantity, price_scaled, 0);
  return line;
}

std::string Text(const std::vector<core::SalesLine>& lines) {
  std::string text;
  for (const auto& line : lines) AppendLoadDataRow(line, &text);
  return text;
}

// As the ingest runner writes it: line numbers by position within runs of an order.
std::string NumberedText(const std::vector<core::SalesLine>& lines) {
  std::string text;
  LineNumberer numberer;
  for (const auto& line : lines) AppendLoadDataRow(line, numberer.Next(line), &text);
  return text;
}

class ReportLoadTest : public WarehouseTest, public ::testing::WithParamInterface<bool> {
 protected:
  // Loads `lines` as report `report_id` by job `job_id`, in one transaction, committed.
  StagedReportCounts LoadReport(uint64_t report_id, uint64_t job_id,
                                const std::vector<core::SalesLine>& lines,
                                bool number_runs = false) {
    auto tx = Transaction::Start(*conn_);
    EXPECT_OK(tx.status());
    auto staging = StagingTable::Create(*conn_, job_id);
    EXPECT_OK(staging.status());
    const std::string text = number_runs ? NumberedText(lines) : Text(lines);
    StringChunkSource source(text, 64);
    LoadOptions options;
    options.force_insert_fallback = GetParam();
    auto loaded = staging->Load(source, options);
    EXPECT_OK(loaded.status());
    auto counts = ApplyStagedReport(*conn_, *staging, report_id, job_id);
    EXPECT_OK(counts.status());
    EXPECT_OK(tx->Commit());
    return counts.ok() ? *counts : StagedReportCounts{};
  }

  int64_t Scalar(const std::string& sql) {
    auto result = conn_->Query(sql);
    EXPECT_OK(result.status());
    return result.ok() && !result->empty() ? result->Int(0, 0) : -1;
  }

  std::string TextScalar(const std::string& sql) {
    auto result = conn_->Query(sql);
    EXPECT_OK(result.status());
    return result.ok() && !result->empty() ? result->Text(0, 0) : "";
  }

  // daily_summary equals a GROUP BY over sales, for every dimension.
  void ExpectSummariesMatchSales() {
    for (std::string_view dim : {"total", "category", "region", "country", "channel", "sku"}) {
      const std::string value =
          dim == "total" ? std::string("''") : fmt::format("COALESCE({}, '')", dim);
      const int64_t mismatches = Scalar(fmt::format(
          "SELECT COUNT(*) FROM (SELECT currency, order_date, {0} v, SUM(revenue) r, COUNT(*) n, "
          "SUM(quantity) u, COUNT(DISTINCT order_id) o, COUNT(DISTINCT customer_id) c "
          "FROM sales GROUP BY currency, order_date, {0}) g "
          "LEFT JOIN daily_summary d ON d.dimension = '{1}' AND d.currency = g.currency AND "
          "d.day = g.order_date AND d.dim_value = g.v AND d.revenue = g.r AND d.line_count = g.n "
          "AND d.units = g.u AND d.order_count = g.o AND d.customer_count = g.c "
          "WHERE d.day IS NULL",
          value, dim));
      EXPECT_EQ(mismatches, 0) << dim;
      const int64_t groups = Scalar(fmt::format(
          "SELECT COUNT(*) FROM (SELECT 1 FROM sales GROUP BY currency, order_date, {}) g", value));
      EXPECT_EQ(
          Scalar(fmt::format("SELECT COUNT(*) FROM daily_summary WHERE dimension = '{}'", dim)),
          groups)
          << dim;
    }
    EXPECT_EQ(TextScalar("SELECT COALESCE(SUM(revenue), 0) FROM sales"),
              TextScalar(
                  "SELECT COALESCE(SUM(revenue), 0) FROM daily_summary WHERE dimension = 'total'"));
    // Dictionary keys are one-to-one with the ids they stand for (the bitmaps count them).
    EXPECT_EQ(Scalar("SELECT COUNT(*) FROM sales s LEFT JOIN order_keys k ON k.id = s.order_key "
                     "LEFT JOIN customer_keys c ON c.id = s.customer_key WHERE "
                     "k.order_id IS NULL OR k.order_id <> s.order_id OR "
                     "NOT (c.customer_id <=> s.customer_id)"),
              0);
  }

  // Stages `lines` as report `report_id` / job `job_id` and runs TryFastApply only. When it
  // applies, commits; when it declines, checks that it left sales and the summaries as they
  // were, then runs ApplyStagedReport (the exact path) and commits. Returns whether the fast
  // path applied, and the counts either way.
  std::pair<bool, StagedReportCounts> LoadTryingFast(uint64_t report_id, uint64_t job_id,
                                                     const std::vector<core::SalesLine>& lines,
                                                     bool number_runs) {
    const std::string before = Fingerprint();
    auto tx = Transaction::Start(*conn_);
    EXPECT_OK(tx.status());
    auto staging = StagingTable::Create(*conn_, job_id);
    EXPECT_OK(staging.status());
    const std::string text = number_runs ? NumberedText(lines) : Text(lines);
    StringChunkSource source(text, 64);
    LoadOptions options;
    options.force_insert_fallback = GetParam();
    EXPECT_OK(staging->Load(source, options).status());
    EXPECT_EQ(staging->rows(), lines.size());
    auto fast = TryFastApply(*conn_, *staging, report_id, job_id);
    EXPECT_OK(fast.status());
    std::pair<bool, StagedReportCounts> out{false, {}};
    if (fast.ok() && fast->has_value()) {
      out = {true, **fast};
    } else {
      EXPECT_EQ(Fingerprint(), before) << "a declined fast path must change nothing";
      auto counts = ApplyStagedReport(*conn_, *staging, report_id, job_id);
      EXPECT_OK(counts.status());
      if (counts.ok()) out.second = *counts;
    }
    EXPECT_OK(tx->Commit());
    return out;
  }

  // sales and daily_summary, summed up: equal when nothing changed.
  std::string Fingerprint() {
    return TextScalar(
        "SELECT CONCAT((SELECT COUNT(*) FROM sales), '/', "
        "(SELECT COALESCE(SUM(CRC32(CONCAT_WS('|', order_id, line_no, order_date, sku, quantity, "
        "revenue, report_id, job_id, source_line))), 0) FROM sales), '/', "
        "(SELECT COALESCE(SUM(CRC32(CONCAT_WS('|', dimension, currency, day, dim_value, revenue, "
        "line_count, units, order_count, customer_count))), 0) FROM daily_summary))");
  }

  int64_t LineNo(std::string_view order_id, std::string_view sku) {
    return Scalar(fmt::format("SELECT line_no FROM sales WHERE order_id = '{}' AND sku = '{}'",
                              order_id, sku));
  }
};

TEST_P(ReportLoadTest, NumbersLinesRejectsDuplicatesAndSummarises) {
  const std::vector<core::SalesLine> lines = {
      Line(2, "A", 0, "2026-01-01", "S1", 1, 10000),  // A line 1
      Line(3, "B", 0, "2026-01-01", "S2", 2, 25000),  // B line 1
      Line(4, "A", 0, "2026-01-01", "S3", 3, 15000),  // A line 2 (not contiguous)
      Line(5, "C", 1, "2026-01-02", "S1", -1, 10000, "C2"),
      Line(6, "C", 1, "2026-01-02", "S9", 5, 10000, "C2"),  // duplicate of line 5
  };
  const StagedReportCounts counts = LoadReport(1, 11, lines);
  EXPECT_EQ(counts.numbered, 3u);
  EXPECT_EQ(counts.duplicates, 1u);
  EXPECT_EQ(counts.upsert.inserted, 4u);
  EXPECT_EQ(counts.upsert.updated, 0u);
  EXPECT_EQ(counts.dates_refreshed, 2u);
  EXPECT_EQ(Scalar("SELECT line_no FROM sales WHERE order_id = 'A' AND sku = 'S3'"), 2);
  EXPECT_EQ(Scalar("SELECT source_line FROM sales WHERE order_id = 'C'"), 5);
  EXPECT_EQ(TextScalar("SELECT CONCAT(reason, ':', line, ':', message) FROM rejects"),
            "duplicate_line:6:order C line 1 already appears on line 5 of this report");
  EXPECT_EQ(TextScalar("SELECT revenue FROM daily_summary WHERE dimension = 'total' AND "
                       "day = '2026-01-01'"),
            "10.50");
  EXPECT_EQ(Scalar("SELECT order_count FROM daily_summary WHERE dimension = 'total' AND "
                   "day = '2026-01-01'"),
            2);
  ExpectSummariesMatchSales();
}

TEST_P(ReportLoadTest, OverlappingReportsLastLoadWinsAndOldDatesAreRefreshed) {
  LoadReport(1, 11,
             {Line(2, "A", 1, "2026-01-01", "S1", 1, 10000),
              Line(3, "B", 1, "2026-01-01", "S1", 1, 10000)});
  // Report 2 corrects order B: moved to another day and price.
  const StagedReportCounts second = LoadReport(
      2, 12,
      {Line(2, "B", 1, "2026-01-05", "S1", 2, 10000), Line(3, "D", 1, "2026-01-05", "S2", 1, 500)});
  EXPECT_EQ(second.upsert.inserted, 1u);
  EXPECT_EQ(second.upsert.updated, 1u);
  EXPECT_EQ(Scalar("SELECT report_id FROM sales WHERE order_id = 'B'"), 2);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM sales"), 3);
  EXPECT_EQ(TextScalar("SELECT revenue FROM daily_summary WHERE dimension = 'total' AND "
                       "day = '2026-01-01'"),
            "1.00");
  ExpectSummariesMatchSales();

  // Report 1 again, corrected (replace): its previous rows go, B stays with report 2.
  const StagedReportCounts replaced =
      LoadReport(1, 13, {Line(2, "E", 1, "2026-01-03", "S1", 1, 10000)});
  EXPECT_EQ(replaced.removed_previous, 1u);  // only A: B belongs to report 2 now
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM sales WHERE report_id = 1"), 1);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM daily_summary WHERE day = '2026-01-01'"), 0);
  ExpectSummariesMatchSales();
}

TEST_P(ReportLoadTest, RollbackLeavesNothing) {
  {
    auto tx = Transaction::Start(*conn_);
    ASSERT_OK(tx.status());
    auto staging = StagingTable::Create(*conn_, 99);
    ASSERT_OK(staging.status());
    const std::string text = Text({Line(2, "A", 1, "2026-01-01", "S1", 1, 10000)});
    StringChunkSource source(text);
    ASSERT_OK(staging->Load(source).status());
    ASSERT_OK(ApplyStagedReport(*conn_, *staging, 1, 99).status());
  }  // no commit
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM sales"), 0);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM daily_summary"), 0);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM order_keys"), 0);
}

TEST_P(ReportLoadTest, HostileTextIsStoredVerbatimAndRejectsLoad) {
  core::SalesLine line = Line(2, "'); DROP TABLE sales; --", 1, "2026-01-01", "S\\N", 1, 10000,
                              "tab\there", "new\nline \\N");
  line.product_name = "\\";
  LoadReport(1, 11, {line});
  auto row = conn_->Query("SELECT order_id, sku, customer_id, category, product_name FROM sales");
  ASSERT_OK(row.status());
  ASSERT_EQ(row->rows.size(), 1u);
  EXPECT_EQ(row->Text(0, 0), line.order_id);
  EXPECT_EQ(row->Text(0, 1), line.sku);
  EXPECT_EQ(row->Text(0, 2), line.customer_id);
  EXPECT_EQ(row->Text(0, 3), line.category);
  EXPECT_EQ(row->Text(0, 4), "\\");

  core::RejectedRow reject;
  reject.line = 9;
  reject.column = "quantity";
  reject.reason = core::RejectReason::kBadNumber;
  reject.message = "quantity 'x' is not a number";
  reject.raw = std::string("x,\"a\tb\"\r\n\\N", 12);
  std::string text;
  AppendRejectRow(1, 11, reject, &text);
  StringChunkSource source(text);
  LoadOptions options;
  options.force_insert_fallback = GetParam();
  ASSERT_OK(LoadRejects(*conn_, source, options).status());
  EXPECT_EQ(TextScalar("SELECT raw FROM rejects WHERE line = 9"), reject.raw);
  EXPECT_EQ(TextScalar("SELECT reason FROM rejects WHERE line = 9"), "bad_number");
  auto deleted = DeleteRejects(*conn_, 1);
  ASSERT_OK(deleted.status());
  EXPECT_EQ(*deleted, 1u);
}

TEST_P(ReportLoadTest, FastPathNumbersRunsAndSummarisesFromStaging) {
  // Orders in runs, no line_no in the file: the LineNumberer's positions are final.
  const auto [fast, counts] = LoadTryingFast(
      1, 11,
      {Line(2, "A", 0, "2026-01-01", "S1", 1, 10000), Line(3, "A", 0, "2026-01-01", "S2", 2, 2500),
       Line(4, "B", 0, "2026-01-01", "S1", 3, 10000, "C2", ""),
       Line(5, "B", 7, "2026-01-02", "S3", -1, 10000, "", "Toys"),  // line_no from the file
       Line(6, "B", 0, "2026-01-02", "S2", 1, 999, "C2", "Toys")},
      /*number_runs=*/true);
  EXPECT_TRUE(fast);
  EXPECT_EQ(counts.upsert.inserted, 5u);
  EXPECT_EQ(counts.upsert.updated, 0u);
  EXPECT_EQ(counts.duplicates, 0u);
  EXPECT_EQ(counts.numbered, 4u);
  EXPECT_EQ(counts.removed_previous, 0u);
  EXPECT_EQ(counts.dates_refreshed, 2u);
  EXPECT_EQ(LineNo("A", "S1"), 1);
  EXPECT_EQ(LineNo("A", "S2"), 2);
  EXPECT_EQ(LineNo("B", "S1"), 1);
  EXPECT_EQ(LineNo("B", "S3"), 7);
  EXPECT_EQ(LineNo("B", "S2"), 2);
  EXPECT_EQ(Scalar("SELECT customer_count FROM daily_summary WHERE dimension = 'total' AND "
                   "day = '2026-01-02'"),
            1);
  EXPECT_EQ(TextScalar("SELECT revenue FROM daily_summary WHERE dimension = 'total' AND "
                       "day = '2026-01-01'"),
            "4.50");
  ExpectSummariesMatchSales();
}

TEST_P(ReportLoadTest, FastPathBesideAnotherReportOnTheSameDayRecomputesThatDay) {
  LoadReport(1, 11, {Line(2, "A", 1, "2026-01-01", "S1", 1, 10000, "C1")});
  // Report 2 shares the day and the customer but no line: fast, summaries from sales.
  const auto [fast, counts] = LoadTryingFast(2, 12,
                                             {Line(2, "B", 1, "2026-01-01", "S1", 2, 10000, "C1"),
                                              Line(3, "C", 1, "2026-01-03", "S2", 1, 500, "C9")},
                                             /*number_runs=*/false);
  EXPECT_TRUE(fast);
  EXPECT_EQ(counts.upsert.inserted, 2u);
  EXPECT_EQ(counts.numbered, 0u);
  EXPECT_EQ(counts.dates_refreshed, 2u);
  EXPECT_EQ(Scalar("SELECT line_count FROM daily_summary WHERE dimension = 'total' AND "
                   "day = '2026-01-01'"),
            2);
  EXPECT_EQ(Scalar("SELECT customer_count FROM daily_summary WHERE dimension = 'total' AND "
                   "day = '2026-01-01'"),
            1);
  ExpectSummariesMatchSales();
}

TEST_P(ReportLoadTest, FastPathReplacesThePreviousVersion) {
  LoadTryingFast(1, 11,
                 {Line(2, "A", 1, "2026-01-01", "S1", 1, 10000),
                  Line(3, "B", 1, "2026-01-02", "S1", 1, 10000)},
                 false);
  // The corrected version: B moves to another day, A goes, D is new.
  const auto [fast, counts] = LoadTryingFast(
      1, 12,
      {Line(2, "B", 1, "2026-01-05", "S1", 2, 10000), Line(3, "D", 1, "2026-01-02", "S2", 1, 500)},
      false);
  EXPECT_TRUE(fast);
  EXPECT_EQ(counts.removed_previous, 2u);
  EXPECT_EQ(counts.upsert.inserted, 2u);
  EXPECT_EQ(counts.upsert.updated, 0u);
  EXPECT_EQ(counts.dates_refreshed, 3u);  // 01-01 (emptied), 01-02, 01-05
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM daily_summary WHERE day = '2026-01-01'"), 0);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM sales WHERE job_id = 12"), 2);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM sales"), 2);
  ExpectSummariesMatchSales();
}

TEST_P(ReportLoadTest, FallsBackWhenALineOfAnotherReportIsOverwritten) {
  LoadReport(1, 11,
             {Line(2, "A", 1, "2026-01-01", "S1", 1, 10000),
              Line(3, "B", 1, "2026-01-01", "S1", 1, 10000)});
  // B line 1 belongs to report 1: last load wins, counted as updated, old day refreshed.
  const auto [fast, counts] = LoadTryingFast(
      2, 12,
      {Line(2, "B", 0, "2026-01-04", "S1", 3, 10000), Line(3, "E", 0, "2026-01-04", "S2", 1, 500)},
      /*number_runs=*/true);
  EXPECT_FALSE(fast);
  EXPECT_EQ(counts.upsert.inserted, 1u);
  EXPECT_EQ(counts.upsert.updated, 1u);
  EXPECT_EQ(counts.duplicates, 0u);
  EXPECT_EQ(counts.numbered, 2u);
  EXPECT_EQ(counts.dates_refreshed, 2u);
  EXPECT_EQ(Scalar("SELECT report_id FROM sales WHERE order_id = 'B'"), 2);
  EXPECT_EQ(Scalar("SELECT line_count FROM daily_summary WHERE dimension = 'total' AND "
                   "day = '2026-01-01'"),
            1);
  ExpectSummariesMatchSales();
}

TEST_P(ReportLoadTest, FallsBackOnDuplicateLinesInTheFile) {
  const auto [fast, counts] = LoadTryingFast(
      1, 11,
      {Line(2, "A", 1, "2026-01-01", "S1", 1, 10000), Line(3, "A", 2, "2026-01-01", "S2", 1, 100),
       Line(4, "A", 1, "2026-01-02", "S3", 1, 10000)},  // repeats A line 1
      /*number_runs=*/true);
  EXPECT_FALSE(fast);
  EXPECT_EQ(counts.duplicates, 1u);
  EXPECT_EQ(counts.upsert.inserted, 2u);
  EXPECT_EQ(counts.numbered, 0u);
  EXPECT_EQ(counts.dates_refreshed, 1u);
  EXPECT_EQ(TextScalar("SELECT CONCAT(reason, ':', line, ':', message) FROM rejects"),
            "duplicate_line:4:order A line 1 already appears on line 2 of this report");
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM daily_summary WHERE day = '2026-01-02'"), 0);
  ExpectSummariesMatchSales();
}

TEST_P(ReportLoadTest, FallsBackWhenAnOrderComesInTwoRuns) {
  // A, B, A: the numberer restarts A at 1, the collision sends it to the exact numbering,
  // which gives A's lines 1, 2, 3 by position in the whole file.
  const auto [fast, counts] = LoadTryingFast(
      1, 11,
      {Line(2, "A", 0, "2026-01-01", "S1", 1, 10000), Line(3, "B", 0, "2026-01-01", "S2", 1, 100),
       Line(4, "A", 0, "2026-01-01", "S3", 1, 200), Line(5, "A", 0, "2026-01-01", "S4", 1, 300)},
      /*number_runs=*/true);
  EXPECT_FALSE(fast);
  EXPECT_EQ(counts.duplicates, 0u);
  EXPECT_EQ(counts.numbered, 4u);
  EXPECT_EQ(counts.upsert.inserted, 4u);
  EXPECT_EQ(LineNo("A", "S1"), 1);
  EXPECT_EQ(LineNo("A", "S3"), 2);
  EXPECT_EQ(LineNo("A", "S4"), 3);
  EXPECT_EQ(LineNo("B", "S2"), 1);
  ExpectSummariesMatchSales();
}

TEST_P(ReportLoadTest, FallsBackWhenLinesAreNotNumbered) {
  // Without a LineNumberer the staged line_no is NULL: the SQL numbering runs.
  const auto [fast, counts] = LoadTryingFast(
      1, 11,
      {Line(2, "A", 0, "2026-01-01", "S1", 1, 10000), Line(3, "A", 0, "2026-01-01", "S2", 1, 100)},
      /*number_runs=*/false);
  EXPECT_FALSE(fast);
  EXPECT_EQ(counts.numbered, 2u);
  EXPECT_EQ(counts.upsert.inserted, 2u);
  EXPECT_EQ(LineNo("A", "S2"), 2);
  ExpectSummariesMatchSales();
}

// The fast path and the dictionaries work on ranges of 1000000 source lines: lines far apart
// in the file fall into different statements.
TEST_P(ReportLoadTest, FastPathSpansSourceLineRangesWithDenseDictionaries) {
  const auto [fast, counts] =
      LoadTryingFast(1, 11,
                     {Line(2, "A", 0, "2026-01-01", "S1", 1, 10000, "C1"),
                      Line(1000002, "A", 0, "2026-01-01", "S2", 1, 100, "C1"),
                      Line(2000002, "B", 0, "2026-01-02", "S1", 1, 200, "C1"),
                      Line(3000002, "C", 0, "2026-01-02", "S1", 1, 200, "C2")},
                     /*number_runs=*/true);
  EXPECT_TRUE(fast);
  EXPECT_EQ(counts.upsert.inserted, 4u);
  EXPECT_EQ(LineNo("A", "S2"), 2);
  // Later ranges saw the ids earlier ones added: none burnt.
  EXPECT_EQ(Scalar("SELECT MAX(id) - COUNT(*) FROM order_keys"), 0);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM order_keys"), 3);
  EXPECT_EQ(Scalar("SELECT MAX(id) - COUNT(*) FROM customer_keys"), 0);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM customer_keys"), 2);
  ExpectSummariesMatchSales();
}

TEST_P(ReportLoadTest, FallsBackOnARepeatInALaterRange) {
  const auto [fast, counts] = LoadTryingFast(1, 11,
                                             {Line(2, "A", 1, "2026-01-01", "S1", 1, 10000),
                                              Line(2500002, "A", 1, "2026-01-01", "S2", 1, 100)},
                                             /*number_runs=*/true);
  EXPECT_FALSE(fast);
  EXPECT_EQ(counts.duplicates, 1u);
  EXPECT_EQ(counts.upsert.inserted, 1u);
  EXPECT_EQ(Scalar("SELECT source_line FROM sales"), 2);
  ExpectSummariesMatchSales();
}

TEST_P(ReportLoadTest, EmptyReportUnloadsThePreviousVersion) {
  LoadReport(1, 11, {Line(2, "A", 1, "2026-01-01", "S1", 1, 10000)});
  const auto [fast, counts] = LoadTryingFast(1, 12, {}, true);
  EXPECT_TRUE(fast);
  EXPECT_EQ(counts.removed_previous, 1u);
  EXPECT_EQ(counts.upsert.inserted, 0u);
  EXPECT_EQ(counts.dates_refreshed, 1u);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM sales"), 0);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM daily_summary"), 0);
}

INSTANTIATE_TEST_SUITE_P(Paths, ReportLoadTest, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& p) {
                           return p.param ? "InsertFallback" : "LoadData";
                         });

}  // namespace
}  // namespace salesflow::warehouse
