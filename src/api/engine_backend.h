// EngineBackend: the api::Backend the HTTP API calls, implemented over ingest::Engine.
// Dependencies point app -> api -> ingest, so the adapter lives here; it only converts
// between the API's domain types and the engine's, and maps nothing else.
//
//   SF_ASSIGN_OR_RETURN(auto engine, ingest::Engine::Open(engine_options));
//   api::EngineBackend backend(engine.get());
//   return api::RunServe(serve_options, &backend);
//
// Thread-safety: as Backend (the engine is thread-safe). REQUIRES: the engine outlives it.
#pragma once

#include "api/backend.h"
#include "ingest/engine.h"

namespace salesflow::api {

class EngineBackend : public Backend {
 public:
  explicit EngineBackend(ingest::Engine* engine) : engine_(engine) {}

  Result<ReportPage> ListReports(const ListReportsRequest& request) override;
  Result<std::unique_ptr<storage::ObjectWriter>> OpenUpload(
      const std::string& key, std::optional<int64_t> expected_size) override;
  Result<std::vector<JobInfo>> EnqueueProcess(const ProcessRequest& request) override;
  Result<std::vector<JobInfo>> WaitForJobs(const std::vector<JobId>& ids,
                                           std::chrono::milliseconds timeout) override;
  Result<JobInfo> GetJob(JobId id) override;
  Result<std::vector<JobInfo>> ListJobs(int limit) override;
  Result<StatsResult> QueryStats(const StatsQuery& query) override;
  Result<std::unique_ptr<RejectCursor>> OpenRejects(const std::string& key) override;
  Result<UnloadResult> UnloadReport(const std::string& key) override;
  Result<PrefixMapping> GetMapping(const std::string& prefix) override;
  Status PutMapping(const PrefixMapping& mapping) override;
  Status DeleteMapping(const std::string& prefix) override;
  Result<std::vector<PrefixMapping>> ListMappings() override;
  Readiness CheckReady() override;
  Result<BackendMetrics> CollectMetrics() override;
  void Shutdown(std::chrono::milliseconds grace) override;

 private:
  ingest::Engine* engine_;
};

// The conversions, exposed for unit tests.
JobInfo ToJobInfo(const ingest::JobRecord& job);
ingest::ProcessSpec ToProcessSpec(const ProcessRequest& request);
ingest::PrefixMapping ToIngestMapping(const PrefixMapping& mapping);
PrefixMapping ToApiMapping(const ingest::PrefixMapping& mapping);

}  // namespace salesflow::api
