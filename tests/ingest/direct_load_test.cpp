// The direct load through the job runner, against the real MariaDB and s3rver: small chunks
// and frequent summary merges, exact against the generator's manifest, the same summaries as
// the staged path, and a clean stand-down (nothing of the attempt left, progress counted once)
// whenever a line repeats another report's or the rejects need the exact count.
#include <gtest/gtest.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "generator/generate_options.h"
#include "generator/generator.h"
#include "generator/memory_sink.h"
#include "ingest/runner.h"
#include "ingest/stats_fallback.h"
#include "ingest_test_env.h"
#include "warehouse/migrations.h"
#include "warehouse/summary_bitmaps.h"

namespace salesflow::ingest::testing {
namespace {

constexpr size_t kSmallChunkBytes = size_t{16} << 10;
constexpr uint64_t kMergeEveryLines = 1000;

// `days` daily files of about `rows_per_day` good lines in `currencies`, from 2026-10-01.
GeneratedReports GenerateClean(int days, int64_t rows_per_day, std::string currencies,
                               uint64_t seed) {
  generator::GenerateOptions options;
  options.days = days;
  options.rows_per_day = rows_per_day;
  options.seed = seed;
  options.currencies = std::move(currencies);
  options.out_dir = "unused";
  auto config = generator::MakeGenerateConfig(options);
  EXPECT_OK(config.status());
  generator::MemorySink sink;
  auto manifest = generator::GenerateReports(*config, sink);
  EXPECT_OK(manifest.status());
  GeneratedReports out;
  out.files = sink.files();
  out.files.erase(generator::kManifestName);
  if (manifest.ok()) out.manifest = *std::move(manifest);
  return out;
}

// The records of a CSV, header first, each with its line end. A newline inside quotes
// belongs to its field: the generator writes product names with line breaks.
std::vector<std::string_view> SplitRecords(std::string_view csv) {
  std::vector<std::string_view> records;
  bool quoted = false;
  size_t start = 0;
  for (size_t i = 0; i < csv.size(); ++i) {
    if (csv[i] == '"') {
      quoted = !quoted;  // an escaped "" toggles twice
    } else if (csv[i] == '\n' && !quoted) {
      records.push_back(csv.substr(start, i + 1 - start));
      start = i + 1;
    }
  }
  if (start < csv.size()) records.push_back(csv.substr(start));
  return records;
}

// The records of `count` files from the `first` (in name order, i.e. by day) under one header.
std::string Concatenate(const GeneratedReports& reports, size_t first, size_t count) {
  std::string csv;
  size_t index = 0;
  for (const auto& [name, bytes] : reports.files) {
    if (index >= first && index < first + count) {
      const std::vector<std::string_view> records = SplitRecords(bytes);
      for (size_t r = csv.empty() ? 0 : 1; r < records.size(); ++r) csv += records[r];
    }
    ++index;
  }
  return csv;
}

// `count` records of `csv` (header excluded) starting at record `first`.
std::string Records(const std::string& csv, size_t first, size_t count) {
  const std::vector<std::string_view> records = SplitRecords(csv);
  std::string out;
  for (size_t r = 1 + first; r < 1 + first + count; ++r) out += records.at(r);
  return out;
}

// `csv` with `bad` inserted after every `every` records, `times` times.
std::string WithBadRecords(const std::string& csv, const std::string& bad, size_t every,
                           size_t times) {
  const std::vector<std::string_view> records = SplitRecords(csv);
  std::string out(records.at(0));
  size_t inserted = 0;
  for (size_t r = 1; r < records.size(); ++r) {
    out += records[r];
    if (r % every == 0 && inserted < times) {
      out += bad;
      ++inserted;
    }
  }
  EXPECT_EQ(inserted, times) << "the report is too short for the bad records asked";
  return out;
}

// The records of `csv` dealt round-robin into `parts` reports under its header: every part
// has lines of every day, and orders are split across parts.
std::vector<std::string> Deal(const std::string& csv, size_t parts) {
  const std::vector<std::string_view> records = SplitRecords(csv);
  std::vector<std::string> out(parts, std::string(records.at(0)));
  for (size_t r = 1; r < records.size(); ++r) out[(r - 1) % parts] += records[r];
  return out;
}

// Per currency, the sums of the files' totals; distinct customers do not add up across days,
// so they are left out (compared against sales by the summaries check instead).
Totals SummedTotalsWithoutCustomers(const generator::Manifest& manifest, size_t first,
                                    size_t count) {
  Totals totals;
  for (size_t i = first; i < first + count; ++i) {
    for (const auto& [currency, file] : manifest.files.at(i).totals) {
      generator::CurrencyTotals& sum = totals[currency];
      sum.revenue += file.revenue;
      sum.lines += file.lines;
      sum.units += file.units;
      sum.orders += file.orders;  // order ids embed their day: distinct across files
    }
  }
  return totals;
}

class DirectLoadTest : public IngestTest {
 protected:
  void SetUp() override {
    CaptureLog();
    IngestTest::SetUp();
    if (HasFatalFailure()) return;
    engine_ = OpenEngine();
    ASSERT_NE(engine_, nullptr);
  }
  void TearDown() override {
    engine_.reset();
    IngestTest::TearDown();
    ReleaseLog();
  }

