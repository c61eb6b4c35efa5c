// Connection: one session with the warehouse (MariaDB Connector/C underneath).
//
// Thread-safety: a Connection is NOT thread-safe. Use one per thread (each worker, each
// request handler opens or borrows its own). Connections are movable, not copyable; the
// destructor closes the session (an open transaction is rolled back by the server).
//
// Every session is utf8mb4, strict SQL mode (no silent truncation), UTC time zone, with
// connect/read/write timeouts and, unless disabled, LOAD DATA LOCAL INFILE enabled.
//
// Report content must never become SQL text: pass values as Params (prepared statements)
// or, for the rare dynamic identifier, through QuoteIdentifier().
//
// Server errors map to Status codes (see MapServerError in connection.cpp):
//   unreachable / connection lost  -> kUnavailable    (retryable)
//   deadlock / lock wait timeout   -> kConflict       (retryable: rerun the transaction)
//   bad credentials                -> kUnauthenticated
//   no privilege                   -> kPermissionDenied
//   duplicate key                  -> kAlreadyExists
//   local infile refused           -> kFailedPrecondition (LoadData falls back by itself)
//   query timeout                  -> kDeadlineExceeded
//   anything else                  -> kInternal, with the server's errno and message
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/status.h"
#include "warehouse/db_config.h"

typedef struct st_mysql MYSQL;  // NOLINT: the C library's own name

namespace salesflow::warehouse {

struct ConnectOptions {
  std::chrono::seconds connect_timeout{5};
  std::chrono::seconds read_timeout{300};  // a big INSERT ... SELECT may run for minutes
  std::chrono::seconds write_timeout{300};
  // Advertise LOAD DATA LOCAL INFILE. Off only to test a client/server that refuses it.
  bool local_infile = true;
  // Create config.database (utf8mb4) when it does not exist and the account may.
  bool create_database = true;
};

// One statement parameter: NULL, an integer, or text/bytes (sent as a string; the server
// converts to the column type, exactly like LOAD DATA does: decimals and dates as text).
using Param = std::variant<std::nullptr_t, int64_t, std::string_view>;

// A query's rows as text (NULL = nullopt), all in memory: for small results (ledger rows,
// job rows, counts). Stream large ones with LOAD DATA's counterpart or paging instead.
struct QueryResult {
  using Row = std::vector<std::optional<std::string>>;
  std::vector<std::string> columns;
  std::vector<Row> rows;

  bool empty() const { return rows.empty(); }
  // REQUIRES: row < rows.size(), col < columns.size(). Value or "" for NULL.
  const std::string& Text(size_t row, size_t col) const;
  // REQUIRES: as Text. The value as int64; 0 for NULL or non-numeric text.
  int64_t Int(size_t row, size_t col) const;
  bool IsNull(size_t row, size_t col) const { return !rows[row][col].has_value(); }
};

class Connection {
 public:
  // Connects (and creates the database when missing and allowed). Errors name the endpoint
  // (host:port or socket) and the user, never the password.
  static Result<Connection> Open(const DbConfig& config, const ConnectOptions& options = {});

  Connection(Connection&&) noexcept;
  Connection& operator=(Connection&&) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // Runs one statement without parameters (DDL, constant SQL). Results are discarded.
  Status Execute(std::string_view sql);
  // Runs a query without parameters and returns its rows.
  Result<QueryResult> Query(std::string_view sql);
  // Prepared statement with `?` placeholders: values never become SQL text.
  Result<QueryResult> Query(std::string_view sql, std::span<const Param> params);
  Result<QueryResult> Query(std::string_view sql, std::initializer_list<Param> params) {
    return Query(sql, std::span<const Param>(params.begin(), params.size()));
  }
  // Prepared statement without a result set; returns the affected rows.
  Result<uint64_t> Exec(std::string_view sql, std::span<const Param> params);
  Result<uint64_t> Exec(std::string_view sql, std::initializer_list<Param> params) {
    return Exec(sql, std::span<const Param>(params.begin(), params.size()));
  }

  // After Execute/Exec: rows affected by the last statement (ON DUPLICATE KEY UPDATE counts
  // an updated row twice), the last AUTO_INCREMENT id, and the server's info line
  // ("Records: 3  Duplicates: 1  Warnings: 0"; "" when none).
  uint64_t affected_rows() const;
  uint64_t last_insert_id() const;
  std::string info() const;
  // Number of warnings of the last statement.
  unsigned warning_count() const;

  // Transactions. Prefer the Transaction guard below.
  Status Begin();
  Status Commit();
  Status Rollback();

  // 'text' escaped for the session's character set, with the quotes. For SQL that cannot
  // take a placeholder (e.g. the file name of LOAD DATA); never for report content.
  std::string Quote(std::string_view text) const;
  // `name` with backticks doubled. REQUIRES: name is not empty.
  static std::string QuoteIdentifier(std::string_view name);

  // Whether the session advertised local infile (ConnectOptions::local_infile).
  bool local_infile_enabled() const { return local_infile_; }
  const DbConfig& config() const { return config_; }

  // The underlying handle, for the warehouse module's own LOAD DATA plumbing only.
  MYSQL* handle() const { return mysql_.get(); }
  // The server's id of this session (what KILL takes).
  uint64_t session_id() const;

  // The Status for the last error on this handle, prefixed with `what`.
  Status LastError(std::string_view what) const;

 private:
  struct Closer {
    void operator()(MYSQL* mysql) const;
  };
  Connection(std::unique_ptr<MYSQL, Closer> mysql, DbConfig config, bool local_infile);

  std::unique_ptr<MYSQL, Closer> mysql_;
  DbConfig config_;
  bool local_infile_ = true;
};

// Rolls back on destruction unless Commit() succeeded. Begin errors surface from Start().
//
//   SF_ASSIGN_OR_RETURN(auto tx, Transaction::Start(conn));
//   ... SF_RETURN_IF_ERROR(...);   // early return = rollback
//   return tx.Commit();
class Transaction {
 public:
  static Result<Transaction> Start(Connection& connection);
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  ~Transaction();

  Status Commit();
  Status Rollback();

 private:
  explicit Transaction(Connection* connection) : connection_(connection) {}
  Connection* connection_;  // null once committed or rolled back
};

// True for errors where rerunning the whole transaction may succeed (kConflict: deadlock or
// lock wait timeout; kUnavailable: connection lost, after reconnecting).
bool IsRetryable(const Status& status);

// Maps a MariaDB/MySQL client or server errno to a Status code (exposed for tests).
StatusCode MapServerError(unsigned error_number);

// The number after `name` in an info() line: InfoNumber("Records: 10  Duplicates: 2  Warnings:
// 0", "Duplicates") == 2; 0 when the line does not have it.
uint64_t InfoNumber(std::string_view info, std::string_view name);

}  // namespace salesflow::warehouse
