#include "ingest/engine.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "core/object_key.h"
#include "ingest/job_store.h"
#include "ingest/watcher.h"
#include "warehouse/migrations.h"
#include "warehouse/report_load.h"
#include "warehouse/stats.h"

namespace salesflow::ingest {

using warehouse::Connection;

namespace {

// Credentials problems of the warehouse or storage are the operator's, not the API
// client's: they answer 503, never 401/403 (api/backend.h).
Status ForClient(Status status) {
  switch (status.code()) {
    case StatusCode::kUnauthenticated:
    case StatusCode::kPermissionDenied:
      return Status::Unavailable(status.message());
    default:
      return status;
  }
}

Status StorageForClient(Status status) {
  // A missing bucket or directory is a configuration problem, not a missing report.
  // A transfer cut short is the peer's trouble too.
  if (status.code() == StatusCode::kNotFound || status.code() == StatusCode::kDataLoss) {
    return Status::Unavailable(status.message());
  }
  return ForClient(std::move(status));
}

std::string EnvOr(const char* name, std::string fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::string(value) : fallback;
}

Result<std::string> CheckCurrency(std::string currency) {
  std::transform(currency.begin(), currency.end(), currency.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  if (currency.size() != 3 ||
      !std::all_of(currency.begin(), currency.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
    return Status::InvalidArgument("SALESFLOW_CURRENCY must be an ISO 4217 code like USD, got \"" +
                                   currency + "\"");
  }
  return currency;
}

}  // namespace

// Warehouse sessions for API calls: borrowed per call, returned when the call succeeded
// (a failed session may be broken; it is simply dropped). Thread-safe.
class SessionPool {
 public:
  explicit SessionPool(warehouse::DbConfig db) : db_(std::move(db)) {}

  // Runs f(Connection&) -> Status or Result<T> on a session. A pooled session that turns
  // out dead (the server closed it while idle) is replaced once.
  template <typename F>
  auto Run(F&& f) -> decltype(f(std::declval<Connection&>())) {
    for (int round = 0;; ++round) {
      bool pooled = false;
      auto taken = Take(&pooled);
      if (!taken.ok()) return ForClient(taken.status());
      auto result = f(*taken);
      if (result.ok()) {
        Give(std::move(*taken));
        return result;
      }
      const Status status = StatusOf(result);
      if (pooled && round == 0 && status.code() == StatusCode::kUnavailable) continue;
      return ForClient(status);
    }
  }

 private:
  static constexpr size_t kMaxIdle = 8;
  static Status StatusOf(const Status& status) { return status; }
  template <typename T>
  static Status StatusOf(const Result<T>& result) {
    return result.status();
  }

  Result<Connection> Take(bool* pooled) {
    {
      std::lock_guard lock(mutex_);
      if (!idle_.empty()) {
        Connection connection = std::move(idle_.back());
        idle_.pop_back();
        *pooled = true;
        return connection;
      }
    }
    warehouse::ConnectOptions options;
    options.create_database = false;
    options.connect_timeout = std::chrono::seconds(3);
    SF_ASSIGN_OR_RETURN(Connection connection, Connection::Open(db_, options));
    SF_RETURN_IF_ERROR(ConfigureSession(connection));
    return connection;
  }
  void Give(Connection connection) {
    std::lock_guard lock(mutex_);
    if (idle_.size() < kMaxIdle) idle_.push_back(std::move(connection));
  }

  warehouse::DbConfig db_;
  std::mutex mutex_;
  std::vector<Connection> idle_;
};

namespace {

// Pages through one report's rejects, a session per page.
class PagedRejectStream : public RejectStream {
 public:
  PagedRejectStream(std::shared_ptr<SessionPool> pool, int64_t report_id, JobId job_id)
      : pool_(std::move(pool)), report_id_(report_id), job_id_(job_id) {}

  Result<bool> Next(core::RejectedRow* row) override {
    if (index_ == page_.size()) {
      if (exhausted_) return false;
      SF_ASSIGN_OR_RETURN(page_, pool_->Run([&](Connection& c) {
        return RejectsPage(c, report_id_, job_id_, after_, kPageRows);
      }));
      index_ = 0;
      if (page_.size() < static_cast<size_t>(kPageRows)) exhausted_ = true;
      if (page_.empty()) return false;
      after_ = page_.back().first;
    }
    *row = std::move(page_[index_++].second);
    return true;
  }

 private:
  static constexpr int kPageRows = 1000;
  std::shared_ptr<SessionPool> pool_;
  int64_t report_id_;
  JobId job_id_;
  RejectPosition after_;
  std::vector<std::pair<RejectPosition, core::RejectedRow>> page_;
  size_t index_ = 0;
  bool exhausted_ = false;
};

}  // namespace

void AddEngineOptions(CLI::App* command, EngineOptions* options) {
  command->add_option("--workers", options->workers, "in-process workers (0 = none)")
      ->envname("SALESFLOW_WORKERS")
      ->check(CLI::Range(0, 64));
  command->add_option_function<std::string>(
      "--watch",
      [options](const std::string& prefix) {
        options->watch = true;
        options->watch_prefix = prefix;
      },
      "auto-ingest: enqueue new or changed reports under PREFIX (\"\" = all)");
  command
      ->add_option_function<int64_t>(
          "--watch-interval",
          [options](int64_t seconds) { options->watch_interval = std::chrono::seconds(seconds); },
          "seconds between two scans of storage by --watch (default 30)")
      ->check(CLI::Range(1, 86400));
  command
      ->add_option_function<int64_t>(
          "--lease",
          [options](int64_t seconds) { options->worker.lease = std::chrono::seconds(seconds); },
          "seconds a job stays claimed without renewal before another worker may take it "
          "(default 30)")
      ->check(CLI::Range(2, 3600));
}

Engine::Engine(warehouse::DbConfig db, std::unique_ptr<storage::ObjectStore> store,
               EngineOptions options)
    : db_(std::move(db)),
      store_(std::move(store)),
      options_(std::move(options)),
      pool_(std::make_shared<SessionPool>(db_)),
      summary_cache_(std::make_unique<warehouse::SummaryCache>()) {}

Result<std::unique_ptr<Engine>> Engine::Open(EngineOptions options) {
  Result<warehouse::DbConfig> db =
      options.db_url.empty() ? warehouse::DbConfigFromEnv() : warehouse::ParseDbUrl(options.db_url);
  if (!db.ok()) return db.status();
  const std::string storage_url = options.storage_url.empty()
                                      ? EnvOr("SALESFLOW_STORAGE", storage::DefaultStorageUrl())
                                      : options.storage_url;
  SF_ASSIGN_OR_RETURN(
      std::unique_ptr<storage::ObjectStore> store,
      storage::OpenObjectStore(storage_url, storage::StorageEnv::FromEnvironment()));
  if (options.default_currency.empty()) {
    options.default_currency = EnvOr("SALESFLOW_CURRENCY", "USD");
  }
  if (options.workers < 0) {
    const std::string workers = EnvOr("SALESFLOW_WORKERS", "2");
    char* end = nullptr;
    const long n = std::strtol(workers.c_str(), &end, 10);
    if (end == workers.c_str() || *end != '\0' || n < 0 || n > 64) {
      return Status::InvalidArgument("SALESFLOW_WORKERS must be a number from 0 to 64, got \"" +
                                     workers + "\"");
    }
    options.workers = static_cast<int>(n);
  }
  return Create(std::move(db).value(), std::move(store), std::move(options));
}

Result<std::unique_ptr<Engine>> Engine::Create(warehouse::DbConfig db,
                                               std::unique_ptr<storage::ObjectStore> store,
                                               EngineOptions options) {
  if (options.default_currency.empty()) options.default_currency = "USD";
  SF_ASSIGN_OR_RETURN(options.default_currency, CheckCurrency(options.default_currency));
  if (options.workers < 0) options.workers = 2;
  options.worker.runner.default_currency = options.default_currency;
  // Renew well within the lease, so one slow renewal never loses it.
  options.worker.renew_interval = std::min(options.worker.renew_interval, options.worker.lease / 3);
  if (options.migrate) {
    // The database may still be starting (docker-compose): wait for it, within bounds.
    const auto deadline = std::chrono::steady_clock::now() + options.startup_timeout;
    auto backoff = std::chrono::milliseconds(250);
    for (;;) {
      Status migrated = warehouse::Migrate(db);
      if (migrated.ok()) break;
      if (migrated.code() != StatusCode::kUnavailable ||
          std::chrono::steady_clock::now() + backoff > deadline) {
        return migrated.WithContext("warehouse " + db.Redacted());
      }
      spdlog::warn("warehouse {} not reachable yet, retrying: {}", db.Redacted(),
                   migrated.message());
      std::this_thread::sleep_for(backoff);
      backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
    }
  }
  std::unique_ptr<Engine> engine(new Engine(std::move(db), std::move(store), std::move(options)));
  spdlog::info("ingest engine: warehouse {}, storage {}, {} worker(s), currency {}",
               engine->db_.Redacted(), engine->store_->Describe(), engine->options_.workers,
               engine->options_.default_currency);
  engine->StartWorkers(engine->options_.workers);
  if (engine->options_.watch) {
    Engine* self = engine.get();
    engine->watcher_ = std::make_unique<Watcher>(
        engine->options_.watch_prefix, engine->options_.watch_interval, [self]() -> Result<size_t> {
          SF_ASSIGN_OR_RETURN(auto jobs, self->EnqueuePending(self->options_.watch_prefix, {}));
          return jobs.size();
        });
    engine->watcher_->Start();
  }
  return engine;
}

Engine::~Engine() { Shutdown(std::chrono::milliseconds(0)); }

void Engine::StartWorkers(int count) {
  std::lock_guard lock(mutex_);
  for (int i = 0; i < count; ++i) {
    WorkerConfig config = options_.worker;
    config.id = MakeWorkerId(static_cast<int>(workers_.size()) + 1);
    auto worker = std::make_unique<Worker>(db_, store_.get(), config, &counters_);
    worker->set_on_job_end([this](JobId) { OnJobEnd(); });
    Worker* raw = worker.get();
    workers_.push_back(std::move(worker));
    ++workers_running_;
    worker_threads_.emplace_back([this, raw] {
      raw->Run();
      {
        std::lock_guard done(mutex_);
        --workers_running_;
      }
      jobs_changed_.notify_all();
    });
  }
}

void Engine::OnJobEnd() {
  {
    std::lock_guard lock(mutex_);
    ++job_events_;
  }
  jobs_changed_.notify_all();
}

void Engine::WakeWorkers() {
  std::lock_guard lock(mutex_);
  for (auto& worker : workers_) worker->Wake();
}

Status Engine::CheckOpen() const {
  if (shutting_down_) return Status::Cancelled("salesflow is shutting down");
  return Status::Ok();
}

Result<std::vector<ReportEntry>> Engine::Describe(std::vector<storage::ObjectInfo> objects) {
  std::vector<std::string> keys;
  keys.reserve(objects.size());
  for (const auto& object : objects) keys.push_back(object.key);
  std::map<std::string, LedgerEntry> ledger;
  std::map<std::string, JobRecord> jobs;
  const Status ran = pool_->Run([&](Connection& c) -> Status {
    SF_ASSIGN_OR_RETURN(ledger, LedgerEntries(c, keys));
    SF_ASSIGN_OR_RETURN(jobs, LatestRealJobs(c, keys));
    return Status::Ok();
  });
  if (!ran.ok()) return ran;
  std::vector<ReportEntry> entries;
  entries.reserve(objects.size());
  for (auto& object : objects) {
    ReportEntry entry;
    const auto l = ledger.find(object.key);
    const auto j = jobs.find(object.key);
    const LedgerEntry* led = l == ledger.end() ? nullptr : &l->second;
    const JobRecord* job = j == jobs.end() ? nullptr : &j->second;
    entry.state = DeriveReportState(object, led, job);
    if (led != nullptr && led->status == LedgerStatus::kLoaded) {
      entry.rows_loaded = led->rows_loaded + led->rows_updated;
      entry.rows_rejected = led->rows_rejected;
    }
    if (job != nullptr) {
      entry.last_job_id = job->id;
    } else if (led != nullptr) {
      entry.last_job_id = led->last_job_id;
    }
    entry.object = std::move(object);
    entries.push_back(std::move(entry));
  }
  return entries;
}

Result<ReportListing> Engine::ListReports(const std::string& prefix, const std::string& page_token,
                                          int limit) {
  SF_RETURN_IF_ERROR(CheckOpen());
  SF_RETURN_IF_ERROR(ValidateKeyPrefix(prefix));
  auto page = store_->List(prefix, page_token, std::clamp(limit, 1, 1000));
  if (!page.ok()) return StorageForClient(page.status());
  ReportListing listing;
  listing.next_page_token = std::move(page->next_token);
  SF_ASSIGN_OR_RETURN(listing.reports, Describe(std::move(page->objects)));
  return listing;
}

Result<std::vector<JobRecord>> Engine::EnqueuePending(const std::string& prefix,
                                                      const JobOptions& options) {
  SF_RETURN_IF_ERROR(ValidateKeyPrefix(prefix));
  std::vector<JobRecord> jobs;
  std::string token;
  do {
    SF_RETURN_IF_ERROR(CheckOpen());
    auto page = store_->List(prefix, token, 1000);
    if (!page.ok()) return StorageForClient(page.status());
    token = std::move(page->next_token);
    SF_ASSIGN_OR_RETURN(std::vector<ReportEntry> entries, Describe(std::move(page->objects)));
    const Status ran = pool_->Run([&](Connection& c) -> Status {
      for (const ReportEntry& entry : entries) {
        if (!NeedsProcessing(entry.state)) continue;
        SF_ASSIGN_OR_RETURN(JobRecord job,
                            EnqueueJob(c, entry.object.key, options, options_.max_attempts));
        jobs.push_back(std::move(job));
      }
      return Status::Ok();
    });
    if (!ran.ok()) return ran;
  } while (!token.empty());
  if (!jobs.empty()) WakeWorkers();
  return jobs;
}

Result<std::vector<JobRecord>> Engine::EnqueueProcess(const ProcessSpec& spec) {
  SF_RETURN_IF_ERROR(CheckOpen());
  SF_RETURN_IF_ERROR(ValidateJobOptions(spec.options));
  if (spec.pending) return EnqueuePending(spec.prefix, spec.options);
  if (spec.keys.empty()) return Status::InvalidArgument("name at least one report key");
  // Every key must exist before anything is enqueued: a request is all or nothing.
  for (const std::string& key : spec.keys) {
    SF_RETURN_IF_ERROR(ValidateObjectKey(key));
    auto head = store_->Head(key);
    if (!head.ok()) {
      if (head.status().code() == StatusCode::kNotFound) {
        return Status::NotFound(fmt::format("no report '{}' in storage", key));
      }
      return StorageForClient(head.status());
    }
  }
  std::vector<JobRecord> jobs;
  const Status ran = pool_->Run([&](Connection& c) -> Status {
    jobs.clear();
    for (const std::string& key : spec.keys) {
      SF_ASSIGN_OR_RETURN(JobRecord job, EnqueueJob(c, key, spec.options, options_.max_attempts));
      jobs.push_back(std::move(job));
    }
    return Status::Ok();
  });
  if (!ran.ok()) return ran;
  WakeWorkers();
  return jobs;
}

Result<std::vector<JobRecord>> Engine::WaitForJobs(std::span<const JobId> ids,
                                                   std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  // Jobs run by other processes are seen by polling; ours wake us at once.
  constexpr auto kPoll = std::chrono::milliseconds(200);
  for (;;) {
    uint64_t seen = 0;
    {
      std::lock_guard lock(mutex_);
      seen = job_events_;
    }
    SF_ASSIGN_OR_RETURN(std::vector<JobRecord> jobs,
                        pool_->Run([&](Connection& c) { return LoadJobs(c, ids); }));
    const bool all_final =
        std::all_of(jobs.begin(), jobs.end(), [](const JobRecord& j) { return IsFinal(j.state); });
    const auto now = std::chrono::steady_clock::now();
    if (all_final || now >= deadline || shutting_down_) return jobs;
    std::unique_lock lock(mutex_);
    jobs_changed_.wait_until(lock, std::min(deadline, now + kPoll),
                             [&] { return job_events_ != seen || shutting_down_.load(); });
  }
}

Result<JobRecord> Engine::GetJob(JobId id) {
  return pool_->Run([&](Connection& c) { return LoadJob(c, id); });
}

Result<std::vector<JobRecord>> Engine::ListJobs(int limit) {
  return pool_->Run([&](Connection& c) { return RecentJobs(c, std::clamp(limit, 1, 1000)); });
}

Result<std::unique_ptr<RejectStream>> Engine::OpenRejects(const std::string& key) {
  SF_RETURN_IF_ERROR(CheckOpen());
  SF_RETURN_IF_ERROR(ValidateObjectKey(key));
  int64_t report_id = 0;
  JobId job_id = 0;
  const Status ran = pool_->Run([&](Connection& c) -> Status {
    SF_ASSIGN_OR_RETURN(std::optional<LedgerEntry> ledger, FindLedgerEntry(c, key, false));
    const std::vector<std::string> keys = {key};
    SF_ASSIGN_OR_RETURN(auto latest, LatestRealJobs(c, keys));
    if (!ledger && latest.empty()) {
      return Status::NotFound(fmt::format("report '{}' has never been processed", key));
    }
    if (!ledger) return Status::Ok();  // processed, never got a ledger row: no rejects
    report_id = ledger->id;
    if (ledger->status == LedgerStatus::kLoaded && ledger->last_job_id) {
      job_id = *ledger->last_job_id;
    }
    // The last job failed on its rejects: those are what the user wants to see.
    const auto it = latest.find(key);
    if (it != latest.end() && it->second.state == JobState::kFailed) {
      SF_ASSIGN_OR_RETURN(auto probe, RejectsPage(c, report_id, it->second.id, {}, 1));
      if (!probe.empty()) job_id = it->second.id;
    }
    return Status::Ok();
  });
  if (!ran.ok()) return ran;
  return std::unique_ptr<RejectStream>(
      std::make_unique<PagedRejectStream>(pool_, report_id, job_id));
}

Result<UnloadSummary> Engine::UnloadReport(const std::string& key) {
  SF_RETURN_IF_ERROR(CheckOpen());
  SF_RETURN_IF_ERROR(ValidateObjectKey(key));
  UnloadSummary summary;
  summary.key = key;
  const Status ran = pool_->Run([&](Connection& c) -> Status {
    SF_ASSIGN_OR_RETURN(std::optional<JobRecord> active, ActiveJob(c, key));
    if (active) {
      return Status::Conflict(
          fmt::format("job {} is {} for report '{}'; unload it once the job "
                      "has ended",
                      active->id, JobStateName(active->state), key));
    }
    SF_ASSIGN_OR_RETURN(auto tx, warehouse::Transaction::Start(c));
    SF_ASSIGN_OR_RETURN(ApplyLock lock, ApplyLock::Acquire(c, [this] { return CheckOpen(); }));
    SF_ASSIGN_OR_RETURN(std::optional<LedgerEntry> ledger, FindLedgerEntry(c, key, true));
    if (!ledger || ledger->status != LedgerStatus::kLoaded) {
      return Status::NotFound(fmt::format("nothing is loaded for report '{}'", key));
    }
    SF_ASSIGN_OR_RETURN(uint64_t deleted,
                        warehouse::RemoveReportRows(c, static_cast<uint64_t>(ledger->id)));
    SF_ASSIGN_OR_RETURN(uint64_t days, warehouse::RefreshSummaries(c));
    (void)days;
    SF_ASSIGN_OR_RETURN(uint64_t rejects, DeleteRejectsExcept(c, ledger->id, {}));
    (void)rejects;
    SF_RETURN_IF_ERROR(MarkUnloaded(c, ledger->id));
    SF_RETURN_IF_ERROR(tx.Commit());
    summary.rows_deleted = static_cast<int64_t>(deleted);
    return Status::Ok();
  });
  if (!ran.ok()) return ran;
  spdlog::info("report '{}' unloaded: {} rows removed", key, summary.rows_deleted);
  return summary;
}

Result<PrefixMapping> Engine::GetMapping(const std::string& prefix) {
  SF_RETURN_IF_ERROR(ValidateKeyPrefix(prefix));
  SF_ASSIGN_OR_RETURN(std::optional<PrefixMapping> found,
                      pool_->Run([&](Connection& c) { return FindMapping(c, prefix); }));
  if (!found) return Status::NotFound(fmt::format("no mapping for prefix '{}'", prefix));
  return *std::move(found);
}

Status Engine::PutMapping(const PrefixMapping& mapping) {
  SF_RETURN_IF_ERROR(ValidateKeyPrefix(mapping.prefix));
  SF_RETURN_IF_ERROR(ValidatePrefixMapping(mapping));
  return pool_->Run([&](Connection& c) { return UpsertMapping(c, mapping); });
}

Status Engine::DeleteMapping(const std::string& prefix) {
  SF_RETURN_IF_ERROR(ValidateKeyPrefix(prefix));
  SF_ASSIGN_OR_RETURN(bool deleted,
                      pool_->Run([&](Connection& c) { return ingest::DeleteMapping(c, prefix); }));
  if (!deleted) return Status::NotFound(fmt::format("no mapping for prefix '{}'", prefix));
  return Status::Ok();
}

Result<std::vector<PrefixMapping>> Engine::ListMappings() {
  return pool_->Run([&](Connection& c) { return AllMappings(c); });
}

ReadinessReport Engine::CheckReady() {
  ReadinessReport report;
  report.database = pool_->Run([](Connection& c) { return c.Query("SELECT 1").status(); });
  auto listed = store_->List("", "", 1);
  report.storage = listed.ok() ? Status::Ok() : StorageForClient(listed.status());
  return report;
}

Result<EngineMetrics> Engine::CollectMetrics() {
  EngineMetrics metrics;
  SF_ASSIGN_OR_RETURN(metrics.jobs_by_state,
                      pool_->Run([](Connection& c) { return CountJobsByState(c); }));
  metrics.rows_loaded = counters_.rows_loaded.load();
  metrics.rows_updated = counters_.rows_updated.load();
  metrics.rows_rejected = counters_.rows_rejected.load();
  metrics.bytes_read = counters_.bytes_read.load();
  return metrics;
}

namespace {

warehouse::StatsGroupBy ToWarehouseGrouping(StatsGrouping grouping) {
  switch (grouping) {
    case StatsGrouping::kNone:
      return warehouse::StatsGroupBy::kNone;
    case StatsGrouping::kDay:
      return warehouse::StatsGroupBy::kDay;
    case StatsGrouping::kMonth:
      return warehouse::StatsGroupBy::kMonth;
    case StatsGrouping::kCategory:
      return warehouse::StatsGroupBy::kCategory;
    case StatsGrouping::kRegion:
      return warehouse::StatsGroupBy::kRegion;
    case StatsGrouping::kCountry:
      return warehouse::StatsGroupBy::kCountry;
    case StatsGrouping::kChannel:
      return warehouse::StatsGroupBy::kChannel;
    case StatsGrouping::kSku:
      return warehouse::StatsGroupBy::kSku;
  }
  return warehouse::StatsGroupBy::kNone;
}

StatsNumbers FromWarehouse(const warehouse::StatsFigures& f) {
  return StatsNumbers{f.revenue, f.orders, f.lines, f.units, f.customers};
}

}  // namespace

Result<StatsAnswer> Engine::QueryStats(const StatsRequest& request) {
  SF_RETURN_IF_ERROR(CheckOpen());
  warehouse::StatsQuery query;
  query.from_day = request.from_day;
  query.to_day = request.to_day;
  query.group_by = ToWarehouseGrouping(request.group_by);
  query.top = request.top;
  query.currency = request.currency.empty() ? options_.default_currency : request.currency;
  SF_ASSIGN_OR_RETURN(warehouse::StatsResult result, pool_->Run([&](Connection& c) {
    return warehouse::QueryStats(c, query, summary_cache_.get());
  }));
  StatsAnswer answer;
  answer.currency = std::move(result.currency);
  answer.currencies = std::move(result.currencies);
  answer.totals = FromWarehouse(result.totals);
  answer.groups.reserve(result.groups.size());
  for (warehouse::StatsGroup& group : result.groups) {
    answer.groups.push_back(StatsRow{std::move(group.key), FromWarehouse(group.figures)});
  }
  return answer;
}

void Engine::Shutdown(std::chrono::milliseconds grace) {
  const bool first = !shutting_down_.exchange(true);
  jobs_changed_.notify_all();
  if (watcher_) watcher_->Stop();
  std::vector<Worker*> workers;
  {
    std::lock_guard lock(mutex_);
    for (auto& worker : workers_) workers.push_back(worker.get());
  }
  for (Worker* worker : workers) worker->RequestStop();
  {
    std::unique_lock lock(mutex_);
    jobs_changed_.wait_for(lock, grace, [this] { return workers_running_ == 0; });
  }
  for (Worker* worker : workers) worker->AbortCurrent();
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mutex_);
    threads.swap(worker_threads_);
  }
  for (std::thread& thread : threads) thread.join();
  if (first) spdlog::info("ingest engine stopped");
}

}  // namespace salesflow::ingest
