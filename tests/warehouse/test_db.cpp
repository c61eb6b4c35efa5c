#include "test_db.h"

#include <algorithm>

#include "warehouse/migrations.h"

namespace salesflow::warehouse::testing {

DbConfig TestDbConfig(const std::string& stem) {
  auto parsed = ParseDbUrl(salesflow::testing::RequiredEnv("SALESFLOW_TEST_DB"));
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  DbConfig config = parsed.ok() ? *parsed : DbConfig{};
  config.database = salesflow::testing::UniqueName(stem);
  // Database names are limited to 64 characters.
  if (config.database.size() > 64)
    config.database = config.database.substr(config.database.size() - 64);
  return config;
}

void WarehouseTest::SetUp() {
  config_ = TestDbConfig("wh");
  auto connection = Connection::Open(config_);
  ASSERT_TRUE(connection.ok()) << connection.status().ToString();
  auto applied = Migrate(*connection);
  ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  conn_.emplace(std::move(*connection));
}

void WarehouseTest::TearDown() {
  if (!conn_) return;
  EXPECT_OK(
      conn_->Execute("DROP DATABASE IF EXISTS " + Connection::QuoteIdentifier(config_.database)));
  conn_.reset();
}

Connection WarehouseTest::Connect(const ConnectOptions& options) {
  auto connection = Connection::Open(config_, options);
  EXPECT_TRUE(connection.ok()) << connection.status().ToString();
  return std::move(*connection);
}

}  // namespace salesflow::warehouse::testing
