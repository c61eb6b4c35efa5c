// The Engine facade: coalescing under concurrency, in-process workers and waiting, the
// watcher, mappings, readiness, shutdown.
#include "ingest/engine.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "ingest_test_env.h"

namespace salesflow::ingest::testing {
namespace {

constexpr std::string_view kHeader = "order_id,line_no,order_date,sku,quantity,unit_price\n";

std::string Report(int orders, int first = 1) {
  std::string csv(kHeader);
  for (int i = first; i < first + orders; ++i) {
    csv += "O" + std::to_string(i) + ",1,2026-10-01,S1,1,1.00\n";
  }
  return csv;
}

class EngineTest : public IngestTest {};

TEST_F(EngineTest, EightConcurrentRequestsForOneReportRunOneJob) {
  Upload("day.csv", Report(50));
  auto engine = OpenEngine(/*workers=*/2);
  ASSERT_NE(engine, nullptr);
  constexpr int kRequests = 8;
  std::vector<JobId> ids(kRequests);
  std::vector<std::thread> threads;
  for (int i = 0; i < kRequests; ++i) {
    threads.emplace_back([&, i] {
      ProcessSpec spec;
      spec.keys = {"day.csv"};
      auto jobs = engine->EnqueueProcess(spec);
      ASSERT_OK(jobs.status());
      ids[static_cast<size_t>(i)] = jobs->front().id;
    });
  }
  for (auto& t : threads) t.join();
  const std::set<JobId> distinct(ids.begin(), ids.end());
  auto finished = engine->WaitForJobs(std::vector<JobId>(distinct.begin(), distinct.end()),
                                      std::chrono::seconds(60));
  ASSERT_OK(finished.status());
  // Requests that arrive after the job ended start a new one, which finds the report
  // unchanged: the report is loaded once either way.
  int loads = 0;
  for (const JobRecord& job : *finished) {
    ASSERT_EQ(job.state, JobState::kSucceeded) << job.error;
    if (job.outcome == JobOutcome::kLoaded) ++loads;
  }
  EXPECT_EQ(loads, 1);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM sales"), 50);
}

TEST_F(EngineTest, PendingEnqueuesNewAndChangedReportsOnlyAndWorkersRunThem) {
  Upload("a.csv", Report(3));
  Upload("b.csv.gz", "not really gzip");
  Upload("notes.txt", "not a report");
  auto engine = OpenEngine(/*workers=*/1);
  ASSERT_NE(engine, nullptr);
  ProcessSpec pending;
  pending.pending = true;
  auto jobs = engine->EnqueueProcess(pending);
  ASSERT_OK(jobs.status());
  ASSERT_EQ(jobs->size(), 2u);
  EXPECT_EQ(jobs->at(0).key, "a.csv");
  EXPECT_EQ(jobs->at(1).key, "b.csv.gz");
  auto done = engine->WaitForJobs(std::vector<JobId>{jobs->at(0).id, jobs->at(1).id},
                                  std::chrono::seconds(60));
  ASSERT_OK(done.status());
  EXPECT_EQ(done->at(0).outcome, JobOutcome::kLoaded) << done->at(0).error;
  EXPECT_EQ(done->at(1).state, JobState::kFailed);
  auto listing = engine->ListReports("", "", 100);
  ASSERT_OK(listing.status());
  std::map<std::string, ReportState> states;
  for (const auto& entry : listing->reports) states[entry.object.key] = entry.state;
  EXPECT_EQ(states["a.csv"], ReportState::kLoaded);
  EXPECT_EQ(states["b.csv.gz"], ReportState::kFailed);
  EXPECT_EQ(states["notes.txt"], ReportState::kIgnored);
  // Failed and loaded versions are not pending; a changed one is.
  Upload("a.csv", Report(4));
  auto again = engine->EnqueueProcess(pending);
  ASSERT_OK(again.status());
  ASSERT_EQ(again->size(), 1u);
  EXPECT_EQ(again->at(0).key, "a.csv");
  auto replaced =
      engine->WaitForJobs(std::vector<JobId>{again->at(0).id}, std::chrono::seconds(60));
  ASSERT_OK(replaced.status());
  EXPECT_EQ(replaced->at(0).outcome, JobOutcome::kReplaced);
  auto metrics = engine->CollectMetrics();
  ASSERT_OK(metrics.status());
  EXPECT_EQ(metrics->rows_loaded, 3 + 4);
  EXPECT_EQ(metrics->jobs_by_state[JobState::kSucceeded], 2);
  EXPECT_EQ(metrics->jobs_by_state[JobState::kFailed], 1);
}

TEST_F(EngineTest, RequestsAreValidatedBeforeAnythingIsEnqueued) {
  Upload("a.csv", Report(1));
  auto engine = OpenEngine();
  ASSERT_NE(engine, nullptr);
  ProcessSpec missing;
  missing.keys = {"a.csv", "missing.csv"};
  EXPECT_EQ(engine->EnqueueProcess(missing).status().code(), StatusCode::kNotFound);
  ProcessSpec bad_key;
  bad_key.keys = {"../etc/passwd"};
  EXPECT_EQ(engine->EnqueueProcess(bad_key).status().code(), StatusCode::kInvalidArgument);
  ProcessSpec bad_option;
  bad_option.keys = {"a.csv"};
  bad_option.options.reader = {{"delimiter", "xx"}};
  EXPECT_EQ(engine->EnqueueProcess(bad_option).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM jobs"), 0);
  EXPECT_EQ(engine->GetJob(12345).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(engine->OpenRejects("a.csv").status().code(), StatusCode::kNotFound);
  // Unload while a job is queued is a conflict.
  ProcessSpec ok;
  ok.keys = {"a.csv"};
  ASSERT_OK(engine->EnqueueProcess(ok).status());
  EXPECT_EQ(engine->UnloadReport("a.csv").status().code(), StatusCode::kConflict);
}

TEST_F(EngineTest, TwoWatchersLoadEachNewReportOnce) {
  EngineOptions options = Options(/*workers=*/1);
  options.watch = true;
  options.watch_prefix = "drop/";
  options.watch_interval = std::chrono::milliseconds(100);
  auto first = Engine::Create(db_, OpenStore(), options);
  auto second = Engine::Create(db_, OpenStore(), options);
  ASSERT_OK(first.status());
  ASSERT_OK(second.status());
  Upload("drop/1.csv", Report(5, 1));
  Upload("drop/2.csv", Report(5, 100));
  Upload("drop/readme.md", "ignored");
  Upload("elsewhere/3.csv", Report(5, 200));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  int loaded = 0;
  while (std::chrono::steady_clock::now() < deadline && loaded < 2) {
    auto listing = (*first)->ListReports("drop/", "", 100);
    ASSERT_OK(listing.status());
    loaded = 0;
    for (const auto& entry : listing->reports) loaded += entry.state == ReportState::kLoaded;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(loaded, 2);
  (*first)->Shutdown(std::chrono::seconds(10));
  (*second)->Shutdown(std::chrono::seconds(10));
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM jobs WHERE outcome IN ('loaded', 'replaced')"), 2);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM jobs WHERE report_key NOT LIKE 'drop/%.csv'"), 0);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM sales"), 10);
}

TEST_F(EngineTest, MappingsCrud) {
  auto engine = OpenEngine();
  ASSERT_NE(engine, nullptr);
  EXPECT_EQ(engine->GetMapping("shop/").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(engine->DeleteMapping("shop/").code(), StatusCode::kNotFound);
  PrefixMapping mapping;
  mapping.prefix = "shop/";
  mapping.mapping = {{"order_id", "Invoice"}};
  mapping.reader = {{"date_format", "%d/%m/%Y"}};
  mapping.max_reject_ratio = 0.05;
  ASSERT_OK(engine->PutMapping(mapping));
  auto got = engine->GetMapping("shop/");
  ASSERT_OK(got.status());
  EXPECT_EQ(*got, mapping);
  mapping.mapping = {{"order_id", "Order"}};
  ASSERT_OK(engine->PutMapping(mapping));  // upsert
  auto all = engine->ListMappings();
  ASSERT_OK(all.status());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ(all->front().mapping.at("order_id"), "Order");
  PrefixMapping bad = mapping;
  bad.mapping = {{"nope", "X"}};
  EXPECT_EQ(engine->PutMapping(bad).code(), StatusCode::kInvalidArgument);
  bad = mapping;
  bad.prefix = "../";
  EXPECT_EQ(engine->PutMapping(bad).code(), StatusCode::kInvalidArgument);
  ASSERT_OK(engine->DeleteMapping("shop/"));
  EXPECT_EQ(engine->GetMapping("shop/").status().code(), StatusCode::kNotFound);
}

TEST_F(EngineTest, ReadinessReportsEachPeer) {
  auto engine = OpenEngine();
  ASSERT_NE(engine, nullptr);
  ReadinessReport ready = engine->CheckReady();
  EXPECT_OK(ready.database);
  EXPECT_OK(ready.storage);
  warehouse::DbConfig nowhere = db_;
  nowhere.host = "127.0.0.1";
  nowhere.socket.clear();
  nowhere.port = 1;  // nothing listens there
  auto down = Engine::Create(nowhere, OpenStore(), Options());
  ASSERT_OK(down.status());
  ReadinessReport not_ready = (*down)->CheckReady();
  EXPECT_EQ(not_ready.database.code(), StatusCode::kUnavailable);
  EXPECT_EQ((*down)->GetJob(1).status().code(), StatusCode::kUnavailable);
}

TEST_F(EngineTest, ShutdownReleasesARunningJobForAnotherWorker) {
  GeneratedReports reports = Generate(1, 150'000, 9);
  const auto& [name, bytes] = *reports.files.begin();
  Upload(name, bytes);
  auto engine = OpenEngine(/*workers=*/1);
  ASSERT_NE(engine, nullptr);
  ProcessSpec spec;
  spec.keys = {name};
  auto jobs = engine->EnqueueProcess(spec);
  ASSERT_OK(jobs.status());
  const JobId id = jobs->front().id;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  JobRecord seen;
  while (std::chrono::steady_clock::now() < deadline) {
    auto job = engine->GetJob(id);
    ASSERT_OK(job.status());
    seen = *job;
    if (seen.state == JobState::kRunning && seen.counts.rows_read > 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(seen.state, JobState::kRunning);
  engine->Shutdown(std::chrono::milliseconds(0));
  auto released =
      Connect().Query("SELECT status, attempts FROM jobs WHERE id = " + std::to_string(id));
  ASSERT_OK(released.status());
  EXPECT_EQ(released->Text(0, 0), "queued");
  EXPECT_EQ(released->Int(0, 1), 0) << "a shutdown is not a failed attempt";
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM sales"), 0);
  EXPECT_EQ(engine->ListJobs(10).status().code(), StatusCode::kOk);
  EXPECT_EQ(engine->EnqueueProcess(spec).status().code(), StatusCode::kCancelled);

  auto next = OpenEngine();
  ASSERT_NE(next, nullptr);
  JobRecord done = RunUntilFinal(*next, id);
  ASSERT_EQ(done.state, JobState::kSucceeded) << done.error;
  EXPECT_EQ(done.attempts, 1);
  EXPECT_EQ(SalesTotals(), reports.manifest.files.front().totals);
}

}  // namespace
}  // namespace salesflow::ingest::testing

namespace salesflow::ingest::testing {
namespace {

TEST_F(EngineTest, StatsFromSummariesEqualAGroupByOverSalesAfterLoadsReplacesAndUnloads) {
  GeneratedReports reports = Generate(5, 400, 17, /*dirty_rate=*/0.0);
  for (const auto& [name, bytes] : reports.files) Upload(name, bytes);
  auto engine = OpenEngine(/*workers=*/1);
  ASSERT_NE(engine, nullptr);
  warehouse::Connection connection = Connect();
  const auto compare = [&](const char* when) {
    for (StatsGrouping grouping : kAllStatsGroupings) {
      StatsRequest request;
      request.group_by = grouping;
      if (grouping == StatsGrouping::kSku) request.top = 10;
      ExpectStatsEqualNaive(*engine, connection, request, when);
    }
  };
  ProcessSpec pending;
  pending.pending = true;
  auto jobs = engine->EnqueueProcess(pending);
  ASSERT_OK(jobs.status());
  std::vector<JobId> ids;
  for (const auto& job : *jobs) ids.push_back(job.id);
  ASSERT_OK(engine->WaitForJobs(ids, std::chrono::seconds(120)).status());
  compare("after the first loads");
  StatsRequest all;
  auto totals = engine->QueryStats(all);
  ASSERT_OK(totals.status());
  EXPECT_EQ(totals->totals.revenue, reports.manifest.totals.at("USD").revenue);
  EXPECT_EQ(totals->totals.orders, reports.manifest.totals.at("USD").orders);
  EXPECT_EQ(totals->totals.customers, reports.manifest.totals.at("USD").customers);

  ASSERT_OK(engine->UnloadReport(reports.files.begin()->first).status());
  compare("after an unload");
  JobOptions force;
  force.force = true;
  ProcessSpec again;
  again.keys = {std::next(reports.files.begin())->first};
  again.options = force;
  auto replaced = engine->EnqueueProcess(again);
  ASSERT_OK(replaced.status());
  ASSERT_OK(engine->WaitForJobs(std::vector<JobId>{replaced->front().id}, std::chrono::seconds(60))
                .status());
  compare("after a forced replace");
}

}  // namespace
}  // namespace salesflow::ingest::testing

namespace salesflow::ingest::testing {
namespace {

TEST_F(EngineTest, ALoadWhoseDatabaseConnectionDiesIsRolledBackAndRetriedOnce) {
  GeneratedReports reports = Generate(1, 100'000, 13, /*dirty_rate=*/0.001);
  const auto& [name, bytes] = *reports.files.begin();
  Upload(name, bytes);
  auto engine = OpenEngine(/*workers=*/1);
  ASSERT_NE(engine, nullptr);
  ProcessSpec spec;
  spec.keys = {name};
  auto jobs = engine->EnqueueProcess(spec);
  ASSERT_OK(jobs.status());
  const JobId id = jobs->front().id;

  // Kill the worker's load session from the server side while it streams.
  warehouse::Connection admin = Connect();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  int64_t victim = 0;
  while (victim == 0 && std::chrono::steady_clock::now() < deadline) {
    auto found = admin.Query(
        "SELECT id FROM information_schema.processlist WHERE db = ? AND info LIKE 'LOAD DATA%'",
        {std::string_view(db_.database)});
    ASSERT_OK(found.status());
    if (!found->empty()) victim = found->Int(0, 0);
  }
  ASSERT_NE(victim, 0) << "never saw the load running";
  ASSERT_OK(admin.Execute("KILL CONNECTION " + std::to_string(victim)));

  auto done = engine->WaitForJobs(std::vector<JobId>{id}, std::chrono::seconds(120));
  ASSERT_OK(done.status());
  const JobRecord& job = done->front();
  ASSERT_EQ(job.state, JobState::kSucceeded) << job.error;
  EXPECT_EQ(job.outcome, JobOutcome::kLoaded);
  EXPECT_EQ(job.attempts, 2);
  const generator::FileManifest& file = reports.manifest.files.front();
  EXPECT_EQ(job.counts.rows_loaded, file.lines - file.bad_lines);
  EXPECT_EQ(SalesTotals(), file.totals);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM rejects"), file.bad_lines);
  ExpectSummariesMatchSales();
}

}  // namespace
}  // namespace salesflow::ingest::testing
