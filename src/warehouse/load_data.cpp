#include "warehouse/load_data.h"

#include <fmt/format.h>
#include <mysql.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <cstring>
#include <vector>

#include "core/date.h"

namespace salesflow::warehouse {

// ---- the text format -------------------------------------------------------------------

void AppendField(std::string_view value, std::string* out) {
  size_t run = 0;  // start of the pending run of plain bytes
  for (size_t i = 0; i < value.size(); ++i) {
    char escaped;
    switch (value[i]) {
      case '\\':
        escaped = '\\';
        break;
      case '\t':
        escaped = 't';
        break;
      case '\n':
        escaped = 'n';
        break;
      case '\r':
        escaped = 'r';
        break;
      case '\0':
        escaped = '0';
        break;
      default:
        continue;
    }
    out->append(value.data() + run, i - run);
    out->push_back('\\');
    out->push_back(escaped);
    run = i + 1;
  }
  out->append(value.data() + run, value.size() - run);
  out->push_back('\t');
}

void AppendNullField(std::string* out) { out->append("\\N\t"); }

void AppendIntField(int64_t value, std::string* out) {
  char buffer[24];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  out->append(buffer, result.ptr);
  out->push_back('\t');
}

void AppendDecimalField(int64_t scaled, int scale, std::string* out) {
  // Unsigned magnitude so INT64_MIN formats; digits written right to left.
  uint64_t magnitude =
      scaled < 0 ? 0 - static_cast<uint64_t>(scaled) : static_cast<uint64_t>(scaled);
  char buffer[48];
  char* p = buffer + sizeof(buffer);
  for (int digit = 0; digit < scale; ++digit) {
    *--p = static_cast<char>('0' + magnitude % 10);
    magnitude /= 10;
  }
  if (scale > 0) *--p = '.';
  do {
    *--p = static_cast<char>('0' + magnitude % 10);
    magnitude /= 10;
  } while (magnitude > 0);
  if (scaled < 0) *--p = '-';
  out->append(p, buffer + sizeof(buffer));
  out->push_back('\t');
}

void EndRow(std::string* out) { out->back() = '\n'; }

namespace {

void AppendDigits(uint32_t value, int width, std::string* out) {
  char buffer[12];
  char* p = buffer + sizeof(buffer);
  for (int i = 0; i < width || value > 0; ++i) {
    *--p = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  out->append(p, buffer + sizeof(buffer));
}

void AppendDateField(int32_t days, std::string* out) {
  const core::CivilDate date = core::CivilFromDays(days);
  AppendDigits(static_cast<uint32_t>(std::max(date.year, 0)), 4, out);
  out->push_back('-');
  AppendDigits(static_cast<uint32_t>(date.month), 2, out);
  out->push_back('-');
  AppendDigits(static_cast<uint32_t>(date.day), 2, out);
  out->push_back('\t');
}

void AppendTimeField(int32_t seconds, std::string* out) {
  if (seconds < 0) return AppendNullField(out);
  const auto s = static_cast<uint32_t>(seconds);
  AppendDigits(s / 3600, 2, out);
  out->push_back(':');
  AppendDigits(s / 60 % 60, 2, out);
  out->push_back(':');
  AppendDigits(s % 60, 2, out);
  out->push_back('\t');
}

// Optional text: empty means "not in the file", stored as NULL.
void AppendOptionalField(std::string_view value, std::string* out) {
  if (value.empty()) return AppendNullField(out);
  AppendField(value, out);
}

constexpr std::array<std::string_view, 18> kSalesLineColumns = {
    "source_line", "order_id",   "line_no",  "order_date", "order_time",     "sku",
    "quantity",    "unit_price", "discount", "currency",   "product_name",   "category",
    "customer_id", "country",    "region",   "channel",    "payment_method", "revenue"};

constexpr std::array<std::string_view, 20> kDirectSalesColumns = {
    "source_line",  "order_id",       "line_no",     "order_date", "order_time",
    "sku",          "quantity",       "unit_price",  "discount",   "currency",
    "product_name", "category",       "customer_id", "country",    "region",
    "channel",      "payment_method", "revenue",     "order_key",  "customer_key"};

constexpr std::array<std::string_view, 7> kRejectColumns = {
    "report_id", "job_id", "line", "column_name", "reason", "message", "raw"};

}  // namespace

std::span<const std::string_view> SalesLineColumns() { return kSalesLineColumns; }
std::span<const std::string_view> DirectSalesColumns() { return kDirectSalesColumns; }
std::span<const std::string_view> RejectColumns() { return kRejectColumns; }

void AppendLoadDataRow(const core::SalesLine& line, std::string* out) {
  AppendLoadDataRow(line, line.line_no > 0 ? line.line_no : 0, out);
}

void AppendLoadDataRow(const core::SalesLine& line, int32_t staged_line_no, std::string* out) {
  AppendSalesLineFields(line, staged_line_no, out);
  EndRow(out);
}

void AppendSalesLineFields(const core::SalesLine& line, int32_t line_no, std::string* out) {
  AppendIntField(line.source_line, out);
  AppendField(line.order_id, out);
  if (line_no != 0) {
    AppendIntField(line_no, out);
  } else {
    AppendNullField(out);
  }
  AppendDateField(line.order_date, out);
  AppendTimeField(line.order_seconds, out);
  AppendField(line.sku, out);
  AppendIntField(line.quantity, out);
  AppendDecimalField(line.unit_price, core::kPriceScale, out);
  AppendDecimalField(line.discount, core::kDiscountScale, out);
  AppendField(line.currency, out);
  AppendOptionalField(line.product_name, out);
  AppendOptionalField(line.category, out);
  AppendOptionalField(line.customer_id, out);
  AppendOptionalField(line.country, out);
  AppendOptionalField(line.region, out);
  AppendOptionalField(line.channel, out);
  AppendOptionalField(line.payment_method, out);
  AppendDecimalField(line.revenue.cents, core::kMoneyScale, out);
}

void AppendRejectRow(uint64_t report_id, uint64_t job_id, const core::RejectedRow& row,
                     std::string* out) {
  AppendIntField(static_cast<int64_t>(report_id), out);
  AppendIntField(static_cast<int64_t>(job_id), out);
  AppendIntField(row.line, out);
  AppendField(row.column, out);
  AppendField(core::RejectReasonCode(row.reason), out);
  AppendField(row.message, out);
  AppendField(row.raw, out);
  EndRow(out);
}

Result<std::string_view> StringChunkSource::Next() {
  const std::string_view chunk = data_.substr(0, chunk_size_);
  data_.remove_prefix(chunk.size());
  return chunk;
}

// ---- LOAD DATA LOCAL INFILE ------------------------------------------------------------

namespace {

constexpr int kInfileErrorNumber = 2000;  // CR_UNKNOWN_ERROR: the source failed

struct InfileState {
  ChunkSource* source = nullptr;
  std::string_view pending;
  uint64_t bytes_read = 0;
  Status error;
};

int InfileInit(void** ptr, const char* /*filename*/, void* userdata) {
  *ptr = userdata;
  return 0;
}

int InfileRead(void* ptr, char* buf, unsigned int buf_len) {
  auto* state = static_cast<InfileState*>(ptr);
  while (state->pending.empty()) {
    Result<std::string_view> next = state->source->Next();
    if (!next.ok()) {
      state->error = next.status();
      return -1;
    }
    if (next->empty()) return 0;
    state->pending = *next;
  }
  const size_t n = std::min<size_t>(buf_len, state->pending.size());
  std::memcpy(buf, state->pending.data(), n);
  state->pending.remove_prefix(n);
  state->bytes_read += n;
  return static_cast<int>(n);
}

void InfileEnd(void* /*ptr*/) {}

int InfileError(void* ptr, char* error_msg, unsigned int error_msg_len) {
  auto* state = static_cast<InfileState*>(ptr);
  const std::string message =
      state->error.ok() ? "source failed" : "source failed: " + state->error.message();
  const size_t n = std::min<size_t>(message.size(), error_msg_len > 0 ? error_msg_len - 1 : 0);
  std::memcpy(error_msg, message.data(), n);
  if (error_msg_len > 0) error_msg[n] = '\0';
  return kInfileErrorNumber;
}

// "(`a`, `b`)", with the constant columns last.
std::string ColumnList(std::span<const std::string_view> columns,
                       std::span<const ConstantColumn> constants = {}) {
  std::string out = "(";
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i > 0) out += ", ";
    out += Connection::QuoteIdentifier(columns[i]);
  }
  for (const ConstantColumn& constant : constants) {
    out += ", " + Connection::QuoteIdentifier(constant.column);
  }
  out += ")";
  return out;
}

// " SET `a` = 1, `b` = 2", or "" without constants.
std::string SetClause(std::span<const ConstantColumn> constants) {
  std::string out;
  for (const ConstantColumn& constant : constants) {
    out += fmt::format("{} {} = {}", out.empty() ? " SET" : ",",
                       Connection::QuoteIdentifier(constant.column), constant.value);
  }
  return out;
}

bool IsLocalInfileRefused(const Status& status, unsigned error_number) {
  (void)status;
  return error_number == 4166 || error_number == 1148 || error_number == 3948 ||
         error_number == 2068;
}

// LOCAL loads (and INSERT IGNORE) turn data errors into warnings: make them errors again,
// naming the first few, unless they are the duplicate-key skips the caller asked for.
Status CheckWarnings(Connection& connection, const LoadStats& stats, const LoadOptions& options) {
  const uint64_t expected = options.on_duplicate == OnDuplicateKey::kIgnore ? stats.skipped : 0;
  if (options.on_duplicate == OnDuplicateKey::kError && stats.skipped > 0) {
    return Status::AlreadyExists(
        fmt::format("{} row(s) repeat a unique key of the table", stats.skipped));
  }
  if (stats.warnings <= expected) return Status::Ok();
  SF_ASSIGN_OR_RETURN(QueryResult warnings, connection.Query("SHOW WARNINGS LIMIT 64"));
  std::string detail;
  int shown = 0;
  for (size_t i = 0; i < warnings.rows.size() && shown < 3; ++i) {
    if (warnings.Text(i, 1) == "1062") continue;  // a duplicate-key skip
    detail += fmt::format("{}{} (code {})", shown > 0 ? "; " : "", warnings.Text(i, 2),
                          warnings.Text(i, 1));
    ++shown;
  }
  if (shown == 0) return Status::Ok();
  return Status::InvalidArgument(
      fmt::format("the server rejected values while loading ({} warning(s)): {}",
                  stats.warnings - expected, detail));
}

std::string_view DuplicateWord(OnDuplicateKey mode) {
  switch (mode) {
    case OnDuplicateKey::kIgnore:
      return " IGNORE";
    case OnDuplicateKey::kReplace:
      return " REPLACE";
    case OnDuplicateKey::kError:
      break;
  }
  return "";
}

// ---- INSERT fallback -------------------------------------------------------------------

// Parses LOAD DATA text back into fields and sends batched multi-row prepared INSERTs, so the
// fallback has exactly the semantics of the text (same escapes, same NULLs, same server-side
// conversions). Memory: one batch of cells, reused.
class InsertLoader {
 public:
  InsertLoader(Connection& connection, std::string_view table,
               std::span<const std::string_view> columns, const LoadOptions& options)
      : connection_(connection),
        table_(table),
        columns_(columns),
        options_(options),
        batch_rows_(std::clamp<size_t>(options.insert_batch_rows, 1, 60000 / columns.size())),
        cells_(batch_rows_ * columns.size()),
        nulls_(batch_rows_ * columns.size()) {}

