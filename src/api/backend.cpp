#include "api/backend.h"

namespace salesflow::api {

std::string_view ReportStatusName(ReportStatus status) {
  switch (status) {
    case ReportStatus::kNew:
      return "new";
    case ReportStatus::kQueued:
      return "queued";
    case ReportStatus::kProcessing:
      return "processing";
    case ReportStatus::kLoaded:
      return "loaded";
    case ReportStatus::kFailed:
      return "failed";
    case ReportStatus::kChanged:
      return "changed";
    case ReportStatus::kIgnored:
      return "ignored";
  }
  return "unknown";
}

std::string_view JobStatusName(JobStatus status) {
  switch (status) {
    case JobStatus::kQueued:
      return "queued";
    case JobStatus::kRunning:
      return "running";
    case JobStatus::kSucceeded:
      return "succeeded";
    case JobStatus::kFailed:
      return "failed";
  }
  return "unknown";
}

std::string_view JobOutcomeName(JobOutcome outcome) {
  switch (outcome) {
    case JobOutcome::kLoaded:
      return "loaded";
    case JobOutcome::kReplaced:
      return "replaced";
    case JobOutcome::kUnchanged:
      return "unchanged";
    case JobOutcome::kDuplicate:
      return "duplicate";
    case JobOutcome::kDryRun:
      return "dry_run";
  }
  return "unknown";
}

}  // namespace salesflow::api
