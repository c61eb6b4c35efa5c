// job_store: every SQL statement the ingest module runs against the jobs, reports (ledger),
// mappings and rejects tables. Pure table access: the decisions live in runner.cpp,
// worker.cpp and engine.cpp. The schema is src/warehouse/migrations.cpp.
//
// Functions run on the Connection they are given, in its current transaction if one is
// open (the runner writes a job's final state inside its load transaction), else autocommit.
// Thread-safety: like Connection (one thread per connection).
//
// Leases: a claim writes lease_owner = "<worker id>#<attempt>", unique per claim, and every
// later write by that worker is fenced on it (`WHERE lease_owner = ?`): a worker whose
// lease expired and was claimed by another can no longer write the job (it gets false and
// must roll back). Expiry is judged by the database clock (NOW(3)) only.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/sales_line.h"
#include "core/status.h"
#include "ingest/job.h"
#include "ingest/job_options.h"
#include "warehouse/connection.h"

namespace salesflow::ingest {

using warehouse::Connection;

// Sets READ COMMITTED on a session of the ingest module: no gap locks, so claims, enqueues
// and reject inserts of different reports never wait on each other (docs/ingest.md).
Status ConfigureSession(Connection& connection);

// ---- jobs ------------------------------------------------------------------------------

// Inserts a queued job for `key`, or returns the job already queued or running for it
// (coalescing; its options win). Dry runs are never coalesced: each gets its own job.
Result<JobRecord> EnqueueJob(Connection& connection, std::string_view key,
                             const JobOptions& options, int max_attempts);

// NotFound for an unknown id.
Result<JobRecord> LoadJob(Connection& connection, JobId id);
// The jobs with these ids, in the given order; NotFound naming the first unknown id.
Result<std::vector<JobRecord>> LoadJobs(Connection& connection, std::span<const JobId> ids);
// Newest first. REQUIRES: 1 <= limit <= 1000.
Result<std::vector<JobRecord>> RecentJobs(Connection& connection, int limit);

struct ClaimedJob {
  JobRecord job;            // as running, attempts already counted
  std::string lease_owner;  // the fencing token for every later write
};

// Claims the oldest claimable job in one short transaction (SELECT ... FOR UPDATE SKIP
// LOCKED): a running job whose lease expired (first), else a queued job whose retry time
// has come. An expired job that used all its attempts is failed ("worker lost N times")
// and the next one is tried. nullopt when there is nothing to do.
// REQUIRES: no transaction open on `connection`.
Result<std::optional<ClaimedJob>> ClaimJob(Connection& connection, std::string_view worker_id,
                                           std::chrono::milliseconds lease);

// Extends the lease to now + lease and publishes progress. false = the lease is gone
// (another worker claimed the job, or it was finished): the caller must stop and roll back.
Result<bool> RenewLease(Connection& connection, JobId id, std::string_view lease_owner,
                        std::chrono::milliseconds lease, const JobCounts& progress);

struct FinalJobState {
  JobState state = JobState::kSucceeded;  // kSucceeded or kFailed
  std::optional<JobOutcome> outcome;
  std::string duplicate_of;
  JobCounts counts;
  std::string content_sha256_hex;  // "" = unknown
  std::string etag;
  std::string error;
};

// Writes the final state, fenced on the lease. false = the lease is gone (roll back).
Result<bool> FinishJob(Connection& connection, JobId id, std::string_view lease_owner,
                       const FinalJobState& final_state);

// Gives the job back to the queue, fenced on the lease: retry_after from now (0 = at once),
// `error` kept as the last error ("" = none). count_attempt=false undoes the claim's attempt
// (a graceful shutdown is not a failed attempt). false = the lease was already gone.
Result<bool> ReleaseJob(Connection& connection, JobId id, std::string_view lease_owner,
                        std::chrono::milliseconds retry_after, std::string_view error,
                        bool count_attempt);

// Jobs per status (a gauge for /metrics).
Result<std::map<JobState, int64_t>> CountJobsByState(Connection& connection);

// The newest job that is not a dry run, per key (for report statuses).
Result<std::map<std::string, JobRecord>> LatestRealJobs(Connection& connection,
                                                        std::span<const std::string> keys);

// The active (queued or running) job of `key`, if any.
Result<std::optional<JobRecord>> ActiveJob(Connection& connection, std::string_view key);

// ---- the ledger (reports) --------------------------------------------------------------

enum class LedgerStatus { kNew, kLoaded, kFailed, kUnloaded };

struct LedgerEntry {
  int64_t id = 0;
  std::string key;
  LedgerStatus status = LedgerStatus::kNew;
  std::string content_sha256_hex;  // of the loaded version; "" when none
  std::string etag;
  std::optional<int64_t> size;
  int64_t rows_loaded = 0;
  int64_t rows_updated = 0;
  int64_t rows_rejected = 0;
  std::optional<JobId> last_job_id;  // the job that loaded the current version
};

// The ledger row of `key`, creating a `new` one when missing. Returns its id.
Result<int64_t> EnsureLedgerEntry(Connection& connection, std::string_view key);
// for_update: lock the row until the transaction ends.
Result<std::optional<LedgerEntry>> FindLedgerEntry(Connection& connection, std::string_view key,
                                                   bool for_update);
Result<std::map<std::string, LedgerEntry>> LedgerEntries(Connection& connection,
                                                         std::span<const std::string> keys);
// Another report (not `key`) whose loaded version has this content, if any.
Result<std::optional<std::string>> FindLoadedReportWithContent(Connection& connection,
                                                               std::string_view sha256_hex,
                                                               std::string_view key);

struct LoadedVersion {
  std::string content_sha256_hex;
  std::string etag;
  int64_t size = 0;
  int64_t last_modified = 0;  // unix seconds
  int64_t rows_loaded = 0;
  int64_t rows_updated = 0;
  int64_t rows_rejected = 0;
  JobId job_id = 0;
};
Status MarkLoaded(Connection& connection, int64_t report_id, const LoadedVersion& version);
// The same content came back under a new ETag (e.g. uploaded again): remember the ETag so
// the next request is decided without reading.
Status RefreshLoadedEtag(Connection& connection, int64_t report_id, std::string_view etag,
                         int64_t size);
Status MarkUnloaded(Connection& connection, int64_t report_id);

// ---- rejects ---------------------------------------------------------------------------

// Deletes the report's rejects except those of the jobs in `keep`.
Result<uint64_t> DeleteRejectsExcept(Connection& connection, int64_t report_id,
                                     std::span<const JobId> keep);
// The first `limit` line numbers of a job's rejects with `reason`.
Result<std::vector<int64_t>> FirstRejectLines(Connection& connection, int64_t report_id,
                                              JobId job_id, std::string_view reason, int limit);

struct RejectPosition {
  int64_t line = 0;
  int64_t id = 0;
};
// One page of a job's rejects of a report, in (line, id) order after `after`.
Result<std::vector<std::pair<RejectPosition, core::RejectedRow>>> RejectsPage(
    Connection& connection, int64_t report_id, JobId job_id, RejectPosition after, int limit);

// Lines in the staging table that another report already loaded (a dry run's rows_updated).
Result<int64_t> CountLinesOwnedByOthers(Connection& connection, std::string_view staging_table,
                                        int64_t report_id);

// ---- the apply lock --------------------------------------------------------------------

// Serialises the apply step (upsert, summaries, ledger; unload) across all workers of one
// warehouse database: summaries are recomputed from sales, so two loads touching one date
// must not interleave. A session lock (GET_LOCK, named after the database): released on
// disconnect, so a killed worker never leaves it held. Streaming, the long part of a load,
// does not take it. Released by the destructor.
class ApplyLock {
 public:
  // Waits until the lock is free. `keep_waiting` (may be empty) is asked before every
  // one-second wait; a non-ok status from it gives up and is returned.
  static Result<ApplyLock> Acquire(Connection& connection,
                                   const std::function<Status()>& keep_waiting);
  ApplyLock(ApplyLock&& other) noexcept;
  ApplyLock& operator=(ApplyLock&&) = delete;
  ~ApplyLock();

 private:
  ApplyLock(Connection* connection, std::string name)
      : connection_(connection), name_(std::move(name)) {}
  Connection* connection_;
  std::string name_;
};

// ---- mappings --------------------------------------------------------------------------

Result<std::optional<PrefixMapping>> FindMapping(Connection& connection, std::string_view prefix);
// The mapping with the longest prefix of `key`, if any.
Result<std::optional<PrefixMapping>> MappingForKey(Connection& connection, std::string_view key);
Result<std::vector<PrefixMapping>> AllMappings(Connection& connection);
Status UpsertMapping(Connection& connection, const PrefixMapping& mapping);
// false when there was none.
Result<bool> DeleteMapping(Connection& connection, std::string_view prefix);

}  // namespace salesflow::ingest