  ~InsertLoader() {
    if (full_ != nullptr) mysql_stmt_close(full_);
  }

  Status Feed(std::string_view chunk) {
    for (const char c : chunk) {
      if (escape_) {
        escape_ = false;
        switch (c) {
          case 'n':
            Cell().push_back('\n');
            break;
          case 't':
            Cell().push_back('\t');
            break;
          case 'r':
            Cell().push_back('\r');
            break;
          case '0':
            Cell().push_back('\0');
            break;
          case 'b':
            Cell().push_back('\b');
            break;
          case 'Z':
            Cell().push_back('\x1a');
            break;
          case 'N':
            if (Cell().empty()) null_marker_ = true;
            Cell().push_back('N');
            break;
          default:
            Cell().push_back(c);
            break;
        }
        continue;
      }
      if (c == '\\') {
        escape_ = true;
      } else if (c == '\t') {
        SF_RETURN_IF_ERROR(EndField());
      } else if (c == '\n') {
        SF_RETURN_IF_ERROR(EndField());
        SF_RETURN_IF_ERROR(EndRow());
      } else {
        Cell().push_back(c);
      }
    }
    return Status::Ok();
  }

  Status Finish() {
    if (escape_ || column_ != 0 || !Cell().empty()) {
      // A last row without its LF, as LOAD DATA accepts it.
      SF_RETURN_IF_ERROR(EndField());
      SF_RETURN_IF_ERROR(EndRow());
    }
    return Flush();
  }

