#include "api/engine_backend.h"

#include <utility>

#include "core/object_key.h"

namespace salesflow::api {
namespace {

ReportStatus ToReportStatus(ingest::ReportState state) {
  switch (state) {
    case ingest::ReportState::kNew:
      return ReportStatus::kNew;
    case ingest::ReportState::kQueued:
      return ReportStatus::kQueued;
    case ingest::ReportState::kProcessing:
      return ReportStatus::kProcessing;
    case ingest::ReportState::kLoaded:
      return ReportStatus::kLoaded;
    case ingest::ReportState::kFailed:
      return ReportStatus::kFailed;
    case ingest::ReportState::kChanged:
      return ReportStatus::kChanged;
    case ingest::ReportState::kIgnored:
      return ReportStatus::kIgnored;
  }
  return ReportStatus::kNew;
}

JobStatus ToJobStatus(ingest::JobState state) {
  switch (state) {
    case ingest::JobState::kQueued:
      return JobStatus::kQueued;
    case ingest::JobState::kRunning:
      return JobStatus::kRunning;
    case ingest::JobState::kSucceeded:
      return JobStatus::kSucceeded;
    case ingest::JobState::kFailed:
      return JobStatus::kFailed;
  }
  return JobStatus::kQueued;
}

JobOutcome ToJobOutcome(ingest::JobOutcome outcome) {
  switch (outcome) {
    case ingest::JobOutcome::kLoaded:
      return JobOutcome::kLoaded;
    case ingest::JobOutcome::kReplaced:
      return JobOutcome::kReplaced;
    case ingest::JobOutcome::kUnchanged:
      return JobOutcome::kUnchanged;
    case ingest::JobOutcome::kDuplicate:
      return JobOutcome::kDuplicate;
    case ingest::JobOutcome::kDryRun:
      return JobOutcome::kDryRun;
  }
  return JobOutcome::kLoaded;
}

ingest::StatsGrouping ToGrouping(GroupBy group_by) {
  switch (group_by) {
    case GroupBy::kNone:
      return ingest::StatsGrouping::kNone;
    case GroupBy::kDay:
      return ingest::StatsGrouping::kDay;
    case GroupBy::kMonth:
      return ingest::StatsGrouping::kMonth;
    case GroupBy::kCategory:
      return ingest::StatsGrouping::kCategory;
    case GroupBy::kRegion:
      return ingest::StatsGrouping::kRegion;
    case GroupBy::kCountry:
      return ingest::StatsGrouping::kCountry;
    case GroupBy::kChannel:
      return ingest::StatsGrouping::kChannel;
    case GroupBy::kSku:
      return ingest::StatsGrouping::kSku;
  }
  return ingest::StatsGrouping::kNone;
}

StatsFigures ToFigures(const ingest::StatsNumbers& n) {
  StatsFigures f;
  f.revenue = n.revenue;
  f.orders = n.orders;
  f.lines = n.lines;
  f.units = n.units;
  f.customers = n.customers;
  return f;
}

// The API's optional reader fields <-> reader option names (reader::SetReaderOption).
ingest::ReaderSettings ToSettings(const ReaderOptions& reader) {
  ingest::ReaderSettings settings;
  if (reader.date_format) settings["date_format"] = *reader.date_format;
  if (reader.delimiter) settings["delimiter"] = *reader.delimiter;
  if (reader.encoding) settings["encoding"] = *reader.encoding;
  if (reader.currency) settings["currency"] = *reader.currency;
  return settings;
}

ReaderOptions FromSettings(const ingest::ReaderSettings& settings) {
  ReaderOptions reader;
  const auto get = [&](const char* name) -> std::optional<std::string> {
    const auto it = settings.find(name);
    if (it == settings.end()) return std::nullopt;
    return it->second;
  };
  reader.date_format = get("date_format");
  reader.delimiter = get("delimiter");
  reader.encoding = get("encoding");
  reader.currency = get("currency");
  return reader;
}

std::vector<JobInfo> ToJobInfos(const std::vector<ingest::JobRecord>& jobs) {
  std::vector<JobInfo> out;
  out.reserve(jobs.size());
  for (const auto& job : jobs) out.push_back(ToJobInfo(job));
  return out;
}

class EngineRejectCursor : public RejectCursor {
 public:
  explicit EngineRejectCursor(std::unique_ptr<ingest::RejectStream> stream)
      : stream_(std::move(stream)) {}
  Result<bool> Next(core::RejectedRow* row) override { return stream_->Next(row); }

