#include "warehouse/db_config.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace salesflow::warehouse {
namespace {

TEST(DbConfig, DefaultUrl) {
  auto config = ParseDbUrl(kDefaultDbUrl);
  ASSERT_OK(config.status());
  EXPECT_EQ(config->user, "root");
  EXPECT_EQ(config->password, "");
  EXPECT_EQ(config->host, "127.0.0.1");
  EXPECT_EQ(config->port, 3306);
  EXPECT_EQ(config->database, "salesflow");
  EXPECT_EQ(config->socket, "");
}

TEST(DbConfig, FullUrlWithPercentDecoding) {
  auto config = ParseDbUrl("mysql://app%40corp:p%40ss%3Aw%2Fo:rd@db.example.com:3307/sales%20db");
  ASSERT_OK(config.status());
  EXPECT_EQ(config->user, "app@corp");
  EXPECT_EQ(config->password, "p@ss:w/o:rd");
  EXPECT_EQ(config->host, "db.example.com");
  EXPECT_EQ(config->port, 3307);
  EXPECT_EQ(config->database, "sales db");
}

TEST(DbConfig, SocketAndIpv6) {
  auto socket = ParseDbUrl("mysql://root@localhost/salesflow?socket=/run/mysqld/mysqld.sock");
  ASSERT_OK(socket.status());
  EXPECT_EQ(socket->socket, "/run/mysqld/mysqld.sock");
  EXPECT_EQ(socket->Endpoint(), "socket /run/mysqld/mysqld.sock");
  auto v6 = ParseDbUrl("mysql://root@[::1]:3310/x");
  ASSERT_OK(v6.status());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 3310);
  auto no_db = ParseDbUrl("mysql://root@127.0.0.1:4000/");
  ASSERT_OK(no_db.status());
  EXPECT_EQ(no_db->database, "");
}

TEST(DbConfig, RedactedNeverShowsThePassword) {
  auto config = ParseDbUrl("mysql://u:hunter2@h:1/d");
  ASSERT_OK(config.status());
  EXPECT_EQ(config->Redacted(), "mysql://u:***@h:1/d");
}

TEST(DbConfig, MalformedUrlsNameTheVariableNotThePassword) {
  const char* kBad[] = {
      "postgres://u:hunter2@h/d",  // unknown scheme
      "u:hunter2@h/d",             // no scheme
      "mysql://u:hunter2@h:99999/d",
      "mysql://u:hunter2@h:abc/d",
      "mysql://u:hunt%zzer2@h/d",
      "mysql://u:hunter2@h/d?sslmode=on",
      "mysql://u:hunter2@h/d?socket=relative.sock",
      "mysql://u:hunter2@h/a/b",
      "mysql://:hunter2@h/d",
      "u:hunter2@mysql://h/d",
  };
  for (const char* url : kBad) {
    auto config = ParseDbUrl(url);
    ASSERT_FALSE(config.ok()) << url;
    EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument) << url;
    EXPECT_NE(config.status().message().find("SALESFLOW_DB"), std::string::npos) << url;
    EXPECT_EQ(config.status().message().find("hunter2"), std::string::npos)
        << url << " -> " << config.status().message();
  }
}

}  // namespace
}  // namespace salesflow::warehouse