  const LoadStats& stats() const { return stats_; }

 private:
  std::string& Cell() { return cells_[row_ * columns_.size() + column_]; }

  Status EndField() {
    if (column_ >= columns_.size()) {
      return Status::InvalidArgument(
          fmt::format("row {} has more than {} fields", stats_.records + 1, columns_.size()));
    }
    nulls_[row_ * columns_.size() + column_] = null_marker_ && Cell() == "N";
    null_marker_ = false;
    ++column_;
    if (column_ < columns_.size()) Cell().clear();
    return Status::Ok();
  }

  Status EndRow() {
    if (column_ != columns_.size()) {
      return Status::InvalidArgument(fmt::format("row {} has {} fields, expected {}",
                                                 stats_.records + 1, column_, columns_.size()));
    }
    column_ = 0;
    ++row_;
    ++stats_.records;
    if (row_ == batch_rows_) SF_RETURN_IF_ERROR(Flush());
    Cell().clear();
    return Status::Ok();
  }

  std::string Sql(size_t rows) const {
    std::string sql = options_.on_duplicate == OnDuplicateKey::kReplace ? "REPLACE" : "INSERT";
    if (options_.on_duplicate == OnDuplicateKey::kIgnore) sql += " IGNORE";
    sql += " INTO " + Connection::QuoteIdentifier(table_) + " " +
           ColumnList(columns_, options_.constants) + " VALUES ";
    std::string tuple = "(";
    for (size_t i = 0; i < columns_.size(); ++i) tuple += i == 0 ? "?" : ",?";
    for (const ConstantColumn& constant : options_.constants) {
      tuple += fmt::format(",{}", constant.value);
    }
    tuple += ")";
    for (size_t r = 0; r < rows; ++r) {
      if (r > 0) sql += ",";
      sql += tuple;
    }
    return sql;
  }

