#include "warehouse/report_load.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <functional>
#include <optional>

#include "core/date.h"
#include "warehouse/key_dictionary.h"
#include "warehouse/summary_bitmaps.h"

namespace salesflow::warehouse {
namespace {

// Dates whose daily_summary rows must be recomputed, per session. A TEMPORARY table so a
// crashed session leaves nothing; created on first use (no implicit commit for TEMPORARY).
constexpr std::string_view kDirtyDays = "summary_dirty_days";

// The subset of the dirty days whose daily_summary rows TryFastApply already wrote from
// the staging table (the report is alone on them): RefreshSummaries does not recompute
// them, but still hands them to the bitmap hook.
constexpr std::string_view kFreshDays = "summary_fresh_days";

// A session's set of days: a one-column TEMPORARY table (`table` is chosen by code).
Status EnsureDaysTable(Connection& connection, std::string_view table) {
  return connection.Execute(fmt::format(
      "CREATE TEMPORARY TABLE IF NOT EXISTS {} (day DATE NOT NULL PRIMARY KEY) ENGINE=InnoDB",
      table));
}

// Adds `days` (days since 1970-01-01) to the days table `table`.
Status InsertDays(Connection& connection, std::string_view table, const std::set<int32_t>& days) {
  std::string values;
  for (int32_t day : days) {
    // Formatted from integers: no report text becomes SQL.
    values += fmt::format("{}('{}')", values.empty() ? "" : ",", core::FormatDate(day));
  }
  if (values.empty()) return Status::Ok();
  return connection.Execute(fmt::format("INSERT IGNORE INTO {} (day) VALUES {}", table, values));
}

Status EnsureDirtyDays(Connection& connection) {
  SF_RETURN_IF_ERROR(EnsureDaysTable(connection, kDirtyDays));
  return EnsureDaysTable(connection, kFreshDays);
}

Result<uint64_t> ExecuteCounting(Connection& connection, const std::string& sql) {
  SF_RETURN_IF_ERROR(connection.Execute(sql));
  return connection.affected_rows();
}

Result<uint64_t> CountOf(Connection& connection, const std::string& sql) {
  SF_ASSIGN_OR_RETURN(QueryResult result, connection.Query(sql));
  if (result.empty()) return uint64_t{0};
  return static_cast<uint64_t>(result.Int(0, 0));
}

// The dimensions daily_summary keeps, with the sales column each groups by.
struct Dimension {
  std::string_view name;
  std::string_view column;  // "" for the total
};
constexpr std::array<Dimension, 6> kDimensions = {{{"total", ""},
                                                   {"category", "category"},
                                                   {"region", "region"},
                                                   {"country", "country"},
                                                   {"channel", "channel"},
                                                   {"sku", "sku"}}};

constexpr std::string_view kStagingColumnsDdl = R"sql(
  source_line BIGINT NOT NULL PRIMARY KEY,
  order_id VARCHAR(64) NOT NULL,
  line_no INT NULL,
  order_date DATE NOT NULL,
  order_time TIME NULL,
  sku VARCHAR(64) NOT NULL,
  quantity INT NOT NULL,
  unit_price DECIMAL(18,4) NOT NULL,
  discount DECIMAL(5,4) NOT NULL,
  currency CHAR(3) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  product_name VARCHAR(255) NULL,
  category VARCHAR(128) NULL,
  customer_id VARCHAR(64) NULL,
  country VARCHAR(64) NULL,
  region VARCHAR(128) NULL,
  channel VARCHAR(64) NULL,
  payment_method VARCHAR(64) NULL,
  revenue DECIMAL(18,2) NOT NULL)sql";

constexpr uint64_t kSessionTempTableBytes = uint64_t{256} << 20;

// sales' columns as INSERT ... SELECT writes them, and the staged values (alias s) between
// the natural key and the dictionary keys / lineage.
constexpr std::string_view kSalesInsertColumns =
    "order_id, line_no, order_date, order_time, sku, quantity, unit_price, discount, currency, "
    "product_name, category, customer_id, country, region, channel, payment_method, revenue, "
    "order_key, customer_key, report_id, job_id, source_line";
constexpr std::string_view kStagedValueColumns =
    "s.order_date, s.order_time, s.sku, s.quantity, s.unit_price, s.discount, s.currency, "
    "s.product_name, s.category, s.customer_id, s.country, s.region, s.channel, "
    "s.payment_method, s.revenue";

// Statements over the staging table work on ranges of this many source lines, so that no
// single statement grows with the file: its time stays well under the client's read
// timeout (a 5M-line DISTINCT exceeded 300 s, docs/benchmarks.md) and its internal
// temporary tables stay in memory.
constexpr int64_t kRangeLines = 1'000'000;

// Calls `body(first, last)` for consecutive source_line ranges covering the staging table
// `table` (quoted), in order, until it returns false or fails.
Status ForEachLineRange(Connection& connection, const std::string& table,
                        const std::function<Result<bool>(int64_t, int64_t)>& body) {
  SF_ASSIGN_OR_RETURN(
      QueryResult bounds,
      connection.Query(fmt::format("SELECT MIN(source_line), MAX(source_line) FROM {}", table)));
  if (bounds.empty() || bounds.IsNull(0, 0)) return Status::Ok();
  const int64_t last = bounds.Int(0, 1);
  for (int64_t first = bounds.Int(0, 0); first <= last; first += kRangeLines) {
    SF_ASSIGN_OR_RETURN(bool go_on, body(first, std::min(last, first + kRangeLines - 1)));
    if (!go_on) break;
  }
  return Status::Ok();
}

// Adds the staging table's new order and customer ids to the dictionaries, a line range at a
// time, with keys reserved for exactly the ids missing (in the order of their first line, as
// the direct load gives them). Anti-join so no key is reserved for an id that has one; each
// range sees the ids the previous ones added. The transaction holds the counter row (and the
// apply lock), so the count and the insert see the same missing ids; IGNORE all the same,
// for a writer outside salesflow's locks (its id keeps its key). `table` is quoted.
Status UpsertDictionaries(Connection& connection, const std::string& table) {
  return ForEachLineRange(connection, table, [&](int64_t first, int64_t last) -> Result<bool> {
    for (KeyKind kind : {KeyKind::kOrder, KeyKind::kCustomer}) {
      const DictionaryTable dictionary = DictionaryTableOf(kind);
      const std::string missing = fmt::format(
          "FROM {0} s LEFT JOIN {1} k ON k.{2} = s.{2} WHERE s.source_line BETWEEN {3} AND {4} "
          "AND s.{2} IS NOT NULL AND k.{2} IS NULL",
          table, dictionary.table, dictionary.column, first, last);
      SF_ASSIGN_OR_RETURN(QueryResult count,
                          connection.Query(fmt::format("SELECT COUNT(DISTINCT s.{}) {}",
                                                       dictionary.column, missing)));
      const int64_t ids = count.Int(0, 0);
      if (ids <= 0) continue;
      SF_ASSIGN_OR_RETURN(const uint32_t first_key,
                          ReserveKeys(connection, kind, static_cast<uint64_t>(ids)));
      SF_RETURN_IF_ERROR(connection.Execute(
          fmt::format("INSERT IGNORE INTO {0} ({1}, id) SELECT d.{1}, {2} + ROW_NUMBER() OVER "
                      "(ORDER BY d.line) - 1 "
                      "FROM (SELECT s.{1}, MIN(s.source_line) AS line {3} GROUP BY s.{1}) d",
                      dictionary.table, dictionary.column, first_key, missing)));
    }
    return true;
  });
}

// Inserts the daily_summary rows of every dimension grouping the rows of `from` (a FROM
// clause, with a WHERE if needed, whose rows are aliased `s` and have sales' columns) by
// currency and day; `order` and `customer` are the expressions counted distinct.
Status InsertSummaries(Connection& connection, std::string_view from, std::string_view order,
                       std::string_view customer) {
  for (const Dimension& dimension : kDimensions) {
    const std::string value = dimension.column.empty()
                                  ? std::string("''")
                                  : fmt::format("COALESCE(s.{}, '')", dimension.column);
    SF_RETURN_IF_ERROR(connection.Execute(fmt::format(
        "INSERT INTO daily_summary (dimension, currency, day, dim_value, revenue, line_count, "
        "units, order_count, customer_count) "
        "SELECT '{}', s.currency, s.order_date, {}, SUM(s.revenue), COUNT(*), SUM(s.quantity), "
        "COUNT(DISTINCT {}), COUNT(DISTINCT {}) FROM {} GROUP BY s.currency, s.order_date, {}",
        dimension.name, value, order, customer, from, value)));
  }
  return Status::Ok();
}

}  // namespace

