// Worker PROCESSES (the same code as `salesflow worker`): a worker killed with SIGKILL
// mid-load leaves no trace and its job is finished by another worker exactly once; three
// workers drain a queue of thirty reports.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <thread>

#include "ingest/job_store.h"
#include "ingest_test_env.h"

namespace salesflow::ingest::testing {
namespace {

class WorkerProcessTest : public IngestTest {
 protected:
  pid_t StartWorker(const std::vector<std::string>& args = {}) {
    std::vector<std::string> argv = {TestWorkerPath()};
    argv.insert(argv.end(), args.begin(), args.end());
    return Spawn(argv, {"SALESFLOW_DB=" + DbUrl(), "SALESFLOW_STORAGE=" + StorageUrl(),
                        "SALESFLOW_CURRENCY=USD"});
  }
};

TEST_F(WorkerProcessTest, AWorkerKilledMidLoadLeavesNoTraceAndAnotherFinishesTheJobOnce) {
  GeneratedReports reports = Generate(1, 200'000, 21, /*dirty_rate=*/0.002);
  const auto& [name, bytes] = *reports.files.begin();
  Upload(name, bytes);
  auto engine = OpenEngine();
  ASSERT_NE(engine, nullptr);
  ProcessSpec spec;
  spec.keys = {name};
  auto jobs = engine->EnqueueProcess(spec);
  ASSERT_OK(jobs.status());
  const JobId id = jobs->front().id;

  const pid_t worker = StartWorker({"--lease", "2"});
  ASSERT_GT(worker, 0);
  // Progress is published while the job runs: wait until the load is under way.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  JobRecord seen;
  while (std::chrono::steady_clock::now() < deadline) {
    auto job = engine->GetJob(id);
    ASSERT_OK(job.status());
    seen = *job;
    if (seen.state != JobState::kQueued && seen.counts.rows_read > 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(seen.state, JobState::kRunning) << "the job ended before it could be killed";
  ASSERT_GT(seen.counts.rows_read, 0);
  ASSERT_EQ(kill(worker, SIGKILL), 0);
  const int status = WaitExit(worker);
  ASSERT_TRUE(WIFSIGNALED(status));

  // Nothing of the interrupted load is visible.
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM sales"), 0);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM daily_summary"), 0);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM rejects"), 0);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM reports WHERE status = 'loaded'"), 0);

  // Another worker takes the job once the lease expires, and loads it exactly once.
  JobRecord done = RunUntilFinal(*engine, id);
  ASSERT_EQ(done.state, JobState::kSucceeded) << done.error;
  EXPECT_EQ(done.outcome, JobOutcome::kLoaded);
  EXPECT_EQ(done.attempts, 2);
  const generator::FileManifest& file = reports.manifest.files.front();
  EXPECT_EQ(done.counts.rows_read, file.lines);
  EXPECT_EQ(done.counts.rows_loaded, file.lines - file.bad_lines);
  EXPECT_EQ(done.counts.rows_rejected, file.bad_lines);
  EXPECT_EQ(SalesTotals(), file.totals);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM rejects"), file.bad_lines);
  ExpectSummariesMatchSales();
}

TEST_F(WorkerProcessTest, ThreeWorkerProcessesDrainThirtyReportsExactlyOnce) {
  GeneratedReports reports = Generate(30, 1500, 33, /*dirty_rate=*/0.003);
  ASSERT_EQ(reports.files.size(), 30u);
  for (const auto& [name, bytes] : reports.files) Upload("daily/" + name, bytes);
  auto engine = OpenEngine();
  ASSERT_NE(engine, nullptr);
  ProcessSpec spec;
  spec.pending = true;
  spec.prefix = "daily/";
  auto jobs = engine->EnqueueProcess(spec);
  ASSERT_OK(jobs.status());
  ASSERT_EQ(jobs->size(), 30u);
  std::vector<JobId> ids;
  for (const JobRecord& job : *jobs) ids.push_back(job.id);

  std::vector<pid_t> workers;
  for (int i = 0; i < 3; ++i) workers.push_back(StartWorker());
  auto finished = engine->WaitForJobs(ids, std::chrono::minutes(3));
  for (pid_t pid : workers) kill(pid, SIGTERM);
  for (pid_t pid : workers) {
    const int status = WaitExit(pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "worker " << pid;
  }
  ASSERT_OK(finished.status());
  for (const JobRecord& job : *finished) {
    EXPECT_EQ(job.state, JobState::kSucceeded) << job.key << ": " << job.error;
    EXPECT_EQ(job.outcome, JobOutcome::kLoaded) << job.key;
    EXPECT_EQ(job.attempts, 1) << job.key;
  }
  EXPECT_EQ(SalesTotals(), reports.manifest.totals);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM sales"),
            reports.manifest.lines - reports.manifest.bad_lines);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM reports WHERE status = 'loaded'"), 30);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM jobs"), 30);
  ExpectSummariesMatchSales();
  // Pending again: nothing left to do.
  auto again = engine->EnqueueProcess(spec);
  ASSERT_OK(again.status());
  EXPECT_TRUE(again->empty());
}

}  // namespace
}  // namespace salesflow::ingest::testing
