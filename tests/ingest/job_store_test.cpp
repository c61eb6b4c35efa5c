// The jobs table as a queue: coalescing, claims with SKIP LOCKED, lease fencing, retries.
#include "ingest/job_store.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "ingest_test_env.h"

namespace salesflow::ingest::testing {
namespace {

using warehouse::Connection;

class JobStoreTest : public IngestTest {
 protected:
  void SetUp() override {
    IngestTest::SetUp();
    if (HasFatalFailure()) return;
    conn_.emplace(Connect());
    ASSERT_OK(ConfigureSession(*conn_));
  }
  void ExpireLease(JobId id) {
    ASSERT_OK(conn_
                  ->Exec("UPDATE jobs SET lease_expires_at = NOW(3) - INTERVAL 1 SECOND "
                         "WHERE id = ?",
                         {int64_t{id}})
                  .status());
  }
  std::optional<Connection> conn_;
};

TEST_F(JobStoreTest, EnqueueCoalescesRealJobsButNeverDryRuns) {
  auto first = EnqueueJob(*conn_, "a.csv", {}, 3);
  ASSERT_OK(first.status());
  JobOptions force;
  force.force = true;
  auto second = EnqueueJob(*conn_, "a.csv", force, 3);
  ASSERT_OK(second.status());
  EXPECT_EQ(second->id, first->id);
  EXPECT_FALSE(second->options.force);  // the first request's options win
  JobOptions dry;
  dry.dry_run = true;
  auto dry1 = EnqueueJob(*conn_, "a.csv", dry, 3);
  auto dry2 = EnqueueJob(*conn_, "a.csv", dry, 3);
  ASSERT_OK(dry1.status());
  ASSERT_OK(dry2.status());
  EXPECT_NE(dry1->id, first->id);
  EXPECT_NE(dry2->id, dry1->id);
  auto other = EnqueueJob(*conn_, "b.csv", {}, 3);
  ASSERT_OK(other.status());
  EXPECT_NE(other->id, first->id);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM jobs"), 4);
}

TEST_F(JobStoreTest, EightConcurrentRequestsMakeOneJob) {
  constexpr int kRequests = 8;
  std::vector<JobId> ids(kRequests, 0);
  std::vector<std::thread> threads;
  for (int i = 0; i < kRequests; ++i) {
    threads.emplace_back([&, i] {
      Connection connection = Connect();
      ASSERT_OK(ConfigureSession(connection));
      auto job = EnqueueJob(connection, "same.csv", {}, 3);
      ASSERT_OK(job.status());
      ids[static_cast<size_t>(i)] = job->id;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(std::set<JobId>(ids.begin(), ids.end()).size(), 1u);
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM jobs WHERE report_key = 'same.csv'"), 1);
}

TEST_F(JobStoreTest, ClaimTakesQueuedJobsOnceAndFencesAnExpiredLease) {
  auto job = EnqueueJob(*conn_, "a.csv", {}, 3);
  ASSERT_OK(job.status());
  auto a = ClaimJob(*conn_, "worker-a", std::chrono::seconds(30));
  ASSERT_OK(a.status());
  ASSERT_TRUE(a->has_value());
  EXPECT_EQ((*a)->job.id, job->id);
  EXPECT_EQ((*a)->job.state, JobState::kRunning);
  EXPECT_EQ((*a)->job.attempts, 1);
  EXPECT_TRUE((*a)->job.started_at.has_value());

  auto nothing = ClaimJob(*conn_, "worker-b", std::chrono::seconds(30));
  ASSERT_OK(nothing.status());
  EXPECT_FALSE(nothing->has_value()) << "a leased job must not be claimed twice";

  JobCounts progress;
  progress.rows_read = 10;
  progress.rows_loaded = 9;
  progress.bytes_read = 100;
  progress.bytes_total = 1000;
  auto renewed = RenewLease(*conn_, job->id, (*a)->lease_owner, std::chrono::seconds(30), progress);
  ASSERT_OK(renewed.status());
  EXPECT_TRUE(*renewed);
  auto seen = LoadJob(*conn_, job->id);
  ASSERT_OK(seen.status());
  EXPECT_EQ(seen->counts.rows_read, 10);
  EXPECT_EQ(seen->counts.rows_loaded, 9);
  EXPECT_EQ(seen->counts.bytes_read, 100);
  EXPECT_EQ(seen->counts.bytes_total, 1000);

  ExpireLease(job->id);
  auto b = ClaimJob(*conn_, "worker-b", std::chrono::seconds(30));
  ASSERT_OK(b.status());
  ASSERT_TRUE(b->has_value());
  EXPECT_EQ((*b)->job.id, job->id);
  EXPECT_EQ((*b)->job.attempts, 2);
  EXPECT_NE((*b)->lease_owner, (*a)->lease_owner);

  // The first worker lost the job: none of its writes land.
  auto late_renew = RenewLease(*conn_, job->id, (*a)->lease_owner, std::chrono::seconds(30), {});
  ASSERT_OK(late_renew.status());
  EXPECT_FALSE(*late_renew);
  FinalJobState done;
  done.outcome = JobOutcome::kLoaded;
  auto late_finish = FinishJob(*conn_, job->id, (*a)->lease_owner, done);
  ASSERT_OK(late_finish.status());
  EXPECT_FALSE(*late_finish);
  auto finish = FinishJob(*conn_, job->id, (*b)->lease_owner, done);
  ASSERT_OK(finish.status());
  EXPECT_TRUE(*finish);
  auto final_job = LoadJob(*conn_, job->id);
  ASSERT_OK(final_job.status());
  EXPECT_EQ(final_job->state, JobState::kSucceeded);
  EXPECT_TRUE(final_job->finished_at.has_value());
  // Finished: the report may get a new job.
  auto next = EnqueueJob(*conn_, "a.csv", {}, 3);
  ASSERT_OK(next.status());
  EXPECT_NE(next->id, job->id);
}

TEST_F(JobStoreTest, AJobWhoseWorkersKeepDyingFailsAfterMaxAttempts) {
  auto job = EnqueueJob(*conn_, "a.csv", {}, 2);
  ASSERT_OK(job.status());
  for (int attempt = 1; attempt <= 2; ++attempt) {
    auto claim = ClaimJob(*conn_, "dying", std::chrono::seconds(30));
    ASSERT_OK(claim.status());
    ASSERT_TRUE(claim->has_value());
    EXPECT_EQ((*claim)->job.attempts, attempt);
    ExpireLease(job->id);
  }
  auto claim = ClaimJob(*conn_, "dying", std::chrono::seconds(30));
  ASSERT_OK(claim.status());
  EXPECT_FALSE(claim->has_value());
  auto failed = LoadJob(*conn_, job->id);
  ASSERT_OK(failed.status());
  EXPECT_EQ(failed->state, JobState::kFailed);
  EXPECT_EQ(failed->error, "worker lost 2 times");
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM jobs WHERE active_key IS NOT NULL"), 0);
}

TEST_F(JobStoreTest, ReleaseForShutdownDoesNotCountAndARetryWaitsItsBackoff) {
  auto job = EnqueueJob(*conn_, "a.csv", {}, 3);
  ASSERT_OK(job.status());
  auto claim = ClaimJob(*conn_, "w", std::chrono::seconds(30));
  ASSERT_OK(claim.status());
  ASSERT_TRUE(claim->has_value());
  auto released = ReleaseJob(*conn_, job->id, (*claim)->lease_owner, std::chrono::milliseconds(0),
                             "", /*count_attempt=*/false);
  ASSERT_OK(released.status());
  EXPECT_TRUE(*released);
  auto again = ClaimJob(*conn_, "w", std::chrono::seconds(30));
  ASSERT_OK(again.status());
  ASSERT_TRUE(again->has_value());
  EXPECT_EQ((*again)->job.attempts, 1);

  auto retry = ReleaseJob(*conn_, job->id, (*again)->lease_owner, std::chrono::hours(1),
                          "storage unavailable", /*count_attempt=*/true);
  ASSERT_OK(retry.status());
  EXPECT_TRUE(*retry);
  auto waiting = ClaimJob(*conn_, "w", std::chrono::seconds(30));
  ASSERT_OK(waiting.status());
  EXPECT_FALSE(waiting->has_value()) << "a retry must wait for its backoff";
  auto queued = LoadJob(*conn_, job->id);
  ASSERT_OK(queued.status());
  EXPECT_EQ(queued->state, JobState::kQueued);
  EXPECT_EQ(queued->error, "storage unavailable");
  EXPECT_EQ(queued->attempts, 1);
}

TEST_F(JobStoreTest, MappingForKeyTakesTheLongestPrefix) {
  PrefixMapping shop;
  shop.prefix = "shop/";
  shop.mapping = {{"order_id", "A"}};
  PrefixMapping shop_eu;
  shop_eu.prefix = "shop/eu/";
  shop_eu.mapping = {{"order_id", "B"}};
  ASSERT_OK(UpsertMapping(*conn_, shop));
  ASSERT_OK(UpsertMapping(*conn_, shop_eu));
  auto eu = MappingForKey(*conn_, "shop/eu/day.csv");
  ASSERT_OK(eu.status());
  ASSERT_TRUE(eu->has_value());
  EXPECT_EQ((*eu)->prefix, "shop/eu/");
  auto us = MappingForKey(*conn_, "shop/us/day.csv");
  ASSERT_OK(us.status());
  ASSERT_TRUE(us->has_value());
  EXPECT_EQ((*us)->prefix, "shop/");
  auto none = MappingForKey(*conn_, "other/day.csv");
  ASSERT_OK(none.status());
  EXPECT_FALSE(none->has_value());
  // A prefix with LIKE wildcards is taken literally.
  PrefixMapping wild;
  wild.prefix = "a%_";
  ASSERT_OK(UpsertMapping(*conn_, wild));
  auto literal = MappingForKey(*conn_, "abc.csv");
  ASSERT_OK(literal.status());
  EXPECT_FALSE(literal->has_value());
}

}  // namespace
}  // namespace salesflow::ingest::testing
