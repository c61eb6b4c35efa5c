#include "warehouse/migrations.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <functional>

namespace salesflow::warehouse {
namespace {

// The schema's reasoning is in docs/warehouse.md. Rules for editing:
//   * never change a released migration: add a new version;
//   * one complete statement per string, no trailing ';';
//   * text is utf8mb4 with binary collation (identifiers compare exactly; summaries
//     group exactly like a GROUP BY over sales does); object keys are VARBINARY(1024),
//     which fits InnoDB's 3072-byte index limit where utf8mb4 VARCHAR(1024) would not;
//   * VARCHAR lengths of sales mirror reader/columns.h (a test checks it).
constexpr std::string_view kSchemaMigrationsTable =
    R"sql(CREATE TABLE IF NOT EXISTS schema_migrations (
  version INT NOT NULL PRIMARY KEY,
  name VARCHAR(200) NOT NULL,
  applied_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin)sql";

const std::vector<Migration> kMigrations = {
    {1,
     "initial schema: ledger, jobs, rejects, mappings, sales, dictionaries, summaries",
     {
         R"sql(CREATE TABLE IF NOT EXISTS reports (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  report_key VARBINARY(1024) NOT NULL COMMENT 'object key, UTF-8 bytes',
  status ENUM('new','loaded','failed','unloaded') NOT NULL DEFAULT 'new',
  content_sha256 BINARY(32) NULL COMMENT 'of the loaded version',
  etag VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NULL,
  size BIGINT NULL,
  last_modified TIMESTAMP(3) NULL,
  rows_loaded BIGINT NOT NULL DEFAULT 0,
  rows_updated BIGINT NOT NULL DEFAULT 0,
  rows_rejected BIGINT NOT NULL DEFAULT 0,
  last_job_id BIGINT UNSIGNED NULL,
  error TEXT NULL,
  loaded_at TIMESTAMP(3) NULL,
  created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  UNIQUE KEY reports_by_key (report_key),
  KEY reports_by_content (content_sha256)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin COMMENT='ledger of reports: never expires')sql",
         R"sql(CREATE TABLE IF NOT EXISTS jobs (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  report_key VARBINARY(1024) NOT NULL,
  active_key VARBINARY(1024) NULL COMMENT 'report_key while queued or running, NULL once finished or for a dry run: one active job per report',
  status ENUM('queued','running','succeeded','failed') NOT NULL DEFAULT 'queued',
  outcome ENUM('loaded','replaced','unchanged','duplicate','dry_run') NULL,
  duplicate_of VARBINARY(1024) NULL,
  options JSON NULL COMMENT 'request: dry_run, force, mapping, max_reject_ratio, reader options',
  attempts INT NOT NULL DEFAULT 0,
  max_attempts INT NOT NULL DEFAULT 3,
  lease_owner VARCHAR(255) NULL,
  lease_expires_at TIMESTAMP(3) NULL,
  rows_read BIGINT NOT NULL DEFAULT 0,
  rows_loaded BIGINT NOT NULL DEFAULT 0,
  rows_updated BIGINT NOT NULL DEFAULT 0,
  rows_rejected BIGINT NOT NULL DEFAULT 0,
  bytes_read BIGINT NOT NULL DEFAULT 0,
  bytes_total BIGINT NULL,
  content_sha256 BINARY(32) NULL,
  etag VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NULL,
  error TEXT NULL,
  created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  started_at TIMESTAMP(3) NULL,
  finished_at TIMESTAMP(3) NULL,
  UNIQUE KEY jobs_one_active_per_report (active_key),
  KEY jobs_claim (status, lease_expires_at, id),
  KEY jobs_by_report (report_key, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin)sql",
         R"sql(CREATE TABLE IF NOT EXISTS rejects (
  id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  report_id BIGINT UNSIGNED NOT NULL,
  job_id BIGINT UNSIGNED NOT NULL,
  line BIGINT NOT NULL,
  column_name VARCHAR(64) NOT NULL DEFAULT '',
  reason VARCHAR(32) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  message TEXT NOT NULL,
  raw MEDIUMBLOB NULL COMMENT 'the record as it was in the file',
  KEY rejects_by_report (report_id, line)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin)sql",
         R"sql(CREATE TABLE IF NOT EXISTS mappings (
  prefix VARBINARY(1024) NOT NULL PRIMARY KEY,
  mapping JSON NOT NULL COMMENT '{"order_id": "InvoiceNo", ...}',
  reader_options JSON NOT NULL COMMENT '{"date_format": ..., "delimiter": ..., ...}',
  updated_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin)sql",
         R"sql(CREATE TABLE IF NOT EXISTS sales (
  order_id VARCHAR(64) NOT NULL,
  line_no INT NOT NULL,
  order_date DATE NOT NULL,
  order_time TIME NULL COMMENT 'as written, NULL when the file had only a date',
  sku VARCHAR(64) NOT NULL,
  quantity INT NOT NULL COMMENT 'negative = return line',
  unit_price DECIMAL(18,4) NOT NULL,
  discount DECIMAL(5,4) NOT NULL DEFAULT 0,
  currency CHAR(3) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  product_name VARCHAR(255) NULL,
  category VARCHAR(128) NULL,
  customer_id VARCHAR(64) NULL,
  country VARCHAR(64) NULL,
  region VARCHAR(128) NULL,
  channel VARCHAR(64) NULL,
  payment_method VARCHAR(64) NULL,
  revenue DECIMAL(18,2) NOT NULL COMMENT 'quantity x unit_price x (1 - discount), half-up to the cent',
  order_key INT UNSIGNED NOT NULL COMMENT 'order_keys.id of order_id (dense id for bitmaps)',
  customer_key INT UNSIGNED NULL COMMENT 'customer_keys.id of customer_id',
  report_id BIGINT UNSIGNED NOT NULL COMMENT 'lineage: reports.id that wrote the line',
  job_id BIGINT UNSIGNED NOT NULL COMMENT 'lineage: jobs.id (the load)',
  source_line BIGINT NOT NULL COMMENT 'lineage: line in the report file',
  PRIMARY KEY (order_id, line_no),
  KEY sales_by_report (report_id),
  KEY sales_by_date (order_date, currency)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin COMMENT='one row per order line')sql",
         R"sql(CREATE TABLE IF NOT EXISTS order_keys (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  order_id VARCHAR(64) NOT NULL,
  UNIQUE KEY order_keys_by_id (order_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin COMMENT='dictionary: order_id to a dense integer')sql",
         R"sql(CREATE TABLE IF NOT EXISTS customer_keys (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  customer_id VARCHAR(64) NOT NULL,
  UNIQUE KEY customer_keys_by_id (customer_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin COMMENT='dictionary: customer_id to a dense integer')sql",
         R"sql(CREATE TABLE IF NOT EXISTS daily_summary (
  dimension ENUM('total','category','region','country','channel','sku') NOT NULL,
  currency CHAR(3) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  day DATE NOT NULL,
  dim_value VARCHAR(128) NOT NULL COMMENT 'empty for total and for lines without a value',
  revenue DECIMAL(20,2) NOT NULL,
  line_count BIGINT NOT NULL,
  units BIGINT NOT NULL,
  order_count INT NOT NULL COMMENT 'distinct orders of this day and value (exact for one day only)',
  customer_count INT NOT NULL COMMENT 'distinct customers of this day and value',
  orders MEDIUMBLOB NULL COMMENT 'roaring bitmap (portable) of order_keys, for ranges',
  customers MEDIUMBLOB NULL COMMENT 'roaring bitmap (portable) of customer_keys',
  PRIMARY KEY (dimension, currency, day, dim_value),
  KEY daily_summary_by_day (day)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin COMMENT='per day, currency and dimension value; always equals a GROUP BY over sales')sql",
     }},
    {2,
     "summary generations: stats caches learn which days a load changed",
     {
         R"sql(CREATE TABLE IF NOT EXISTS summary_generation (
  id TINYINT UNSIGNED NOT NULL PRIMARY KEY COMMENT 'always 1',
  generation BIGINT UNSIGNED NOT NULL COMMENT 'bumped in the transaction of every summary refresh'
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin COMMENT='one row: the version of daily_summary')sql",
         "INSERT IGNORE INTO summary_generation (id, generation) VALUES (1, 0)",
         R"sql(CREATE TABLE IF NOT EXISTS summary_day_generations (
  day DATE NOT NULL PRIMARY KEY,
  generation BIGINT UNSIGNED NOT NULL COMMENT 'summary_generation of the last refresh of the day',
  KEY summary_day_generations_by_generation (generation)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin COMMENT='every day daily_summary ever held, with its last refresh')sql",
         "INSERT IGNORE INTO summary_day_generations (day, generation) SELECT DISTINCT day, 0 FROM "
         "daily_summary",
     }},
    // Why (docs/warehouse.md, "Dictionaries"): with the id text as the only index, adding a
    // key writes one B-tree instead of two, and a batch of new ids is one LOAD DATA with
    // keys reserved in advance (no AUTO_INCREMENT, no RETURNING). Keys keep their values.
    {3,
     "dictionaries keyed by the id text, keys reserved from dictionary_counters",
     {
         "ALTER TABLE order_keys MODIFY id INT UNSIGNED NOT NULL COMMENT 'the key: from "
         "dictionary_counters, never reused', DROP PRIMARY KEY, DROP INDEX order_keys_by_id, "
         "ADD PRIMARY KEY (order_id)",
         "ALTER TABLE customer_keys MODIFY id INT UNSIGNED NOT NULL COMMENT 'the key: from "
         "dictionary_counters, never reused', DROP PRIMARY KEY, DROP INDEX customer_keys_by_id, "
         "ADD PRIMARY KEY (customer_id)",
         R"sql(CREATE TABLE IF NOT EXISTS dictionary_counters (
  dictionary ENUM('order','customer') NOT NULL PRIMARY KEY,
  next_key BIGINT UNSIGNED NOT NULL COMMENT 'keys from here on are free; a writer reserves a range by raising it'
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin COMMENT='the next free key of each dictionary (order_keys, customer_keys)')sql",
         "INSERT IGNORE INTO dictionary_counters (dictionary, next_key) "
         "SELECT 'order', COALESCE(MAX(id), 0) + 1 FROM order_keys",
         "INSERT IGNORE INTO dictionary_counters (dictionary, next_key) "
         "SELECT 'customer', COALESCE(MAX(id), 0) + 1 FROM customer_keys",
     }},
};