Result<StagingTable> StagingTable::Create(Connection& connection, uint64_t job_id) {
  // The set-based steps (dictionary DISTINCTs, summary GROUP BYs) build internal temporary
  // tables of up to one row per distinct order id: past the 16 MiB default they go to disk,
  // which made the dictionary step 4x slower at 1M lines (docs/warehouse.md). Server memory
  // of this session only, allocated as the tables grow; above the cap they still spill.
  SF_RETURN_IF_ERROR(connection.Execute(fmt::format(
      "SET SESSION tmp_table_size = {0}, max_heap_table_size = {0}", kSessionTempTableBytes)));
  std::string name = fmt::format("staging_job_{}", job_id);
  SF_RETURN_IF_ERROR(connection.Execute(
      fmt::format("DROP TEMPORARY TABLE IF EXISTS {}", Connection::QuoteIdentifier(name))));
  SF_RETURN_IF_ERROR(connection.Execute(fmt::format(
      "CREATE TEMPORARY TABLE {} ({}) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
      Connection::QuoteIdentifier(name), kStagingColumnsDdl)));
  return StagingTable(&connection, std::move(name));
}

StagingTable::StagingTable(StagingTable&& other) noexcept
    : connection_(std::exchange(other.connection_, nullptr)),
      name_(std::move(other.name_)),
      rows_(other.rows_) {}

