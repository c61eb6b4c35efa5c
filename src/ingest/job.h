// Jobs: one request to process one report, as the `jobs` table stores it.
//
// Lifecycle (docs/ingest.md has the whole argument):
//   queued --claim--> running --commit--> succeeded | failed
//     ^                 |
//     +-- release ------+   (retryable error with attempts left, shutdown, lease expiry)
//
// A job's final state commits in the same transaction as the rows it loads. Plain data;
// thread-compatible.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "ingest/job_options.h"

namespace salesflow::ingest {

using Timestamp = std::chrono::system_clock::time_point;
using JobId = int64_t;

enum class JobState { kQueued, kRunning, kSucceeded, kFailed };
enum class JobOutcome { kLoaded, kReplaced, kUnchanged, kDuplicate, kDryRun };

// The names stored in the jobs table and shown by the API: "queued", ..., "dry_run".
std::string_view JobStateName(JobState state);
std::string_view JobOutcomeName(JobOutcome outcome);
Result<JobState> ParseJobState(std::string_view name);
Result<JobOutcome> ParseJobOutcome(std::string_view name);

inline bool IsFinal(JobState state) {
  return state == JobState::kSucceeded || state == JobState::kFailed;
}

// Counters of one job. Invariant once final: rows_read = rows_loaded + rows_updated +
// rows_rejected (a failed job loaded nothing, so it counts every row it read as rejected;
// its error message gives the real reasons; unchanged and duplicate jobs load nothing
// and count nothing).
struct JobCounts {
  int64_t rows_read = 0;
  int64_t rows_loaded = 0;   // new (order_id, line_no) lines
  int64_t rows_updated = 0;  // lines another report had loaded: last load wins
  int64_t rows_rejected = 0;
  int64_t bytes_read = 0;
  std::optional<int64_t> bytes_total;  // the object's size, once known
};

struct JobRecord {
  JobId id = 0;
  std::string key;
  JobState state = JobState::kQueued;
  std::optional<JobOutcome> outcome;  // set once succeeded
  std::string duplicate_of;           // for kDuplicate: the loaded report with this content
  JobCounts counts;
  std::string error;  // why it failed; for a queued retry, the last error
  std::string etag;   // of the version the job processed, once known
  JobOptions options;
  int attempts = 0;
  int max_attempts = 0;
  Timestamp created_at{};
  std::optional<Timestamp> started_at;
  std::optional<Timestamp> finished_at;
};

}  // namespace salesflow::ingest