  // A fresh capture of the runner's log lines. REQUIRES: no other thread logs meanwhile (the
  // logger's sink list is not synchronised).
  void CaptureLog() {
    ReleaseLog();
    log_ = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(1000);
    spdlog::default_logger()->sinks().push_back(log_);
  }
  void ReleaseLog() {
    if (log_ == nullptr) return;
    auto& sinks = spdlog::default_logger()->sinks();
    sinks.erase(std::remove(sinks.begin(), sinks.end(), log_), sinks.end());
    log_.reset();
  }

  // Small chunks and frequent merges: a report of a few thousand lines goes through many
  // LOAD DATA statements, dictionary batches and summary merges.
  RunnerOptions SmallSteps(bool direct_load) const {
    RunnerOptions options = MakeWorkerConfig("").runner;
    options.direct_load = direct_load;
    options.chunk_bytes = kSmallChunkBytes;
    options.merge_every_lines = kMergeEveryLines;
    return options;
  }

  JobRecord Run(const std::string& key, const RunnerOptions& runner, JobOptions options = {}) {
    WorkerConfig config = MakeWorkerConfig("direct-test-worker");
    config.runner = runner;
    Worker worker(db_, &engine_->store(), config);
    ProcessSpec spec;
    spec.keys = {key};
    spec.options = std::move(options);
    auto jobs = engine_->EnqueueProcess(spec);
    EXPECT_OK(jobs.status());
    if (!jobs.ok() || jobs->size() != 1) return {};
    return RunUntilFinal(*engine_, jobs->front().id, &worker);
  }

  // How the runner logged job `id`'s load: "direct", "fast path", "exact path", or "".
  std::string AppliedBy(JobId id) const {
    for (const std::string& line : log_->last_formatted()) {
      if (line.find(fmt::format("job {}: streamed", id)) == std::string::npos) continue;
      for (const char* path : {"direct", "fast path", "exact path"}) {
        if (line.find(fmt::format("applied ({})", path)) != std::string::npos) return path;
      }
    }
    return "";
  }
  bool StoodDown(JobId id) const {
    const std::string wanted = fmt::format("job {}: the direct load stands down", id);
    const auto lines = log_->last_formatted();
    return std::any_of(lines.begin(), lines.end(), [&](const std::string& line) {
      return line.find(wanted) != std::string::npos;
    });
  }