StagingTable::~StagingTable() {
  if (connection_ == nullptr) return;
  (void)connection_->Execute(
      fmt::format("DROP TEMPORARY TABLE IF EXISTS {}", Connection::QuoteIdentifier(name_)));
}

Result<LoadStats> StagingTable::Load(ChunkSource& source, const LoadOptions& options) {
  SF_ASSIGN_OR_RETURN(LoadStats stats,
                      LoadData(*connection_, name_, SalesLineColumns(), source, options));
  rows_ += stats.records;
  return stats;
}

Result<LoadStats> LoadRejects(Connection& connection, ChunkSource& source,
                              const LoadOptions& options) {
  return LoadData(connection, "rejects", RejectColumns(), source, options);
}

Result<uint64_t> DeleteRejects(Connection& connection, uint64_t report_id) {
  return connection.Exec("DELETE FROM rejects WHERE report_id = ?",
                         {static_cast<int64_t>(report_id)});
}

Result<uint64_t> AssignLineNumbers(Connection& connection, const StagingTable& staging) {
  const std::string table = Connection::QuoteIdentifier(staging.name());
  const std::string numbers = Connection::QuoteIdentifier(staging.name() + "_numbers");
  // NULL: not numbered yet; < 0: a LineNumberer's run position, which may differ from the
  // position within the whole file (an order in two runs), so it is recomputed here.
  SF_ASSIGN_OR_RETURN(QueryResult any,
                      connection.Query(fmt::format(
                          "SELECT 1 FROM {} WHERE line_no IS NULL OR line_no < 0 LIMIT 1", table)));
  if (any.empty()) return uint64_t{0};
  // Each temporary table appears once per statement (MySQL cannot reopen one).
  SF_RETURN_IF_ERROR(connection.Execute(fmt::format("DROP TEMPORARY TABLE IF EXISTS {}", numbers)));
  SF_RETURN_IF_ERROR(connection.Execute(fmt::format(
      "CREATE TEMPORARY TABLE {} (source_line BIGINT NOT NULL PRIMARY KEY, n INT NOT NULL) "
      "ENGINE=InnoDB SELECT source_line, "
      "ROW_NUMBER() OVER (PARTITION BY order_id ORDER BY source_line) AS n "
      "FROM {} WHERE line_no IS NULL OR line_no < 0",
      numbers, table)));
  SF_ASSIGN_OR_RETURN(uint64_t numbered,
                      ExecuteCounting(connection, fmt::format("UPDATE {} s JOIN {} n USING "
                                                              "(source_line) SET s.line_no = n.n",
                                                              table, numbers)));
  SF_RETURN_IF_ERROR(connection.Execute(fmt::format("DROP TEMPORARY TABLE {}", numbers)));
  return numbered;
}

