#include "warehouse/migrations.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <thread>
#include <vector>

#include "test_db.h"

namespace salesflow::warehouse {
namespace {

using testing::TestDbConfig;

std::vector<std::string> Tables(Connection& connection) {
  auto rows = connection.Query(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() "
      "ORDER BY table_name");
  EXPECT_TRUE(rows.ok()) << rows.status().ToString();
  std::vector<std::string> out;
  if (rows.ok()) {
    for (size_t i = 0; i < rows->rows.size(); ++i) out.push_back(rows->Text(i, 0));
  }
  return out;
}

// Later migrations add tables; these must always be there.
const std::vector<std::string> kExpectedTables = {
    "customer_keys", "daily_summary", "jobs",  "mappings",         "order_keys",
    "rejects",       "reports",       "sales", "schema_migrations"};

// `tables` (sorted) contains every table of kExpectedTables.
::testing::AssertionResult HasCoreTables(const std::vector<std::string>& tables) {
  for (const std::string& table : kExpectedTables) {
    if (!std::binary_search(tables.begin(), tables.end(), table)) {
      return ::testing::AssertionFailure() << "missing table " << table;
    }
  }
  return ::testing::AssertionSuccess();
}

class MigrateTest : public ::testing::Test {
 protected:
  void SetUp() override { config_ = TestDbConfig("mig"); }
  void TearDown() override {
    DbConfig server = config_;
    server.database.clear();
    auto admin = Connection::Open(server);
    ASSERT_OK(admin.status());
    EXPECT_OK(
        admin->Execute("DROP DATABASE IF EXISTS " + Connection::QuoteIdentifier(config_.database)));
  }
  DbConfig config_;
};

TEST_F(MigrateTest, EmptyDatabaseThenNoOp) {
  ASSERT_OK(Migrate(config_));  // creates the database too
  auto connection = Connection::Open(config_);
  ASSERT_OK(connection.status());
  EXPECT_TRUE(HasCoreTables(Tables(*connection)));
  auto again = Migrate(*connection);
  ASSERT_OK(again.status());
  EXPECT_EQ(*again, 0);
  auto versions = connection->Query("SELECT version FROM schema_migrations ORDER BY version");
  ASSERT_OK(versions.status());
  ASSERT_EQ(versions->rows.size(), Migrations().size());
  EXPECT_EQ(versions->Int(versions->rows.size() - 1, 0), Migrations().back().version);
}

TEST_F(MigrateTest, ConcurrentMigratorsEndInOneSchema) {
  // Create the database first so all four race on the migration itself.
  { ASSERT_OK(Connection::Open(config_).status()); }
  constexpr int kMigrators = 4;
  std::vector<Result<int>> results(kMigrators, Result<int>(Status::Internal("not run")));
  std::vector<std::thread> threads;
  for (int i = 0; i < kMigrators; ++i) {
    threads.emplace_back([&, i] {
      auto connection = Connection::Open(config_);
      if (!connection.ok()) {
        results[i] = connection.status();
        return;
      }
      results[i] = Migrate(*connection);
    });
  }
  for (auto& thread : threads) thread.join();
  int applied = 0;
  for (const auto& result : results) {
    ASSERT_OK(result.status());
    applied += *result;
  }
  EXPECT_EQ(applied, static_cast<int>(Migrations().size()));
  auto connection = Connection::Open(config_);
  ASSERT_OK(connection.status());
  EXPECT_TRUE(HasCoreTables(Tables(*connection)));
  auto versions = connection->Query("SELECT COUNT(*) FROM schema_migrations");
  ASSERT_OK(versions.status());
  EXPECT_EQ(versions->Int(0, 0), static_cast<int64_t>(Migrations().size()));
}

TEST_F(MigrateTest, InitSqlScriptYieldsTheSameSchemaAsMigrate) {
  // Run SchemaSql() statement by statement on one database, Migrate on another: same
  // CREATE TABLEs. (The script has no ';' inside statements, so splitting is safe.)
  auto scripted = Connection::Open(config_);
  ASSERT_OK(scripted.status());
  const std::string sql = SchemaSql();
  size_t start = 0;
  while (start < sql.size()) {
    const size_t end = sql.find(";\n", start);
    if (end == std::string::npos) break;
    std::string statement = sql.substr(start, end - start);
    start = end + 2;
    // Drop comment lines.
    std::string body;
    size_t line_start = 0;
    while (line_start < statement.size()) {
      size_t line_end = statement.find('\n', line_start);
      if (line_end == std::string::npos) line_end = statement.size();
      std::string line = statement.substr(line_start, line_end - line_start);
      if (line.rfind("--", 0) != 0) body += line + "\n";
      line_start = line_end + 1;
    }
    if (body.find_first_not_of(" \n") == std::string::npos) continue;
    ASSERT_OK(scripted->Execute(body));
  }
  auto noop = Migrate(*scripted);
  ASSERT_OK(noop.status());
  EXPECT_EQ(*noop, 0);
  const std::vector<std::string> scripted_tables = Tables(*scripted);
  EXPECT_TRUE(HasCoreTables(scripted_tables));
  // Same tables as a database migrated the ordinary way.
  DbConfig migrated_config = TestDbConfig("mig2");
  ASSERT_OK(Migrate(migrated_config));
  auto migrated = Connection::Open(migrated_config);
  ASSERT_OK(migrated.status());
  EXPECT_EQ(Tables(*migrated), scripted_tables);
  EXPECT_OK(
      migrated->Execute("DROP DATABASE " + Connection::QuoteIdentifier(migrated_config.database)));
}

}  // namespace
}  // namespace salesflow::warehouse