  // daily_summary without its bitmaps (whose keys depend on the order ids met the
  // dictionaries), after checking that every row has bitmaps of its counts' cardinalities.
  std::vector<warehouse::QueryResult::Row> SummaryRows() {
    warehouse::Connection connection = Connect();
    auto rows = connection.Query(
        "SELECT dimension, currency, day, dim_value, revenue, line_count, units, order_count, "
        "customer_count, orders, customers FROM daily_summary "
        "ORDER BY dimension, currency, day, dim_value");
    EXPECT_OK(rows.status());
    if (!rows.ok()) return {};
    for (size_t i = 0; i < rows->rows.size(); ++i) {
      for (size_t set = 0; set < 2; ++set) {
        EXPECT_FALSE(rows->IsNull(i, 9 + set)) << "summary row " << i << " has no bitmap";
        auto bitmap = warehouse::Bitmap::Deserialize(rows->Text(i, 9 + set));
        EXPECT_OK(bitmap.status());
        if (bitmap.ok()) {
          EXPECT_EQ(bitmap->Cardinality(), static_cast<uint64_t>(rows->Int(i, 7 + set)))
              << "summary row " << i;
        }
      }
      rows->rows[i].resize(9);
    }
    return std::move(rows->rows);
  }

  // Every stats grouping in every currency: from the summaries (bitmap unions over days)
  // exactly what a GROUP BY over sales says.
  void ExpectStatsEqualGroupBy(const std::vector<std::string>& currencies) {
    warehouse::Connection connection = Connect();
    for (const std::string& currency : currencies) {
      for (StatsGrouping grouping : kAllStatsGroupings) {
        StatsRequest request;
        request.group_by = grouping;
        request.currency = currency;
        ExpectStatsEqualNaive(*engine_, connection, request,
                              fmt::format("{} grouping {}", currency, static_cast<int>(grouping)));
      }
    }
  }

  // Every sales row's dictionary keys stand for its own ids.
  void ExpectKeysMatchIds() {
    EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM sales s LEFT JOIN order_keys k ON k.id = s.order_key "
                       "LEFT JOIN customer_keys c ON c.id = s.customer_key WHERE "
                       "k.order_id IS NULL OR k.order_id <> s.order_id OR "
                       "NOT (c.customer_id <=> s.customer_id)"),
              0);
  }

  // A fresh, migrated database for the rest of the test (the object store stays). Job ids
  // start again at 1, so the log capture starts again too.
  void RecreateDatabase() {
    engine_.reset();
    CaptureLog();
    warehouse::Connection connection = Connect();
    ASSERT_OK(connection.Execute("DROP DATABASE " +
                                 warehouse::Connection::QuoteIdentifier(db_.database)));
    ASSERT_OK(warehouse::Migrate(db_));
    engine_ = OpenEngine();
    ASSERT_NE(engine_, nullptr);
  }

  void ExpectStandDownOnAnotherReportsLines(bool insert_fallback);

  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> log_;
  std::unique_ptr<Engine> engine_;
};

void ExpectAccountedFor(const JobRecord& job) {
  EXPECT_EQ(job.counts.rows_read,
            job.counts.rows_loaded + job.counts.rows_updated + job.counts.rows_rejected)
      << "job " << job.id << " does not account for every row";
}

constexpr std::string_view kZeroQuantity =
    "BAD-1,1,2026-10-02T10:00:00,C1,SKU-1,Thing,Things,0,1.00,0,USD,US,North America,web,card\n";

