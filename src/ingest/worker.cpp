#include "ingest/worker.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <array>
#include <thread>

#include "ingest/job_store.h"

namespace salesflow::ingest {
namespace {

using warehouse::Connection;
using Clock = std::chrono::steady_clock;

Result<Connection> OpenSession(const warehouse::DbConfig& db) {
  warehouse::ConnectOptions options;
  options.create_database = false;
  SF_ASSIGN_OR_RETURN(Connection connection, Connection::Open(db, options));
  SF_RETURN_IF_ERROR(ConfigureSession(connection));
  return connection;
}

// Renews the lease and publishes progress on the worker's control session while the job
// runs on the load session.
class LeaseKeeper {
 public:
  LeaseKeeper(const warehouse::DbConfig& db, std::optional<Connection>* control,
              const ClaimedJob& claim, const WorkerConfig& config, RunControl* run)
      : db_(db), control_(control), claim_(claim), config_(config), run_(run) {
    thread_ = std::thread([this] { Loop(); });
  }
  ~LeaseKeeper() { Stop(); }
  LeaseKeeper(const LeaseKeeper&) = delete;
  LeaseKeeper& operator=(const LeaseKeeper&) = delete;

  // Stops renewing (idempotent). true = the lease was held at the last renewal.
  bool Stop() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
    return !lost_;
  }

 private:
  void Loop() {
    Clock::time_point renewed = Clock::now();
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, config_.renew_interval, [this] { return stop_; })) {
      lock.unlock();
      const Result<bool> held = Renew();
      lock.lock();
      if (held.ok() && *held) {
        renewed = Clock::now();
        continue;
      }
      if (held.ok()) {
        spdlog::warn("job {}: lease taken by another worker; abandoning this run", claim_.job.id);
      } else if (Clock::now() - renewed < config_.lease - config_.renew_interval) {
        spdlog::warn("job {}: lease renewal failed, retrying: {}", claim_.job.id,
                     held.status().message());
        continue;  // the lease still runs; the next tick retries
      } else {
        spdlog::warn("job {}: lease could not be renewed in time ({}); abandoning this run",
                     claim_.job.id, held.status().message());
      }
      lost_ = true;
      run_->RequestStop(RunControl::Stop::kLeaseLost);
      return;
    }
  }

  Result<bool> Renew() {
    if (!control_->has_value()) {
      SF_ASSIGN_OR_RETURN(Connection connection, OpenSession(db_));
      control_->emplace(std::move(connection));
    }
    Result<bool> held = RenewLease(**control_, claim_.job.id, claim_.lease_owner, config_.lease,
                                   run_->progress.Snapshot());
    if (!held.ok()) control_->reset();
    return held;
  }

  const warehouse::DbConfig& db_;
  std::optional<Connection>* control_;
  const ClaimedJob& claim_;
  const WorkerConfig& config_;
  RunControl* run_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::atomic<bool> lost_{false};
  std::thread thread_;
};

}  // namespace

std::string MakeWorkerId(int n) {
  std::array<char, 256> host{};
  if (gethostname(host.data(), host.size() - 1) != 0) host[0] = '\0';
  return fmt::format("{}:{}:{}", host.data(), getpid(), n);
}

Worker::Worker(warehouse::DbConfig db, storage::ObjectStore* store, WorkerConfig config,
               WorkerCounters* counters)
    : db_(std::move(db)), store_(store), config_(std::move(config)), counters_(counters) {
  if (config_.id.empty()) config_.id = MakeWorkerId(0);
}

Worker::~Worker() = default;

Result<Connection*> Worker::Control() {
  if (!control_) {
    SF_ASSIGN_OR_RETURN(Connection connection, OpenSession(db_));
    control_.emplace(std::move(connection));
  }
  return &*control_;
}

void Worker::Run() {
  std::chrono::milliseconds backoff = config_.idle_poll_min;
  std::string last_error;
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stop_requested_) return;
    }
    Result<bool> ran = RunOnce();
    if (ran.ok() && *ran) {
      backoff = config_.idle_poll_min;
      last_error.clear();
      continue;
    }
    if (!ran.ok() && ran.status().message() != last_error) {
      last_error = ran.status().message();
      spdlog::warn("worker {}: cannot claim jobs (retrying with backoff): {}", config_.id,
                   last_error);
    }
    backoff =
        IdleWait(backoff) ? config_.idle_poll_min : std::min(backoff * 2, config_.idle_poll_max);
  }
}

bool Worker::IdleWait(std::chrono::milliseconds duration) {
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, duration, [this] { return stop_requested_ || wake_pending_; });
  return std::exchange(wake_pending_, false);
}