Result<uint64_t> RejectDuplicateLines(Connection& connection, const StagingTable& staging,
                                      uint64_t report_id, uint64_t job_id) {
  const std::string table = Connection::QuoteIdentifier(staging.name());
  const std::string dups = Connection::QuoteIdentifier(staging.name() + "_duplicates");
  SF_RETURN_IF_ERROR(connection.Execute(fmt::format("DROP TEMPORARY TABLE IF EXISTS {}", dups)));
  SF_RETURN_IF_ERROR(connection.Execute(
      fmt::format("CREATE TEMPORARY TABLE {} (source_line BIGINT NOT NULL PRIMARY KEY, "
                  "first_line BIGINT NOT NULL) ENGINE=InnoDB "
                  "SELECT source_line, first_line FROM (SELECT source_line, "
                  "MIN(source_line) OVER (PARTITION BY order_id, line_no) AS first_line FROM {}) x "
                  "WHERE source_line <> first_line",
                  dups, table)));
  SF_ASSIGN_OR_RETURN(QueryResult count,
                      connection.Query(fmt::format("SELECT COUNT(*) FROM {}", dups)));
  uint64_t moved = static_cast<uint64_t>(count.Int(0, 0));
  if (moved > 0) {
    // The message is built by the server from column values: report content never
    // becomes SQL text.
    const std::string insert = fmt::format(
        "INSERT INTO rejects (report_id, job_id, line, column_name, reason, message, raw) "
        "SELECT ?, ?, s.source_line, 'line_no', 'duplicate_line', "
        "CONCAT('order ', s.order_id, ' line ', s.line_no, ' already appears on line ', "
        "d.first_line, ' of this report'), NULL "
        "FROM {} s JOIN {} d USING (source_line)",
        table, dups);
    SF_ASSIGN_OR_RETURN(uint64_t inserted, connection.Exec(insert, {static_cast<int64_t>(report_id),
                                                                    static_cast<int64_t>(job_id)}));
    SF_ASSIGN_OR_RETURN(uint64_t deleted,
                        ExecuteCounting(connection, fmt::format("DELETE s FROM {} s JOIN {} d "
                                                                "USING (source_line)",
                                                                table, dups)));
    if (inserted != moved || deleted != moved) {
      return Status::Internal(
          fmt::format("duplicate lines: {} found, {} rejected, {} removed from staging", moved,
                      inserted, deleted));
    }
  }
  SF_RETURN_IF_ERROR(connection.Execute(fmt::format("DROP TEMPORARY TABLE {}", dups)));
  return moved;
}

Result<uint64_t> RemoveReportRows(Connection& connection, uint64_t report_id) {
  SF_RETURN_IF_ERROR(EnsureDirtyDays(connection));
  const Param id{static_cast<int64_t>(report_id)};
  SF_ASSIGN_OR_RETURN(uint64_t marked,
                      connection.Exec(fmt::format("INSERT IGNORE INTO {} (day) SELECT DISTINCT "
                                                  "order_date FROM sales WHERE report_id = ?",
                                                  kDirtyDays),
                                      {id}));
  (void)marked;
  return connection.Exec("DELETE FROM sales WHERE report_id = ?", {id});
}

