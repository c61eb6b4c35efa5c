// Worker: the loop every processing process runs (`salesflow worker` and each in-process
// worker of `serve`): claim a job -> run it under a renewed lease -> record -> repeat.
//
// While a job runs, a lease keeper thread renews the lease and publishes progress
// (rows read, bytes read of total, rows staged) every renew_interval in short autocommit
// statements on the worker's control session, never inside the load transaction. A renewal
// that finds the lease taken stops the run (it rolls back: the job belongs to another
// worker now). When the database cannot be reached for a whole lease, the run stops too.
//
// Retries: a transient failure (database or storage unreachable, deadlock, timeout, object
// changed while read) gives the job back with a backoff while attempts remain
// (jobs.max_attempts, counted at each claim); then, or for a permanent failure (bad header,
// bad options, report deleted), the job fails with the reason.
//
// Thread-safety: Run() on one thread; RequestStop/AbortCurrent from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "core/status.h"
#include "ingest/job.h"
#include "ingest/runner.h"
#include "storage/object_store.h"
#include "warehouse/connection.h"
#include "warehouse/db_config.h"

namespace salesflow::ingest {

struct WorkerConfig {
  std::string id;  // unique per worker, e.g. "host:pid:1"; used in lease tokens and logs
  std::chrono::milliseconds lease{30'000};
  std::chrono::milliseconds renew_interval{1'000};
  std::chrono::milliseconds idle_poll_min{100};  // backoff while the queue is empty
  std::chrono::milliseconds idle_poll_max{2'000};
  std::chrono::milliseconds retry_backoff{2'000};  // x attempt number, for transient failures
  RunnerOptions runner;
};

// Monotonic counters shared by the workers of one process (for /metrics).
struct WorkerCounters {
  std::atomic<int64_t> jobs_succeeded{0};
  std::atomic<int64_t> jobs_failed{0};
  std::atomic<int64_t> rows_loaded{0};
  std::atomic<int64_t> rows_updated{0};
  std::atomic<int64_t> rows_rejected{0};
  std::atomic<int64_t> bytes_read{0};
};

class Worker {
 public:
  // REQUIRES: store and counters (may be null) outlive the worker.
  Worker(warehouse::DbConfig db, storage::ObjectStore* store, WorkerConfig config,
         WorkerCounters* counters = nullptr);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Claims and runs jobs until RequestStop(). Database outages are waited out with backoff.
  void Run();
  // Claims and runs at most one job. true = a job ran (whatever its end).
  Result<bool> RunOnce();

  // No new claims; the running job (if any) finishes. Wakes an idle Run().
  void RequestStop();
  // Ends an idle wait early (a job was just enqueued in this process).
  void Wake();
  // Stops the running job now: it rolls back and its lease is released for another worker.
  void AbortCurrent();

  // Called after every job this worker ended (succeeded, failed, released or lost), with
  // the job id. For waiters in the same process; may run on the worker's thread.
  void set_on_job_end(std::function<void(JobId)> callback) { on_job_end_ = std::move(callback); }

  const WorkerConfig& config() const { return config_; }

 private:
  Result<warehouse::Connection*> Control();
  void EndJob(const ClaimedJob& claim, const RunResult& result, RunControl::Stop stop);
  // true = woken by Wake().
  bool IdleWait(std::chrono::milliseconds duration);

  warehouse::DbConfig db_;
  storage::ObjectStore* store_;
  WorkerConfig config_;
  WorkerCounters* counters_;
  std::function<void(JobId)> on_job_end_;
  std::optional<warehouse::Connection> control_;

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_requested_ = false;
  bool abort_requested_ = false;
  bool wake_pending_ = false;
  RunControl* current_ = nullptr;  // guarded by mutex_
};

// "hostname:pid:n": a worker id unique across machines and processes.
std::string MakeWorkerId(int n);

}  // namespace salesflow::ingest
