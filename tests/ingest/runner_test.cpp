// The job runner end to end against the real MariaDB and s3rver: every outcome of
// DESIGN.md "Report processing semantics", with exact counts and money to the cent.
#include "ingest/runner.h"

#include <gtest/gtest.h>

#include "ingest/content_hash.h"
#include "ingest_test_env.h"

namespace salesflow::ingest::testing {
namespace {

constexpr std::string_view kHeader =
    "order_id,line_no,order_date,sku,quantity,unit_price,product_name,customer_id\n";

class RunnerTest : public IngestTest {
 protected:
  void SetUp() override {
    IngestTest::SetUp();
    if (HasFatalFailure()) return;
    engine_ = OpenEngine();
    ASSERT_NE(engine_, nullptr);
  }
  void TearDown() override {
    engine_.reset();
    IngestTest::TearDown();
  }
  // Revenue of all of sales, in cents, per currency USD.
  int64_t RevenueCents() {
    Totals totals = SalesTotals();
    return totals.count("USD") ? totals["USD"].revenue.cents : 0;
  }
  std::unique_ptr<Engine> engine_;
};

void ExpectInvariant(const JobRecord& job) {
  EXPECT_EQ(job.counts.rows_read,
            job.counts.rows_loaded + job.counts.rows_updated + job.counts.rows_rejected)
      << "job " << job.id << " does not account for every row";
}

TEST_F(RunnerTest, LoadsAGeneratedReportExactlyAndTheSummariesFollow) {
  GeneratedReports reports = Generate(1, 5000, 11, /*dirty_rate=*/0.005);
  ASSERT_EQ(reports.files.size(), 1u);
  const auto& [name, bytes] = *reports.files.begin();
  Upload(name, bytes);
  const generator::FileManifest& file = reports.manifest.files.front();

  JobRecord job = Process(*engine_, name);
  ASSERT_EQ(job.state, JobState::kSucceeded) << job.error;
  EXPECT_EQ(job.outcome, JobOutcome::kLoaded);
  EXPECT_EQ(job.counts.rows_read, file.lines);
  EXPECT_EQ(job.counts.rows_rejected, file.bad_lines);
  EXPECT_EQ(job.counts.rows_loaded, file.lines - file.bad_lines);
  EXPECT_EQ(job.counts.rows_updated, 0);
  EXPECT_EQ(job.counts.bytes_read, static_cast<int64_t>(bytes.size()));
  EXPECT_EQ(job.counts.bytes_total, static_cast<int64_t>(bytes.size()));
  ExpectInvariant(job);
  EXPECT_EQ(SalesTotals(), file.totals);
  ExpectSummariesMatchSales();
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM rejects"), file.bad_lines);

  auto listing = engine_->ListReports("", "", 100);
  ASSERT_OK(listing.status());
  ASSERT_EQ(listing->reports.size(), 1u);
  EXPECT_EQ(listing->reports[0].state, ReportState::kLoaded);
  EXPECT_EQ(listing->reports[0].rows_loaded, file.lines - file.bad_lines);
  EXPECT_EQ(listing->reports[0].rows_rejected, file.bad_lines);
  EXPECT_EQ(listing->reports[0].last_job_id, job.id);

  // The rejects download lists every rejected row, in line order.
  auto rejects = engine_->OpenRejects(name);
  ASSERT_OK(rejects.status());
  int64_t count = 0;
  int64_t last_line = 0;
  core::RejectedRow row;
  for (;;) {
    auto more = (*rejects)->Next(&row);
    ASSERT_OK(more.status());
    if (!*more) break;
    EXPECT_GE(row.line, last_line);
    last_line = row.line;
    ++count;
  }
  EXPECT_EQ(count, file.bad_lines);
}

TEST_F(RunnerTest, TheSameReportTwiceIsUnchangedWithoutReadingIt) {
  const std::string csv = std::string(kHeader) + "O1,1,2026-10-01,S1,2,10.00,Pen,C1\n";
  Upload("day.csv", csv);
  JobRecord first = Process(*engine_, "day.csv");
  ASSERT_EQ(first.outcome, JobOutcome::kLoaded) << first.error;
  JobRecord second = Process(*engine_, "day.csv");
  ASSERT_EQ(second.state, JobState::kSucceeded) << second.error;
  EXPECT_EQ(second.outcome, JobOutcome::kUnchanged);
  EXPECT_EQ(second.counts.bytes_read, 0) << "decided from ETag and size, without reading";
  ExpectInvariant(second);
  EXPECT_EQ(RevenueCents(), 2000);

  // Same content under a new ETag (e.g. a multipart re-upload): decided by SHA-256.
  ASSERT_OK(Connect().Execute("UPDATE reports SET etag = 'stale' WHERE report_key = 'day.csv'"));
  JobRecord third = Process(*engine_, "day.csv");
  ASSERT_EQ(third.state, JobState::kSucceeded) << third.error;
  EXPECT_EQ(third.outcome, JobOutcome::kUnchanged);
  EXPECT_EQ(third.counts.bytes_read, static_cast<int64_t>(csv.size()));
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM reports WHERE etag = 'stale'"), 0)
      << "the ledger learns the new ETag";
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM sales"), 1);
  EXPECT_EQ(RevenueCents(), 2000);
  ExpectSummariesMatchSales();
}

TEST_F(RunnerTest, AChangedReportReplacesItsRowsAndRejects) {
  Upload("day.csv", std::string(kHeader) +
                        "O1,1,2026-10-01,S1,2,10.00,Pen,C1\n"
                        "O1,2,2026-10-01,S2,1,5.50,Ink,C1\n"
                        "O2,1,2026-10-02,S1,1,10.00,Pen,C2\n");
  ASSERT_EQ(Process(*engine_, "day.csv").outcome, JobOutcome::kLoaded);
  EXPECT_EQ(RevenueCents(), 3550);
  // Corrected: O1 line 2 removed, O2 changed, O3 new, one bad row.
  Upload("day.csv", std::string(kHeader) +
                        "O1,1,2026-10-01,S1,2,10.00,Pen,C1\n"
                        "O2,1,2026-10-02,S1,3,10.00,Pen,C2\n"
                        "O3,1,2026-10-03,S3,1,0.99,Clip,C3\n");
  auto listing = engine_->ListReports("", "", 10);
  ASSERT_OK(listing.status());
  EXPECT_EQ(listing->reports.at(0).state, ReportState::kChanged);
  JobRecord job = Process(*engine_, "day.csv");
  ASSERT_EQ(job.state, JobState::kSucceeded) << job.error;
  EXPECT_EQ(job.outcome, JobOutcome::kReplaced);
  EXPECT_EQ(job.counts.rows_loaded, 3);
  EXPECT_EQ(job.counts.rows_updated, 0) << "its own previous lines are replaced, not updated";
  ExpectInvariant(job);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM sales"), 3);
  EXPECT_EQ(RevenueCents(), 2000 + 3000 + 99);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM sales WHERE order_id = 'O1' AND line_no = 2"), 0);
  ExpectSummariesMatchSales();
}

TEST_F(RunnerTest, TheSameFileUnderAnotherNameIsADuplicateUnlessForced) {
  const std::string csv = std::string(kHeader) +
                          "O1,1,2026-10-01,S1,2,10.00,Pen,C1\n"
                          "O2,1,2026-10-01,S1,1,10.00,Pen,C2\n";
  Upload("day.csv", csv);
  Upload("day (1).csv", csv);
  ASSERT_EQ(Process(*engine_, "day.csv").outcome, JobOutcome::kLoaded);
  JobRecord duplicate = Process(*engine_, "day (1).csv");
  ASSERT_EQ(duplicate.state, JobState::kSucceeded) << duplicate.error;
  EXPECT_EQ(duplicate.outcome, JobOutcome::kDuplicate);
  EXPECT_EQ(duplicate.duplicate_of, "day.csv");
  ExpectInvariant(duplicate);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM sales"), 2);
  auto listing = engine_->ListReports("", "", 10);
  ASSERT_OK(listing.status());
  for (const ReportEntry& entry : listing->reports) {
    EXPECT_EQ(entry.state, ReportState::kLoaded) << entry.object.key;
  }

  JobOptions force;
  force.force = true;
  JobRecord forced = Process(*engine_, "day (1).csv", force);
  ASSERT_EQ(forced.state, JobState::kSucceeded) << forced.error;
  EXPECT_EQ(forced.outcome, JobOutcome::kReplaced);
  EXPECT_EQ(forced.counts.rows_updated, 2) << "the lines were day.csv's: last load wins";
  EXPECT_EQ(forced.counts.rows_loaded, 0);
  ExpectInvariant(forced);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM sales"), 2) << "never counted twice";
  EXPECT_EQ(RevenueCents(), 3000);
  ExpectSummariesMatchSales();

  // Forcing an unchanged report reloads it as a replace.
  JobRecord again = Process(*engine_, "day (1).csv", force);
  EXPECT_EQ(again.outcome, JobOutcome::kReplaced);
  EXPECT_EQ(again.counts.rows_loaded, 2);
  EXPECT_EQ(again.counts.rows_updated, 0);
}

TEST_F(RunnerTest, OverlappingLinesAcrossReportsLastLoadWinsNoDoubleCount) {
  Upload("a.csv", std::string(kHeader) +
                      "O1,1,2026-10-01,S1,1,10.00,Pen,C1\n"
                      "O2,1,2026-10-01,S1,1,10.00,Pen,C2\n");
  Upload("b.csv", std::string(kHeader) +
                      "O2,1,2026-10-02,S1,4,10.00,Pen,C2\n"  // O2 corrected, moved a day
                      "O3,1,2026-10-02,S2,1,1.25,Ink,C3\n");
  ASSERT_EQ(Process(*engine_, "a.csv").outcome, JobOutcome::kLoaded);
  JobRecord b = Process(*engine_, "b.csv");
  ASSERT_EQ(b.state, JobState::kSucceeded) << b.error;
  EXPECT_EQ(b.outcome, JobOutcome::kLoaded);
  EXPECT_EQ(b.counts.rows_loaded, 1);
  EXPECT_EQ(b.counts.rows_updated, 1);
  ExpectInvariant(b);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM sales"), 3);
  EXPECT_EQ(RevenueCents(), 1000 + 4000 + 125);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM daily_summary WHERE dimension = 'total' AND "
                     "day = '2026-10-01' AND line_count = 1"),
            1)
      << "the day the line left is recomputed too";
  ExpectSummariesMatchSales();
}

