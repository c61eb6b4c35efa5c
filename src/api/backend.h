// Backend: everything the HTTP API needs from the rest of salesflow, in domain terms.
//
// The API layer parses a request, calls exactly one Backend operation and serialises the
// answer; it knows no SQL and no storage protocol. The ingest module implements this
// interface over the real engine (warehouse jobs table, ObjectStore, workers); unit tests
// use an in-memory fake.
//
// Errors: every operation returns a Status or Result whose code the API maps to HTTP
// (api/http_error.h, the one mapping):
//   kInvalidArgument    -> 400  (bad key, bad option, bad mapping column, bad page token)
//   kUnauthenticated    -> 401, kPermissionDenied -> 403: for API keys only. A storage
//                          AccessDenied is the operator's problem: return kUnavailable.
//   kNotFound           -> 404  (unknown report, job or mapping)
//   kConflict, kAlreadyExists, kFailedPrecondition -> 409 (a job runs on the report; the
//                          state forbids it)
//   kResourceExhausted  -> 413  (size limit)
//   kUnavailable, kCancelled -> 503 (MySQL or storage down / unreachable; shutting down)
//   kDeadlineExceeded   -> 504
//   kInternal, kDataLoss -> 500 (message logged with the request id, never sent)
// Messages must be safe to show to an API client: no credentials, no SQL text, no
// connection URLs with passwords.
//
// Thread-safety: every method may be called concurrently from the HTTP thread pool.
// Implementations must be thread-safe. The Backend outlives the api::Server using it.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/money.h"
#include "core/sales_line.h"
#include "core/status.h"
#include "storage/object_store.h"

