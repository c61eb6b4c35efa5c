#include "ingest/job.h"

#include <array>
#include <string>

namespace salesflow::ingest {
namespace {

constexpr std::array<std::string_view, 4> kStateNames = {"queued", "running", "succeeded",
                                                         "failed"};
constexpr std::array<std::string_view, 5> kOutcomeNames = {"loaded", "replaced", "unchanged",
                                                           "duplicate", "dry_run"};

}  // namespace

std::string_view JobStateName(JobState state) { return kStateNames[static_cast<size_t>(state)]; }

std::string_view JobOutcomeName(JobOutcome outcome) {
  return kOutcomeNames[static_cast<size_t>(outcome)];
}

Result<JobState> ParseJobState(std::string_view name) {
  for (size_t i = 0; i < kStateNames.size(); ++i) {
    if (kStateNames[i] == name) return static_cast<JobState>(i);
  }
  return Status::Internal("unknown job status '" + std::string(name) + "' in the jobs table");
}

Result<JobOutcome> ParseJobOutcome(std::string_view name) {
  for (size_t i = 0; i < kOutcomeNames.size(); ++i) {
    if (kOutcomeNames[i] == name) return static_cast<JobOutcome>(i);
  }
  return Status::Internal("unknown job outcome '" + std::string(name) + "' in the jobs table");
}

}  // namespace salesflow::ingest