TEST_F(RunnerTest, TooManyRejectsFailTheJobAndLeaveTheWarehouseUntouched) {
  Upload("good.csv", std::string(kHeader) + "G1,1,2026-10-01,S1,1,7.00,Pen,C1\n");
  ASSERT_EQ(Process(*engine_, "good.csv").outcome, JobOutcome::kLoaded);
  const int64_t summaries = QueryInt("SELECT COUNT(*) FROM daily_summary");
  Upload("bad.csv", std::string(kHeader) +
                        "B1,1,2026-10-01,S1,1,1.00,Pen,C1\n"
                        "B2,1,not-a-date,S1,1,1.00,Pen,C1\n"
                        "B3,1,2026-10-01,S1,0,1.00,Pen,C1\n"
                        "B4,1,2026-10-01,S1,1,1.00,Pen,C1\n"
                        "B4,1,2026-10-01,S1,1,1.00,Pen,C1\n");
  JobRecord job = Process(*engine_, "bad.csv");
  ASSERT_EQ(job.state, JobState::kFailed);
  EXPECT_FALSE(job.outcome.has_value());
  EXPECT_NE(job.error.find("3 of 5 rows rejected"), std::string::npos) << job.error;
  EXPECT_NE(job.error.find("bad_date 1 (line 3)"), std::string::npos) << job.error;
  EXPECT_NE(job.error.find("zero_quantity 1 (line 4)"), std::string::npos) << job.error;
  EXPECT_NE(job.error.find("duplicate_line 1 (line 6)"), std::string::npos) << job.error;
  ExpectInvariant(job);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM sales"), 1);
  EXPECT_EQ(RevenueCents(), 700);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM daily_summary"), summaries);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM reports WHERE status = 'loaded'"), 1);
  ExpectSummariesMatchSales();
  // The failed job's rejects are there to download.
  auto rejects = engine_->OpenRejects("bad.csv");
  ASSERT_OK(rejects.status());
  std::vector<int64_t> lines;
  core::RejectedRow row;
  while (true) {
    auto more = (*rejects)->Next(&row);
    ASSERT_OK(more.status());
    if (!*more) break;
    lines.push_back(row.line);
  }
  EXPECT_EQ(lines, (std::vector<int64_t>{3, 4, 6}));
  auto listing = engine_->ListReports("bad", "", 10);
  ASSERT_OK(listing.status());
  EXPECT_EQ(listing->reports.at(0).state, ReportState::kFailed);

  // A higher ratio for this request lets it through.
  JobOptions lenient;
  lenient.max_reject_ratio = 0.75;
  JobRecord retry = Process(*engine_, "bad.csv", lenient);
  ASSERT_EQ(retry.state, JobState::kSucceeded) << retry.error;
  EXPECT_EQ(retry.counts.rows_loaded, 2);
  EXPECT_EQ(retry.counts.rows_rejected, 3);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM rejects"), 3) << "the failed job's rejects are gone";
}