  Status StatementError(MYSQL_STMT* stmt, std::string_view what) const {
    const unsigned number = mysql_stmt_errno(stmt);
    return {MapServerError(number),
            fmt::format("{} into {}: {} (error {})", what, table_, mysql_stmt_error(stmt), number)};
  }

  Status Flush() {
    if (row_ == 0) return Status::Ok();
    MYSQL_STMT* stmt = nullptr;
    MYSQL_STMT* partial = nullptr;
    if (row_ == batch_rows_) {
      if (full_ == nullptr) {
        full_ = mysql_stmt_init(connection_.handle());
        const std::string sql = Sql(batch_rows_);
        if (mysql_stmt_prepare(full_, sql.data(), sql.size()) != 0) {
          return StatementError(full_, "prepare batch");
        }
      }
      stmt = full_;
    } else {
      partial = mysql_stmt_init(connection_.handle());
      const std::string sql = Sql(row_);
      if (mysql_stmt_prepare(partial, sql.data(), sql.size()) != 0) {
        Status error = StatementError(partial, "prepare batch");
        mysql_stmt_close(partial);
        return error;
      }
      stmt = partial;
    }
    const size_t n = row_ * columns_.size();
    binds_.assign(n, MYSQL_BIND{});
    lengths_.resize(n);
    for (size_t i = 0; i < n; ++i) {
      MYSQL_BIND& bind = binds_[i];
      if (nulls_[i]) {
        bind.buffer_type = MYSQL_TYPE_NULL;
        continue;
      }
      lengths_[i] = cells_[i].size();
      bind.buffer_type = MYSQL_TYPE_STRING;
      bind.buffer = cells_[i].data();
      bind.buffer_length = cells_[i].size();
      bind.length = &lengths_[i];
    }
    Status status;
    if (mysql_stmt_bind_param(stmt, binds_.data()) != 0 || mysql_stmt_execute(stmt) != 0) {
      status = StatementError(stmt, "insert batch");
    } else {
      const uint64_t affected = mysql_stmt_affected_rows(stmt);
      if (options_.on_duplicate == OnDuplicateKey::kIgnore && affected < row_) {
        stats_.skipped += row_ - affected;
      } else if (options_.on_duplicate == OnDuplicateKey::kReplace && affected > row_) {
        stats_.deleted += affected - row_;
      }
      stats_.warnings += mysql_stmt_warning_count(stmt);
    }
    if (partial != nullptr) mysql_stmt_close(partial);
    row_ = 0;
    return status;
  }

