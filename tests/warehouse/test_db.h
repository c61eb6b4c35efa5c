// A private database per test on the MariaDB of scripts/with-services.sh.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "test_util.h"
#include "warehouse/connection.h"
#include "warehouse/db_config.h"

namespace salesflow::warehouse::testing {

// The server of SALESFLOW_TEST_DB with a unique database name (not yet created).
DbConfig TestDbConfig(const std::string& stem);

// Creates (via Connection::Open) and migrates a unique database; drops it on TearDown.
class WarehouseTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;
  // A new connection to this test's database.
  Connection Connect(const ConnectOptions& options = {});

  DbConfig config_;
  std::optional<Connection> conn_;
};

}  // namespace salesflow::warehouse::testing
