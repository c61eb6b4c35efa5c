#include "ingest/runner.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <functional>
#include <optional>
#include <thread>

#include "ingest/chunk_queue.h"
#include "ingest/content_hash.h"
#include "ingest/line_sinks.h"
#include "ingest/reject_tally.h"
#include "reader/report_reader.h"
#include "warehouse/line_numberer.h"
#include "warehouse/load_data.h"
#include "warehouse/report_load.h"

namespace salesflow::ingest {

JobCounts LiveProgress::Snapshot() const {
  JobCounts counts;
  counts.rows_read = rows_read.load(std::memory_order_relaxed);
  counts.rows_loaded = rows_loaded.load(std::memory_order_relaxed);
  counts.bytes_read = bytes_read.load(std::memory_order_relaxed);
  const int64_t total = bytes_total.load(std::memory_order_relaxed);
  if (total >= 0) counts.bytes_total = total;
  return counts;
}

void RunControl::RequestStop(Stop why) {
  Stop expected = Stop::kNone;
  if (!stop_.compare_exchange_strong(expected, why)) return;
  std::lock_guard lock(interrupt_mutex_);
  if (interrupt_) std::exchange(interrupt_, nullptr)();
}

void RunControl::SetInterrupt(std::function<void()> interrupt) {
  std::lock_guard lock(interrupt_mutex_);
  if (interrupt && stopped()) {
    interrupt();
    return;
  }
  interrupt_ = std::move(interrupt);
}

Status RunControl::StopStatus() const {
  return stop() == Stop::kLeaseLost
             ? Status::Cancelled("the job's lease was lost to another worker")
             : Status::Cancelled("the worker is shutting down");
}

namespace {

using warehouse::Connection;
using warehouse::StagingTable;
using warehouse::Transaction;

// While alive, a stop request (lost lease, shutdown after the grace period) KILLs the job's
// session from a session of its own: a long statement (a LOAD of millions of lines, an
// upsert, a summary recompute) ends at once instead of running to its end, the server rolls
// the transaction back, and the runner, finding its session gone, returns kStopped.
class KillSessionOnStop {
 public:
  KillSessionOnStop(RunControl& control, const warehouse::DbConfig& db, const Connection& session)
      : control_(control) {
    control_.SetInterrupt([db, id = session.session_id()] {
      // Short timeouts: this runs on the shutdown path, one worker after another, and a
      // database that does not answer has no statement of ours left to stop anyway.
      warehouse::ConnectOptions connect;
      connect.create_database = false;
      connect.connect_timeout = std::chrono::seconds(2);
      connect.read_timeout = std::chrono::seconds(5);
      connect.write_timeout = std::chrono::seconds(5);
      auto killer = Connection::Open(db, connect);
      Status killed = killer.ok() ? killer->Execute(fmt::format("KILL {}", id)) : killer.status();
      // "Unknown thread id" (1094): the session ended by itself meanwhile.
      if (!killed.ok() && killed.message().find("(error 1094)") == std::string::npos) {
        spdlog::warn("could not stop session {} of a stopped job: {}", id, killed.ToString());
      }
    });
  }
  ~KillSessionOnStop() { control_.ClearInterrupt(); }
  KillSessionOnStop(const KillSessionOnStop&) = delete;
  KillSessionOnStop& operator=(const KillSessionOnStop&) = delete;