namespace salesflow::api {

using Timestamp = std::chrono::system_clock::time_point;
using JobId = int64_t;

// ---------------------------------------------------------------------------------------
// Reports (objects in storage, with their processing status from the ledger/jobs table)

enum class ReportStatus {
  kNew,         // in storage, never processed
  kQueued,      // a job for it is queued
  kProcessing,  // a job for it is running
  kLoaded,      // loaded, content unchanged since
  kFailed,      // the last job failed
  kChanged,     // loaded before, but the content in storage differs now
  kIgnored,     // not a report file (extension is not .csv/.tsv/.jsonl/.ndjson[.gz])
};
std::string_view ReportStatusName(ReportStatus status);  // "new", "queued", ...

struct ReportInfo {
  std::string key;
  int64_t size = 0;
  std::string etag;
  Timestamp last_modified{};
  ReportStatus status = ReportStatus::kNew;
  int64_t rows_loaded = 0;    // of the current load; 0 when never loaded
  int64_t rows_rejected = 0;  // of the current load
  std::optional<JobId> last_job_id;
};

struct ListReportsRequest {
  std::string prefix;      // "" = all
  std::string page_token;  // "" = first page; otherwise a ReportPage::next_page_token
  int limit = 1000;        // 1..1000, validated by the API
};

struct ReportPage {
  std::vector<ReportInfo> reports;  // in key order
  std::string next_page_token;      // "" when this is the last page
};

// ---------------------------------------------------------------------------------------
// Uploads

// An upload streams through storage::ObjectWriter (src/storage/object_store.h): the API calls
// Write() with chunks in order (each at most a few hundred KiB), then Commit() once the whole
// multipart body arrived, or Abort() (also implied by destruction) on any failure, so a
// truncated upload never becomes visible.

// ---------------------------------------------------------------------------------------
// Processing and jobs

// Canonical column -> header name in the file ("order_id" -> "InvoiceNo").
using ColumnMapping = std::map<std::string, std::string>;

// Reader options; std::nullopt means "from the prefix mapping, else detect/default".
struct ReaderOptions {
  std::optional<std::string> date_format;  // e.g. "%d/%m/%Y"
  std::optional<std::string> delimiter;    // one character: "," ";" "\t" "|"
  std::optional<std::string> encoding;     // fallback for non-UTF-8 text, e.g. "windows-1252"
  std::optional<std::string> currency;     // ISO 4217 for rows without a currency column
};

struct ProcessRequest {
  // Exactly one of: non-empty `keys`, or `pending` (every report whose status is new or
  // changed and that looks like a report, under `prefix`). The API enforces this.
  std::vector<std::string> keys;  // validated object keys
  bool pending = false;
  std::string prefix;  // only with pending
  bool dry_run = false;
  bool force = false;
  std::optional<ColumnMapping> mapping;    // nullopt: the prefix mapping, if any
  std::optional<double> max_reject_ratio;  // 0..1; nullopt: default 0.01 / prefix mapping
  ReaderOptions reader;
};

enum class JobStatus { kQueued, kRunning, kSucceeded, kFailed };
std::string_view JobStatusName(JobStatus status);  // "queued", "running", ...
inline bool IsFinal(JobStatus status) {
  return status == JobStatus::kSucceeded || status == JobStatus::kFailed;
}

enum class JobOutcome { kLoaded, kReplaced, kUnchanged, kDuplicate, kDryRun };
std::string_view JobOutcomeName(JobOutcome outcome);  // "loaded", ..., "dry_run"

struct JobInfo {
  JobId job_id = 0;
  std::string key;
  JobStatus status = JobStatus::kQueued;
  std::optional<JobOutcome> outcome;  // set once succeeded
  std::string duplicate_of;           // key of the loaded report when outcome is kDuplicate
  int64_t rows_read = 0;
  int64_t rows_loaded = 0;
  int64_t rows_updated = 0;
  int64_t rows_rejected = 0;
  int64_t bytes_read = 0;
  int64_t bytes_total = 0;
  std::string error;  // why it failed; "" otherwise. Shown to clients as is.
  Timestamp created_at{};
  std::optional<Timestamp> started_at;
  std::optional<Timestamp> finished_at;
};

// ---------------------------------------------------------------------------------------
// Stats

enum class GroupBy { kNone, kDay, kMonth, kCategory, kRegion, kCountry, kChannel, kSku };

struct StatsQuery {
  std::optional<int32_t> from_day;  // days since epoch, inclusive; nullopt = no lower bound
  std::optional<int32_t> to_day;    // inclusive; REQUIRES from_day <= to_day when both set
  GroupBy group_by = GroupBy::kNone;
  std::optional<int> top;  // >= 1; only for non-date groupings (date groups are all kept)
  std::string currency;    // ISO 4217 upper case; "" = the configured default currency
};

struct StatsFigures {
  core::Money revenue;
  int64_t orders = 0;  // exact distinct count
  int64_t lines = 0;
  int64_t units = 0;
  int64_t customers = 0;  // exact distinct count of known customer ids
};

struct StatsGroup {
  std::string key;  // "2026-10-01", "2026-10", a category, a sku ...
  StatsFigures figures;
};

struct StatsResult {
  std::string currency;                 // the currency of every amount below
  std::vector<std::string> currencies;  // every currency present in the range, sorted
  StatsFigures totals;
  // Day/month groups in date order; other groups by revenue, highest first, at most `top`.
  std::vector<StatsGroup> groups;
};

// ---------------------------------------------------------------------------------------
// Rejects, unload, mappings, health, metrics

// Pull cursor over a report's rejected rows, in line order. Owned by the caller; used by
// one thread at a time; may be read after the request handler returned (streaming).
class RejectCursor {
 public:
  virtual ~RejectCursor() = default;
  // Fills *row and returns true; false at the end. kUnavailable if the database went away
  // mid-stream (the API then aborts the response).
  virtual Result<bool> Next(core::RejectedRow* row) = 0;
};

struct UnloadResult {
  std::string key;
  int64_t rows_deleted = 0;
};

// A stored mapping and reader options for every report under a prefix.
struct PrefixMapping {
  std::string prefix;
  ColumnMapping mapping;
  ReaderOptions reader;
  std::optional<double> max_reject_ratio;
};

struct Readiness {
  Status database;  // ok when MySQL answers
  Status storage;   // ok when the object store answers
  bool ready() const { return database.ok() && storage.ok(); }
};

// Figures the backend contributes to /metrics. Counters are monotonic since process start.
struct BackendMetrics {
  std::map<JobStatus, int64_t> jobs_by_status;  // gauge: jobs in the table per status
  int64_t rows_loaded = 0;                      // counter
  int64_t rows_updated = 0;                     // counter
  int64_t rows_rejected = 0;                    // counter
  int64_t bytes_read = 0;                       // counter
};

class Backend {
 public:
  virtual ~Backend() = default;

