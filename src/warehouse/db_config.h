// DbConfig: where the warehouse lives, parsed from the SALESFLOW_DB URL.
//
//   mysql://user:pass@host:port/db            TCP (port defaults to 3306)
//   mysql://user:pass@localhost/db?socket=/run/mysqld/mysqld.sock   unix socket
//   mysql://root@127.0.0.1:3306/salesflow    the default (kDefaultDbUrl)
//
// User, password and database are percent-decoded ("p%40ss" is "p@ss"). The password never
// appears in a message: errors name SALESFLOW_DB and Redacted() replaces it with "***".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace salesflow::warehouse {

inline constexpr std::string_view kDefaultDbUrl = "mysql://root@127.0.0.1:3306/salesflow";
inline constexpr std::string_view kDbUrlVariable = "SALESFLOW_DB";

struct DbConfig {
  std::string user = "root";
  std::string password;  // empty = none
  std::string host = "127.0.0.1";
  uint16_t port = 3306;
  std::string socket;    // non-empty: connect through this unix socket instead of TCP
  std::string database;  // empty = connect without selecting a database

  // "mysql://root:***@127.0.0.1:3306/salesflow": safe for logs and messages.
  std::string Redacted() const;
  // "127.0.0.1:3306" or "socket /path": where a connection goes, for error messages.
  std::string Endpoint() const;
};

// Parses a SALESFLOW_DB URL. InvalidArgument (naming SALESFLOW_DB, never the password) for an
// unknown scheme, a bad port, bad percent-encoding, unknown query parameters.
Result<DbConfig> ParseDbUrl(std::string_view url);

// ParseDbUrl(getenv("SALESFLOW_DB")), or of kDefaultDbUrl when unset or empty.
Result<DbConfig> DbConfigFromEnv();

}  // namespace salesflow::warehouse