TEST_F(RunnerTest, AHeaderWithoutRequiredColumnsFailsWithTheReadersMessage) {
  Upload("bad-header.csv", "order,date,what\n1,2,3\n");
  JobRecord job = Process(*engine_, "bad-header.csv");
  ASSERT_EQ(job.state, JobState::kFailed);
  EXPECT_NE(job.error.find("order_id"), std::string::npos) << job.error;
  EXPECT_EQ(job.attempts, 1) << "a bad file is not retried";
  ExpectInvariant(job);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM sales"), 0);
}

TEST_F(RunnerTest, ADryRunValidatesEverythingAndWritesNothing) {
  Upload("a.csv", std::string(kHeader) + "O1,1,2026-10-01,S1,1,10.00,Pen,C1\n");
  ASSERT_EQ(Process(*engine_, "a.csv").outcome, JobOutcome::kLoaded);
  Upload("b.csv", std::string(kHeader) +
                      "O1,1,2026-10-01,S1,2,10.00,Pen,C1\n"
                      "O9,1,2026-10-01,S1,1,10.00,Pen,C1\n"
                      "O9,1,2026-10-01,S1,1,10.00,Pen,C1\n");
  const int64_t jobs_before = QueryInt("SELECT COUNT(*) FROM reports");
  JobOptions dry;
  dry.dry_run = true;
  dry.max_reject_ratio = 0.5;
  JobRecord job = Process(*engine_, "b.csv", dry);
  ASSERT_EQ(job.state, JobState::kSucceeded) << job.error;
  EXPECT_EQ(job.outcome, JobOutcome::kDryRun);
  EXPECT_EQ(job.counts.rows_read, 3);
  EXPECT_EQ(job.counts.rows_loaded, 1);
  EXPECT_EQ(job.counts.rows_updated, 1);
  EXPECT_EQ(job.counts.rows_rejected, 1);
  ExpectInvariant(job);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM sales"), 1);
  EXPECT_EQ(RevenueCents(), 1000);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM reports"), jobs_before) << "no ledger row";
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM rejects"), 0);
  auto listing = engine_->ListReports("b", "", 10);
  ASSERT_OK(listing.status());
  EXPECT_EQ(listing->reports.at(0).state, ReportState::kNew) << "a dry run is not a load";
}