  Connection& connection_;
  std::string_view table_;
  std::span<const std::string_view> columns_;
  const LoadOptions& options_;
  size_t batch_rows_;
  std::vector<std::string> cells_;
  std::vector<char> nulls_;
  std::vector<MYSQL_BIND> binds_;
  std::vector<unsigned long> lengths_;
  MYSQL_STMT* full_ = nullptr;
  size_t row_ = 0;
  size_t column_ = 0;
  bool escape_ = false;
  bool null_marker_ = false;
  LoadStats stats_;
};

Result<LoadStats> LoadWithInserts(Connection& connection, std::string_view table,
                                  std::span<const std::string_view> columns, ChunkSource& source,
                                  const LoadOptions& options) {
  InsertLoader loader(connection, table, columns, options);
  for (;;) {
    SF_ASSIGN_OR_RETURN(std::string_view chunk, source.Next());
    if (chunk.empty()) break;
    SF_RETURN_IF_ERROR(loader.Feed(chunk));
  }
  SF_RETURN_IF_ERROR(loader.Finish());
  LoadStats stats = loader.stats();
  stats.used_insert_fallback = true;
  SF_RETURN_IF_ERROR(CheckWarnings(connection, stats, options));
  return stats;
}

}  // namespace

Result<LoadStats> LoadData(Connection& connection, std::string_view table,
                           std::span<const std::string_view> columns, ChunkSource& source,
                           const LoadOptions& options) {
  if (columns.empty()) return Status::InvalidArgument("LoadData: no columns");
  if (options.force_insert_fallback) {
    return LoadWithInserts(connection, table, columns, source, options);
  }
  const std::string sql = fmt::format(
      "LOAD DATA LOCAL INFILE 'salesflow-stream'{} INTO TABLE {} CHARACTER SET utf8mb4 "
      "FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' {}{}",
      DuplicateWord(options.on_duplicate), Connection::QuoteIdentifier(table), ColumnList(columns),
      SetClause(options.constants));
  InfileState state;
  state.source = &source;
  MYSQL* mysql = connection.handle();
  mysql_set_local_infile_handler(mysql, InfileInit, InfileRead, InfileEnd, InfileError, &state);
  const int rc = mysql_real_query(mysql, sql.data(), sql.size());
  mysql_set_local_infile_default(mysql);
  if (rc != 0) {
    const unsigned number = mysql_errno(mysql);
    Status error = connection.LastError(fmt::format("LOAD DATA into {}", table));
    if (!state.error.ok()) return state.error.WithContext(fmt::format("LOAD DATA into {}", table));
    if (IsLocalInfileRefused(error, number) && state.bytes_read == 0) {
      static std::atomic<bool> warned{false};
      if (!warned.exchange(true)) {
        spdlog::warn(
            "warehouse {}: the server refuses LOAD DATA LOCAL INFILE (error {}); loading with "
            "batched INSERTs instead (slower; enable local_infile on the server)",
            connection.config().Endpoint(), number);
      }
      return LoadWithInserts(connection, table, columns, source, options);
    }
    return error;
  }
  const std::string info = connection.info();
  LoadStats stats;
  stats.records = InfoNumber(info, "Records");
  stats.skipped = InfoNumber(info, "Skipped");
  stats.deleted = InfoNumber(info, "Deleted");
  stats.warnings = InfoNumber(info, "Warnings");
  SF_RETURN_IF_ERROR(CheckWarnings(connection, stats, options));
  return stats;
}

}  // namespace salesflow::warehouse
