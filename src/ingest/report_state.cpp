#include "ingest/report_state.h"

#include <array>

#include "core/object_key.h"

namespace salesflow::ingest {

std::string_view ReportStateName(ReportState state) {
  static constexpr std::array<std::string_view, 7> kNames = {
      "new", "queued", "processing", "loaded", "failed", "changed", "ignored"};
  return kNames[static_cast<size_t>(state)];
}

ReportState DeriveReportState(const storage::ObjectInfo& object, const LedgerEntry* ledger,
                              const JobRecord* latest_job) {
  if (!LooksLikeReport(object.key)) return ReportState::kIgnored;
  if (latest_job != nullptr) {
    if (latest_job->state == JobState::kQueued) return ReportState::kQueued;
    if (latest_job->state == JobState::kRunning) return ReportState::kProcessing;
  }
  const bool loaded = ledger != nullptr && ledger->status == LedgerStatus::kLoaded;
  if (loaded && ledger->etag == object.etag && ledger->size &&
      *ledger->size == static_cast<int64_t>(object.size)) {
    return ReportState::kLoaded;
  }
  const bool job_saw_this_version = latest_job != nullptr && IsFinal(latest_job->state) &&
                                    !latest_job->etag.empty() && latest_job->etag == object.etag;
  if (job_saw_this_version) {
    if (latest_job->state == JobState::kFailed) return ReportState::kFailed;
    if (loaded || latest_job->outcome == JobOutcome::kDuplicate) return ReportState::kLoaded;
  }
  return loaded ? ReportState::kChanged : ReportState::kNew;
}

}  // namespace salesflow::ingest
