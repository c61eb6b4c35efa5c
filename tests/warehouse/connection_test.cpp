#include "warehouse/connection.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>

#include "test_db.h"

namespace salesflow::warehouse {
namespace {

using testing::TestDbConfig;
using testing::WarehouseTest;

// A loopback port nobody listens on: bound, read, released.
uint16_t ClosedPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

TEST(ConnectionOpen, ClosedPortIsUnavailableQuicklyAndNamesTheEndpoint) {
  DbConfig config = TestDbConfig("closed");
  config.port = ClosedPort();
  const auto start = std::chrono::steady_clock::now();
  auto connection = Connection::Open(config);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(connection.ok());
  EXPECT_EQ(connection.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(connection.status().message().find("127.0.0.1:" + std::to_string(config.port)),
            std::string::npos)
      << connection.status().message();
  EXPECT_NE(connection.status().message().find("SALESFLOW_DB"), std::string::npos);
  EXPECT_LT(elapsed, std::chrono::seconds(3));
}

TEST(ConnectionOpen, BadPasswordIsUnauthenticatedAndNeverEchoed) {
  DbConfig config = TestDbConfig("badpw");
  config.password = "hunter2-wrong";
  auto connection = Connection::Open(config);
  ASSERT_FALSE(connection.ok());
  EXPECT_EQ(connection.status().code(), StatusCode::kUnauthenticated);
  EXPECT_NE(connection.status().message().find("'" + config.user + "'"), std::string::npos)
      << connection.status().message();
  EXPECT_EQ(connection.status().message().find("hunter2"), std::string::npos);
}

TEST(ConnectionOpen, MissingDatabaseIsCreatedInUtf8mb4) {
  DbConfig config = TestDbConfig("created");
  auto connection = Connection::Open(config);
  ASSERT_OK(connection.status());
  auto charset = connection->Query(
      "SELECT default_character_set_name FROM information_schema.schemata WHERE schema_name = ?",
      {std::string_view(config.database)});
  ASSERT_OK(charset.status());
  ASSERT_EQ(charset->rows.size(), 1u);
  EXPECT_EQ(charset->Text(0, 0), "utf8mb4");
  EXPECT_OK(connection->Execute("DROP DATABASE " + Connection::QuoteIdentifier(config.database)));
}

TEST(ConnectionOpen, MissingDatabaseWithoutCreateRightIsAClearError) {
  DbConfig root = TestDbConfig("noright");
  root.database.clear();
  auto admin = Connection::Open(root);
  ASSERT_OK(admin.status());
  const std::string user = salesflow::testing::UniqueName("u").substr(0, 30);
  // Account statements take no placeholders; the name is ours.
  ASSERT_OK(admin->Execute("CREATE USER " + admin->Quote(user) + "@'%' IDENTIFIED BY 's3cret-pw'"));
  DbConfig limited = TestDbConfig("noright");
  limited.user = user;
  limited.password = "s3cret-pw";
  auto connection = Connection::Open(limited);
  ASSERT_FALSE(connection.ok());
  EXPECT_EQ(connection.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(connection.status().message().find(limited.database), std::string::npos)
      << connection.status().message();
  EXPECT_EQ(connection.status().message().find("s3cret"), std::string::npos);
  ConnectOptions no_create;
  no_create.create_database = false;
  auto not_found = Connection::Open(limited, no_create);
  ASSERT_FALSE(not_found.ok());
  // The server hides whether a database it denies exists (error 1044).
  EXPECT_EQ(not_found.status().code(), StatusCode::kPermissionDenied);
  EXPECT_OK(admin->Execute("DROP USER " + admin->Quote(user) + "@'%'"));
}

TEST(ConnectionOpen, ThroughTheUnixSocket) {
  DbConfig config = TestDbConfig("socket");
  config.socket = salesflow::testing::RequiredEnv("SALESFLOW_TEST_DB_SOCKET");
  config.database.clear();
  auto connection = Connection::Open(config);
  ASSERT_OK(connection.status());
  auto result = connection->Query("SELECT @@character_set_client, @@sql_mode");
  ASSERT_OK(result.status());
  EXPECT_EQ(result->Text(0, 0), "utf8mb4");
  EXPECT_NE(result->Text(0, 1).find("STRICT_ALL_TABLES"), std::string::npos);
}

class ConnectionTest : public WarehouseTest {};

TEST_F(ConnectionTest, ParametersRoundTripVerbatim) {
  ASSERT_OK(conn_->Execute("CREATE TABLE t (id INT PRIMARY KEY, v TEXT NULL)"));
  const std::string_view hostile[] = {"'); DROP TABLE t; --", "\\N",
                                      "a\\b\tc\nd\re",        std::string_view("nul\0!", 5),
                                      "žluťoučký kůň 🐎",      ""};
  int64_t id = 0;
  for (std::string_view value : hostile) {
    ASSERT_OK(conn_->Exec("INSERT INTO t VALUES (?, ?)", {++id, value}).status());
  }
  ASSERT_OK(conn_->Exec("INSERT INTO t VALUES (?, ?)", {++id, nullptr}).status());
  auto rows = conn_->Query("SELECT v FROM t WHERE id >= ? ORDER BY id", {int64_t{1}});
  ASSERT_OK(rows.status());
  ASSERT_EQ(rows->rows.size(), std::size(hostile) + 1);
  for (size_t i = 0; i < std::size(hostile); ++i) EXPECT_EQ(rows->Text(i, 0), hostile[i]);
  EXPECT_TRUE(rows->IsNull(std::size(hostile), 0));
  // Quote() for the rare literal: same verbatim result.
  auto quoted =
      conn_->Query("SELECT " + conn_->Quote(hostile[2]) + ", " + conn_->Quote(hostile[0]));
  ASSERT_OK(quoted.status());
  EXPECT_EQ(quoted->Text(0, 0), hostile[2]);
  EXPECT_EQ(quoted->Text(0, 1), hostile[0]);
}

TEST_F(ConnectionTest, LongValuesAreFetchedWhole) {
  const std::string big(100000, 'x');
  auto rows = conn_->Query("SELECT ?, 12345678901234, CAST('2026-01-02' AS DATE), 1.2500",
                           {std::string_view(big)});
  ASSERT_OK(rows.status());
  EXPECT_EQ(rows->Text(0, 0), big);
  EXPECT_EQ(rows->Int(0, 1), 12345678901234);
  EXPECT_EQ(rows->Text(0, 2), "2026-01-02");
  EXPECT_EQ(rows->Text(0, 3), "1.2500");
}

TEST_F(ConnectionTest, TransactionGuardRollsBackUnlessCommitted) {
  ASSERT_OK(conn_->Execute("CREATE TABLE t (id INT PRIMARY KEY) ENGINE=InnoDB"));
  {
    auto tx = Transaction::Start(*conn_);
    ASSERT_OK(tx.status());
    ASSERT_OK(conn_->Execute("INSERT INTO t VALUES (1), (2)"));
  }  // no Commit: rolled back
  auto count = conn_->Query("SELECT COUNT(*) FROM t");
  ASSERT_OK(count.status());
  EXPECT_EQ(count->Int(0, 0), 0);
  {
    auto tx = Transaction::Start(*conn_);
    ASSERT_OK(tx.status());
    ASSERT_OK(conn_->Execute("INSERT INTO t VALUES (3)"));
    ASSERT_OK(tx->Commit());
    EXPECT_FALSE(tx->Commit().ok());
  }
  count = conn_->Query("SELECT COUNT(*) FROM t");
  ASSERT_OK(count.status());
  EXPECT_EQ(count->Int(0, 0), 1);
}

TEST_F(ConnectionTest, ServerErrorsMapToStatusCodes) {
  ASSERT_OK(conn_->Execute("CREATE TABLE t (id INT PRIMARY KEY, v INT) ENGINE=InnoDB"));
  ASSERT_OK(conn_->Execute("INSERT INTO t VALUES (1, 0)"));
  auto duplicate = conn_->Exec("INSERT INTO t VALUES (?, 0)", {int64_t{1}});
  EXPECT_EQ(duplicate.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(conn_->Execute("SELECT * FROM no_such_table").code(), StatusCode::kNotFound);

  // Lock wait timeout: retryable Conflict.
  Connection other = Connect();
  ASSERT_OK(other.Execute("SET SESSION innodb_lock_wait_timeout = 1"));
  auto tx = Transaction::Start(*conn_);
  ASSERT_OK(tx.status());
  ASSERT_OK(conn_->Execute("UPDATE t SET v = 1 WHERE id = 1"));
  const Status waited = other.Execute("UPDATE t SET v = 2 WHERE id = 1");
  EXPECT_EQ(waited.code(), StatusCode::kConflict) << waited.ToString();
  EXPECT_TRUE(IsRetryable(waited));
  ASSERT_OK(tx->Rollback());

  // A killed session: Unavailable.
  auto id = other.Query("SELECT CONNECTION_ID()");
  ASSERT_OK(id.status());
  ASSERT_OK(conn_->Execute("KILL " + std::to_string(id->Int(0, 0))));
  const Status lost = other.Execute("SELECT 1");
  EXPECT_EQ(lost.code(), StatusCode::kUnavailable) << lost.ToString();
  EXPECT_TRUE(IsRetryable(lost));
}

}  // namespace
}  // namespace salesflow::warehouse
