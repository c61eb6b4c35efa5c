// The set-based steps of loading one report, all inside ONE transaction of the caller.
//
// C++ memory stays bounded whatever the file size because everything that needs the whole
// report at once happens in SQL on a per-job staging table:
//
//   SF_ASSIGN_OR_RETURN(auto tx, Transaction::Start(conn));
//   SF_ASSIGN_OR_RETURN(auto staging, StagingTable::Create(conn, job_id));
//   SF_ASSIGN_OR_RETURN(auto stats, staging.Load(source));     // AppendLoadDataRow text
//   ... load the reader's rejects with LoadRejects(...)
//   SF_ASSIGN_OR_RETURN(auto counts, ApplyStagedReport(conn, staging, report_id, job_id));
//   ... ledger + job row updates ...
//   return tx.Commit();
//
// ApplyStagedReport = AssignLineNumbers, RejectDuplicateLines, RemoveReportRows,
// UpsertSales, RefreshSummaries, in that order (see docs/warehouse.md for why).
//
// Thread-safety: like Connection, one thread. The staging table is a TEMPORARY table: it
// lives only in this session, so a crashed worker leaves nothing behind.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>

#include "core/status.h"
#include "warehouse/connection.h"
#include "warehouse/load_data.h"
#include "warehouse/summary_delta.h"

namespace salesflow::warehouse {

class StagingTable {
 public:
  // CREATE TEMPORARY TABLE for job `job_id` (dropping a leftover one of the same session).
  static Result<StagingTable> Create(Connection& connection, uint64_t job_id);
  StagingTable(StagingTable&&) noexcept;
  StagingTable& operator=(StagingTable&&) = delete;
  ~StagingTable();  // drops the table (best effort; the session's end drops it anyway)

  // LOAD DATA of AppendLoadDataRow text (columns SalesLineColumns()).
  Result<LoadStats> Load(ChunkSource& source, const LoadOptions& options = {});
  const std::string& name() const { return name_; }
  // Rows loaded by Load so far (the sum of its LoadStats::records).
  uint64_t rows() const { return rows_; }

 private:
  StagingTable(Connection* connection, std::string name)
      : connection_(connection), name_(std::move(name)) {}
  Connection* connection_;  // null once moved from
  std::string name_;
  uint64_t rows_ = 0;
};

// Loads reader rejects (AppendRejectRow text) into `rejects`.
Result<LoadStats> LoadRejects(Connection& connection, ChunkSource& source,
                              const LoadOptions& options = {});

// Deletes every reject of `report_id` (before writing a new version's).
Result<uint64_t> DeleteRejects(Connection& connection, uint64_t report_id);

// Gives rows without a line_no their position within their order in the file
// (ROW_NUMBER() OVER (PARTITION BY order_id ORDER BY source_line)). Returns rows numbered.
Result<uint64_t> AssignLineNumbers(Connection& connection, const StagingTable& staging);

// Moves every later occurrence of an (order_id, line_no) within the report to `rejects`
// (reason duplicate_line, naming the first occurrence's line). Returns rows moved.
Result<uint64_t> RejectDuplicateLines(Connection& connection, const StagingTable& staging,
                                      uint64_t report_id, uint64_t job_id);

// Deletes the sales rows of `report_id` (its previous version, or an unload) and marks
// their dates for RefreshSummaries. Returns rows deleted.
Result<uint64_t> RemoveReportRows(Connection& connection, uint64_t report_id);

struct UpsertCounts {
  uint64_t inserted = 0;  // new (order_id, line_no)
  uint64_t updated = 0;   // lines another report had loaded: last load wins
};
// Upserts staging into sales with lineage (report_id, job_id), maintaining the order and
// customer dictionaries, and marks the new dates and the old dates of overwritten lines.
// REQUIRES: AssignLineNumbers and RejectDuplicateLines ran (staging keys are unique).
Result<UpsertCounts> UpsertSales(Connection& connection, const StagingTable& staging,
                                 uint64_t report_id, uint64_t job_id);

// Recomputes daily_summary for every date marked since the last refresh in this session,
// from sales (so summaries always equal the fact table), and clears the marks.
// Returns the number of dates refreshed.
Result<uint64_t> RefreshSummaries(Connection& connection);

struct StagedReportCounts {
  uint64_t numbered = 0;          // rows whose line_no was assigned
  uint64_t duplicates = 0;        // rows moved to rejects as duplicate_line
  uint64_t removed_previous = 0;  // rows of the report's previous version deleted
  UpsertCounts upsert;
  uint64_t dates_refreshed = 0;
};
// The optimistic apply (docs/warehouse.md "Loading"): adds the dictionaries' new ids, then,
// under a savepoint, RemoveReportRows and one INSERT IGNORE ... SELECT of staging into sales.
// Zero skipped keys prove the report has no repeated (order_id, line_no), no line another
// report loaded, and no order numbered in two runs (LineNumberer); then the report's days
// get their summaries (from staging when no other report has lines on those days, else
// recomputed from sales) and RefreshSummaries runs: everything ApplyStagedReport does is
// done and the counts are returned (duplicates = 0, upsert.updated = 0). Otherwise the
// savepoint is rolled back (the dictionary ids stay) and nullopt says: run the exact path
// (AssignLineNumbers, RejectDuplicateLines, RemoveReportRows, UpsertSales,
// RefreshSummaries). Staged line numbers must all be set (LineNumberer); a NULL one makes
// it fall back.
// REQUIRES: inside a transaction; the staging table loaded only through StagingTable::Load.
Result<std::optional<StagedReportCounts>> TryFastApply(Connection& connection,
                                                       const StagingTable& staging,
                                                       uint64_t report_id, uint64_t job_id);

// TryFastApply, else all the steps above in order. REQUIRES: inside a transaction.
Result<StagedReportCounts> ApplyStagedReport(Connection& connection, const StagingTable& staging,
                                             uint64_t report_id, uint64_t job_id);

// ---- the direct load (docs/warehouse.md "Loading") ---------------------------------------
// A report is first tried without a staging table: its lines, with their dictionary keys
// (key_dictionary.h) and lineage, go straight into sales by one LOAD DATA ... IGNORE per
// run of chunks, while a SummaryDelta accumulates their summaries. Zero skipped rows prove
// what TryFastApply's INSERT IGNORE proves (no repeated line, none of another report, no
// order numbered in two runs); otherwise the caller rolls the transaction back and takes
// the staged path.
//
//   RemoveReportRows(conn, report_id);                       // a replaced version's lines
//   SummaryDelta delta(DaysMarkedForRefresh(conn));
//   LoadSalesDirect(conn, chunks, report_id, job_id)...      // rows from AppendSalesLineFields
//   FinishDirectSummaries(conn, delta);                      // when nothing was skipped

// LOAD DATA ... IGNORE of DirectSalesColumns() rows into sales, each with this lineage.
// REQUIRES: in a transaction.
Result<LoadStats> LoadSalesDirect(Connection& connection, ChunkSource& source, uint64_t report_id,
                                  uint64_t job_id, const LoadOptions& options = {});

// The days this session will recompute at RefreshSummaries (marked by RemoveReportRows).
Result<std::set<int32_t>> DaysMarkedForRefresh(Connection& connection);

// Merges what is left of `delta`, bumps the summary generation of every day it merged,
// marks the days it could not merge, and runs RefreshSummaries for the marked days.
// Returns the number of days whose summaries changed. REQUIRES: in the load's transaction,
// under the apply lock, after LoadSalesDirect skipped nothing.
Result<uint64_t> FinishDirectSummaries(Connection& connection, SummaryDelta& delta);

}  // namespace salesflow::warehouse
