// Fixture for ingest integration tests: a private database on the MariaDB of
// scripts/with-services.sh and a private key prefix in the s3rver bucket, plus helpers that
// check the warehouse against exact expectations (generator manifests, GROUP BY over sales).
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "generator/manifest.h"
#include "ingest/engine.h"
#include "ingest/worker.h"
#include "storage/object_store.h"
#include "test_util.h"
#include "warehouse/connection.h"
#include "warehouse/db_config.h"

namespace salesflow::ingest::testing {

// Generated reports: file name -> bytes, and the manifest with their exact totals.
struct GeneratedReports {
  std::map<std::string, std::string> files;
  generator::Manifest manifest;
};
// `days` daily reports of `rows_per_day` lines starting 2026-10-01 (deterministic).
GeneratedReports Generate(int days, int64_t rows_per_day, uint64_t seed = 7,
                          double dirty_rate = 0.0, bool gzip = false);

// Per-currency figures as the generator's manifest states them.
using Totals = std::map<std::string, generator::CurrencyTotals>;

class IngestTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // An engine over this test's database and prefix. workers = in-process workers.
  std::unique_ptr<Engine> OpenEngine(int workers = 0, bool force_insert_fallback = false);
  EngineOptions Options(int workers = 0) const;
  // A new handle on this test's prefix.
  std::unique_ptr<storage::ObjectStore> OpenStore() const;
  WorkerConfig MakeWorkerConfig(const std::string& id) const;

  void Upload(const std::string& key, const std::string& bytes);
  warehouse::Connection Connect() const;

  // Enqueues `key` and runs it on an in-test worker until it is final.
  JobRecord Process(Engine& engine, const std::string& key, JobOptions options = {});
  // Runs claimable jobs on an in-test worker until `id` is final (a deadline fails the test).
  JobRecord RunUntilFinal(Engine& engine, JobId id, Worker* worker = nullptr);

  // SELECT ... GROUP BY currency over sales, as manifest-like totals.
  Totals SalesTotals();
  int64_t QueryInt(const std::string& sql);
  // daily_summary equals a GROUP BY over sales for every dimension.
  void ExpectSummariesMatchSales();

  // SALESFLOW_DB / SALESFLOW_STORAGE values for a worker process of this test.
  std::string DbUrl() const;
  std::string StorageUrl() const { return storage_url_; }

  warehouse::DbConfig db_;
  std::string storage_url_;
  std::unique_ptr<storage::ObjectStore> store_;
};

// Every grouping of GET /api/stats.
inline constexpr std::array<StatsGrouping, 8> kAllStatsGroupings = {
    StatsGrouping::kNone,     StatsGrouping::kDay,    StatsGrouping::kMonth,
    StatsGrouping::kCategory, StatsGrouping::kRegion, StatsGrouping::kCountry,
    StatsGrouping::kChannel,  StatsGrouping::kSku};

// `engine`'s answer to `request` (from the summaries) equals the naive GROUP BY over sales
// (stats_fallback.h): totals, currencies, and every group in order. `what` names the case.
void ExpectStatsEqualNaive(Engine& engine, warehouse::Connection& connection,
                           const StatsRequest& request, const std::string& what);

// Spawns `argv` with extra environment entries; returns the pid.
pid_t Spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env);
// Waits for the process; returns its exit status (as waitpid reports it).
int WaitExit(pid_t pid);

// Path of the helper worker executable (tests/ingest/test_worker_main.cpp).
std::string TestWorkerPath();

}  // namespace salesflow::ingest::testing