TEST_F(RunnerTest, UnloadRemovesTheReportAtomicallyAndItCanComeBack) {
  Upload("a.csv", std::string(kHeader) + "O1,1,2026-10-01,S1,1,10.00,Pen,C1\n");
  Upload("b.csv", std::string(kHeader) +
                      "O2,1,2026-10-01,S1,1,3.00,Pen,C2\n"
                      "O3,1,2026-10-02,S1,1,4.00,Pen,C3\n"
                      "bad,1,2026-10-02,S1,0,4.00,Pen,C3\n");
  ASSERT_EQ(Process(*engine_, "a.csv").outcome, JobOutcome::kLoaded);
  JobOptions lenient;
  lenient.max_reject_ratio = 0.5;
  ASSERT_EQ(Process(*engine_, "b.csv", lenient).outcome, JobOutcome::kLoaded);
  auto unloaded = engine_->UnloadReport("b.csv");
  ASSERT_OK(unloaded.status());
  EXPECT_EQ(unloaded->rows_deleted, 2);
  EXPECT_EQ(RevenueCents(), 1000);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM rejects"), 0);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM daily_summary WHERE day = '2026-10-02'"), 0);
  ExpectSummariesMatchSales();
  auto listing = engine_->ListReports("b", "", 10);
  ASSERT_OK(listing.status());
  EXPECT_EQ(listing->reports.at(0).state, ReportState::kNew);
  EXPECT_EQ(engine_->UnloadReport("b.csv").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(engine_->UnloadReport("never.csv").status().code(), StatusCode::kNotFound);
  JobRecord back = Process(*engine_, "b.csv", lenient);
  EXPECT_EQ(back.outcome, JobOutcome::kLoaded);
  EXPECT_EQ(RevenueCents(), 1700);
}