TEST_F(DirectLoadTest, AMultiDayReportLoadsExactlyAndSummarisesAsTheStagedPathDoes) {
  const GeneratedReports reports = GenerateClean(4, 1500, "USD,EUR", 31);
  ASSERT_EQ(reports.files.size(), 4u);
  // Rejects in between: their chunks interleave with the sales chunks and the merges.
  const std::string csv = WithBadRecords(Concatenate(reports, 0, 4), std::string(kZeroQuantity),
                                         /*every=*/500, /*times=*/10);
  Upload("month.csv", csv);
  const int64_t good = reports.manifest.lines;
  ASSERT_GT(good, 5000);

  JobRecord direct = Run("month.csv", SmallSteps(/*direct_load=*/true));
  ASSERT_EQ(direct.state, JobState::kSucceeded) << direct.error;
  EXPECT_EQ(AppliedBy(direct.id), "direct");
  EXPECT_FALSE(StoodDown(direct.id));
  EXPECT_EQ(direct.outcome, JobOutcome::kLoaded);
  EXPECT_EQ(direct.counts.rows_read, good + 10);
  EXPECT_EQ(direct.counts.rows_loaded, good);
  EXPECT_EQ(direct.counts.rows_updated, 0);
  EXPECT_EQ(direct.counts.rows_rejected, 10);
  EXPECT_EQ(direct.counts.bytes_read, static_cast<int64_t>(csv.size()));
  ExpectAccountedFor(direct);
  EXPECT_EQ(SalesTotals(), reports.manifest.totals);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM rejects WHERE reason = 'zero_quantity'"), 10);
  ExpectSummariesMatchSales();
  ExpectStatsEqualGroupBy({"USD", "EUR"});
  ExpectKeysMatchIds();
  const auto summaries = SummaryRows();
  ASSERT_GT(summaries.size(), 100u);

  // The staged path on a fresh warehouse: the same daily_summary, row for row.
  RecreateDatabase();
  JobRecord staged = Run("month.csv", SmallSteps(/*direct_load=*/false));
  ASSERT_EQ(staged.state, JobState::kSucceeded) << staged.error;
  EXPECT_NE(AppliedBy(staged.id), "direct");
  EXPECT_NE(AppliedBy(staged.id), "");
  EXPECT_EQ(staged.counts.rows_loaded, good);
  EXPECT_EQ(staged.counts.rows_rejected, 10);
  EXPECT_EQ(SalesTotals(), reports.manifest.totals);
  EXPECT_EQ(SummaryRows(), summaries);
}

// b.csv repeats 20 lines of a.csv at its end: the direct attempt has merged summaries into
// rows a.csv wrote before the repeat shows; it stands down and the staged path counts exactly.
void DirectLoadTest::ExpectStandDownOnAnotherReportsLines(bool insert_fallback) {
  RunnerOptions runner = SmallSteps(true);
  runner.force_insert_fallback = insert_fallback;
  const GeneratedReports reports = GenerateClean(3, 1500, "USD", 37);
  ASSERT_EQ(reports.files.size(), 3u);
  const std::string first = Concatenate(reports, 0, 2);
  Upload("a.csv", first);
  JobRecord a = Run("a.csv", runner);
  ASSERT_EQ(a.state, JobState::kSucceeded) << a.error;
  EXPECT_EQ(AppliedBy(a.id), "direct");

  const std::string b_csv = Concatenate(reports, 2, 1) + Records(first, 100, 20);
  Upload("b.csv", b_csv);
  const int64_t day3 = reports.manifest.files.at(2).lines;
  JobRecord b = Run("b.csv", runner);
  ASSERT_EQ(b.state, JobState::kSucceeded) << b.error;
  EXPECT_TRUE(StoodDown(b.id));
  EXPECT_NE(AppliedBy(b.id), "direct");
  EXPECT_EQ(b.outcome, JobOutcome::kLoaded);
  EXPECT_EQ(b.counts.rows_read, day3 + 20);
  EXPECT_EQ(b.counts.rows_loaded, day3);
  EXPECT_EQ(b.counts.rows_updated, 20) << "last load wins, counted once";
  EXPECT_EQ(b.counts.rows_rejected, 0);
  EXPECT_EQ(b.counts.bytes_read, static_cast<int64_t>(b_csv.size()))
      << "the staged path's re-read is not added to the direct attempt's";
  ExpectAccountedFor(b);
  EXPECT_EQ(SalesTotals(), reports.manifest.totals) << "the same lines, nothing twice";
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM sales"), reports.manifest.lines);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM sales WHERE report_id = (SELECT id FROM reports "
                     "WHERE report_key = 'b.csv') AND order_date = '2026-10-01'"),
            20);
  ExpectSummariesMatchSales();
  ExpectStatsEqualGroupBy({"USD"});
  ExpectKeysMatchIds();
}