Result<UpsertCounts> UpsertSales(Connection& connection, const StagingTable& staging,
                                 uint64_t report_id, uint64_t job_id) {
  SF_RETURN_IF_ERROR(EnsureDirtyDays(connection));
  const std::string table = Connection::QuoteIdentifier(staging.name());
  SF_RETURN_IF_ERROR(UpsertDictionaries(connection, table));
  // Summaries: the new dates, and the old dates of lines this load overwrites.
  SF_RETURN_IF_ERROR(connection.Execute(
      fmt::format("INSERT IGNORE INTO {} (day) SELECT DISTINCT t.order_date FROM {} s "
                  "JOIN sales t ON t.order_id = s.order_id AND t.line_no = s.line_no",
                  kDirtyDays, table)));
  SF_RETURN_IF_ERROR(connection.Execute(fmt::format(
      "INSERT IGNORE INTO {} (day) SELECT DISTINCT order_date FROM {}", kDirtyDays, table)));
  const std::string upsert = fmt::format(
      "INSERT INTO sales ({}) SELECT s.order_id, s.line_no, {}, ok.id, ck.id, ?, ?, "
      "s.source_line FROM {} s JOIN order_keys ok ON ok.order_id = s.order_id "
      "LEFT JOIN customer_keys ck ON ck.customer_id = s.customer_id "
      "ON DUPLICATE KEY UPDATE order_date = VALUES(order_date), "
      "order_time = VALUES(order_time), sku = VALUES(sku), quantity = VALUES(quantity), "
      "unit_price = VALUES(unit_price), discount = VALUES(discount), "
      "currency = VALUES(currency), product_name = VALUES(product_name), "
      "category = VALUES(category), customer_id = VALUES(customer_id), "
      "country = VALUES(country), region = VALUES(region), channel = VALUES(channel), "
      "payment_method = VALUES(payment_method), revenue = VALUES(revenue), "
      "order_key = VALUES(order_key), customer_key = VALUES(customer_key), "
      "report_id = VALUES(report_id), job_id = VALUES(job_id), "
      "source_line = VALUES(source_line)",
      kSalesInsertColumns, kStagedValueColumns, table);
  SF_ASSIGN_OR_RETURN(uint64_t affected, connection.Exec(upsert, {static_cast<int64_t>(report_id),
                                                                  static_cast<int64_t>(job_id)}));
  // Without CLIENT_FOUND_ROWS an updated row counts 2 and an identical one 0; lineage
  // (report_id, job_id) always differs from a previous load's, so records - duplicates
  // are inserts. info() is the exact split.
  const std::string info = connection.info();
  UpsertCounts counts;
  const uint64_t records = InfoNumber(info, "Records");
  counts.updated = InfoNumber(info, "Duplicates");
  counts.inserted = records - counts.updated;
  if (info.empty()) {  // prepared statements may not report info: derive from affected rows
    SF_ASSIGN_OR_RETURN(QueryResult staged,
                        connection.Query(fmt::format("SELECT COUNT(*) FROM {}", table)));
    const uint64_t rows = static_cast<uint64_t>(staged.Int(0, 0));
    counts.updated = affected - rows;
    counts.inserted = rows - counts.updated;
  }
  return counts;
}

// Bitmap hook (summary_bitmaps.h, the stats engineer's): RefreshSummaryBitmaps is called
// here, and only here, once per refresh, for exactly the days whose daily_summary rows
// changed in this transaction: every day in kDirtyDays, whether recomputed below from sales
// or already written from the staging table by TryFastApply (kFreshDays, a subset).
Result<uint64_t> RefreshSummaries(Connection& connection) {
  SF_RETURN_IF_ERROR(EnsureDirtyDays(connection));
  SF_ASSIGN_OR_RETURN(const uint64_t days,
                      CountOf(connection, fmt::format("SELECT COUNT(*) FROM {}", kDirtyDays)));
  if (days == 0) return days;
  SF_ASSIGN_OR_RETURN(const uint64_t stale,
                      CountOf(connection, fmt::format("SELECT COUNT(*) FROM {} x LEFT JOIN {} f "
                                                      "ON f.day = x.day WHERE f.day IS NULL",
                                                      kDirtyDays, kFreshDays)));
  if (stale > 0) {
    SF_RETURN_IF_ERROR(connection.Execute(
        fmt::format("DELETE d FROM daily_summary d JOIN {} x ON d.day = x.day LEFT JOIN {} f ON "
                    "f.day = x.day WHERE f.day IS NULL",
                    kDirtyDays, kFreshDays)));
    SF_RETURN_IF_ERROR(InsertSummaries(
        connection,
        fmt::format("sales s JOIN {} x ON s.order_date = x.day LEFT JOIN {} f ON f.day = x.day "
                    "WHERE f.day IS NULL",
                    kDirtyDays, kFreshDays),
        "s.order_key", "s.customer_key"));
  }
  SF_RETURN_IF_ERROR(RefreshSummaryBitmaps(connection, kDirtyDays).status());
  SF_RETURN_IF_ERROR(connection.Execute(fmt::format("DELETE FROM {}", kDirtyDays)));
  SF_RETURN_IF_ERROR(connection.Execute(fmt::format("DELETE FROM {}", kFreshDays)));
  return days;
}