Result<bool> Worker::RunOnce() {
  SF_ASSIGN_OR_RETURN(Connection * control, Control());
  Result<std::optional<ClaimedJob>> claimed = ClaimJob(*control, config_.id, config_.lease);
  if (!claimed.ok()) {
    control_.reset();
    return claimed.status();
  }
  if (!claimed->has_value()) return false;
  const ClaimedJob claim = std::move(**claimed);
  spdlog::info("worker {}: job {} ({}) started, attempt {} of {}", config_.id, claim.job.id,
               claim.job.key, claim.job.attempts, claim.job.max_attempts);

  RunControl run;
  {
    std::lock_guard lock(mutex_);
    current_ = &run;
    if (abort_requested_) run.RequestStop(RunControl::Stop::kShutdown);
  }
  RunResult result;
  {
    LeaseKeeper keeper(db_, &control_, claim, config_, &run);
    run.before_final_write = [&keeper] { return keeper.Stop(); };
    RunEnvironment environment{db_, store_, config_.runner};
    result = RunJob(environment, claim, run);
  }
  {
    std::lock_guard lock(mutex_);
    current_ = nullptr;
  }
  EndJob(claim, result, run.stop());
  if (on_job_end_) on_job_end_(claim.job.id);
  return true;
}

void Worker::EndJob(const ClaimedJob& claim, const RunResult& result, RunControl::Stop stop) {
  const JobRecord& job = claim.job;
  const auto record_failure = [&](FinalJobState state) {
    auto control = Control();
    Result<bool> written = control.ok() ? FinishJob(**control, job.id, claim.lease_owner, state)
                                        : Result<bool>(control.status());
    if (!written.ok()) {
      control_.reset();
      spdlog::warn(
          "job {}: could not record its failure ({}); its lease will expire and the "
          "job will be retried",
          job.id, written.status().message());
      return;
    }
    if (counters_ != nullptr && *written) counters_->jobs_failed.fetch_add(1);
    spdlog::warn("job {} ({}) failed: {}", job.id, job.key, state.error);
  };

  switch (result.end) {
    case RunEnd::kRecorded: {
      const FinalJobState& s = result.final_state;
      if (counters_ != nullptr) {
        (s.state == JobState::kSucceeded ? counters_->jobs_succeeded : counters_->jobs_failed)
            .fetch_add(1);
        counters_->rows_loaded.fetch_add(s.counts.rows_loaded);
        counters_->rows_updated.fetch_add(s.counts.rows_updated);
        counters_->rows_rejected.fetch_add(s.state == JobState::kSucceeded ? s.counts.rows_rejected
                                                                           : 0);
        counters_->bytes_read.fetch_add(s.counts.bytes_read);
      }
      if (s.state == JobState::kSucceeded) {
        spdlog::info("job {} ({}) succeeded: {}, {} read, {} loaded, {} updated, {} rejected",
                     job.id, job.key, s.outcome ? JobOutcomeName(*s.outcome) : "",
                     s.counts.rows_read, s.counts.rows_loaded, s.counts.rows_updated,
                     s.counts.rows_rejected);
      } else {
        spdlog::warn("job {} ({}) failed: {}", job.id, job.key, s.error);
      }
      return;
    }
    case RunEnd::kFailed:
      record_failure(result.final_state);
      return;
    case RunEnd::kRetry: {
      if (job.attempts >= job.max_attempts) {
        FinalJobState state = result.final_state;
        state.state = JobState::kFailed;
        state.error =
            fmt::format("gave up after {} attempts: {}", job.attempts, result.error.message());
        record_failure(std::move(state));
        return;
      }
      const auto backoff = config_.retry_backoff * job.attempts;
      auto control = Control();
      Result<bool> released = control.ok()
                                  ? ReleaseJob(**control, job.id, claim.lease_owner, backoff,
                                               result.error.message(), /*count_attempt=*/true)
                                  : Result<bool>(control.status());
      if (!released.ok()) control_.reset();
      spdlog::warn("job {} ({}): attempt {} of {} failed, retrying in {} ms: {}", job.id, job.key,
                   job.attempts, job.max_attempts, backoff.count(), result.error.message());
      return;
    }
    case RunEnd::kStopped:
      if (stop == RunControl::Stop::kShutdown) {
        auto control = Control();
        Result<bool> released =
            control.ok() ? ReleaseJob(**control, job.id, claim.lease_owner,
                                      std::chrono::milliseconds(0), "", /*count_attempt=*/false)
                         : Result<bool>(control.status());
        if (!released.ok()) control_.reset();
        spdlog::info("job {} ({}): released for another worker (shutdown)", job.id, job.key);
      } else {
        spdlog::warn("job {} ({}): lease lost; another worker owns it now", job.id, job.key);
      }
      return;
  }
}

void Worker::RequestStop() {
  {
    std::lock_guard lock(mutex_);
    stop_requested_ = true;
  }
  wake_.notify_all();
}

void Worker::Wake() {
  {
    std::lock_guard lock(mutex_);
    wake_pending_ = true;
  }
  wake_.notify_all();
}

void Worker::AbortCurrent() {
  std::lock_guard lock(mutex_);
  abort_requested_ = true;
  stop_requested_ = true;
  if (current_ != nullptr) current_->RequestStop(RunControl::Stop::kShutdown);
  wake_.notify_all();
}

}  // namespace salesflow::ingest
