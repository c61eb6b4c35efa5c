#include "ingest_test_env.h"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <thread>

#include "generator/generate_options.h"
#include "generator/generator.h"
#include "generator/memory_sink.h"
#include "ingest/stats_fallback.h"
#include "warehouse/migrations.h"

extern char** environ;

namespace salesflow::ingest::testing {

using warehouse::Connection;

GeneratedReports Generate(int days, int64_t rows_per_day, uint64_t seed, double dirty_rate,
                          bool gzip) {
  generator::GenerateOptions options;
  options.days = days;
  options.rows_per_day = rows_per_day;
  options.seed = seed;
  options.dirty_rate = dirty_rate;
  options.gzip = gzip;
  options.out_dir = "unused";
  auto config = generator::MakeGenerateConfig(options);
  EXPECT_TRUE(config.ok()) << config.status().ToString();
  generator::MemorySink sink;
  auto manifest = generator::GenerateReports(*config, sink);
  EXPECT_TRUE(manifest.ok()) << manifest.status().ToString();
  GeneratedReports out;
  out.files = sink.files();
  out.files.erase(generator::kManifestName);
  if (manifest.ok()) out.manifest = std::move(manifest).value();
  return out;
}

void IngestTest::SetUp() {
  auto parsed = warehouse::ParseDbUrl(salesflow::testing::RequiredEnv("SALESFLOW_TEST_DB"));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  db_ = *parsed;
  db_.database = salesflow::testing::UniqueName("ing");
  if (db_.database.size() > 64) db_.database = db_.database.substr(db_.database.size() - 64);
  ASSERT_OK(warehouse::Migrate(db_));
  const std::string bucket = salesflow::testing::RequiredEnv("SALESFLOW_TEST_S3_BUCKET");
  storage_url_ = "s3://" + bucket + "/" + salesflow::testing::UniqueName("ingest");
  store_ = OpenStore();
  ASSERT_NE(store_, nullptr);
}

void IngestTest::TearDown() {
  warehouse::DbConfig server = db_;
  server.database.clear();
  auto connection = Connection::Open(server);
  if (connection.ok()) {
    EXPECT_OK(connection->Execute("DROP DATABASE IF EXISTS " +
                                  Connection::QuoteIdentifier(db_.database)));
  }
}

std::unique_ptr<storage::ObjectStore> IngestTest::OpenStore() const {
  storage::StorageEnv env = storage::StorageEnv::FromEnvironment();
  auto store = storage::OpenObjectStore(storage_url_, env);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(store).value() : nullptr;
}

WorkerConfig IngestTest::MakeWorkerConfig(const std::string& id) const {
  WorkerConfig config;
  config.id = id;
  config.lease = std::chrono::milliseconds(10'000);
  config.renew_interval = std::chrono::milliseconds(200);
  config.idle_poll_min = std::chrono::milliseconds(20);
  config.idle_poll_max = std::chrono::milliseconds(100);
  config.retry_backoff = std::chrono::milliseconds(0);
  config.runner.default_currency = "USD";
  return config;
}

EngineOptions IngestTest::Options(int workers) const {
  EngineOptions options;
  options.workers = workers;
  options.default_currency = "USD";
  options.migrate = false;  // SetUp migrated
  options.worker = MakeWorkerConfig("");
  return options;
}

std::unique_ptr<Engine> IngestTest::OpenEngine(int workers, bool force_insert_fallback) {
  EngineOptions options = Options(workers);
  options.worker.runner.force_insert_fallback = force_insert_fallback;
  auto engine = Engine::Create(db_, OpenStore(), options);
  EXPECT_TRUE(engine.ok()) << engine.status().ToString();
  return engine.ok() ? std::move(engine).value() : nullptr;
}

void IngestTest::Upload(const std::string& key, const std::string& bytes) {
  auto put = storage::Put(*store_, key, bytes);
  ASSERT_TRUE(put.ok()) << put.status().ToString();
}

Connection IngestTest::Connect() const {
  auto connection = Connection::Open(db_);
  EXPECT_TRUE(connection.ok()) << connection.status().ToString();
  return std::move(connection).value();
}

JobRecord IngestTest::Process(Engine& engine, const std::string& key, JobOptions options) {
  ProcessSpec spec;
  spec.keys = {key};
  spec.options = std::move(options);
  auto jobs = engine.EnqueueProcess(spec);
  EXPECT_TRUE(jobs.ok()) << jobs.status().ToString();
  if (!jobs.ok() || jobs->size() != 1) return {};
  return RunUntilFinal(engine, jobs->front().id);
}

JobRecord IngestTest::RunUntilFinal(Engine& engine, JobId id, Worker* worker) {
  std::optional<Worker> own;
  if (worker == nullptr) {
    own.emplace(db_, &engine.store(), MakeWorkerConfig("test-worker"));
    worker = &*own;
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (std::chrono::steady_clock::now() < deadline) {
    auto job = engine.GetJob(id);
    EXPECT_TRUE(job.ok()) << job.status().ToString();
    if (!job.ok()) return {};
    if (IsFinal(job->state)) return *job;
    auto ran = worker->RunOnce();
    EXPECT_TRUE(ran.ok()) << ran.status().ToString();
    // Nothing claimable yet (a lease still runs, a retry waits): the database clock decides.
    if (ran.ok() && !*ran) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ADD_FAILURE() << "job " << id << " did not finish within 120 s";
  return {};
}

Totals IngestTest::SalesTotals() {
  Connection connection = Connect();
  auto result = connection.Query(
      "SELECT currency, SUM(revenue), COUNT(*), SUM(quantity), COUNT(DISTINCT order_id), "
      "COUNT(DISTINCT customer_id) FROM sales GROUP BY currency ORDER BY currency");
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  Totals totals;
  if (!result.ok()) return totals;
  for (size_t i = 0; i < result->rows.size(); ++i) {
    generator::CurrencyTotals t;
    EXPECT_EQ(core::ParseDecimal(result->Text(i, 1), 2, &t.revenue.cents),
              core::ParseDecimalError::kOk);
    t.lines = result->Int(i, 2);
    t.units = result->Int(i, 3);
    t.orders = result->Int(i, 4);
    t.customers = result->Int(i, 5);
    totals[result->Text(i, 0)] = t;
  }
  return totals;
}

int64_t IngestTest::QueryInt(const std::string& sql) {
  Connection connection = Connect();
  auto result = connection.Query(sql);
  EXPECT_TRUE(result.ok()) << result.status().ToString() << " for " << sql;
  if (!result.ok() || result->empty()) return -1;
  return result->Int(0, 0);
}

void IngestTest::ExpectSummariesMatchSales() {
  Connection connection = Connect();
  const std::vector<std::pair<std::string, std::string>> dimensions = {
      {"total", "''"},
      {"category", "COALESCE(category, '')"},
      {"region", "COALESCE(region, '')"},
      {"country", "COALESCE(country, '')"},
      {"channel", "COALESCE(channel, '')"},
      {"sku", "sku"}};
  for (const auto& [dimension, expression] : dimensions) {
    auto summary = connection.Query(
        "SELECT currency, day, dim_value, revenue, line_count, units, order_count, "
        "customer_count FROM daily_summary WHERE dimension = ? "
        "ORDER BY currency, day, dim_value",
        {std::string_view(dimension)});
    auto facts =
        connection.Query("SELECT currency, order_date, " + expression +
                         " AS v, SUM(revenue), COUNT(*), SUM(quantity), COUNT(DISTINCT order_key), "
                         "COUNT(DISTINCT customer_key) FROM sales GROUP BY currency, order_date, v "
                         "ORDER BY currency, order_date, v");
    ASSERT_TRUE(summary.ok()) << summary.status().ToString();
    ASSERT_TRUE(facts.ok()) << facts.status().ToString();
    EXPECT_EQ(summary->rows, facts->rows) << "daily_summary differs from sales for " << dimension;
  }
}

std::string IngestTest::DbUrl() const {
  std::string url = "mysql://" + db_.user;
  if (!db_.password.empty()) url += ":" + db_.password;
  url += "@" + db_.host + ":" + std::to_string(db_.port) + "/" + db_.database;
  if (!db_.socket.empty()) url += "?socket=" + db_.socket;
  return url;
}

pid_t Spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env) {
  std::vector<std::string> environment;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry(*e);
    const std::string name = entry.substr(0, entry.find('=') + 1);
    const bool overridden = std::any_of(env.begin(), env.end(), [&](const std::string& o) {
      return o.compare(0, name.size(), name) == 0;
    });
    if (!overridden) environment.push_back(entry);
  }
  environment.insert(environment.end(), env.begin(), env.end());
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<char*> envp;
  for (const std::string& e : environment) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, args[0], nullptr, nullptr, args.data(), envp.data());
  EXPECT_EQ(rc, 0) << "cannot start " << argv[0];
  return rc == 0 ? pid : -1;
}

int WaitExit(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

std::string TestWorkerPath() { return SALESFLOW_INGEST_TEST_WORKER; }

void ExpectStatsEqualNaive(Engine& engine, warehouse::Connection& connection,
                           const StatsRequest& request, const std::string& what) {
  auto summaries = engine.QueryStats(request);
  auto naive = QueryStatsFromSales(connection, request, "USD");
  ASSERT_OK(summaries.status());
  ASSERT_OK(naive.status());
  EXPECT_EQ(summaries->totals, naive->totals) << what;
  EXPECT_EQ(summaries->currencies, naive->currencies) << what;
  ASSERT_EQ(summaries->groups.size(), naive->groups.size()) << what;
  for (size_t i = 0; i < naive->groups.size(); ++i) {
    EXPECT_EQ(summaries->groups[i].key, naive->groups[i].key) << what;
    EXPECT_EQ(summaries->groups[i].numbers, naive->groups[i].numbers) << what;
  }
}

}  // namespace salesflow::ingest::testing