Result<std::optional<StagedReportCounts>> TryFastApply(Connection& connection,
                                                       const StagingTable& staging,
                                                       uint64_t report_id, uint64_t job_id) {
  SF_RETURN_IF_ERROR(EnsureDirtyDays(connection));
  const std::string table = Connection::QuoteIdentifier(staging.name());
  // Dictionaries before the savepoint: both paths need exactly these ids (a rejected
  // duplicate line may add a customer id no kept line has: harmless, dictionaries only
  // grow), and keeping them on a fallback burns no auto-increment ids twice.
  SF_RETURN_IF_ERROR(UpsertDictionaries(connection, table));
  SF_RETURN_IF_ERROR(connection.Execute("SAVEPOINT salesflow_fast_apply"));
  StagedReportCounts counts;
  SF_ASSIGN_OR_RETURN(counts.removed_previous, RemoveReportRows(connection, report_id));
  // INSERT IGNORE: any repeated key is skipped and counted. Zero skips prove there was no
  // line of another report (no update), no repeated (order_id, line_no) in the file, and no
  // order whose unnumbered lines came in two runs (both runs would start at line 1). NULL
  // line numbers (not numbered by a LineNumberer) are left out and make the counts differ.
  // By ranges of source lines (later ranges collide with earlier ones just the same); the
  // first range with a skip ends the attempt.
  uint64_t records = 0;
  bool clean = true;
  const Status inserted =
      ForEachLineRange(connection, table, [&](int64_t first, int64_t last) -> Result<bool> {
        SF_RETURN_IF_ERROR(connection.Execute(fmt::format(
            "INSERT IGNORE INTO sales ({}) SELECT s.order_id, ABS(s.line_no), {}, ok.id, ck.id, "
            "{}, {}, s.source_line FROM {} s JOIN order_keys ok ON ok.order_id = s.order_id "
            "LEFT JOIN customer_keys ck ON ck.customer_id = s.customer_id "
            "WHERE s.source_line BETWEEN {} AND {} AND s.line_no IS NOT NULL",
            kSalesInsertColumns, kStagedValueColumns, report_id, job_id, table, first, last)));
        const std::string info = connection.info();
        records += InfoNumber(info, "Records");
        clean = !info.empty() && InfoNumber(info, "Duplicates") == 0 &&
                InfoNumber(info, "Warnings") == 0;
        return clean;
      });
  SF_RETURN_IF_ERROR(inserted);
  if (!clean || records != staging.rows()) {
    SF_RETURN_IF_ERROR(connection.Execute("ROLLBACK TO SAVEPOINT salesflow_fast_apply"));
    SF_RETURN_IF_ERROR(connection.Execute("RELEASE SAVEPOINT salesflow_fast_apply"));
    return std::optional<StagedReportCounts>();
  }
  SF_RETURN_IF_ERROR(connection.Execute("RELEASE SAVEPOINT salesflow_fast_apply"));
  counts.upsert.inserted = records;

  // The report's days, and whether it is alone on them now (sales rows of those days =
  // the staged rows, counted on the covering (order_date, currency) index). Alone, their
  // summaries are a GROUP BY over the report's rows (sales_by_report lists them in primary
  // key order, so the row reads are sequential), counting distinct INT keys: at 1M lines
  // COUNT(DISTINCT) of the staged strings cost about twice as much (docs/warehouse.md).
  const std::string days = Connection::QuoteIdentifier(staging.name() + "_days");
  SF_RETURN_IF_ERROR(connection.Execute(fmt::format("DROP TEMPORARY TABLE IF EXISTS {}", days)));
  SF_RETURN_IF_ERROR(connection.Execute(fmt::format(
      "CREATE TEMPORARY TABLE {} (day DATE NOT NULL PRIMARY KEY, numbered BIGINT NOT NULL) "
      "ENGINE=InnoDB SELECT order_date AS day, SUM(line_no < 0) AS numbered FROM {} "
      "GROUP BY order_date",
      days, table)));
  SF_ASSIGN_OR_RETURN(
      counts.numbered,
      CountOf(connection, fmt::format("SELECT COALESCE(SUM(numbered), 0) FROM {}", days)));
  SF_ASSIGN_OR_RETURN(const uint64_t on_days,
                      CountOf(connection, fmt::format("SELECT COUNT(*) FROM sales s JOIN {} d "
                                                      "ON s.order_date = d.day",
                                                      days)));
  if (on_days == records) {
    SF_RETURN_IF_ERROR(connection.Execute(
        fmt::format("DELETE x FROM daily_summary x JOIN {} d ON x.day = d.day", days)));
    SF_RETURN_IF_ERROR(InsertSummaries(connection,
                                       fmt::format("sales s WHERE s.report_id = {}", report_id),
                                       "s.order_key", "s.customer_key"));
    SF_RETURN_IF_ERROR(connection.Execute(
        fmt::format("INSERT IGNORE INTO {} (day) SELECT day FROM {}", kFreshDays, days)));
  }
  SF_RETURN_IF_ERROR(connection.Execute(
      fmt::format("INSERT IGNORE INTO {} (day) SELECT day FROM {}", kDirtyDays, days)));
  SF_RETURN_IF_ERROR(connection.Execute(fmt::format("DROP TEMPORARY TABLE {}", days)));
  SF_ASSIGN_OR_RETURN(counts.dates_refreshed, RefreshSummaries(connection));
  return std::optional<StagedReportCounts>(counts);
}

