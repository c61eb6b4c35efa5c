#include "warehouse/connection.h"

#include <errmsg.h>
#include <fmt/format.h>
#include <mysql.h>
#include <mysqld_error.h>

#include <algorithm>
#include <charconv>
#include <mutex>

namespace salesflow::warehouse {
namespace {

// Server / client errnos we name. Some are newer than the headers of every Connector/C,
// so they are spelled out.
constexpr unsigned kErLocalInfileDisabled = 4166;       // MariaDB: local infile capability off
constexpr unsigned kErNotAllowedCommand = 1148;         // MySQL 5.x/8: command not allowed
constexpr unsigned kErClientLocalFilesDisabled = 3948;  // MySQL 8: loading local data disabled
constexpr unsigned kCrLoadDataLocalInfileRejected = 2068;
constexpr unsigned kErIdleSessionClosed = 4031;  // MySQL 8: idle session killed
constexpr unsigned kErQueryTimeout = 1969;       // MariaDB max_statement_time
constexpr unsigned kErMysqlQueryTimeout = 3024;  // MySQL max_execution_time

void InitLibraryOnce() {
  static std::once_flag once;
  // mysql_init() would do it lazily, but not thread-safely.
  std::call_once(once, [] { mysql_library_init(0, nullptr, nullptr); });
}

const char* NullIfEmpty(const std::string& s) { return s.empty() ? nullptr : s.c_str(); }

}  // namespace

StatusCode MapServerError(unsigned error_number) {
  switch (error_number) {
    case CR_CONNECTION_ERROR:
    case CR_CONN_HOST_ERROR:
    case CR_UNKNOWN_HOST:
    case CR_SERVER_GONE_ERROR:
    case CR_SERVER_LOST:
    case CR_SERVER_LOST_EXTENDED:
    case CR_IPSOCK_ERROR:
    case ER_SERVER_SHUTDOWN:
    case ER_CON_COUNT_ERROR:
    case kErIdleSessionClosed:
      return StatusCode::kUnavailable;
    case ER_LOCK_DEADLOCK:
    case ER_LOCK_WAIT_TIMEOUT:
    case ER_AUTOINC_READ_FAILED:  // 1467: concurrent inserts into a dictionary; a retry works
      return StatusCode::kConflict;
    case ER_ACCESS_DENIED_ERROR:
    case 1698:  // ER_ACCESS_DENIED_NO_PASSWORD_ERROR
      return StatusCode::kUnauthenticated;
    case ER_DBACCESS_DENIED_ERROR:
    case ER_TABLEACCESS_DENIED_ERROR:
    case ER_COLUMNACCESS_DENIED_ERROR:
    case ER_SPECIFIC_ACCESS_DENIED_ERROR:
      return StatusCode::kPermissionDenied;
    case ER_DUP_ENTRY:
    case ER_DUP_KEY:
      return StatusCode::kAlreadyExists;
    case ER_BAD_DB_ERROR:
    case ER_NO_SUCH_TABLE:
      return StatusCode::kNotFound;
    case kErLocalInfileDisabled:
    case kErNotAllowedCommand:
    case kErClientLocalFilesDisabled:
    case kCrLoadDataLocalInfileRejected:
      return StatusCode::kFailedPrecondition;
    case kErQueryTimeout:
    case kErMysqlQueryTimeout:
      return StatusCode::kDeadlineExceeded;
    case ER_DATA_TOO_LONG:
    case ER_TRUNCATED_WRONG_VALUE_FOR_FIELD:
    case ER_WARN_DATA_OUT_OF_RANGE:
    case ER_BAD_NULL_ERROR:
    case ER_TRUNCATED_WRONG_VALUE:
      return StatusCode::kInvalidArgument;
    default:
      return StatusCode::kInternal;
  }
}

bool IsRetryable(const Status& status) {
  return status.code() == StatusCode::kConflict || status.code() == StatusCode::kUnavailable;
}

const std::string& QueryResult::Text(size_t row, size_t col) const {
  static const std::string kEmpty;
  const auto& cell = rows[row][col];
  return cell ? *cell : kEmpty;
}

int64_t QueryResult::Int(size_t row, size_t col) const {
  const std::string& text = Text(row, col);
  int64_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

void Connection::Closer::operator()(MYSQL* mysql) const { mysql_close(mysql); }

Connection::Connection(std::unique_ptr<MYSQL, Closer> mysql, DbConfig config, bool local_infile)
    : mysql_(std::move(mysql)), config_(std::move(config)), local_infile_(local_infile) {}
Connection::Connection(Connection&&) noexcept = default;
Connection& Connection::operator=(Connection&&) noexcept = default;
Connection::~Connection() = default;

namespace {

using Handle = std::unique_ptr<MYSQL, void (*)(MYSQL*)>;

// A connect failure as a Status a user can act on: where, as whom, what the server said.
Status ConnectError(MYSQL* mysql, const DbConfig& config) {
  const unsigned number = mysql_errno(mysql);
  const std::string detail = fmt::format("{} (error {})", mysql_error(mysql), number);
  const StatusCode code = MapServerError(number);
  switch (code) {
    case StatusCode::kUnavailable:
      return {code, fmt::format("cannot reach the warehouse at {} (set by {}): {}",
                                config.Endpoint(), kDbUrlVariable, detail)};
    case StatusCode::kUnauthenticated:
      return {code, fmt::format("the warehouse at {} refused user '{}': check the user and "
                                "password in {}: {}",
                                config.Endpoint(), config.user, kDbUrlVariable, detail)};
    default:
      return {code == StatusCode::kInternal ? StatusCode::kUnavailable : code,
              fmt::format("cannot connect to the warehouse at {} as '{}' ({}): {}",
                          config.Endpoint(), config.user, kDbUrlVariable, detail)};
  }
}

Result<Handle> ConnectOnce(const DbConfig& config, const ConnectOptions& options,
                           const std::string& database) {
  InitLibraryOnce();
  Handle mysql(mysql_init(nullptr), &mysql_close);
  if (!mysql) return Status::ResourceExhausted("mysql_init: out of memory");
  const unsigned connect_timeout = static_cast<unsigned>(options.connect_timeout.count());
  const unsigned read_timeout = static_cast<unsigned>(options.read_timeout.count());
  const unsigned write_timeout = static_cast<unsigned>(options.write_timeout.count());
  const unsigned local_infile = options.local_infile ? 1 : 0;
  mysql_options(mysql.get(), MYSQL_SET_CHARSET_NAME, "utf8mb4");
  mysql_options(mysql.get(), MYSQL_OPT_CONNECT_TIMEOUT, &connect_timeout);
  mysql_options(mysql.get(), MYSQL_OPT_READ_TIMEOUT, &read_timeout);
  mysql_options(mysql.get(), MYSQL_OPT_WRITE_TIMEOUT, &write_timeout);
  mysql_options(mysql.get(), MYSQL_OPT_LOCAL_INFILE, &local_infile);
  if (!config.socket.empty()) {
    const unsigned protocol = MYSQL_PROTOCOL_SOCKET;
    mysql_options(mysql.get(), MYSQL_OPT_PROTOCOL, &protocol);
  } else {
    const unsigned protocol = MYSQL_PROTOCOL_TCP;
    mysql_options(mysql.get(), MYSQL_OPT_PROTOCOL, &protocol);
  }
  if (mysql_real_connect(mysql.get(), config.socket.empty() ? config.host.c_str() : "localhost",
                         config.user.c_str(), NullIfEmpty(config.password), NullIfEmpty(database),
                         config.port, NullIfEmpty(config.socket), 0) == nullptr) {
    return ConnectError(mysql.get(), config);
  }
  return mysql;
}

Status RunOn(MYSQL* mysql, std::string_view sql, std::string_view what) {
  if (mysql_real_query(mysql, sql.data(), sql.size()) != 0) {
    const unsigned number = mysql_errno(mysql);
    return {MapServerError(number),
            fmt::format("{}: {} (error {})", what, mysql_error(mysql), number)};
  }
  // Drain any result so the session stays usable.
  if (MYSQL_RES* result = mysql_store_result(mysql)) mysql_free_result(result);
  return Status::Ok();
}

}  // namespace

Result<Connection> Connection::Open(const DbConfig& config, const ConnectOptions& options) {
  auto handle = ConnectOnce(config, options, config.database);
  if (!handle.ok() && handle.status().code() == StatusCode::kNotFound && !config.database.empty() &&
      options.create_database) {
    // Unknown database: create it when the account may, then select it.
    SF_ASSIGN_OR_RETURN(Handle bare, ConnectOnce(config, options, ""));
    const std::string create =
        fmt::format("CREATE DATABASE IF NOT EXISTS {} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin",
                    QuoteIdentifier(config.database));
    Status created = RunOn(bare.get(), create, "create database");
    if (!created.ok()) {
      return Status(
          created.code() == StatusCode::kInternal ? StatusCode::kPermissionDenied : created.code(),
          fmt::format("database '{}' does not exist at {} and user '{}' cannot "
                      "create it ({}): {}",
                      config.database, config.Endpoint(), config.user, kDbUrlVariable,
                      created.message()));
    }
    if (mysql_select_db(bare.get(), config.database.c_str()) != 0) {
      return ConnectError(bare.get(), config);
    }
    handle = std::move(bare);
  } else if (!handle.ok() && handle.status().code() == StatusCode::kNotFound) {
    return Status::NotFound(fmt::format("database '{}' does not exist at {} ({})", config.database,
                                        config.Endpoint(), kDbUrlVariable));
  }
  if (!handle.ok()) return handle.status();

  // Strict mode: a value that does not fit is an error, never silently truncated. UTC so
  // TIMESTAMP columns read the same from every worker.
  SF_RETURN_IF_ERROR(RunOn(handle->get(),
                           "SET SESSION sql_mode = 'STRICT_ALL_TABLES,ERROR_FOR_DIVISION_BY_ZERO,"
                           "NO_ZERO_DATE,NO_ZERO_IN_DATE,NO_ENGINE_SUBSTITUTION', "
                           "time_zone = '+00:00'",
                           "configure session"));
  MYSQL* raw = handle->release();
  return Connection(std::unique_ptr<MYSQL, Closer>(raw), config, options.local_infile);
}

Status Connection::LastError(std::string_view what) const {
  const unsigned number = mysql_errno(mysql_.get());
  return {MapServerError(number),
          fmt::format("{}: {} (error {})", what, mysql_error(mysql_.get()), number)};
}

Status Connection::Execute(std::string_view sql) { return RunOn(mysql_.get(), sql, "SQL"); }

Result<QueryResult> Connection::Query(std::string_view sql) {
  MYSQL* mysql = mysql_.get();
  if (mysql_real_query(mysql, sql.data(), sql.size()) != 0) return LastError("query");
  MYSQL_RES* raw = mysql_store_result(mysql);
  QueryResult out;
  if (raw == nullptr) {
    if (mysql_field_count(mysql) != 0) return LastError("query result");
    return out;
  }
  std::unique_ptr<MYSQL_RES, void (*)(MYSQL_RES*)> result(raw, &mysql_free_result);
  const unsigned columns = mysql_num_fields(raw);
  const MYSQL_FIELD* fields = mysql_fetch_fields(raw);
  for (unsigned i = 0; i < columns; ++i) out.columns.emplace_back(fields[i].name);
  out.rows.reserve(mysql_num_rows(raw));
  while (MYSQL_ROW row = mysql_fetch_row(raw)) {
    const unsigned long* lengths = mysql_fetch_lengths(raw);
    QueryResult::Row& cells = out.rows.emplace_back(columns);
    for (unsigned i = 0; i < columns; ++i) {
      if (row[i] != nullptr) cells[i].emplace(row[i], lengths[i]);
    }
  }
  return out;
}

namespace {

// A prepared statement with its parameter bindings; closes itself.
class Statement {
 public:
  explicit Statement(MYSQL* mysql) : mysql_(mysql), stmt_(mysql_stmt_init(mysql)) {}
  ~Statement() {
    if (stmt_ != nullptr) mysql_stmt_close(stmt_);
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Status Error(std::string_view what) const {
    const unsigned number = stmt_ ? mysql_stmt_errno(stmt_) : mysql_errno(mysql_);
    const char* message = stmt_ ? mysql_stmt_error(stmt_) : mysql_error(mysql_);
    return {MapServerError(number), fmt::format("{}: {} (error {})", what, message, number)};
  }

  Status Run(std::string_view sql, std::span<const Param> params) {
    if (stmt_ == nullptr) return Status::ResourceExhausted("mysql_stmt_init: out of memory");
    if (mysql_stmt_prepare(stmt_, sql.data(), sql.size()) != 0) return Error("prepare");
    if (mysql_stmt_param_count(stmt_) != params.size()) {
      return Status::Internal(fmt::format("statement has {} placeholders, {} values given",
                                          mysql_stmt_param_count(stmt_), params.size()));
    }
    std::vector<MYSQL_BIND> binds(params.size());
    std::vector<long long> ints(params.size());
    std::vector<unsigned long> lengths(params.size());
    for (size_t i = 0; i < params.size(); ++i) {
      MYSQL_BIND& bind = binds[i];
      if (std::holds_alternative<std::nullptr_t>(params[i])) {
        bind.buffer_type = MYSQL_TYPE_NULL;
      } else if (const int64_t* value = std::get_if<int64_t>(&params[i])) {
        ints[i] = *value;
        bind.buffer_type = MYSQL_TYPE_LONGLONG;
        bind.buffer = &ints[i];
      } else {
        const std::string_view text = std::get<std::string_view>(params[i]);
        lengths[i] = text.size();
        bind.buffer_type = MYSQL_TYPE_STRING;
        // The library only reads input buffers.
        bind.buffer = const_cast<char*>(text.data());
        bind.buffer_length = text.size();
        bind.length = &lengths[i];
      }
    }
    if (!binds.empty() && mysql_stmt_bind_param(stmt_, binds.data()) != 0) {
      return Error("bind parameters");
    }
    if (mysql_stmt_execute(stmt_) != 0) return Error("execute");
    return Status::Ok();
  }

  Result<QueryResult> Fetch() {
    QueryResult out;
    MYSQL_RES* meta = mysql_stmt_result_metadata(stmt_);
    if (meta == nullptr) return out;
    std::unique_ptr<MYSQL_RES, void (*)(MYSQL_RES*)> guard(meta, &mysql_free_result);
    const my_bool update_max = 1;
    mysql_stmt_attr_set(stmt_, STMT_ATTR_UPDATE_MAX_LENGTH, &update_max);
    if (mysql_stmt_store_result(stmt_) != 0) return Error("fetch");
    const unsigned columns = mysql_num_fields(meta);
    const MYSQL_FIELD* fields = mysql_fetch_fields(meta);
    std::vector<MYSQL_BIND> binds(columns);
    std::vector<std::string> buffers(columns);
    std::vector<unsigned long> lengths(columns);
    std::vector<my_bool> nulls(columns);
    for (unsigned i = 0; i < columns; ++i) {
      out.columns.emplace_back(fields[i].name);
      // Numbers and dates are converted to text by the library: leave room for them.
      buffers[i].resize(std::max<size_t>(fields[i].max_length, 64) + 1);
      binds[i].buffer_type = MYSQL_TYPE_STRING;
      binds[i].buffer = buffers[i].data();
      binds[i].buffer_length = buffers[i].size();
      binds[i].length = &lengths[i];
      binds[i].is_null = &nulls[i];
    }
    if (mysql_stmt_bind_result(stmt_, binds.data()) != 0) return Error("bind result");
    for (;;) {
      const int rc = mysql_stmt_fetch(stmt_);
      if (rc == MYSQL_NO_DATA) break;
      if (rc == 1) return Error("fetch row");
      QueryResult::Row& row = out.rows.emplace_back(columns);
      for (unsigned i = 0; i < columns; ++i) {
        if (nulls[i]) continue;
        if (lengths[i] <= buffers[i].size()) {
          row[i].emplace(buffers[i].data(), lengths[i]);
          continue;
        }
        // Truncated (rc == MYSQL_DATA_TRUNCATED): fetch this column again, whole.
        std::string whole(lengths[i], '\0');
        MYSQL_BIND again{};
        unsigned long length = 0;
        again.buffer_type = MYSQL_TYPE_STRING;
        again.buffer = whole.data();
        again.buffer_length = whole.size();
        again.length = &length;
        if (mysql_stmt_fetch_column(stmt_, &again, i, 0) != 0) return Error("fetch column");
        row[i] = std::move(whole);
      }
    }
    return out;
  }

  uint64_t affected_rows() const { return mysql_stmt_affected_rows(stmt_); }
  uint64_t insert_id() const { return mysql_stmt_insert_id(stmt_); }

 private:
  MYSQL* mysql_;
  MYSQL_STMT* stmt_;
};

}  // namespace

Result<QueryResult> Connection::Query(std::string_view sql, std::span<const Param> params) {
  Statement statement(mysql_.get());
  SF_RETURN_IF_ERROR(statement.Run(sql, params));
  return statement.Fetch();
}

Result<uint64_t> Connection::Exec(std::string_view sql, std::span<const Param> params) {
  Statement statement(mysql_.get());
  SF_RETURN_IF_ERROR(statement.Run(sql, params));
  return statement.affected_rows();
}

uint64_t Connection::affected_rows() const { return mysql_affected_rows(mysql_.get()); }
uint64_t Connection::last_insert_id() const { return mysql_insert_id(mysql_.get()); }
uint64_t Connection::session_id() const { return mysql_thread_id(mysql_.get()); }
std::string Connection::info() const {
  const char* text = mysql_info(mysql_.get());
  return text ? text : "";
}
unsigned Connection::warning_count() const { return mysql_warning_count(mysql_.get()); }

Status Connection::Begin() { return RunOn(mysql_.get(), "START TRANSACTION", "begin"); }
Status Connection::Commit() { return RunOn(mysql_.get(), "COMMIT", "commit"); }
Status Connection::Rollback() { return RunOn(mysql_.get(), "ROLLBACK", "rollback"); }

std::string Connection::Quote(std::string_view text) const {
  std::string out(text.size() * 2 + 3, '\0');
  out[0] = '\'';
  const unsigned long n = mysql_real_escape_string(mysql_.get(), out.data() + 1, text.data(),
                                                   static_cast<unsigned long>(text.size()));
  out.resize(n + 1);
  out.push_back('\'');
  return out;
}

std::string Connection::QuoteIdentifier(std::string_view name) {
  std::string out = "`";
  for (char c : name) {
    out.push_back(c);
    if (c == '`') out.push_back('`');
  }
  out.push_back('`');
  return out;
}

Result<Transaction> Transaction::Start(Connection& connection) {
  SF_RETURN_IF_ERROR(connection.Begin());
  return Transaction(&connection);
}

Transaction::Transaction(Transaction&& other) noexcept
    : connection_(std::exchange(other.connection_, nullptr)) {}

Transaction::~Transaction() {
  if (connection_ != nullptr) (void)connection_->Rollback();
}

Status Transaction::Commit() {
  if (connection_ == nullptr) return Status::FailedPrecondition("transaction already ended");
  Connection* connection = std::exchange(connection_, nullptr);
  Status status = connection->Commit();
  // A failed COMMIT leaves the server's transaction rolled back or the session gone;
  // roll back explicitly so a live session never keeps it open.
  if (!status.ok()) (void)connection->Rollback();
  return status;
}

Status Transaction::Rollback() {
  if (connection_ == nullptr) return Status::FailedPrecondition("transaction already ended");
  return std::exchange(connection_, nullptr)->Rollback();
}

uint64_t InfoNumber(std::string_view info, std::string_view name) {
  const size_t at = info.find(name);
  if (at == std::string_view::npos) return 0;
  std::string_view rest = info.substr(at + name.size());
  while (!rest.empty() && (rest.front() == ':' || rest.front() == ' ')) rest.remove_prefix(1);
  uint64_t value = 0;
  std::from_chars(rest.data(), rest.data() + rest.size(), value);
  return value;
}

}  // namespace salesflow::warehouse