 private:
  std::unique_ptr<ingest::RejectStream> stream_;
};

}  // namespace

JobInfo ToJobInfo(const ingest::JobRecord& job) {
  JobInfo info;
  info.job_id = job.id;
  info.key = job.key;
  info.status = ToJobStatus(job.state);
  if (job.outcome) info.outcome = ToJobOutcome(*job.outcome);
  info.duplicate_of = job.duplicate_of;
  info.rows_read = job.counts.rows_read;
  info.rows_loaded = job.counts.rows_loaded;
  info.rows_updated = job.counts.rows_updated;
  info.rows_rejected = job.counts.rows_rejected;
  info.bytes_read = job.counts.bytes_read;
  info.bytes_total = job.counts.bytes_total.value_or(0);
  // A queued retry keeps its last error in the table; clients see errors of failed jobs only.
  if (job.state == ingest::JobState::kFailed) info.error = job.error;
  info.created_at = job.created_at;
  info.started_at = job.started_at;
  info.finished_at = job.finished_at;
  return info;
}

ingest::ProcessSpec ToProcessSpec(const ProcessRequest& request) {
  ingest::ProcessSpec spec;
  spec.keys = request.keys;
  spec.pending = request.pending;
  spec.prefix = request.prefix;
  spec.options.dry_run = request.dry_run;
  spec.options.force = request.force;
  spec.options.mapping = request.mapping;
  spec.options.max_reject_ratio = request.max_reject_ratio;
  spec.options.reader = ToSettings(request.reader);
  return spec;
}

ingest::PrefixMapping ToIngestMapping(const PrefixMapping& mapping) {
  ingest::PrefixMapping out;
  out.prefix = mapping.prefix;
  out.mapping = mapping.mapping;
  out.reader = ToSettings(mapping.reader);
  out.max_reject_ratio = mapping.max_reject_ratio;
  return out;
}

PrefixMapping ToApiMapping(const ingest::PrefixMapping& mapping) {
  PrefixMapping out;
  out.prefix = mapping.prefix;
  out.mapping = mapping.mapping;
  out.reader = FromSettings(mapping.reader);
  out.max_reject_ratio = mapping.max_reject_ratio;
  return out;
}

Result<ReportPage> EngineBackend::ListReports(const ListReportsRequest& request) {
  SF_ASSIGN_OR_RETURN(ingest::ReportListing listing,
                      engine_->ListReports(request.prefix, request.page_token, request.limit));
  ReportPage page;
  page.next_page_token = std::move(listing.next_page_token);
  page.reports.reserve(listing.reports.size());
  for (ingest::ReportEntry& entry : listing.reports) {
    ReportInfo info;
    info.key = std::move(entry.object.key);
    info.size = static_cast<int64_t>(entry.object.size);
    info.etag = std::move(entry.object.etag);
    info.last_modified = Timestamp(std::chrono::seconds(entry.object.last_modified));
    info.status = ToReportStatus(entry.state);
    info.rows_loaded = entry.rows_loaded;
    info.rows_rejected = entry.rows_rejected;
    info.last_job_id = entry.last_job_id;
    page.reports.push_back(std::move(info));
  }
  return page;
}

Result<std::unique_ptr<storage::ObjectWriter>> EngineBackend::OpenUpload(
    const std::string& key, std::optional<int64_t> expected_size) {
  (void)expected_size;  // the writer switches to multipart by itself past its threshold
  SF_RETURN_IF_ERROR(ValidateObjectKey(key));
  auto writer = engine_->store().OpenWriter(key, storage::WriteOptions{});
  if (!writer.ok() && writer.status().code() != StatusCode::kInvalidArgument) {
    return Status::Unavailable(writer.status().message());
  }
  return writer;
}

Result<std::vector<JobInfo>> EngineBackend::EnqueueProcess(const ProcessRequest& request) {
  SF_ASSIGN_OR_RETURN(auto jobs, engine_->EnqueueProcess(ToProcessSpec(request)));
  return ToJobInfos(jobs);
}

Result<std::vector<JobInfo>> EngineBackend::WaitForJobs(const std::vector<JobId>& ids,
                                                        std::chrono::milliseconds timeout) {
  SF_ASSIGN_OR_RETURN(auto jobs, engine_->WaitForJobs(ids, timeout));
  return ToJobInfos(jobs);
}

Result<JobInfo> EngineBackend::GetJob(JobId id) {
  SF_ASSIGN_OR_RETURN(auto job, engine_->GetJob(id));
  return ToJobInfo(job);
}

Result<std::vector<JobInfo>> EngineBackend::ListJobs(int limit) {
  SF_ASSIGN_OR_RETURN(auto jobs, engine_->ListJobs(limit));
  return ToJobInfos(jobs);
}

Result<StatsResult> EngineBackend::QueryStats(const StatsQuery& query) {
  ingest::StatsRequest request;
  request.from_day = query.from_day;
  request.to_day = query.to_day;
  request.group_by = ToGrouping(query.group_by);
  request.top = query.top;
  request.currency = query.currency;
  SF_ASSIGN_OR_RETURN(ingest::StatsAnswer answer, engine_->QueryStats(request));
  StatsResult result;
  result.currency = std::move(answer.currency);
  result.currencies = std::move(answer.currencies);
  result.totals = ToFigures(answer.totals);
  result.groups.reserve(answer.groups.size());
  for (ingest::StatsRow& row : answer.groups) {
    result.groups.push_back(StatsGroup{std::move(row.key), ToFigures(row.numbers)});
  }
  return result;
}

Result<std::unique_ptr<RejectCursor>> EngineBackend::OpenRejects(const std::string& key) {
  SF_ASSIGN_OR_RETURN(auto stream, engine_->OpenRejects(key));
  return std::unique_ptr<RejectCursor>(std::make_unique<EngineRejectCursor>(std::move(stream)));
}

Result<UnloadResult> EngineBackend::UnloadReport(const std::string& key) {
  SF_ASSIGN_OR_RETURN(ingest::UnloadSummary summary, engine_->UnloadReport(key));
  return UnloadResult{std::move(summary.key), summary.rows_deleted};
}

Result<PrefixMapping> EngineBackend::GetMapping(const std::string& prefix) {
  SF_ASSIGN_OR_RETURN(ingest::PrefixMapping mapping, engine_->GetMapping(prefix));
  return ToApiMapping(mapping);
}

Status EngineBackend::PutMapping(const PrefixMapping& mapping) {
  return engine_->PutMapping(ToIngestMapping(mapping));
}

Status EngineBackend::DeleteMapping(const std::string& prefix) {
  return engine_->DeleteMapping(prefix);
}

Result<std::vector<PrefixMapping>> EngineBackend::ListMappings() {
  SF_ASSIGN_OR_RETURN(auto mappings, engine_->ListMappings());
  std::vector<PrefixMapping> out;
  out.reserve(mappings.size());
  for (const auto& mapping : mappings) out.push_back(ToApiMapping(mapping));
  return out;
}

Readiness EngineBackend::CheckReady() {
  ingest::ReadinessReport report = engine_->CheckReady();
  return Readiness{std::move(report.database), std::move(report.storage)};
}

Result<BackendMetrics> EngineBackend::CollectMetrics() {
  SF_ASSIGN_OR_RETURN(ingest::EngineMetrics metrics, engine_->CollectMetrics());
  BackendMetrics out;
  for (const auto& [state, count] : metrics.jobs_by_state) {
    out.jobs_by_status[ToJobStatus(state)] = count;
  }
  out.rows_loaded = metrics.rows_loaded;
  out.rows_updated = metrics.rows_updated;
  out.rows_rejected = metrics.rows_rejected;
  out.bytes_read = metrics.bytes_read;
  return out;
}

void EngineBackend::Shutdown(std::chrono::milliseconds grace) { engine_->Shutdown(grace); }

}  // namespace salesflow::api
