// Engine: the ingest facade that `serve` (through api::EngineBackend), `salesflow worker`
// and tests use. It owns the object store, a small pool of warehouse sessions, the
// in-process workers and the optional watcher.
//
//   SF_ASSIGN_OR_RETURN(auto engine, Engine::Open(options));   // env + flags, migrates
//   engine->EnqueueProcess({.keys = {"2026/day.csv"}});        // -> jobs
//   engine->WaitForJobs(ids, 30s);
//   engine->Shutdown(30s);                                      // SIGTERM
//
// Errors: InvalidArgument (bad key, prefix, option, mapping), NotFound (no such object,
// job, mapping; nothing loaded), Conflict (a job is active on the report), Unavailable
// (MySQL or storage unreachable, also for a storage permission problem: an operator's
// matter, not the client's), Cancelled (after Shutdown). Messages are safe to show to an
// API client: no credentials, no SQL text.
//
// Thread-safety: every method is safe to call concurrently from any thread.
#pragma once

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "core/sales_line.h"
#include "core/status.h"
#include "ingest/job.h"
#include "ingest/job_options.h"
#include "ingest/report_state.h"
#include "ingest/stats_fallback.h"
#include "ingest/worker.h"
#include "storage/object_store.h"
#include "warehouse/connection.h"
#include "warehouse/db_config.h"

namespace salesflow::ingest {

struct EngineOptions {
  // "" = from the environment: SALESFLOW_DB (else its default), SALESFLOW_STORAGE (else
  // file://./data/reports), SALESFLOW_CURRENCY (else USD). AWS_* variables for S3.
  std::string db_url;
  std::string storage_url;
  std::string default_currency;
  // In-process workers; -1 = SALESFLOW_WORKERS, else 2. 0 = none (an API-only process).
  int workers = -1;
  std::string watch_prefix;  // with watch: auto-ingest under this prefix ("" = everything)
  bool watch = false;
  std::chrono::milliseconds watch_interval{30'000};
  bool migrate = true;  // create/upgrade the schema on open
  // How long Open waits for a database that is not up yet (docker-compose start order).
  std::chrono::milliseconds startup_timeout{60'000};
  int max_attempts = 3;  // per job: claims before a job fails for good
  WorkerConfig worker;   // lease, polling, runner tuning (id and currency are filled in)
};

// Adds --workers, --watch PREFIX, --watch-interval SECONDS, --lease SECONDS to a command
// (serve, worker). --workers defaults to SALESFLOW_WORKERS.
void AddEngineOptions(CLI::App* command, EngineOptions* options);

struct ReportEntry {
  storage::ObjectInfo object;
  ReportState state = ReportState::kNew;
  int64_t rows_loaded = 0;           // lines the loaded version wrote (new + updated); 0 if none
  int64_t rows_rejected = 0;         // of the loaded version
  std::optional<JobId> last_job_id;  // the newest job (not a dry run), else the loading one
};

struct ReportListing {
  std::vector<ReportEntry> reports;  // in key order
  std::string next_page_token;       // "" on the last page
};

// What to process: non-empty `keys`, or `pending` (every report whose status is new or
// changed under `prefix`).
struct ProcessSpec {
  std::vector<std::string> keys;
  bool pending = false;
  std::string prefix;
  JobOptions options;
};

// Pull cursor over rejected rows in line order. One thread at a time; may outlive the call
// that opened it but not the Engine.
class RejectStream {
 public:
  virtual ~RejectStream() = default;
  // Fills *row and returns true; false at the end.
  virtual Result<bool> Next(core::RejectedRow* row) = 0;
};

struct UnloadSummary {
  std::string key;
  int64_t rows_deleted = 0;
};

struct ReadinessReport {
  Status database;
  Status storage;
};

struct EngineMetrics {
  std::map<JobState, int64_t> jobs_by_state;  // gauge over the whole jobs table
  int64_t rows_loaded = 0;                    // counters of this process's workers
  int64_t rows_updated = 0;
  int64_t rows_rejected = 0;
  int64_t bytes_read = 0;
};

class SessionPool;
}  // namespace salesflow::ingest
namespace salesflow::warehouse {
class SummaryCache;
}  // namespace salesflow::warehouse
namespace salesflow::ingest {

class Engine {
 public:
  // Reads the environment (see EngineOptions), opens storage, waits up to startup_timeout
  // for the database, migrates, then starts the workers and the watcher.
  static Result<std::unique_ptr<Engine>> Open(EngineOptions options);
  // The same over an explicit database and store (tests, tools).
  static Result<std::unique_ptr<Engine>> Create(warehouse::DbConfig db,
                                                std::unique_ptr<storage::ObjectStore> store,
                                                EngineOptions options);
  ~Engine();  // Shutdown(0) unless it ran
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  storage::ObjectStore& store() { return *store_; }
  const warehouse::DbConfig& db() const { return db_; }
  const std::string& default_currency() const { return options_.default_currency; }

