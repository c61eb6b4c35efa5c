// An in-memory Backend for the API's unit tests: pure routing, auth and error logic. It
// proves nothing about storage or MySQL (their own tests do); it records what the API
// passed and can be told to fail.
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "api/backend.h"

namespace salesflow::api::testing {

// Counts what an upload received; keeps the first bytes only, so a 200 MB upload costs
// no memory here.
struct UploadRecord {
  std::string key;
  int64_t bytes = 0;
  size_t chunks = 0;
  size_t max_chunk = 0;
  std::string head;  // first 1 MiB
  bool committed = false;
  bool aborted = false;
};

class FakeBackend final : public Backend {
 public:
  // When set, every operation returns Unavailable (MySQL/storage down).
  std::atomic<bool> down{false};
  // When set, ListJobs throws (to prove the exception boundary).
  std::atomic<bool> throw_on_list_jobs{false};
  // When set, WaitForJobs marks the jobs succeeded (else returns them unchanged).
  std::atomic<bool> finish_on_wait{true};

  std::mutex mutex;
  std::vector<ReportInfo> reports;
  std::map<std::string, std::vector<core::RejectedRow>> rejects;
  std::map<std::string, PrefixMapping> mappings;
  std::map<JobId, JobInfo> jobs;
  std::vector<UploadRecord> uploads;
  std::optional<StatsQuery> last_stats_query;
  std::optional<ProcessRequest> last_process;
  std::optional<std::chrono::milliseconds> shutdown_grace;
  JobId next_job_id = 1;

  Status Down() const { return Status::Unavailable("MySQL at 127.0.0.1:3306 is unreachable"); }

  Result<ReportPage> ListReports(const ListReportsRequest& request) override {
    if (down) return Down();
    std::lock_guard<std::mutex> lock(mutex);
    ReportPage page;
    for (const ReportInfo& report : reports) {
      if (report.key.rfind(request.prefix, 0) == 0) page.reports.push_back(report);
    }
    return page;
  }

  Result<std::unique_ptr<storage::ObjectWriter>> OpenUpload(const std::string& key,
                                                            std::optional<int64_t>) override;

  Result<std::vector<JobInfo>> EnqueueProcess(const ProcessRequest& request) override {
    if (down) return Down();
    std::lock_guard<std::mutex> lock(mutex);
    last_process = request;
    std::vector<JobInfo> out;
    for (const std::string& key : request.keys) {
      if (key.rfind("missing", 0) == 0) return Status::NotFound("no report '" + key + "'");
      JobInfo job;
      job.job_id = next_job_id++;
      job.key = key;
      job.created_at = std::chrono::system_clock::time_point(std::chrono::seconds(1790000000));
      jobs[job.job_id] = job;
      out.push_back(job);
    }
    return out;
  }

  Result<std::vector<JobInfo>> WaitForJobs(const std::vector<JobId>& ids,
                                           std::chrono::milliseconds) override {
    if (down) return Down();
    std::lock_guard<std::mutex> lock(mutex);
    std::vector<JobInfo> out;
    for (const JobId id : ids) {
      JobInfo& job = jobs.at(id);
      if (finish_on_wait) {
        job.status = JobStatus::kSucceeded;
        job.outcome = JobOutcome::kLoaded;
        job.rows_read = job.rows_loaded = 10;
      }
      out.push_back(job);
    }
    return out;
  }

  Result<JobInfo> GetJob(JobId id) override {
    if (down) return Down();
    std::lock_guard<std::mutex> lock(mutex);
    const auto it = jobs.find(id);
    if (it == jobs.end()) return Status::NotFound("no job " + std::to_string(id));
    return it->second;
  }

  Result<std::vector<JobInfo>> ListJobs(int limit) override {
    if (throw_on_list_jobs) throw std::runtime_error("secret internal detail: table x locked");
    if (down) return Down();
    std::lock_guard<std::mutex> lock(mutex);
    std::vector<JobInfo> out;
    for (auto it = jobs.rbegin(); it != jobs.rend() && static_cast<int>(out.size()) < limit; ++it) {
      out.push_back(it->second);
    }
    return out;
  }

  Result<StatsResult> QueryStats(const StatsQuery& query) override {
    if (down) return Down();
    std::lock_guard<std::mutex> lock(mutex);
    last_stats_query = query;
    StatsResult result;
    result.currency = query.currency.empty() ? "USD" : query.currency;
    result.currencies = {"EUR", "USD"};
    result.totals = StatsFigures{core::Money{123450}, 3, 5, 7, 2};
    result.groups.push_back(
        StatsGroup{"2026-10-01", StatsFigures{core::Money{100005}, 2, 3, 4, 1}});
    result.groups.push_back(StatsGroup{"2026-10-02", StatsFigures{core::Money{23445}, 1, 2, 3, 1}});
    return result;
  }