std::string Statements(const Migration& migration) {
  std::string out = fmt::format("-- {}: {}\n", migration.version, migration.name);
  for (std::string_view statement : migration.statements) {
    out += statement;
    out += ";\n\n";
  }
  return out;
}

Status WithLock(Connection& connection, const std::function<Status()>& body) {
  // A named lock serialises concurrent migrators; the second waits and finds nothing to do.
  SF_ASSIGN_OR_RETURN(QueryResult locked,
                      connection.Query("SELECT GET_LOCK('salesflow.migrate', 120)"));
  if (locked.Int(0, 0) != 1) {
    return Status::DeadlineExceeded(
        "another process has been migrating the warehouse for 120 s; retry later");
  }
  Status status = body();
  (void)connection.Query("SELECT RELEASE_LOCK('salesflow.migrate')");
  return status;
}

}  // namespace

const std::vector<Migration>& Migrations() { return kMigrations; }

Result<int> Migrate(Connection& connection) {
  int applied = 0;
  Status status = WithLock(connection, [&]() -> Status {
    SF_RETURN_IF_ERROR(connection.Execute(kSchemaMigrationsTable));
    SF_ASSIGN_OR_RETURN(
        QueryResult done,
        connection.Query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
    const int64_t current = done.Int(0, 0);
    if (current > kMigrations.back().version) {
      return Status::FailedPrecondition(fmt::format(
          "the warehouse schema is at version {}, newer than this salesflow knows ({}): "
          "upgrade salesflow",
          current, kMigrations.back().version));
    }
    for (const Migration& migration : kMigrations) {
      if (migration.version <= current) continue;
      // DDL commits implicitly in MySQL, so a migration is not atomic; each statement of a
      // released migration must therefore be safe to retry only after a fix by hand. Keep
      // migrations small. The version row is written last.
      for (std::string_view statement : migration.statements) {
        Status ran = connection.Execute(statement);
        if (!ran.ok()) {
          return ran.WithContext(
              fmt::format("migration {} ({})", migration.version, migration.name));
        }
      }
      const std::string_view name = migration.name;
      SF_ASSIGN_OR_RETURN(
          uint64_t rows,
          connection.Exec("INSERT INTO schema_migrations (version, name) VALUES (?, ?)",
                          {int64_t{migration.version}, name}));
      (void)rows;
      spdlog::info("warehouse: applied migration {} ({})", migration.version, migration.name);
      ++applied;
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return applied;
}

Status Migrate(const DbConfig& config) {
  SF_ASSIGN_OR_RETURN(Connection connection, Connection::Open(config));
  SF_ASSIGN_OR_RETURN(int applied, Migrate(connection));
  (void)applied;
  return Status::Ok();
}

std::string SchemaSql() {
  std::string out =
      "-- salesflow warehouse schema. GENERATED by `salesflow migrate --print-sql` from\n"
      "-- src/warehouse/migrations.cpp: do not edit by hand (a test fails when it drifts).\n"
      "SET NAMES utf8mb4;\n\n";
  out += kSchemaMigrationsTable;
  out += ";\n\n";
  for (const Migration& migration : kMigrations) out += Statements(migration);
  out += "INSERT INTO schema_migrations (version, name) VALUES\n";
  for (size_t i = 0; i < kMigrations.size(); ++i) {
    std::string name(kMigrations[i].name);
    // Names are ours (no quotes), but escape anyway so the script stays valid.
    std::string escaped;
    for (char c : name) {
      if (c == '\'' || c == '\\') escaped.push_back('\\');
      escaped.push_back(c);
    }
    out += fmt::format("  ({}, '{}'){}\n", kMigrations[i].version, escaped,
                       i + 1 < kMigrations.size() ? "," : ";");
  }
  return out;
}

int RunMigrateCommand(const DbConfig& config, bool print_sql) {
  if (print_sql) {
    const std::string sql = SchemaSql();
    std::fwrite(sql.data(), 1, sql.size(), stdout);
    return 0;
  }
  auto connection = Connection::Open(config);
  if (!connection.ok()) {
    std::fprintf(stderr, "salesflow migrate: %s\n", connection.status().message().c_str());
    return 1;
  }
  auto applied = Migrate(*connection);
  if (!applied.ok()) {
    std::fprintf(stderr, "salesflow migrate: %s\n", applied.status().message().c_str());
    return 1;
  }
  std::printf("warehouse %s: %d migration(s) applied, schema at version %d\n",
              config.Redacted().c_str(), *applied, kMigrations.back().version);
  return 0;
}

}  // namespace salesflow::warehouse