TEST_F(RunnerTest, TheInsertFallbackLoadsTheSameNumbers) {
  engine_ = OpenEngine(0, /*force_insert_fallback=*/true);
  GeneratedReports reports = Generate(1, 3000, 5, /*dirty_rate=*/0.004);
  const auto& [name, bytes] = *reports.files.begin();
  Upload(name, bytes);
  WorkerConfig config = MakeWorkerConfig("insert-worker");
  config.runner.force_insert_fallback = true;
  Worker worker(db_, &engine_->store(), config);
  ProcessSpec spec;
  spec.keys = {name};
  auto jobs = engine_->EnqueueProcess(spec);
  ASSERT_OK(jobs.status());
  JobRecord job = RunUntilFinal(*engine_, jobs->front().id, &worker);
  ASSERT_EQ(job.state, JobState::kSucceeded) << job.error;
  const generator::FileManifest& file = reports.manifest.files.front();
  EXPECT_EQ(job.counts.rows_loaded, file.lines - file.bad_lines);
  EXPECT_EQ(job.counts.rows_rejected, file.bad_lines);
  EXPECT_EQ(SalesTotals(), file.totals);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM rejects"), file.bad_lines);
  ExpectSummariesMatchSales();
}

TEST_F(RunnerTest, HostileTextIsStoredVerbatim) {
  const std::vector<std::string> names = {"'); DROP TABLE sales; --",
                                          "back\\slash \\N",
                                          "tab\there",
                                          "\\N",
                                          "quote \"inside\"",
                                          "new\nline",
                                          "emoji \xF0\x9F\x98\x80"};
  std::string csv(kHeader);
  for (size_t i = 0; i < names.size(); ++i) {
    std::string quoted = "\"";
    for (char c : names[i]) {
      if (c == '"') quoted += '"';
      quoted += c;
    }
    quoted += '"';
    csv += "H" + std::to_string(i) + ",1,2026-10-01,S1,1,1.00," + quoted + ",C1\n";
  }
  Upload("hostile/'; --.csv", csv);
  JobRecord job = Process(*engine_, "hostile/'; --.csv");
  ASSERT_EQ(job.state, JobState::kSucceeded) << job.error;
  EXPECT_EQ(job.counts.rows_loaded, static_cast<int64_t>(names.size()));
  warehouse::Connection connection = Connect();
  auto stored = connection.Query("SELECT product_name FROM sales ORDER BY order_id");
  ASSERT_OK(stored.status());
  ASSERT_EQ(stored->rows.size(), names.size());
  for (size_t i = 0; i < names.size(); ++i) {
    ASSERT_FALSE(stored->IsNull(i, 0)) << i;
    EXPECT_EQ(stored->Text(i, 0), names[i]);
  }
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM reports WHERE report_key = 'hostile/''; --.csv'"), 1);
}

TEST_F(RunnerTest, AStoredPrefixMappingAppliesWhenTheRequestGivesNone) {
  PrefixMapping mapping;
  mapping.prefix = "shop/";
  mapping.mapping = {{"order_id", "Invoice"}, {"unit_price", "Price"}};
  mapping.reader = {{"delimiter", ";"}, {"currency", "EUR"}};
  ASSERT_OK(engine_->PutMapping(mapping));
  Upload("shop/day.csv",
         "Invoice;line_no;order_date;sku;quantity;Price\n"
         "I1;1;2026-10-01;S1;3;2.50\n");
  JobRecord job = Process(*engine_, "shop/day.csv");
  ASSERT_EQ(job.state, JobState::kSucceeded) << job.error;
  Totals totals = SalesTotals();
  ASSERT_EQ(totals.count("EUR"), 1u);
  EXPECT_EQ(totals["EUR"].revenue.cents, 750);
}

TEST_F(RunnerTest, AGzipReportLoadsAndItsHashIsOverTheRawBytes) {
  GeneratedReports reports = Generate(1, 2000, 3, 0.0, /*gzip=*/true);
  const auto& [name, bytes] = *reports.files.begin();
  ASSERT_NE(name.find(".gz"), std::string::npos);
  Upload(name, bytes);
  JobRecord job = Process(*engine_, name);
  ASSERT_EQ(job.state, JobState::kSucceeded) << job.error;
  EXPECT_EQ(SalesTotals(), reports.manifest.files.front().totals);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM reports WHERE content_sha256 = UNHEX('" +
                     Sha256Hex(bytes) + "')"),
            1);
}

}  // namespace
}  // namespace salesflow::ingest::testing