 private:
  RunControl& control_;
};

// Errors a retry may cure: the database or storage was unreachable, a deadlock, a timeout,
// a transfer cut short, or the object changed while it was read (If-Match).
bool IsTransient(const Status& status) {
  switch (status.code()) {
    case StatusCode::kUnavailable:
    case StatusCode::kConflict:
    case StatusCode::kDeadlineExceeded:
    case StatusCode::kDataLoss:
    case StatusCode::kFailedPrecondition:
      return true;
    default:
      return false;
  }
}

// How the loading thread sends what the producer queues.
struct LoadPlan {
  QueuedSink* sink = nullptr;
  // One LOAD DATA (or INSERT) statement for a run of sales chunks.
  std::function<Result<warehouse::LoadStats>(warehouse::ChunkSource&,
                                             const warehouse::LoadOptions&)>
      load_sales;
  // The direct load's summary merges (null for the staged path).
  SummaryMerge* merge = nullptr;
  std::function<Status()> merge_summaries;
};

// What streaming one report produced.
struct StreamOutcome {
  Status storage_error;  // Get failed (or was stopped)
  Status reader_error;   // the report itself is bad: permanent
  Status load_error;     // LOAD DATA failed
  std::string sha256_hex;
  reader::ReaderStats stats;
  RejectTally tally;
  uint64_t staged_rows = 0;
  uint64_t skipped = 0;   // rows LOAD DATA ... IGNORE left out (the direct load)
  uint64_t warnings = 0;  // server warnings other than those skips
  bool used_insert_fallback = false;
};

// What a successful load hands to FinishLoad.
struct LoadSummary {
  RejectTally tally;
  int64_t rows_read = 0;
  warehouse::UpsertCounts upsert;
  bool replaced = false;
  int64_t last_modified = 0;
  const char* path = "";  // for the log: direct, fast path, exact path
  bool used_insert_fallback = false;
  std::chrono::steady_clock::duration stream_time{};
  std::chrono::steady_clock::duration apply_time{};
};

class JobRun {
 public:
  JobRun(const RunEnvironment& env, const ClaimedJob& claim, RunControl& control)
      : env_(env), job_(claim.job), owner_(claim.lease_owner), control_(control) {}

  RunResult Run() {
    RunResult result = RunSteps();
    if (control_.stopped() && result.end != RunEnd::kRecorded) {
      result.end = RunEnd::kStopped;
      result.error = control_.StopStatus();
    }
    return result;
  }

 private:
  RunResult RunSteps();
  RunResult Fail(Status error) {
    RunResult r;
    r.end = IsTransient(error) ? RunEnd::kRetry : RunEnd::kFailed;
    r.error = error.WithContext(fmt::format("report '{}'", job_.key));
    r.final_state = FailedState(r.error.message());
    return r;
  }
  RunResult FailPermanently(Status error) {
    RunResult r = Fail(std::move(error));
    r.end = RunEnd::kFailed;
    return r;
  }
  FinalJobState FailedState(std::string error) const {
    FinalJobState s;
    s.state = JobState::kFailed;
    // A failed job loaded nothing: every row it read counts as rejected (the message says
    // which rows were rejected for what).
    s.counts.rows_read = control_.progress.rows_read.load();
    s.counts.rows_rejected = s.counts.rows_read;
    s.counts.bytes_read = control_.progress.bytes_read.load();
    s.counts.bytes_total = head_size_;
    s.etag = etag_;
    s.content_sha256_hex = sha256_hex_;
    s.error = std::move(error);
    return s;
  }
  FinalJobState Succeeded(JobOutcome outcome) const {
    FinalJobState s;
    s.state = JobState::kSucceeded;
    s.outcome = outcome;
    s.counts.bytes_read = control_.progress.bytes_read.load();
    s.counts.bytes_total = head_size_;
    s.etag = etag_;
    s.content_sha256_hex = sha256_hex_;
    return s;
  }

  // Writes the final state (fenced) in the connection's current transaction or autocommit.
  RunResult Record(Connection& connection, FinalJobState state) {
    // From here the job commits or records as a whole: a stop no longer cuts the session.
    control_.ClearInterrupt();
    if (control_.before_final_write && !control_.before_final_write()) {
      control_.RequestStop(RunControl::Stop::kLeaseLost);
      return Stopped();
    }
    auto finished = FinishJob(connection, job_.id, owner_, state);
    if (!finished.ok()) return Fail(finished.status());
    if (!*finished) {
      control_.RequestStop(RunControl::Stop::kLeaseLost);
      return Stopped();
    }
    RunResult r;
    r.end = RunEnd::kRecorded;
    r.final_state = std::move(state);
    return r;
  }
  RunResult Stopped() const {
    RunResult r;
    r.end = RunEnd::kStopped;
    r.error = control_.StopStatus();
    return r;
  }

