#include "warehouse/migrations.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <thread>
#include <vector>

#include "test_db.h"
#include "warehouse/key_dictionary.h"

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

// A warehouse at version 2 (AUTO_INCREMENT dictionaries, keys already in sales and in the
// summary bitmaps) keeps every key through migration 3, and new keys come after them.
TEST_F(MigrateTest, DictionaryKeysSurviveMigrationThreeAndNewKeysComeAfterThem) {
  auto connection = Connection::Open(config_);
  ASSERT_OK(connection.status());
  ASSERT_OK(connection->Execute(
      "CREATE TABLE schema_migrations (version INT NOT NULL PRIMARY KEY, name VARCHAR(200) NOT "
      "NULL, applied_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3))"));
  for (const Migration& migration : Migrations()) {
    if (migration.version > 2) break;
    for (std::string_view statement : migration.statements) {
      ASSERT_OK(connection->Execute(statement));
    }
    ASSERT_OK(connection
                  ->Exec("INSERT INTO schema_migrations (version, name) VALUES (?, ?)",
                         {int64_t{migration.version}, migration.name})
                  .status());
  }
  ASSERT_OK(connection->Execute(
      "INSERT INTO order_keys (id, order_id) VALUES (5, 'O5'), (9, 'O9'), (2, 'O2')"));
  auto applied = Migrate(*connection);
  ASSERT_OK(applied.status());
  EXPECT_EQ(*applied, static_cast<int>(Migrations().size()) - 2);

  auto keys = connection->Query("SELECT order_id, id FROM order_keys ORDER BY id");
  ASSERT_OK(keys.status());
  ASSERT_EQ(keys->rows.size(), 3u);
  EXPECT_EQ(keys->Text(0, 0), "O2");
  EXPECT_EQ(keys->Int(0, 1), 2);
  EXPECT_EQ(keys->Text(2, 0), "O9");
  EXPECT_EQ(keys->Int(2, 1), 9);
  auto next = connection->Query("SELECT dictionary, next_key FROM dictionary_counters ORDER BY 1");
  ASSERT_OK(next.status());
  ASSERT_EQ(next->rows.size(), 2u);
  EXPECT_EQ(next->Text(0, 0), "order");
  EXPECT_EQ(next->Int(0, 1), 10) << "after the largest key";
  EXPECT_EQ(next->Text(1, 0), "customer");
  EXPECT_EQ(next->Int(1, 1), 1) << "an empty dictionary starts at 1";

  auto reserved = ReserveKeys(*connection, KeyKind::kOrder, 3);
  ASSERT_OK(reserved.status());
  EXPECT_EQ(*reserved, 10u);
  reserved = ReserveKeys(*connection, KeyKind::kOrder, 1);
  ASSERT_OK(reserved.status());
  EXPECT_EQ(*reserved, 13u) << "ranges never overlap";
  // The id text is the key of the table now: one key per id.
  EXPECT_EQ(connection->Execute("INSERT INTO order_keys (order_id, id) VALUES ('O9', 13)").code(),
            StatusCode::kAlreadyExists);
}

TEST_F(MigrateTest, ReservingKeysStopsAtTheirThirtyTwoBits) {
  ASSERT_OK(Migrate(config_));
  auto connection = Connection::Open(config_);
  ASSERT_OK(connection.status());
  ASSERT_OK(connection->Execute(
      "UPDATE dictionary_counters SET next_key = 4294967290 WHERE dictionary = 'customer'"));
  auto last = ReserveKeys(*connection, KeyKind::kCustomer, 6);
  ASSERT_OK(last.status());
  EXPECT_EQ(*last, 4294967290u) << "up to 2^32 - 1 inclusive";
  auto none = ReserveKeys(*connection, KeyKind::kCustomer, 1);
  EXPECT_EQ(none.status().code(), StatusCode::kResourceExhausted) << none.status().ToString();
  EXPECT_NE(none.status().message().find("customer_keys"), std::string::npos);
  auto orders = ReserveKeys(*connection, KeyKind::kOrder, 1);
  ASSERT_OK(orders.status());
  EXPECT_EQ(*orders, 1u) << "each dictionary counts on its own";
}

}  // namespace
}  // namespace salesflow::warehouse
