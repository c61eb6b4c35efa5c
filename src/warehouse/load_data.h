// Bulk loading: LOAD DATA LOCAL INFILE fed from memory, with an INSERT fallback.
//
// Rows travel in LOAD DATA's default text format: fields separated by TAB, rows ended by
// LF, backslash escapes (\\ \t \n \r \0) and \N for NULL. The Append* functions write that
// format into a caller-owned buffer (reused, so no allocation per row); any text, including
// backslashes, tabs, newlines, the two characters \N and quotes, round-trips verbatim.
//
// LoadData() streams a ChunkSource to the server through mysql_set_local_infile_handler: no
// temporary file, memory bounded by one chunk. When the server refuses local infile (errors
// 4166, 1148, 3948, 2068) it parses the same chunks and sends batched multi-row INSERTs
// through prepared statements instead (same semantics, one warning in the log).
//
// REQUIRES for every load: run it inside a transaction (Transaction guard). If the source
// fails mid-stream the rows already sent are NOT undone by the statement itself.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/sales_line.h"
#include "core/status.h"
#include "warehouse/connection.h"

namespace salesflow::warehouse {

// ---- the text format -------------------------------------------------------------------

// Appends `value` escaped, then a TAB.
void AppendField(std::string_view value, std::string* out);
// Appends \N (NULL), then a TAB.
void AppendNullField(std::string* out);
// Appends a decimal integer, then a TAB.
void AppendIntField(int64_t value, std::string* out);
// Appends value x 10^-scale with exactly `scale` places ("-0.05"), then a TAB.
void AppendDecimalField(int64_t scaled, int scale, std::string* out);
// Replaces the trailing TAB of the row with LF. REQUIRES: at least one field appended.
void EndRow(std::string* out);

// The columns AppendLoadDataRow writes, in order: the staging table's layout
// (source_line, order_id, line_no, order_date, order_time, sku, quantity, unit_price,
// discount, currency, product_name, category, customer_id, country, region, channel,
// payment_method, revenue). line_no <= 0 is written as NULL ("not in the file"), optional
// text that is empty as NULL, order_seconds < 0 as a NULL order_time.
std::span<const std::string_view> SalesLineColumns();

// Appends one SalesLine as a row in the order of SalesLineColumns(). No allocation once
// `out` has grown to its working size.
void AppendLoadDataRow(const core::SalesLine& line, std::string* out);
// The same, with `staged_line_no` in the line_no column instead of line.line_no: the value
// LineNumberer::Next gave (line_numberer.h: > 0 from the file, < 0 = position in its run), 0 as
// NULL (to be numbered by AssignLineNumbers).
void AppendLoadDataRow(const core::SalesLine& line, int32_t staged_line_no, std::string* out);

// The fields of AppendLoadDataRow without the row's end: every field ends in TAB, so a
// caller can append more (a direct load into sales adds the dictionary keys and lineage).
// `line_no` 0 is written as NULL.
void AppendSalesLineFields(const core::SalesLine& line, int32_t line_no, std::string* out);

// The columns of a row loaded straight into `sales`: SalesLineColumns(), then order_key and
// customer_key (report_id and job_id are the same on every row: LoadOptions::constants).
std::span<const std::string_view> DirectSalesColumns();

// Columns AppendRejectRow writes: report_id, job_id, line, column_name, reason, message, raw.
std::span<const std::string_view> RejectColumns();
void AppendRejectRow(uint64_t report_id, uint64_t job_id, const core::RejectedRow& row,
                     std::string* out);

// ---- streaming -------------------------------------------------------------------------

// A pull source of LOAD DATA text. Chunks may split rows anywhere.
// Thread-safety: Next() is called from the loading thread only; a producer thread may fill
// a queue behind it.
class ChunkSource {
 public:
  virtual ~ChunkSource() = default;
  // The next chunk; an empty view = end of data. The view stays valid until the next call.
  // An error aborts the load (the caller's transaction must then roll back).
  virtual Result<std::string_view> Next() = 0;
};

// One in-memory buffer as a source (small loads, tests).
class StringChunkSource : public ChunkSource {
 public:
  explicit StringChunkSource(std::string_view data, size_t chunk_size = 1 << 20)
      : data_(data), chunk_size_(chunk_size) {}
  Result<std::string_view> Next() override;

 private:
  std::string_view data_;
  size_t chunk_size_;
};

enum class OnDuplicateKey {
  kError,    // the load fails (and the caller rolls back)
  kIgnore,   // LOAD DATA ... IGNORE: the earlier row stays, the new one is counted as skipped
  kReplace,  // LOAD DATA ... REPLACE: the new row replaces the old, counted as deleted
};

// A column that takes one value on every row of a load.
struct ConstantColumn {
  std::string_view column;
  int64_t value = 0;
};

struct LoadOptions {
  OnDuplicateKey on_duplicate = OnDuplicateKey::kError;
  // Set by the statement (LOAD DATA ... SET column = value), not sent with every row: a
  // field per row costs the server more than the bytes suggest (a load's lineage ids: 5% of
  // a 1M-line load, bench/loader).
  std::vector<ConstantColumn> constants;
  // Use the INSERT path even when local infile works (tests; servers where LOAD DATA is
  // known to be off, to skip the refused attempt).
  bool force_insert_fallback = false;
  // Rows per INSERT in the fallback (bounded by the 65535 placeholders of a statement).
  size_t insert_batch_rows = 1000;
};

struct LoadStats {
  uint64_t records = 0;   // rows read from the source
  uint64_t skipped = 0;   // kIgnore: rows not inserted because of a duplicate key
  uint64_t deleted = 0;   // kReplace: old rows replaced
  uint64_t warnings = 0;  // server warnings (strict mode makes bad values errors instead)
  bool used_insert_fallback = false;
};

// Loads every row of `source` into `table` (columns in the order of the text). `table` and
// `columns` are identifiers chosen by code, not by users; they are quoted anyway.
// REQUIRES: inside a transaction (see above); columns not empty.
Result<LoadStats> LoadData(Connection& connection, std::string_view table,
                           std::span<const std::string_view> columns, ChunkSource& source,
                           const LoadOptions& options = {});

}  // namespace salesflow::warehouse
