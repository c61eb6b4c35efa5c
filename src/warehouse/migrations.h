// Versioned schema migrations, compiled into the binary.
//
// Each migration is a version, a name and its statements. Migrate() applies the missing ones
// in order, records each in `schema_migrations`, and holds the named lock
// "salesflow.migrate" (GET_LOCK) meanwhile, so two processes migrating at once end in one
// correct schema: the second waits, then finds nothing to do. Re-running is a no-op.
//
// mysql/init/init.sql is SchemaSql() verbatim (tests fail when it drifts); regenerate it with
// `salesflow migrate --print-sql > mysql/init/init.sql`.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "warehouse/connection.h"
#include "warehouse/db_config.h"

namespace salesflow::warehouse {

struct Migration {
  int version;
  std::string_view name;
  std::vector<std::string_view> statements;  // each one complete SQL statement, no ';'
};

// All migrations, ascending by version.
const std::vector<Migration>& Migrations();

// Applies the missing migrations on `connection`'s database. Returns how many were applied.
Result<int> Migrate(Connection& connection);
// Opens a connection (creating the database when allowed) and migrates.
Status Migrate(const DbConfig& config);

// Every migration rendered as one script, ending with the schema_migrations rows, so a server
// initialised from it (docker-compose's mysql/init) is already "migrated".
std::string SchemaSql();

// `salesflow migrate [--print-sql]`: prints SchemaSql() to stdout when print_sql, else
// migrates the database in SALESFLOW_DB and prints one line; errors as one line on stderr.
// Returns the process exit code (0 ok, 1 error).
int RunMigrateCommand(const DbConfig& config, bool print_sql);

}  // namespace salesflow::warehouse