  // Line numbers by position and duplicate lines to rejects, in SQL; adds the duplicates
  // to *tally.
  Status NumberExactly(Connection& connection, const StagingTable& staging, int64_t report_id,
                       RejectTally* tally);
  RunResult RejectRatioFailure(Transaction& tx, Connection& connection, int64_t report_id,
                               std::optional<JobId> current_load, bool dry_run, int64_t rows_read,
                               double max_ratio, const RejectTally& tally);
  // Streams the report through `plan.sink` (built on `queue`) into the warehouse.
  StreamOutcome Stream(Connection& connection, ChunkQueue& queue, const LoadPlan& plan,
                       const reader::ReaderOptions& reader_options);
  QueuedSink::Target SinkTarget(ChunkQueue& queue, int64_t report_id) const {
    QueuedSink::Target target;
    target.queue = &queue;
    target.chunk_bytes = env_.options.chunk_bytes;
    target.report_id = static_cast<uint64_t>(report_id);
    target.job_id = static_cast<uint64_t>(job_.id);
    target.progress = &control_.progress;
    return target;
  }
  StreamOutcome StreamStaged(Connection& connection, StagingTable& staging,
                             const reader::ReaderOptions& reader_options, int64_t report_id);
  // The direct load (warehouse/report_load.h); nullopt = it stood down (a line repeats or
  // overwrites another report's, or the reject ratio needs the exact count): nothing of it
  // remains and the staged path must run.
  std::optional<RunResult> TryDirect(Connection& connection, const ResolvedOptions& resolved,
                                     int64_t report_id, const storage::ObjectInfo& head);
  // Outcomes decided by content once the SHA-256 is known: unchanged, duplicate.
  std::optional<RunResult> DecideByContent(Transaction& tx, Connection& connection,
                                           int64_t report_id, bool was_loaded,
                                           const std::optional<LedgerEntry>& ledger);
  Result<Connection> OpenLoadConnection() const;
  // The apply lock (waiting while the run is not stopped), then the ledger row FOR UPDATE.
  struct ApplyGuard {
    ApplyLock lock;
    LedgerEntry ledger;
  };
  Result<ApplyGuard> LockForApply(Connection& connection);
  // The failure a stream ended with, if any (also a row count that does not add up).
  std::optional<RunResult> StreamFailure(const StreamOutcome& streamed);
  RunResult RunStaged(Connection& connection, const ResolvedOptions& resolved, int64_t report_id,
                      bool was_loaded, const std::optional<LedgerEntry>& ledger,
                      const storage::ObjectInfo& head);
  // Rejects, accounting, ledger and commit of a load that succeeded.
  RunResult FinishLoad(Transaction& tx, Connection& connection, int64_t report_id,
                       const LoadSummary& load);
  RunResult Commit(Transaction& tx, Connection& connection, FinalJobState state) {
    RunResult r = Record(connection, std::move(state));
    if (r.end != RunEnd::kRecorded) return r;
    Status committed = tx.Commit();
    if (!committed.ok()) return Fail(committed);
    return r;
  }

