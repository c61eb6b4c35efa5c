#include "ingest/report_state.h"

#include <gtest/gtest.h>

namespace salesflow::ingest {
namespace {

storage::ObjectInfo Object(std::string key, std::string etag = "e1", uint64_t size = 10) {
  return storage::ObjectInfo{std::move(key), size, std::move(etag), 0};
}

LedgerEntry Loaded(std::string etag = "e1", int64_t size = 10) {
  LedgerEntry entry;
  entry.status = LedgerStatus::kLoaded;
  entry.etag = std::move(etag);
  entry.size = size;
  return entry;
}

JobRecord Job(JobState state, std::string etag = "e1",
              std::optional<JobOutcome> outcome = std::nullopt) {
  JobRecord job;
  job.state = state;
  job.etag = std::move(etag);
  job.outcome = outcome;
  return job;
}

TEST(ReportStateTest, Table) {
  const LedgerEntry loaded = Loaded();
  const LedgerEntry loaded_old = Loaded("e0");
  LedgerEntry unloaded;
  unloaded.status = LedgerStatus::kUnloaded;
  const JobRecord queued = Job(JobState::kQueued);
  const JobRecord running = Job(JobState::kRunning);
  const JobRecord failed = Job(JobState::kFailed);
  const JobRecord failed_older_version = Job(JobState::kFailed, "e0");
  const JobRecord duplicate = Job(JobState::kSucceeded, "e1", JobOutcome::kDuplicate);
  const JobRecord loaded_job = Job(JobState::kSucceeded, "e1", JobOutcome::kLoaded);

  struct Case {
    const char* name;
    storage::ObjectInfo object;
    const LedgerEntry* ledger;
    const JobRecord* job;
    ReportState want;
  };
  const std::vector<Case> cases = {
      {"not a report", Object("notes.txt"), nullptr, nullptr, ReportState::kIgnored},
      {"gz report", Object("a.CSV.GZ"), nullptr, nullptr, ReportState::kNew},
      {"never seen", Object("a.csv"), nullptr, nullptr, ReportState::kNew},
      {"queued", Object("a.csv"), &loaded, &queued, ReportState::kQueued},
      {"running", Object("a.csv"), nullptr, &running, ReportState::kProcessing},
      {"loaded", Object("a.csv"), &loaded, &loaded_job, ReportState::kLoaded},
      {"changed", Object("a.csv"), &loaded_old, nullptr, ReportState::kChanged},
      {"size differs", Object("a.csv", "e1", 11), &loaded, nullptr, ReportState::kChanged},
      {"failed this version", Object("a.csv"), nullptr, &failed, ReportState::kFailed},
      {"failed, then re-uploaded", Object("a.csv"), nullptr, &failed_older_version,
       ReportState::kNew},
      {"failed on a new version of a loaded one", Object("a.csv"), &loaded_old, &failed,
       ReportState::kFailed},
      {"duplicate of another key", Object("a.csv"), nullptr, &duplicate, ReportState::kLoaded},
      {"unloaded", Object("a.csv"), &unloaded, &loaded_job, ReportState::kNew},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ReportStateName(DeriveReportState(c.object, c.ledger, c.job)),
              ReportStateName(c.want))
        << c.name;
  }
  EXPECT_TRUE(NeedsProcessing(ReportState::kNew));
  EXPECT_TRUE(NeedsProcessing(ReportState::kChanged));
  EXPECT_FALSE(NeedsProcessing(ReportState::kFailed));
  EXPECT_FALSE(NeedsProcessing(ReportState::kIgnored));
}

}  // namespace
}  // namespace salesflow::ingest