TEST_F(DirectLoadTest, ALineOfAnotherReportMakesItStandDownAndTheStagedPathCountsUpdates) {
  ExpectStandDownOnAnotherReportsLines(/*insert_fallback=*/false);
}

TEST_F(DirectLoadTest, WithBatchedInsertsALineOfAnotherReportMakesItStandDownToo) {
  ExpectStandDownOnAnotherReportsLines(/*insert_fallback=*/true);
}

TEST_F(DirectLoadTest, LinesWithoutNumbersAreNumberedByRunAndAnOrderInTwoRunsStandsDown) {
  constexpr std::string_view kNoLineNo =
      "order_id,order_date,sku,quantity,unit_price,customer_id\n";
  Upload("runs.csv", std::string(kNoLineNo) +
                         "A,2026-10-01,S1,1,1.00,C1\n"
                         "A,2026-10-01,S2,2,1.00,C1\n"
                         "A,2026-10-01,S3,3,1.00,C1\n"
                         "B,2026-10-01,S1,1,2.00,C2\n"
                         "B,2026-10-02,S2,1,2.00,C2\n");
  JobRecord runs = Run("runs.csv", SmallSteps(true));
  ASSERT_EQ(runs.state, JobState::kSucceeded) << runs.error;
  EXPECT_EQ(AppliedBy(runs.id), "direct");
  EXPECT_EQ(runs.counts.rows_loaded, 5);
  EXPECT_EQ(QueryInt("SELECT line_no FROM sales WHERE order_id = 'A' AND sku = 'S3'"), 3);
  EXPECT_EQ(QueryInt("SELECT line_no FROM sales WHERE order_id = 'B' AND sku = 'S2'"), 2);

  // X comes back after Y: numbered by run, its second run collides with its first.
  Upload("split.csv", std::string(kNoLineNo) +
                          "X,2026-10-03,S1,1,1.00,C1\n"
                          "Y,2026-10-03,S1,1,1.00,C2\n"
                          "X,2026-10-03,S2,1,1.00,C1\n"
                          "X,2026-10-03,S3,1,1.00,C1\n");
  JobRecord split = Run("split.csv", SmallSteps(true));
  ASSERT_EQ(split.state, JobState::kSucceeded) << split.error;
  EXPECT_TRUE(StoodDown(split.id));
  EXPECT_EQ(split.counts.rows_loaded, 4);
  EXPECT_EQ(split.counts.rows_rejected, 0);
  EXPECT_EQ(QueryInt("SELECT line_no FROM sales WHERE order_id = 'X' AND sku = 'S2'"), 2)
      << "numbered by position in the whole file";
  EXPECT_EQ(QueryInt("SELECT line_no FROM sales WHERE order_id = 'X' AND sku = 'S3'"), 3);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM sales"), 9);
  ExpectSummariesMatchSales();
  ExpectKeysMatchIds();
}

