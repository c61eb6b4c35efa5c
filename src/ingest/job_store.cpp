#include "ingest/job_store.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <utility>

#include "ingest/content_hash.h"

namespace salesflow::ingest {
namespace {

using warehouse::Param;
using warehouse::QueryResult;

// Timestamps travel as integer milliseconds since the epoch (TIMESTAMP columns are UTC).
#define SF_MILLIS(column) "CAST(UNIX_TIMESTAMP(" column ") * 1000 AS SIGNED)"

constexpr std::string_view kJobColumns =
    "id, report_key, status, outcome, duplicate_of, options, attempts, max_attempts, "
    "rows_read, rows_loaded, rows_updated, rows_rejected, bytes_read, bytes_total, etag, "
    "error, " SF_MILLIS("created_at") ", " SF_MILLIS("started_at") ", " SF_MILLIS("finished_at");

// A dry run is recognised in SQL by its options (JSON_UNQUOTE renders true as 'true' on
// MySQL and MariaDB alike).
constexpr std::string_view kNotDryRun =
    "COALESCE(JSON_UNQUOTE(JSON_EXTRACT(options, '$.dry_run')), 'false') <> 'true'";

Timestamp FromMillis(int64_t millis) {
  return Timestamp(
      std::chrono::duration_cast<Timestamp::duration>(std::chrono::milliseconds(millis)));
}

Result<JobRecord> JobFromRow(const QueryResult& result, size_t row) {
  JobRecord job;
  size_t c = 0;
  job.id = result.Int(row, c++);
  job.key = result.Text(row, c++);
  SF_ASSIGN_OR_RETURN(job.state, ParseJobState(result.Text(row, c++)));
  if (!result.IsNull(row, c)) {
    SF_ASSIGN_OR_RETURN(job.outcome, ParseJobOutcome(result.Text(row, c)));
  }
  ++c;
  job.duplicate_of = result.Text(row, c++);
  SF_ASSIGN_OR_RETURN(job.options, JobOptions::FromJson(result.Text(row, c++)));
  job.attempts = static_cast<int>(result.Int(row, c++));
  job.max_attempts = static_cast<int>(result.Int(row, c++));
  job.counts.rows_read = result.Int(row, c++);
  job.counts.rows_loaded = result.Int(row, c++);
  job.counts.rows_updated = result.Int(row, c++);
  job.counts.rows_rejected = result.Int(row, c++);
  job.counts.bytes_read = result.Int(row, c++);
  if (!result.IsNull(row, c)) job.counts.bytes_total = result.Int(row, c);
  ++c;
  job.etag = result.Text(row, c++);
  job.error = result.Text(row, c++);
  job.created_at = FromMillis(result.Int(row, c++));
  if (!result.IsNull(row, c)) job.started_at = FromMillis(result.Int(row, c));
  ++c;
  if (!result.IsNull(row, c)) job.finished_at = FromMillis(result.Int(row, c));
  return job;
}

Result<std::vector<JobRecord>> JobsFromResult(const QueryResult& result) {
  std::vector<JobRecord> jobs;
  jobs.reserve(result.rows.size());
  for (size_t i = 0; i < result.rows.size(); ++i) {
    SF_ASSIGN_OR_RETURN(JobRecord job, JobFromRow(result, i));
    jobs.push_back(std::move(job));
  }
  return jobs;
}

// "?, ?, ?" for n placeholders.
std::string Placeholders(size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += i == 0 ? "?" : ", ?";
  return out;
}

std::vector<Param> KeyParams(std::span<const std::string> keys) {
  std::vector<Param> params;
  params.reserve(keys.size());
  for (const std::string& key : keys) params.emplace_back(std::string_view(key));
  return params;
}

Param OptionalText(std::string_view text) { return text.empty() ? Param(nullptr) : Param(text); }

int64_t Micros(std::chrono::milliseconds duration) {
  return static_cast<int64_t>(duration.count()) * 1000;
}

constexpr std::array<std::string_view, 4> kLedgerStatusNames = {"new", "loaded", "failed",
                                                                "unloaded"};

LedgerStatus ParseLedgerStatus(std::string_view name) {
  for (size_t i = 0; i < kLedgerStatusNames.size(); ++i) {
    if (kLedgerStatusNames[i] == name) return static_cast<LedgerStatus>(i);
  }
  return LedgerStatus::kNew;
}

constexpr std::string_view kLedgerColumns =
    "id, report_key, status, LOWER(HEX(content_sha256)), etag, size, rows_loaded, rows_updated, "
    "rows_rejected, last_job_id";

LedgerEntry LedgerFromRow(const QueryResult& result, size_t row) {
  LedgerEntry entry;
  size_t c = 0;
  entry.id = result.Int(row, c++);
  entry.key = result.Text(row, c++);
  entry.status = ParseLedgerStatus(result.Text(row, c++));
  entry.content_sha256_hex = result.Text(row, c++);
  entry.etag = result.Text(row, c++);
  if (!result.IsNull(row, c)) entry.size = result.Int(row, c);
  ++c;
  entry.rows_loaded = result.Int(row, c++);
  entry.rows_updated = result.Int(row, c++);
  entry.rows_rejected = result.Int(row, c++);
  if (!result.IsNull(row, c)) entry.last_job_id = result.Int(row, c);
  return entry;
}

core::RejectReason ParseReason(std::string_view code) {
  for (size_t i = 0; i < core::kRejectReasonCodes.size(); ++i) {
    if (core::kRejectReasonCodes[i] == code) return static_cast<core::RejectReason>(i);
  }
  return core::RejectReason::kMissingValue;
}

}  // namespace

Status ConfigureSession(Connection& connection) {
  return connection.Execute("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED");
}

// ---- jobs ------------------------------------------------------------------------------

Result<JobRecord> EnqueueJob(Connection& connection, std::string_view key,
                             const JobOptions& options, int max_attempts) {
  const std::string json = options.ToJson();
  // The unique active_key makes the insert the arbiter: of concurrent requests exactly one
  // inserts, the others hit the duplicate key and return the winner's job. The loop covers
  // the winner finishing between our failed insert and our read.
  for (int round = 0; round < 8; ++round) {
    if (!options.dry_run) {
      SF_ASSIGN_OR_RETURN(std::optional<JobRecord> active, ActiveJob(connection, key));
      if (active) return *std::move(active);
    }
    auto inserted = connection.Exec(
        "INSERT INTO jobs (report_key, active_key, options, max_attempts) VALUES (?, ?, ?, ?)",
        {key, options.dry_run ? Param(nullptr) : Param(key), std::string_view(json),
         int64_t{max_attempts}});
    if (inserted.ok()) {
      SF_ASSIGN_OR_RETURN(QueryResult id, connection.Query("SELECT LAST_INSERT_ID()"));
      return LoadJob(connection, id.Int(0, 0));
    }
    if (inserted.status().code() != StatusCode::kAlreadyExists) return inserted.status();
  }
  return Status::Conflict(
      fmt::format("could not enqueue '{}': jobs for it keep starting and finishing", key));
}

Result<JobRecord> LoadJob(Connection& connection, JobId id) {
  SF_ASSIGN_OR_RETURN(QueryResult result,
                      connection.Query(fmt::format("SELECT {} FROM jobs WHERE id = ?", kJobColumns),
                                       {int64_t{id}}));
  if (result.empty()) return Status::NotFound(fmt::format("no job {}", id));
  return JobFromRow(result, 0);
}

Result<std::vector<JobRecord>> LoadJobs(Connection& connection, std::span<const JobId> ids) {
  std::vector<JobRecord> out;
  if (ids.empty()) return out;
  std::vector<Param> params(ids.begin(), ids.end());
  SF_ASSIGN_OR_RETURN(QueryResult result,
                      connection.Query(fmt::format("SELECT {} FROM jobs WHERE id IN ({})",
                                                   kJobColumns, Placeholders(ids.size())),
                                       params));
  SF_ASSIGN_OR_RETURN(std::vector<JobRecord> found, JobsFromResult(result));
  out.reserve(ids.size());
  for (JobId id : ids) {
    auto it =
        std::find_if(found.begin(), found.end(), [id](const JobRecord& j) { return j.id == id; });
    if (it == found.end()) return Status::NotFound(fmt::format("no job {}", id));
    out.push_back(*it);
  }
  return out;
}

Result<std::vector<JobRecord>> RecentJobs(Connection& connection, int limit) {
  SF_ASSIGN_OR_RETURN(
      QueryResult result,
      connection.Query(fmt::format("SELECT {} FROM jobs ORDER BY id DESC LIMIT ?", kJobColumns),
                       {int64_t{limit}}));
  return JobsFromResult(result);
}

Result<std::optional<ClaimedJob>> ClaimJob(Connection& connection, std::string_view worker_id,
                                           std::chrono::milliseconds lease) {
  // Each round is one short transaction; a round that only failed an exhausted job loops.
  for (int round = 0; round < 16; ++round) {
    SF_ASSIGN_OR_RETURN(auto tx, warehouse::Transaction::Start(connection));
    SF_ASSIGN_OR_RETURN(
        QueryResult candidate,
        connection.Query("SELECT id, attempts, max_attempts, error FROM jobs "
                         "WHERE status = 'running' AND lease_expires_at < NOW(3) "
                         "ORDER BY lease_expires_at, id LIMIT 1 FOR UPDATE SKIP LOCKED"));
    if (candidate.empty()) {
      SF_ASSIGN_OR_RETURN(
          candidate, connection.Query("SELECT id, attempts, max_attempts, error FROM jobs "
                                      "WHERE status = 'queued' AND (lease_expires_at IS NULL OR "
                                      "lease_expires_at <= NOW(3)) ORDER BY id LIMIT 1 "
                                      "FOR UPDATE SKIP LOCKED"));
    }
    if (candidate.empty()) {
      SF_RETURN_IF_ERROR(tx.Commit());
      return std::optional<ClaimedJob>();
    }
    const JobId id = candidate.Int(0, 0);
    const int64_t attempts = candidate.Int(0, 1);
    const int64_t max_attempts = candidate.Int(0, 2);
    if (attempts >= max_attempts) {
      std::string error = fmt::format("worker lost {} times", attempts);
      if (!candidate.IsNull(0, 3)) error += "; last error: " + candidate.Text(0, 3);
      SF_ASSIGN_OR_RETURN(
          uint64_t failed,
          connection.Exec("UPDATE jobs SET status = 'failed', active_key = NULL, "
                          "lease_owner = NULL, lease_expires_at = NULL, error = ?, "
                          "rows_read = 0, rows_loaded = 0, rows_updated = 0, rows_rejected = 0, "
                          "finished_at = NOW(3) WHERE id = ?",
                          {std::string_view(error), int64_t{id}}));
      (void)failed;
      SF_RETURN_IF_ERROR(tx.Commit());
      continue;
    }
    const std::string owner = fmt::format("{}#{}", worker_id, attempts + 1);
    SF_ASSIGN_OR_RETURN(
        uint64_t claimed,
        connection.Exec("UPDATE jobs SET status = 'running', attempts = attempts + 1, "
                        "lease_owner = ?, lease_expires_at = TIMESTAMPADD(MICROSECOND, ?, NOW(3)), "
                        "started_at = COALESCE(started_at, NOW(3)), rows_read = 0, "
                        "rows_loaded = 0, rows_updated = 0, rows_rejected = 0, bytes_read = 0 "
                        "WHERE id = ?",
                        {std::string_view(owner), Micros(lease), int64_t{id}}));
    if (claimed != 1)
      return Status::Internal(fmt::format("claim of job {} updated {} rows", id, claimed));
    SF_ASSIGN_OR_RETURN(JobRecord job, LoadJob(connection, id));
    SF_RETURN_IF_ERROR(tx.Commit());
    return std::optional<ClaimedJob>(ClaimedJob{std::move(job), owner});
  }
  return std::optional<ClaimedJob>();
}

Result<bool> RenewLease(Connection& connection, JobId id, std::string_view lease_owner,
                        std::chrono::milliseconds lease, const JobCounts& progress) {
  SF_ASSIGN_OR_RETURN(
      uint64_t updated,
      connection.Exec("UPDATE jobs SET lease_expires_at = TIMESTAMPADD(MICROSECOND, ?, NOW(3)), "
                      "rows_read = ?, rows_loaded = ?, bytes_read = ?, "
                      "bytes_total = COALESCE(?, bytes_total) "
                      "WHERE id = ? AND lease_owner = ? AND status = 'running'",
                      {Micros(lease), progress.rows_read, progress.rows_loaded, progress.bytes_read,
                       progress.bytes_total ? Param(*progress.bytes_total) : Param(nullptr),
                       int64_t{id}, lease_owner}));
  // The new expiry always differs from the old one (milliseconds move on), so a row that
  // still matches the fence counts as changed.
  return updated == 1;
}

Result<bool> FinishJob(Connection& connection, JobId id, std::string_view lease_owner,
                       const FinalJobState& s) {
  const std::string_view outcome = s.outcome ? JobOutcomeName(*s.outcome) : std::string_view();
  SF_ASSIGN_OR_RETURN(
      uint64_t updated,
      connection.Exec("UPDATE jobs SET status = ?, outcome = ?, duplicate_of = ?, rows_read = ?, "
                      "rows_loaded = ?, rows_updated = ?, rows_rejected = ?, bytes_read = ?, "
                      "bytes_total = COALESCE(?, bytes_total), content_sha256 = UNHEX(?), "
                      "etag = COALESCE(?, etag), error = ?, active_key = NULL, lease_owner = NULL, "
                      "lease_expires_at = NULL, finished_at = NOW(3) "
                      "WHERE id = ? AND lease_owner = ? AND status = 'running'",
                      {JobStateName(s.state), OptionalText(outcome), OptionalText(s.duplicate_of),
                       s.counts.rows_read, s.counts.rows_loaded, s.counts.rows_updated,
                       s.counts.rows_rejected, s.counts.bytes_read,
                       s.counts.bytes_total ? Param(*s.counts.bytes_total) : Param(nullptr),
                       OptionalText(s.content_sha256_hex), OptionalText(s.etag),
                       OptionalText(s.error), int64_t{id}, lease_owner}));
  return updated == 1;
}

Result<bool> ReleaseJob(Connection& connection, JobId id, std::string_view lease_owner,
                        std::chrono::milliseconds retry_after, std::string_view error,
                        bool count_attempt) {
  SF_ASSIGN_OR_RETURN(
      uint64_t updated,
      connection.Exec("UPDATE jobs SET status = 'queued', lease_owner = NULL, "
                      "lease_expires_at = IF(? > 0, TIMESTAMPADD(MICROSECOND, ?, NOW(3)), NULL), "
                      "error = COALESCE(?, error), attempts = attempts - ?, rows_read = 0, "
                      "rows_loaded = 0, rows_updated = 0, rows_rejected = 0, bytes_read = 0 "
                      "WHERE id = ? AND lease_owner = ? AND status = 'running'",
                      {Micros(retry_after), Micros(retry_after), OptionalText(error),
                       int64_t{count_attempt ? 0 : 1}, int64_t{id}, lease_owner}));
  return updated == 1;
}

Result<std::map<JobState, int64_t>> CountJobsByState(Connection& connection) {
  SF_ASSIGN_OR_RETURN(QueryResult result,
                      connection.Query("SELECT status, COUNT(*) FROM jobs GROUP BY status"));
  std::map<JobState, int64_t> out = {{JobState::kQueued, 0},
                                     {JobState::kRunning, 0},
                                     {JobState::kSucceeded, 0},
                                     {JobState::kFailed, 0}};
  for (size_t i = 0; i < result.rows.size(); ++i) {
    SF_ASSIGN_OR_RETURN(JobState state, ParseJobState(result.Text(i, 0)));
    out[state] = result.Int(i, 1);
  }
  return out;
}

Result<std::map<std::string, JobRecord>> LatestRealJobs(Connection& connection,
                                                        std::span<const std::string> keys) {
  std::map<std::string, JobRecord> out;
  if (keys.empty()) return out;
  std::vector<Param> params = KeyParams(keys);
  SF_ASSIGN_OR_RETURN(
      QueryResult result,
      connection.Query(fmt::format("SELECT {} FROM jobs WHERE id IN (SELECT MAX(id) FROM jobs "
                                   "WHERE report_key IN ({}) AND {} GROUP BY report_key)",
                                   kJobColumns, Placeholders(keys.size()), kNotDryRun),
                       params));
  SF_ASSIGN_OR_RETURN(std::vector<JobRecord> jobs, JobsFromResult(result));
  for (JobRecord& job : jobs) {
    std::string key = job.key;
    out.emplace(std::move(key), std::move(job));
  }
  return out;
}

Result<std::optional<JobRecord>> ActiveJob(Connection& connection, std::string_view key) {
  SF_ASSIGN_OR_RETURN(
      QueryResult result,
      connection.Query(fmt::format("SELECT {} FROM jobs WHERE active_key = ?", kJobColumns),
                       {key}));
  if (result.empty()) return std::optional<JobRecord>();
  SF_ASSIGN_OR_RETURN(JobRecord job, JobFromRow(result, 0));
  return std::optional<JobRecord>(std::move(job));
}

// ---- ledger ----------------------------------------------------------------------------

Result<int64_t> EnsureLedgerEntry(Connection& connection, std::string_view key) {
  SF_ASSIGN_OR_RETURN(QueryResult found,
                      connection.Query("SELECT id FROM reports WHERE report_key = ?", {key}));
  if (!found.empty()) return found.Int(0, 0);
  SF_ASSIGN_OR_RETURN(uint64_t inserted,
                      connection.Exec("INSERT IGNORE INTO reports (report_key) VALUES (?)", {key}));
  (void)inserted;
  SF_ASSIGN_OR_RETURN(found,
                      connection.Query("SELECT id FROM reports WHERE report_key = ?", {key}));
  if (found.empty()) return Status::Internal("ledger row vanished right after its insert");
  return found.Int(0, 0);
}

Result<std::optional<LedgerEntry>> FindLedgerEntry(Connection& connection, std::string_view key,
                                                   bool for_update) {
  SF_ASSIGN_OR_RETURN(QueryResult result,
                      connection.Query(fmt::format("SELECT {} FROM reports WHERE report_key = ?{}",
                                                   kLedgerColumns, for_update ? " FOR UPDATE" : ""),
                                       {key}));
  if (result.empty()) return std::optional<LedgerEntry>();
  return std::optional<LedgerEntry>(LedgerFromRow(result, 0));
}

Result<std::map<std::string, LedgerEntry>> LedgerEntries(Connection& connection,
                                                         std::span<const std::string> keys) {
  std::map<std::string, LedgerEntry> out;
  if (keys.empty()) return out;
  std::vector<Param> params = KeyParams(keys);
  SF_ASSIGN_OR_RETURN(
      QueryResult result,
      connection.Query(fmt::format("SELECT {} FROM reports WHERE report_key IN ({})",
                                   kLedgerColumns, Placeholders(keys.size())),
                       params));
  for (size_t i = 0; i < result.rows.size(); ++i) {
    LedgerEntry entry = LedgerFromRow(result, i);
    std::string key = entry.key;
    out.emplace(std::move(key), std::move(entry));
  }
  return out;
}

Result<std::optional<std::string>> FindLoadedReportWithContent(Connection& connection,
                                                               std::string_view sha256_hex,
                                                               std::string_view key) {
  SF_ASSIGN_OR_RETURN(
      QueryResult result,
      connection.Query("SELECT report_key FROM reports WHERE content_sha256 = UNHEX(?) AND "
                       "status = 'loaded' AND report_key <> ? ORDER BY id LIMIT 1",
                       {sha256_hex, key}));
  if (result.empty()) return std::optional<std::string>();
  return std::optional<std::string>(result.Text(0, 0));
}

Status MarkLoaded(Connection& connection, int64_t report_id, const LoadedVersion& v) {
  SF_ASSIGN_OR_RETURN(
      uint64_t updated,
      connection.Exec("UPDATE reports SET status = 'loaded', content_sha256 = UNHEX(?), etag = ?, "
                      "size = ?, last_modified = IF(? > 0, FROM_UNIXTIME(?), NULL), "
                      "rows_loaded = ?, rows_updated = ?, rows_rejected = ?, last_job_id = ?, "
                      "error = NULL, loaded_at = NOW(3) WHERE id = ?",
                      {std::string_view(v.content_sha256_hex), std::string_view(v.etag), v.size,
                       v.last_modified, v.last_modified, v.rows_loaded, v.rows_updated,
                       v.rows_rejected, int64_t{v.job_id}, report_id}));
  if (updated != 1) return Status::Internal(fmt::format("ledger row {} not found", report_id));
  return Status::Ok();
}

Status RefreshLoadedEtag(Connection& connection, int64_t report_id, std::string_view etag,
                         int64_t size) {
  return connection
      .Exec("UPDATE reports SET etag = ?, size = ? WHERE id = ? AND status = 'loaded'",
            {etag, size, report_id})
      .status();
}

Status MarkUnloaded(Connection& connection, int64_t report_id) {
  return connection
      .Exec(
          "UPDATE reports SET status = 'unloaded', content_sha256 = NULL, etag = NULL, "
          "size = NULL, rows_loaded = 0, rows_updated = 0, rows_rejected = 0, "
          "last_job_id = NULL, loaded_at = NULL WHERE id = ?",
          {report_id})
      .status();
}

// ---- rejects ---------------------------------------------------------------------------

Result<uint64_t> DeleteRejectsExcept(Connection& connection, int64_t report_id,
                                     std::span<const JobId> keep) {
  // Never a locking scan of `rejects`: other jobs stream their rejects into it, uncommitted,
  // while they wait for the apply lock we hold, and a DELETE whose plan scans past their
  // rows would wait for them: a cycle InnoDB cannot see (half of it is GET_LOCK). So the
  // ids come from a non-locking read and the rows go by primary key.
  std::string select = "SELECT id FROM rejects WHERE report_id = ?";
  if (!keep.empty()) select += fmt::format(" AND job_id NOT IN ({})", Placeholders(keep.size()));
  select += " LIMIT 5000";
  std::vector<Param> params = {report_id};
  params.insert(params.end(), keep.begin(), keep.end());
  uint64_t deleted = 0;
  for (;;) {
    SF_ASSIGN_OR_RETURN(QueryResult ids, connection.Query(select, params));
    if (ids.empty()) return deleted;
    std::vector<Param> id_params;
    id_params.reserve(ids.rows.size());
    for (size_t i = 0; i < ids.rows.size(); ++i) id_params.emplace_back(ids.Int(i, 0));
    SF_ASSIGN_OR_RETURN(uint64_t n,
                        connection.Exec(fmt::format("DELETE FROM rejects WHERE id IN ({})",
                                                    Placeholders(id_params.size())),
                                        id_params));
    deleted += n;
  }
}

Result<std::vector<int64_t>> FirstRejectLines(Connection& connection, int64_t report_id,
                                              JobId job_id, std::string_view reason, int limit) {
  SF_ASSIGN_OR_RETURN(
      QueryResult result,
      connection.Query("SELECT line FROM rejects WHERE report_id = ? AND job_id = ? AND "
                       "reason = ? ORDER BY line LIMIT ?",
                       {report_id, int64_t{job_id}, reason, int64_t{limit}}));
  std::vector<int64_t> lines;
  for (size_t i = 0; i < result.rows.size(); ++i) lines.push_back(result.Int(i, 0));
  return lines;
}

Result<std::vector<std::pair<RejectPosition, core::RejectedRow>>> RejectsPage(
    Connection& connection, int64_t report_id, JobId job_id, RejectPosition after, int limit) {
  SF_ASSIGN_OR_RETURN(
      QueryResult result,
      connection.Query(
          "SELECT id, line, column_name, reason, message, raw FROM rejects "
          "WHERE report_id = ? AND job_id = ? AND (line > ? OR (line = ? AND id > ?)) "
          "ORDER BY line, id LIMIT ?",
          {report_id, int64_t{job_id}, after.line, after.line, after.id, int64_t{limit}}));
  std::vector<std::pair<RejectPosition, core::RejectedRow>> page;
  page.reserve(result.rows.size());
  for (size_t i = 0; i < result.rows.size(); ++i) {
    RejectPosition position{result.Int(i, 1), result.Int(i, 0)};
    core::RejectedRow row;
    row.line = position.line;
    row.column = result.Text(i, 2);
    row.reason = ParseReason(result.Text(i, 3));
    row.message = result.Text(i, 4);
    row.raw = result.Text(i, 5);
    page.emplace_back(position, std::move(row));
  }
  return page;
}

Result<int64_t> CountLinesOwnedByOthers(Connection& connection, std::string_view staging_table,
                                        int64_t report_id) {
  SF_ASSIGN_OR_RETURN(
      QueryResult result,
      connection.Query(fmt::format("SELECT COUNT(*) FROM {} s JOIN sales t ON t.order_id = "
                                   "s.order_id AND t.line_no = s.line_no WHERE t.report_id <> ?",
                                   Connection::QuoteIdentifier(staging_table)),
                       {report_id}));
  return result.Int(0, 0);
}

// ---- the apply lock --------------------------------------------------------------------

Result<ApplyLock> ApplyLock::Acquire(Connection& connection,
                                     const std::function<Status()>& keep_waiting) {
  std::string name = "salesflow.apply." + Sha256Hex(connection.config().database).substr(0, 24);
  for (;;) {
    if (keep_waiting) SF_RETURN_IF_ERROR(keep_waiting());
    SF_ASSIGN_OR_RETURN(QueryResult got,
                        connection.Query("SELECT GET_LOCK(?, 1)", {std::string_view(name)}));
    if (got.Int(0, 0) == 1) return ApplyLock(&connection, std::move(name));
  }
}

ApplyLock::ApplyLock(ApplyLock&& other) noexcept
    : connection_(std::exchange(other.connection_, nullptr)), name_(std::move(other.name_)) {}

ApplyLock::~ApplyLock() {
  if (connection_ != nullptr) {
    (void)connection_->Query("SELECT RELEASE_LOCK(?)", {std::string_view(name_)});
  }
}

// ---- mappings --------------------------------------------------------------------------

namespace {

Result<std::vector<PrefixMapping>> MappingsFromResult(const QueryResult& result) {
  std::vector<PrefixMapping> out;
  for (size_t i = 0; i < result.rows.size(); ++i) {
    SF_ASSIGN_OR_RETURN(
        PrefixMapping mapping,
        PrefixMappingFromJson(result.Text(i, 0), result.Text(i, 1), result.Text(i, 2)));
    out.push_back(std::move(mapping));
  }
  return out;
}

}  // namespace

Result<std::optional<PrefixMapping>> FindMapping(Connection& connection, std::string_view prefix) {
  SF_ASSIGN_OR_RETURN(QueryResult result,
                      connection.Query("SELECT prefix, mapping, reader_options FROM mappings "
                                       "WHERE prefix = ?",
                                       {prefix}));
  SF_ASSIGN_OR_RETURN(std::vector<PrefixMapping> found, MappingsFromResult(result));
  if (found.empty()) return std::optional<PrefixMapping>();
  return std::optional<PrefixMapping>(std::move(found.front()));
}

Result<std::optional<PrefixMapping>> MappingForKey(Connection& connection, std::string_view key) {
  // LEFT(key, LENGTH(prefix)) = prefix: a plain string prefix; binary columns compare bytes.
  SF_ASSIGN_OR_RETURN(
      QueryResult result,
      connection.Query(
          "SELECT prefix, mapping, reader_options FROM mappings "
          "WHERE LEFT(?, LENGTH(prefix)) = prefix ORDER BY LENGTH(prefix) DESC LIMIT 1",
          {key}));
  SF_ASSIGN_OR_RETURN(std::vector<PrefixMapping> found, MappingsFromResult(result));
  if (found.empty()) return std::optional<PrefixMapping>();
  return std::optional<PrefixMapping>(std::move(found.front()));
}

Result<std::vector<PrefixMapping>> AllMappings(Connection& connection) {
  SF_ASSIGN_OR_RETURN(
      QueryResult result,
      connection.Query("SELECT prefix, mapping, reader_options FROM mappings ORDER BY prefix"));
  return MappingsFromResult(result);
}

Status UpsertMapping(Connection& connection, const PrefixMapping& mapping) {
  const std::string mapping_json = MappingJson(mapping.mapping);
  const std::string reader_json = ReaderSettingsJson(mapping.reader, mapping.max_reject_ratio);
  return connection
      .Exec(
          "INSERT INTO mappings (prefix, mapping, reader_options) VALUES (?, ?, ?) "
          "ON DUPLICATE KEY UPDATE mapping = VALUES(mapping), "
          "reader_options = VALUES(reader_options)",
          {std::string_view(mapping.prefix), std::string_view(mapping_json),
           std::string_view(reader_json)})
      .status();
}

Result<bool> DeleteMapping(Connection& connection, std::string_view prefix) {
  SF_ASSIGN_OR_RETURN(uint64_t deleted,
                      connection.Exec("DELETE FROM mappings WHERE prefix = ?", {prefix}));
  return deleted > 0;
}

}  // namespace salesflow::ingest