  Result<std::unique_ptr<RejectCursor>> OpenRejects(const std::string& key) override;

  Result<UnloadResult> UnloadReport(const std::string& key) override {
    if (down) return Down();
    if (key == "busy.csv") return Status::Conflict("a job is running on busy.csv");
    if (key.rfind("missing", 0) == 0) return Status::NotFound("nothing loaded for " + key);
    return UnloadResult{key, 42};
  }

  Result<PrefixMapping> GetMapping(const std::string& prefix) override {
    if (down) return Down();
    std::lock_guard<std::mutex> lock(mutex);
    const auto it = mappings.find(prefix);
    if (it == mappings.end()) return Status::NotFound("no mapping for prefix '" + prefix + "'");
    return it->second;
  }
  Status PutMapping(const PrefixMapping& mapping) override {
    if (down) return Down();
    std::lock_guard<std::mutex> lock(mutex);
    mappings[mapping.prefix] = mapping;
    return Status::Ok();
  }
  Status DeleteMapping(const std::string& prefix) override {
    if (down) return Down();
    std::lock_guard<std::mutex> lock(mutex);
    if (mappings.erase(prefix) == 0) return Status::NotFound("no mapping for '" + prefix + "'");
    return Status::Ok();
  }
  Result<std::vector<PrefixMapping>> ListMappings() override {
    if (down) return Down();
    std::lock_guard<std::mutex> lock(mutex);
    std::vector<PrefixMapping> out;
    for (const auto& [prefix, mapping] : mappings) out.push_back(mapping);
    return out;
  }

  Readiness CheckReady() override {
    if (down) return Readiness{Down(), Status::Ok()};
    return Readiness{};
  }

  Result<BackendMetrics> CollectMetrics() override {
    if (down) return Down();
    BackendMetrics metrics;
    metrics.jobs_by_status[JobStatus::kQueued] = 2;
    metrics.rows_loaded = 1000;
    metrics.bytes_read = 4096;
    return metrics;
  }

  void Shutdown(std::chrono::milliseconds grace) override {
    std::lock_guard<std::mutex> lock(mutex);
    shutdown_grace = grace;
  }
};

class FakeWriter final : public storage::ObjectWriter {
 public:
  FakeWriter(FakeBackend* backend, size_t index) : backend_(backend), index_(index) {}
  Status Write(std::string_view bytes) override {
    std::lock_guard<std::mutex> lock(backend_->mutex);
    UploadRecord& record = backend_->uploads[index_];
    record.bytes += static_cast<int64_t>(bytes.size());
    ++record.chunks;
    record.max_chunk = std::max(record.max_chunk, bytes.size());
    if (record.head.size() < (1u << 20)) {
      record.head.append(bytes.substr(0, (1u << 20) - record.head.size()));
    }
    return Status::Ok();
  }
  Result<storage::ObjectInfo> Commit() override {
    std::lock_guard<std::mutex> lock(backend_->mutex);
    UploadRecord& record = backend_->uploads[index_];
    record.committed = true;
    return storage::ObjectInfo{record.key, static_cast<uint64_t>(record.bytes), "etag-1", 0};
  }
  void Abort() override {
    std::lock_guard<std::mutex> lock(backend_->mutex);
    backend_->uploads[index_].aborted = true;
  }

 private:
  FakeBackend* backend_;
  size_t index_;
};

inline Result<std::unique_ptr<storage::ObjectWriter>> FakeBackend::OpenUpload(
    const std::string& key, std::optional<int64_t>) {
  if (down) return Down();
  std::lock_guard<std::mutex> lock(mutex);
  UploadRecord record;
  record.key = key;
  uploads.push_back(std::move(record));
  return std::unique_ptr<storage::ObjectWriter>(
      std::make_unique<FakeWriter>(this, uploads.size() - 1));
}

class FakeRejectCursor final : public RejectCursor {
 public:
  explicit FakeRejectCursor(std::vector<core::RejectedRow> rows) : rows_(std::move(rows)) {}
  Result<bool> Next(core::RejectedRow* row) override {
    if (next_ >= rows_.size()) return false;
    *row = rows_[next_++];
    return true;
  }

 private:
  std::vector<core::RejectedRow> rows_;
  size_t next_ = 0;
};

inline Result<std::unique_ptr<RejectCursor>> FakeBackend::OpenRejects(const std::string& key) {
  if (down) return Down();
  std::lock_guard<std::mutex> lock(mutex);
  const auto it = rejects.find(key);
  if (it == rejects.end()) return Status::NotFound("report '" + key + "' was never processed");
  return std::unique_ptr<RejectCursor>(std::make_unique<FakeRejectCursor>(it->second));
}

}  // namespace salesflow::api::testing