// Two workers load four reports on the same days at once: the apply lock serialises their
// merges, so every union sees the rows the others committed.
TEST_F(DirectLoadTest, ConcurrentDirectLoadsOfTheSameDaysMergeExactly) {
  const GeneratedReports reports = GenerateClean(2, 1200, "USD,EUR", 47);
  const std::vector<std::string> parts = Deal(Concatenate(reports, 0, 2), 4);
  for (size_t i = 0; i < parts.size(); ++i) Upload(fmt::format("part-{}.csv", i), parts[i]);
  engine_.reset();
  EngineOptions options = Options(/*workers=*/2);
  options.worker.runner = SmallSteps(true);
  auto engine = Engine::Create(db_, OpenStore(), options);
  ASSERT_OK(engine.status());
  engine_ = std::move(engine).value();
  ProcessSpec pending;
  pending.pending = true;
  auto jobs = engine_->EnqueueProcess(pending);
  ASSERT_OK(jobs.status());
  ASSERT_EQ(jobs->size(), parts.size());
  std::vector<JobId> ids;
  for (const JobRecord& job : *jobs) ids.push_back(job.id);
  auto done = engine_->WaitForJobs(ids, std::chrono::seconds(120));
  ASSERT_OK(done.status());
  for (const JobRecord& job : *done) {
    ASSERT_EQ(job.state, JobState::kSucceeded) << job.error;
    EXPECT_EQ(job.counts.rows_updated, 0);
    EXPECT_EQ(AppliedBy(job.id), "direct") << job.key;
  }
  EXPECT_EQ(SalesTotals(), reports.manifest.totals);
  ExpectSummariesMatchSales();
  ExpectStatsEqualGroupBy({"USD", "EUR"});
  ExpectKeysMatchIds();
  EXPECT_GT(SummaryRows().size(), 50u);
}

TEST_F(DirectLoadTest, ACorrectedReportReplacesItsDaysDirectly) {
  const GeneratedReports reports = GenerateClean(3, 1200, "USD,EUR", 41);
  Upload("r.csv", Concatenate(reports, 0, 2));
  ASSERT_EQ(Run("r.csv", SmallSteps(true)).outcome, JobOutcome::kLoaded);
  // The corrected version drops day 1 and adds day 3: day 1 empties, day 2 is recomputed
  // (the old version's days are skipped by the merges), day 3 is merged.
  const std::string corrected = Concatenate(reports, 1, 2);
  Upload("r.csv", corrected);
  JobRecord job = Run("r.csv", SmallSteps(true));
  ASSERT_EQ(job.state, JobState::kSucceeded) << job.error;
  EXPECT_EQ(AppliedBy(job.id), "direct");
  EXPECT_EQ(job.outcome, JobOutcome::kReplaced);
  const int64_t lines = reports.manifest.files.at(1).lines + reports.manifest.files.at(2).lines;
  EXPECT_EQ(job.counts.rows_loaded, lines);
  EXPECT_EQ(job.counts.rows_updated, 0) << "its own previous lines are replaced, not updated";
  ExpectAccountedFor(job);
  Totals totals = SalesTotals();
  for (auto& [currency, figures] : totals) figures.customers = 0;
  EXPECT_EQ(totals, SummedTotalsWithoutCustomers(reports.manifest, 1, 2));
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM daily_summary WHERE day = '2026-10-01'"), 0);
  ExpectSummariesMatchSales();
  ExpectStatsEqualGroupBy({"USD", "EUR"});
}

TEST_F(DirectLoadTest, TooManyRejectsStandDownOnceAndTheFailureCountsEachRowOnce) {
  const GeneratedReports reports = GenerateClean(2, 1000, "USD", 43);
  const std::string csv = WithBadRecords(Concatenate(reports, 0, 2), std::string(kZeroQuantity),
                                         /*every=*/40, /*times=*/40);
  Upload("bad.csv", csv);
  const int64_t rows = reports.manifest.lines + 40;
  JobRecord job = Run("bad.csv", SmallSteps(true));
  ASSERT_EQ(job.state, JobState::kFailed);
  EXPECT_TRUE(StoodDown(job.id)) << "the exact reject count is the staged path's";
  EXPECT_NE(job.error.find(fmt::format("40 of {} rows rejected", rows)), std::string::npos)
      << job.error;
  EXPECT_EQ(job.counts.rows_read, rows) << "read twice, counted once";
  EXPECT_EQ(job.counts.rows_rejected, rows);
  EXPECT_EQ(job.counts.bytes_read, static_cast<int64_t>(csv.size()));
  ExpectAccountedFor(job);
  // The attempt's rows and merged summaries are gone; its rejects stay for the download.
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM sales"), 0);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM daily_summary"), 0);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM rejects"), 40);
}

}  // namespace
}  // namespace salesflow::ingest::testing