  const RunEnvironment& env_;
  const JobRecord& job_;
  const std::string& owner_;
  RunControl& control_;
  std::string etag_;
  int64_t head_size_ = 0;
  std::string sha256_hex_;
  bool force_ = false;  // the resolved request's
};

StreamOutcome JobRun::Stream(Connection& connection, ChunkQueue& queue, const LoadPlan& plan,
                             const reader::ReaderOptions& reader_options) {
  const RunnerOptions& options = env_.options;
  StreamOutcome out;
  QueuedSink& sink = *plan.sink;
  reader::ReportReader report_reader(reader_options, &sink);
  ContentHash hash;
  Status sink_error;

  std::thread producer([&] {
    storage::GetOptions get;
    get.chunk_size = options.storage_chunk_bytes;
    get.if_match = etag_;  // read exactly the version Head saw
    Status reader_status;
    Status status = env_.store->Get(job_.key, get, [&](std::string_view chunk) -> Status {
      if (control_.stopped()) return control_.StopStatus();
      hash.Update(chunk);
      control_.progress.bytes_read.fetch_add(static_cast<int64_t>(chunk.size()),
                                             std::memory_order_relaxed);
      reader_status = report_reader.Feed(chunk);
      control_.progress.rows_read.store(report_reader.stats().rows_read, std::memory_order_relaxed);
      return reader_status;
    });
    if (status.ok()) {
      reader_status = report_reader.Finish();
      control_.progress.rows_read.store(report_reader.stats().rows_read);
      status = reader_status;
    }
    if (status.ok()) status = sink.Flush();
    if (!sink.error().ok()) {
      // Cancelled: the loading side closed the queue and its own error says why. Else the
      // sink's warehouse work failed (a lost session, a deadlock): a load error.
      if (sink.error().code() != StatusCode::kCancelled) sink_error = sink.error();
    } else if (!reader_status.ok() && reader_status.code() != StatusCode::kCancelled) {
      out.reader_error = reader_status;
    } else if (!status.ok()) {
      out.storage_error = status;
    }
    queue.Finish(status);
  });

  // The loading side: one statement per run of same-kind chunks, merges in between.
  warehouse::LoadOptions load_options;
  load_options.force_insert_fallback = options.force_insert_fallback;
  Status load_status;
  for (;;) {
    auto next = queue.PeekKind();
    if (!next.ok() || !*next) break;  // the producer's error is reported by the producer
    if (**next == ChunkKind::kSummaries) {
      queue.Recycle(queue.Pop());
      load_status = plan.merge_summaries ? plan.merge_summaries()
                                         : Status::Internal("a summary merge without a delta");
      if (plan.merge != nullptr) plan.merge->Complete(load_status);
      if (!load_status.ok()) break;
      continue;
    }
    ChunkRunSource run(&queue, **next);
    auto loaded = **next == ChunkKind::kSales
                      ? plan.load_sales(run, load_options)
                      : warehouse::LoadRejects(connection, run, load_options);
    if (!loaded.ok()) {
      load_status = loaded.status();
      break;
    }
    if (**next == ChunkKind::kSales) {
      out.staged_rows += loaded->records;
      out.skipped += loaded->skipped;
      out.warnings += loaded->warnings - std::min(loaded->warnings, loaded->skipped);
    }
    if (loaded->used_insert_fallback) {
      load_options.force_insert_fallback = true;  // do not ask a refusing server again
      out.used_insert_fallback = true;
    }
  }
  queue.Close();  // unblocks the producer if the load stopped early
  if (plan.merge != nullptr) plan.merge->Complete(Status::Cancelled("the load stopped"));
  producer.join();

  // A load that failed because its source failed reports the source's error instead.
  if (out.storage_error.ok() && out.reader_error.ok()) {
    out.load_error = load_status.ok() ? sink_error : load_status;
  }
  out.stats = report_reader.stats();
  out.tally = sink.tally();
  out.sha256_hex = hash.FinishHex();
  return out;
}

StreamOutcome JobRun::StreamStaged(Connection& connection, StagingTable& staging,
                                   const reader::ReaderOptions& reader_options, int64_t report_id) {
  ChunkQueue queue(env_.options.queue_chunks);
  StagingSink sink(SinkTarget(queue, report_id));
  LoadPlan plan;
  plan.sink = &sink;
  plan.load_sales = [&](warehouse::ChunkSource& source, const warehouse::LoadOptions& options) {
    return staging.Load(source, options);
  };
  return Stream(connection, queue, plan, reader_options);
}

Status JobRun::NumberExactly(Connection& connection, const StagingTable& staging, int64_t report_id,
                             RejectTally* tally) {
  SF_ASSIGN_OR_RETURN(uint64_t numbered, warehouse::AssignLineNumbers(connection, staging));
  (void)numbered;
  SF_ASSIGN_OR_RETURN(
      uint64_t duplicates,
      warehouse::RejectDuplicateLines(connection, staging, static_cast<uint64_t>(report_id),
                                      static_cast<uint64_t>(job_.id)));
  if (duplicates == 0) return Status::Ok();
  const std::string_view reason = core::RejectReasonCode(core::RejectReason::kDuplicateLine);
  SF_ASSIGN_OR_RETURN(std::vector<int64_t> first,
                      FirstRejectLines(connection, report_id, job_.id, reason,
                                       static_cast<int>(RejectTally::kFirstLines)));
  tally->AddMany(core::RejectReason::kDuplicateLine, static_cast<int64_t>(duplicates), first);
  return Status::Ok();
}

RunResult JobRun::RejectRatioFailure(Transaction& tx, Connection& connection, int64_t report_id,
                                     std::optional<JobId> current_load, bool dry_run,
                                     int64_t rows_read, double max_ratio,
                                     const RejectTally& tally) {
  FinalJobState failed = FailedState(
      fmt::format("report '{}': {}", job_.key, RejectRatioMessage(rows_read, max_ratio, tally)));
  if (dry_run) {
    (void)tx.Rollback();
    RunResult r;
    r.end = RunEnd::kFailed;
    r.error = Status::FailedPrecondition(failed.error);
    r.final_state = std::move(failed);
    return r;
  }
  // Nothing of the report changes; this job's rejects stay for the download, replacing
  // those of earlier failed jobs (the current load's stay too).
  std::vector<JobId> keep = {job_.id};
  if (current_load) keep.push_back(*current_load);
  if (auto d = DeleteRejectsExcept(connection, report_id, keep); !d.ok()) return Fail(d.status());
  return Commit(tx, connection, std::move(failed));
}

RunResult JobRun::RunSteps() {
  // 1. A session of our own: a crash or a lost connection rolls everything back.
  auto opened = OpenLoadConnection();
  if (!opened.ok()) return Fail(opened.status());
  Connection& connection = *opened;
  const KillSessionOnStop kill_on_stop(control_, env_.db, connection);

  // 2. Options: the request's, else the stored prefix mapping's, else defaults.
  auto stored = MappingForKey(connection, job_.key);
  if (!stored.ok()) return Fail(stored.status());
  auto resolved = ResolveOptions(job_.options, stored->has_value() ? &**stored : nullptr, job_.key,
                                 env_.options.default_currency);
  if (!resolved.ok()) return FailPermanently(resolved.status());
  const bool dry_run = resolved->dry_run;
  const bool force = resolved->force;
  force_ = force;

  // 3. The fast pre-check: same ETag and size as the loaded version means same content.
  auto head = env_.store->Head(job_.key);
  if (!head.ok()) {
    if (head.status().code() == StatusCode::kNotFound) {
      return FailPermanently(Status::NotFound("the report is no longer in storage"));
    }
    return Fail(head.status());
  }
  etag_ = head->etag;
  head_size_ = static_cast<int64_t>(head->size);
  control_.progress.bytes_total.store(head_size_);
  auto ledger = FindLedgerEntry(connection, job_.key, /*for_update=*/false);
  if (!ledger.ok()) return Fail(ledger.status());
  const bool was_loaded = ledger->has_value() && (*ledger)->status == LedgerStatus::kLoaded;
  if (!dry_run && !force && was_loaded && (*ledger)->etag == head->etag &&
      (*ledger)->size == head_size_) {
    sha256_hex_ = (*ledger)->content_sha256_hex;
    return Record(connection, Succeeded(JobOutcome::kUnchanged));
  }

  // 4. Dry runs write rejects under report 0 (rolled back) and create no ledger row.
  int64_t report_id = 0;
  if (!dry_run) {
    auto ensured = EnsureLedgerEntry(connection, job_.key);
    if (!ensured.ok()) return Fail(ensured.status());
    report_id = *ensured;
  }

  // 5. The direct load; when it stands down, the staged path below (exact in every case).
  if (!dry_run && env_.options.direct_load) {
    std::optional<RunResult> direct = TryDirect(connection, *resolved, report_id, *head);
    if (direct) return *std::move(direct);
    control_.progress.rows_read.store(0);
    control_.progress.rows_loaded.store(0);
    control_.progress.bytes_read.store(0);
  }
  return RunStaged(connection, *resolved, report_id, was_loaded, *ledger, *head);
}

Result<Connection> JobRun::OpenLoadConnection() const {
  // The load's set-based statements can run for many minutes on a large report on a busy
  // server; liveness is the lease's job, not a socket timeout's.
  warehouse::ConnectOptions connect;
  connect.read_timeout = std::chrono::hours(2);
  SF_ASSIGN_OR_RETURN(Connection connection, Connection::Open(env_.db, connect));
  SF_RETURN_IF_ERROR(ConfigureSession(connection));
  return connection;
}

Result<JobRun::ApplyGuard> JobRun::LockForApply(Connection& connection) {
  SF_ASSIGN_OR_RETURN(ApplyLock lock, ApplyLock::Acquire(connection, [this]() -> Status {
                        return control_.stopped() ? control_.StopStatus() : Status::Ok();
                      }));
  SF_ASSIGN_OR_RETURN(std::optional<LedgerEntry> ledger,
                      FindLedgerEntry(connection, job_.key, /*for_update=*/true));
  if (!ledger) return Status::Conflict("the ledger row vanished");
  return ApplyGuard{std::move(lock), *std::move(ledger)};
}

std::optional<RunResult> JobRun::DecideByContent(Transaction& tx, Connection& connection,
                                                 int64_t report_id, bool was_loaded,
                                                 const std::optional<LedgerEntry>& ledger) {
  if (force_) return std::nullopt;
  if (was_loaded && ledger->content_sha256_hex == sha256_hex_) {
    (void)tx.Rollback();
    auto refresh = Transaction::Start(connection);
    if (!refresh.ok()) return Fail(refresh.status());
    if (Status s = RefreshLoadedEtag(connection, report_id, etag_, head_size_); !s.ok()) {
      return Fail(s);
    }
    return Commit(*refresh, connection, Succeeded(JobOutcome::kUnchanged));
  }
  auto duplicate = FindLoadedReportWithContent(connection, sha256_hex_, job_.key);
  if (!duplicate.ok()) return Fail(duplicate.status());
  if (!duplicate->has_value()) return std::nullopt;
  (void)tx.Rollback();
  FinalJobState state = Succeeded(JobOutcome::kDuplicate);
  state.duplicate_of = **duplicate;
  return Record(connection, std::move(state));
}

std::optional<RunResult> JobRun::StreamFailure(const StreamOutcome& streamed) {
  if (!streamed.reader_error.ok()) return FailPermanently(streamed.reader_error);
  if (!streamed.storage_error.ok()) {
    if (streamed.storage_error.code() == StatusCode::kNotFound) {
      return FailPermanently(Status::NotFound("the report is no longer in storage"));
    }
    return Fail(streamed.storage_error);
  }
  if (!streamed.load_error.ok()) return Fail(streamed.load_error);
  const reader::ReaderStats& stats = streamed.stats;
  if (streamed.staged_rows != static_cast<uint64_t>(stats.rows_good) ||
      streamed.tally.total() != stats.rows_rejected()) {
    return FailPermanently(Status::Internal(
        fmt::format("loaded {} of {} good rows and tallied {} of {} rejects", streamed.staged_rows,
                    stats.rows_good, streamed.tally.total(), stats.rows_rejected())));
  }
  return std::nullopt;
}

std::optional<RunResult> JobRun::TryDirect(Connection& connection, const ResolvedOptions& resolved,
                                           int64_t report_id, const storage::ObjectInfo& head) {
  // Dictionary keys commit on a session of their own (key_dictionary.h).
  auto keys_session = OpenLoadConnection();
  if (!keys_session.ok()) return Fail(keys_session.status());
  auto dictionary = warehouse::KeyDictionary::Open(std::move(*keys_session));
  if (!dictionary.ok()) return Fail(dictionary.status());

  auto tx = Transaction::Start(connection);
  if (!tx.ok()) return Fail(tx.status());
  // Straight into sales: the apply lock covers the whole stream.
  auto guard = LockForApply(connection);
  if (!guard.ok()) return Fail(guard.status());
  const LedgerEntry& locked = guard->ledger;
  const bool loaded_before = locked.status == LedgerStatus::kLoaded;
  auto removed = warehouse::RemoveReportRows(connection, static_cast<uint64_t>(report_id));
  if (!removed.ok()) return Fail(removed.status());
  auto recomputed_days = warehouse::DaysMarkedForRefresh(connection);
  if (!recomputed_days.ok()) return Fail(recomputed_days.status());

  warehouse::SummaryDelta delta(std::move(*recomputed_days));
  ChunkQueue queue(env_.options.queue_chunks);
  SummaryMerge merge;
  DirectSink::Direct direct;
  direct.dictionary = &*dictionary;
  direct.delta = &delta;
  direct.merge = &merge;
  direct.merge_every_lines = env_.options.merge_every_lines;
  direct.batch_bytes = env_.options.key_batch_bytes;
  DirectSink sink(SinkTarget(queue, report_id), direct);
  LoadPlan plan;
  plan.sink = &sink;
  plan.load_sales = [&](warehouse::ChunkSource& source, const warehouse::LoadOptions& options) {
    return warehouse::LoadSalesDirect(connection, source, report_id, static_cast<uint64_t>(job_.id),
                                      options);
  };
  plan.merge = &merge;
  plan.merge_summaries = [&]() { return delta.MergeInto(connection); };
  const auto stream_start = std::chrono::steady_clock::now();
  StreamOutcome streamed = Stream(connection, queue, plan, resolved.reader);
  const auto streamed_at = std::chrono::steady_clock::now();
  if (auto failed = StreamFailure(streamed)) return failed;
  sha256_hex_ = streamed.sha256_hex;
  if (auto decided = DecideByContent(*tx, connection, report_id, loaded_before, locked)) {
    return decided;
  }

  const int64_t rows_read = streamed.stats.rows_read;
  const RejectTally& tally = streamed.tally;
  if (streamed.skipped > 0 || streamed.warnings > 0 ||
      ExceedsRejectRatio(tally.total(), rows_read, resolved.max_reject_ratio)) {
    spdlog::info(
        "job {}: the direct load stands down ({} lines repeat a line of this or another report, "
        "{} rejects of {} lines): the staged path takes over",
        job_.id, streamed.skipped, tally.total(), rows_read);
    (void)tx->Rollback();
    return std::nullopt;
  }
  auto summaries = warehouse::FinishDirectSummaries(connection, delta);
  if (!summaries.ok()) return Fail(summaries.status());

  LoadSummary load;
  load.tally = tally;
  load.rows_read = rows_read;
  load.upsert.inserted = streamed.staged_rows;
  load.replaced = loaded_before || force_;
  load.last_modified = head.last_modified;
  load.path = "direct";
  load.used_insert_fallback = streamed.used_insert_fallback;
  load.stream_time = streamed_at - stream_start;
  load.apply_time = std::chrono::steady_clock::now() - streamed_at;
  return FinishLoad(*tx, connection, report_id, load);
}

RunResult JobRun::RunStaged(Connection& connection, const ResolvedOptions& resolved,
                            int64_t report_id, bool was_loaded,
                            const std::optional<LedgerEntry>& ledger,
                            const storage::ObjectInfo& head) {
  const bool dry_run = resolved.dry_run;
  const bool force = resolved.force;
  // Stream into staging inside the job's transaction.
  auto tx = Transaction::Start(connection);
  if (!tx.ok()) return Fail(tx.status());
  auto staging = StagingTable::Create(connection, static_cast<uint64_t>(job_.id));
  if (!staging.ok()) return Fail(staging.status());
  const auto stream_start = std::chrono::steady_clock::now();
  StreamOutcome streamed = StreamStaged(connection, *staging, resolved.reader, report_id);
  const auto streamed_at = std::chrono::steady_clock::now();
  if (auto failed = StreamFailure(streamed)) return *std::move(failed);
  sha256_hex_ = streamed.sha256_hex;
  const reader::ReaderStats& stats = streamed.stats;

  // Decisions by content.
  if (!dry_run) {
    if (auto decided = DecideByContent(*tx, connection, report_id, was_loaded, ledger)) {
      return *std::move(decided);
    }
  }

  // The reject ratio, dry runs. The reader's rejects are known now; duplicate lines are
  // found in SQL: at once when the answer is needed before applying (a dry run, or a load
  // that fails on the reader's rejects anyway), else by the fast apply below.
  const int64_t rows_read = stats.rows_read;
  control_.progress.rows_read.store(rows_read);
  RejectTally tally = streamed.tally;
  const double max_ratio = resolved.max_reject_ratio;
  bool numbered_exactly = false;
  if (dry_run || ExceedsRejectRatio(tally.total(), rows_read, max_ratio)) {
    if (Status s = NumberExactly(connection, *staging, report_id, &tally); !s.ok()) return Fail(s);
    numbered_exactly = true;
  }
  const std::optional<JobId> current_load = ledger.has_value() ? ledger->last_job_id : std::nullopt;
  if (ExceedsRejectRatio(tally.total(), rows_read, max_ratio)) {
    return RejectRatioFailure(*tx, connection, report_id, current_load, dry_run, rows_read,
                              max_ratio, tally);
  }
  if (dry_run) {
    // Lines this report itself loaded before would be replaced, not updated.
    const int64_t own_id = ledger.has_value() ? ledger->id : 0;
    auto updated = CountLinesOwnedByOthers(connection, staging->name(), own_id);
    if (!updated.ok()) return Fail(updated.status());
    (void)tx->Rollback();
    FinalJobState state = Succeeded(JobOutcome::kDryRun);
    state.counts.rows_read = rows_read;
    state.counts.rows_rejected = tally.total();
    state.counts.rows_updated = *updated;
    state.counts.rows_loaded = rows_read - tally.total() - *updated;
    return Record(connection, std::move(state));
  }

  // Apply, serialised per warehouse, and commit with the job's final state.
  auto guard = LockForApply(connection);
  if (!guard.ok()) return Fail(guard.status());
  const LedgerEntry& locked = guard->ledger;
  const bool loaded_before = locked.status == LedgerStatus::kLoaded;
  if (!force && loaded_before && locked.content_sha256_hex == sha256_hex_) {
    (void)tx->Rollback();  // loaded meanwhile by an earlier job: nothing to do
    return Record(connection, Succeeded(JobOutcome::kUnchanged));
  }
  // The optimistic apply proves in one INSERT that no line repeats or overwrites another
  // report's; when it cannot, it undoes itself and the exact steps run.
  std::optional<warehouse::StagedReportCounts> fast;
  if (!numbered_exactly) {
    auto tried = warehouse::TryFastApply(connection, *staging, static_cast<uint64_t>(report_id),
                                         static_cast<uint64_t>(job_.id));
    if (!tried.ok()) return Fail(tried.status());
    fast = *tried;
  }
  LoadSummary load;
  if (fast) {
    load.upsert = fast->upsert;
  } else {
    if (!numbered_exactly) {
      if (Status s = NumberExactly(connection, *staging, report_id, &tally); !s.ok()) {
        return Fail(s);
      }
      if (ExceedsRejectRatio(tally.total(), rows_read, max_ratio)) {
        return RejectRatioFailure(*tx, connection, report_id, current_load, false, rows_read,
                                  max_ratio, tally);
      }
    }
    if (auto r = warehouse::RemoveReportRows(connection, static_cast<uint64_t>(report_id));
        !r.ok()) {
      return Fail(r.status());
    }
    auto upserted = warehouse::UpsertSales(connection, *staging, static_cast<uint64_t>(report_id),
                                           static_cast<uint64_t>(job_.id));
    if (!upserted.ok()) return Fail(upserted.status());
    load.upsert = *upserted;
    if (auto r = warehouse::RefreshSummaries(connection); !r.ok()) return Fail(r.status());
  }
  load.tally = std::move(tally);
  load.rows_read = rows_read;
  load.replaced = loaded_before || force;
  load.last_modified = head.last_modified;
  load.path = fast ? "fast path" : "exact path";
  load.used_insert_fallback = streamed.used_insert_fallback;
  load.stream_time = streamed_at - stream_start;
  load.apply_time = std::chrono::steady_clock::now() - streamed_at;
  return FinishLoad(*tx, connection, report_id, load);
}

RunResult JobRun::FinishLoad(Transaction& tx, Connection& connection, int64_t report_id,
                             const LoadSummary& load) {
  // The previous version's rejects (and failed jobs') go; this load's stay.
  const std::vector<JobId> keep = {job_.id};
  if (auto d = DeleteRejectsExcept(connection, report_id, keep); !d.ok()) return Fail(d.status());
  const int64_t rejected = load.tally.total();
  const int64_t inserted = static_cast<int64_t>(load.upsert.inserted);
  const int64_t updated = static_cast<int64_t>(load.upsert.updated);
  if (inserted + updated + rejected != load.rows_read) {
    return FailPermanently(Status::Internal(
        fmt::format("accounting mismatch: {} rows read, {} rejected, {} inserted, {} updated",
                    load.rows_read, rejected, inserted, updated)));
  }
  FinalJobState state = Succeeded(load.replaced ? JobOutcome::kReplaced : JobOutcome::kLoaded);
  state.counts.rows_read = load.rows_read;
  state.counts.rows_loaded = inserted;
  state.counts.rows_updated = updated;
  state.counts.rows_rejected = rejected;
  LoadedVersion version;
  version.content_sha256_hex = sha256_hex_;
  version.etag = etag_;
  version.size = head_size_;
  version.last_modified = load.last_modified;
  version.rows_loaded = inserted;
  version.rows_updated = updated;
  version.rows_rejected = rejected;
  version.job_id = job_.id;
  if (Status s = MarkLoaded(connection, report_id, version); !s.ok()) return Fail(s);
  const auto ms = [](auto d) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
  };
  spdlog::info("job {}: streamed {} bytes in {} ms{}, applied ({}) in {} ms", job_.id,
               control_.progress.bytes_read.load(), ms(load.stream_time),
               load.used_insert_fallback ? " with batched INSERTs (no LOAD DATA LOCAL)" : "",
               load.path, ms(load.apply_time));
  return Commit(tx, connection, std::move(state));
}

}  // namespace

RunResult RunJob(const RunEnvironment& environment, const ClaimedJob& claim, RunControl& control) {
  try {
    return JobRun(environment, claim, control).Run();
  } catch (const std::exception& e) {
    // Nothing below throws by contract; a bad_alloc or a library surprise must still end as
    // a failed job, never as a dead worker thread.
    RunResult r;
    r.end = RunEnd::kRetry;
    r.error =
        Status::Internal(fmt::format("report '{}': unexpected error: {}", claim.job.key, e.what()));
    return r;
  }
}

}  // namespace salesflow::ingest