  // One page of storage under `prefix` with each report's status. REQUIRES: 1..1000.
  Result<ReportListing> ListReports(const std::string& prefix, const std::string& page_token,
                                    int limit);

  // Enqueues one job per key (coalescing with the report's active job), or one per pending
  // report. NotFound when a named key is not in storage (nothing is enqueued then).
  Result<std::vector<JobRecord>> EnqueueProcess(const ProcessSpec& spec);
  // Blocks until every job is final, `timeout` passes or Shutdown begins; returns the jobs'
  // current state in the given order either way.
  Result<std::vector<JobRecord>> WaitForJobs(std::span<const JobId> ids,
                                             std::chrono::milliseconds timeout);
  Result<JobRecord> GetJob(JobId id);
  // Newest first. REQUIRES: 1 <= limit <= 1000.
  Result<std::vector<JobRecord>> ListJobs(int limit);

  // The rejects of the report's current load, or of its last job when that one failed
  // with rejects. NotFound when the report was never processed.
  Result<std::unique_ptr<RejectStream>> OpenRejects(const std::string& key);
  // Removes the report's rows, rejects and summaries' share atomically; the ledger forgets
  // it (status new again). NotFound when nothing is loaded; Conflict while a job is active.
  Result<UnloadSummary> UnloadReport(const std::string& key);

  Result<PrefixMapping> GetMapping(const std::string& prefix);
  Status PutMapping(const PrefixMapping& mapping);
  Status DeleteMapping(const std::string& prefix);
  Result<std::vector<PrefixMapping>> ListMappings();

  ReadinessReport CheckReady();
  Result<EngineMetrics> CollectMetrics();
  // From the summaries (warehouse/stats.h), through an in-process cache that every load
  // invalidates exactly; the same numbers as QueryStatsFromSales (stats_fallback.h).
  Result<StatsAnswer> QueryStats(const StatsRequest& request);

  // Stops the watcher and new claims, wakes waiters, lets running jobs finish within
  // `grace`, then stops them (rolled back, leases released for other workers) and joins.
  // Idempotent; later calls of the other methods return Cancelled.
  void Shutdown(std::chrono::milliseconds grace);

  // Starts `count` more in-process workers (Open/Create start options.workers).
  void StartWorkers(int count);

 private:
  Engine(warehouse::DbConfig db, std::unique_ptr<storage::ObjectStore> store,
         EngineOptions options);
  Result<std::vector<JobRecord>> EnqueuePending(const std::string& prefix,
                                                const JobOptions& options);
  Result<std::vector<ReportEntry>> Describe(std::vector<storage::ObjectInfo> objects);
  void WakeWorkers();
  void OnJobEnd();
  Status CheckOpen() const;

  warehouse::DbConfig db_;
  std::unique_ptr<storage::ObjectStore> store_;
  EngineOptions options_;
  std::shared_ptr<SessionPool> pool_;
  std::unique_ptr<warehouse::SummaryCache> summary_cache_;
  WorkerCounters counters_;

  std::mutex mutex_;
  std::condition_variable jobs_changed_;
  uint64_t job_events_ = 0;  // guarded by mutex_
  std::atomic<bool> shutting_down_{false};
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::thread> worker_threads_;
  int workers_running_ = 0;  // guarded by mutex_
  std::unique_ptr<class Watcher> watcher_;
};

}  // namespace salesflow::ingest