Result<StagedReportCounts> ApplyStagedReport(Connection& connection, const StagingTable& staging,
                                             uint64_t report_id, uint64_t job_id) {
  SF_ASSIGN_OR_RETURN(std::optional<StagedReportCounts> fast,
                      TryFastApply(connection, staging, report_id, job_id));
  if (fast.has_value()) return *fast;
  StagedReportCounts counts;
  SF_ASSIGN_OR_RETURN(counts.numbered, AssignLineNumbers(connection, staging));
  SF_ASSIGN_OR_RETURN(counts.duplicates,
                      RejectDuplicateLines(connection, staging, report_id, job_id));
  SF_ASSIGN_OR_RETURN(counts.removed_previous, RemoveReportRows(connection, report_id));
  SF_ASSIGN_OR_RETURN(counts.upsert, UpsertSales(connection, staging, report_id, job_id));
  SF_ASSIGN_OR_RETURN(counts.dates_refreshed, RefreshSummaries(connection));
  return counts;
}

Result<LoadStats> LoadSalesDirect(Connection& connection, ChunkSource& source, uint64_t report_id,
                                  uint64_t job_id, const LoadOptions& options) {
  LoadOptions direct = options;
  direct.on_duplicate = OnDuplicateKey::kIgnore;
  direct.constants = {{"report_id", static_cast<int64_t>(report_id)},
                      {"job_id", static_cast<int64_t>(job_id)}};
  return LoadData(connection, "sales", DirectSalesColumns(), source, direct);
}

Result<std::set<int32_t>> DaysMarkedForRefresh(Connection& connection) {
  SF_RETURN_IF_ERROR(EnsureDirtyDays(connection));
  SF_ASSIGN_OR_RETURN(QueryResult marked,
                      connection.Query(fmt::format("SELECT day FROM {}", kDirtyDays)));
  std::set<int32_t> days;
  for (size_t i = 0; i < marked.rows.size(); ++i) {
    const std::optional<int32_t> day = core::ParseIsoDate(marked.Text(i, 0));
    if (!day) return Status::Internal(fmt::format("'{}' is not a date", marked.Text(i, 0)));
    days.insert(*day);
  }
  return days;
}

Result<uint64_t> FinishDirectSummaries(Connection& connection, SummaryDelta& delta) {
  SF_RETURN_IF_ERROR(delta.MergeInto(connection));
  if (!delta.merged_days().empty()) {
    constexpr std::string_view kMergedDays = "summary_merged_days";
    SF_RETURN_IF_ERROR(EnsureDaysTable(connection, kMergedDays));
    SF_RETURN_IF_ERROR(connection.Execute(fmt::format("DELETE FROM {}", kMergedDays)));
    SF_RETURN_IF_ERROR(InsertDays(connection, kMergedDays, delta.merged_days()));
    SF_RETURN_IF_ERROR(BumpSummaryGeneration(connection, kMergedDays).status());
  }
  SF_RETURN_IF_ERROR(EnsureDirtyDays(connection));
  SF_RETURN_IF_ERROR(InsertDays(connection, kDirtyDays, delta.days_to_recompute()));
  SF_ASSIGN_OR_RETURN(const uint64_t refreshed, RefreshSummaries(connection));
  return refreshed + delta.merged_days().size();
}

}  // namespace salesflow::warehouse