  // Reports under request.prefix with their status. kInvalidArgument for a bad page token;
  // kUnavailable when storage or MySQL is down.
  virtual Result<ReportPage> ListReports(const ListReportsRequest& request) = 0;

  // Starts an upload of `key` (already validated with the object-key rules).
  // `expected_size` is the file size when the client declared it, else nullopt.
  // kUnavailable when storage is down.
  virtual Result<std::unique_ptr<storage::ObjectWriter>> OpenUpload(
      const std::string& key, std::optional<int64_t> expected_size) = 0;

  // Enqueues one job per report (coalescing with a queued/running job for the same key,
  // whose JobInfo is then returned). Returns the jobs in request order (for `pending`, in
  // key order; possibly empty). kNotFound when a named key is not in storage;
  // kInvalidArgument for a bad option (unknown mapping column, bad delimiter, ...);
  // kUnavailable when MySQL or storage is down.
  virtual Result<std::vector<JobInfo>> EnqueueProcess(const ProcessRequest& request) = 0;

  // Blocks until every job is final, `timeout` elapses, or Shutdown() begins; returns the
  // jobs' current state in the same order either way (the API checks IsFinal).
  // kNotFound for an unknown id; kUnavailable when MySQL is down.
  virtual Result<std::vector<JobInfo>> WaitForJobs(const std::vector<JobId>& ids,
                                                   std::chrono::milliseconds timeout) = 0;

  // kNotFound for an unknown id.
  virtual Result<JobInfo> GetJob(JobId id) = 0;

  // The most recent jobs, newest first. REQUIRES: 1 <= limit <= 1000.
  virtual Result<std::vector<JobInfo>> ListJobs(int limit) = 0;

  // kInvalidArgument for a query the API could not validate (e.g. unknown currency is NOT
  // an error: it yields zero totals and the list of currencies present).
  virtual Result<StatsResult> QueryStats(const StatsQuery& query) = 0;

  // The rejected rows of the report's current (or last failed) load. kNotFound when the
  // report has never been processed.
  virtual Result<std::unique_ptr<RejectCursor>> OpenRejects(const std::string& key) = 0;

  // Removes the report's rows and rejects atomically and forgets it in the ledger (so it is
  // `new` again). kNotFound when nothing is loaded for it; kConflict while a job runs on it.
  virtual Result<UnloadResult> UnloadReport(const std::string& key) = 0;

  // Mappings by prefix. Get/Delete: kNotFound when none. Put replaces (upsert);
  // kInvalidArgument for an unknown canonical column or bad reader option.
  virtual Result<PrefixMapping> GetMapping(const std::string& prefix) = 0;
  virtual Status PutMapping(const PrefixMapping& mapping) = 0;
  virtual Status DeleteMapping(const std::string& prefix) = 0;
  virtual Result<std::vector<PrefixMapping>> ListMappings() = 0;  // in prefix order

  // Cheap probes (a few hundred ms at most; used by /readyz).
  virtual Readiness CheckReady() = 0;

  // kUnavailable when jobs_by_status cannot be read; /metrics then omits the backend part.
  virtual Result<BackendMetrics> CollectMetrics() = 0;

  // Called once on SIGTERM/SIGINT after the server stopped accepting: wake WaitForJobs
  // callers, let running jobs finish within `grace`, then release their leases so another
  // worker picks them up. Calls after it may return kUnavailable.
  virtual void Shutdown(std::chrono::milliseconds grace) = 0;
};

}  // namespace salesflow::api
