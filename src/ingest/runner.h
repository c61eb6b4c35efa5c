// The job runner: one claimed job, storage -> reader -> warehouse, exactly once.
//
//   Head ──(ledger has this ETag+size, !force)──▶ unchanged, nothing read
//     │
//   BEGIN; CREATE TEMPORARY staging
//   producer thread: Get ─▶ SHA-256 ─▶ ReportReader ─▶ LOAD DATA text ─┐ ChunkQueue (bounded)
//   this thread:     LOAD DATA runs into staging / rejects  ◀──────────┘
//     │ reader error ─▶ failed (nothing committed)
//     │ hash == ledger's (!force) ─▶ unchanged       (rollback)
//     │ hash == another loaded report's (!force) ─▶ duplicate (rollback)
//     │ rejects > max_reject_ratio ─▶ failed; only this job's rejects are committed
//     │ dry run ─▶ dry_run with the counts            (rollback)
//   apply lock; ledger row FOR UPDATE; TryFastApply, else number lines + duplicate lines to
//   rejects in SQL (ratio again) + remove previous rows + upsert + summaries; ledger;
//   job succeeded (fenced on the lease) ─▶ COMMIT: all of it or none of it.
//
// docs/ingest.md has the crash-point argument. Thread-safety: RunJob runs on the calling
// thread plus one producer thread it owns; RunControl is the only state shared with others.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>

#include "core/status.h"
#include "ingest/job.h"
#include "ingest/job_store.h"
#include "storage/object_store.h"
#include "warehouse/db_config.h"

namespace salesflow::ingest {

struct RunnerOptions {
  std::string default_currency = "USD";  // SALESFLOW_CURRENCY
  size_t chunk_bytes = size_t{1} << 20;  // LOAD DATA text per queued chunk
  size_t queue_chunks = 4;               // chunks in flight between the two threads
  size_t storage_chunk_bytes = size_t{256} << 10;
  bool force_insert_fallback = false;  // tests: the INSERT path even where LOAD DATA works
  // Try the direct load first (straight into sales, summaries from the streamed lines:
  // warehouse/report_load.h); false = always the staged path (tests, comparisons).
  bool direct_load = true;
  // Direct load: lines whose summaries are held in memory before they are merged.
  uint64_t merge_every_lines = 1'000'000;
  // Direct load: text of the lines whose dictionary keys are resolved together.
  size_t key_batch_bytes = size_t{2} << 20;
};

// Live counters of the running job: written by the runner, read by the lease keeper.
struct LiveProgress {
  std::atomic<int64_t> rows_read{0};
  std::atomic<int64_t> rows_loaded{0};  // rows staged so far
  std::atomic<int64_t> bytes_read{0};
  std::atomic<int64_t> bytes_total{-1};  // -1 until the object's size is known
  JobCounts Snapshot() const;
};

// What the runner shares with the worker's other threads (lease keeper, shutdown).
class RunControl {
 public:
  enum class Stop { kNone, kLeaseLost, kShutdown };

  // The first reason wins, and calls the interrupt (below) once. Thread-safe.
  void RequestStop(Stop why);

  // What ends the job's database work at once on a stop (lost lease, shutdown after the grace
  // period): the runner sets one while its session runs statements that can take minutes,
  // and clears it before the final write, which is short and must not be cut. Set after a
  // stop already came: called at once. Clear waits for an interrupt in progress. Thread-safe.
  void SetInterrupt(std::function<void()> interrupt);
  void ClearInterrupt() { SetInterrupt(nullptr); }
  Stop stop() const { return stop_.load(); }
  bool stopped() const { return stop() != Stop::kNone; }
  // Cancelled, saying why. REQUIRES: stopped().
  Status StopStatus() const;

  LiveProgress progress;
  // Called right before the runner writes the job's final state: stops lease renewal (its
  // writes would wait on the final UPDATE's row lock) and says whether the lease is still
  // held. Unset = always held (tests).
  std::function<bool()> before_final_write;

 private:
  std::atomic<Stop> stop_{Stop::kNone};
  std::mutex interrupt_mutex_;
  std::function<void()> interrupt_;  // guarded by interrupt_mutex_
};

enum class RunEnd {
  kRecorded,  // the job's final state is committed (with its rows or rejects, when any)
  kFailed,    // permanent failure: the caller records `error` (nothing was committed)
  kRetry,     // transient failure (database, storage): retry while attempts remain
  kStopped,   // lease lost or shutdown (RunControl): rolled back, nothing written
};

struct RunResult {
  RunEnd end = RunEnd::kFailed;
  Status error;               // kFailed / kRetry: why
  FinalJobState final_state;  // kRecorded: what was committed; kFailed: counts and etag to record
};

struct RunEnvironment {
  warehouse::DbConfig db;                 // the runner opens its own load session per job
  storage::ObjectStore* store = nullptr;  // REQUIRES: outlives the run
  RunnerOptions options;
};

// Runs `claim` to its end. Never throws; every failure is classified in the result.
RunResult RunJob(const RunEnvironment& environment, const ClaimedJob& claim, RunControl& control);

}  // namespace salesflow::ingest
