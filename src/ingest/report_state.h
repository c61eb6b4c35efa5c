// A report's status as GET /api/reports shows it, derived from three sources: the storage
// listing (what is there now), the ledger (what was loaded) and the newest job that is not a
// dry run. Pure; unit-tested alone.
#pragma once

#include <string_view>

#include "ingest/job.h"
#include "ingest/job_store.h"
#include "storage/object_store.h"

namespace salesflow::ingest {

enum class ReportState { kNew, kQueued, kProcessing, kLoaded, kFailed, kChanged, kIgnored };

std::string_view ReportStateName(ReportState state);  // "new", "queued", ...

// Rules, first match wins:
//   not a report file name (core LooksLikeReport)            -> ignored
//   newest job queued / running                              -> queued / processing
//   ledger loaded with this ETag and size                    -> loaded
//   newest job finished on this very version (same ETag):
//     failed -> failed; succeeded -> loaded when the ledger has it or it was a duplicate
//     (its content is loaded under another key)
//   ledger loaded (another version)                          -> changed
//   otherwise (never loaded, unloaded)                       -> new
// So a version that failed or was a duplicate is not retried by `pending` or the watcher
// until its content changes.
// `ledger` and `latest_job` may be null.
ReportState DeriveReportState(const storage::ObjectInfo& object, const LedgerEntry* ledger,
                              const JobRecord* latest_job);

// True for the states `pending` and the watcher enqueue.
inline bool NeedsProcessing(ReportState state) {
  return state == ReportState::kNew || state == ReportState::kChanged;
}

}  // namespace salesflow::ingest
