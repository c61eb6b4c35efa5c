// One report load through salesflow's warehouse path vs a raw LOAD DATA of the same rows
// into a table with sales' schema and indexes, side by side, repeated; prints each run and
// the medians (docs/warehouse.md "Measurements"). Needs SALESFLOW_TEST_DB (run under
// scripts/with-services.sh).
//
// Usage: warehouse_load_bench [rows=1000000] [mode=position] [repeats=3] [profile=0]
//   mode: file     — the file has line_no (the fast path applies as is)
//         position — no line_no; a LineNumberer numbers runs of orders (the runner's way)
//         sql      — no line_no and no LineNumberer: the exact SQL path (ApplyStagedReport
//                    falls back), i.e. the loader before the fast path
//         lastdup  — file mode whose last line repeats the first line's key: the fast path
//                    inserts everything, is declined at the end, rolls back, falls back
//   profile=1: the server's slow log (long_query_time 0) lists each statement's time for
//              the last repetition.
// Each repetition uses a fresh database: (a) raw LOAD DATA, (b) salesflow = staging load +
// ApplyStagedReport + commit of report 1, (c) salesflow replacing report 1 with the same
// rows (a corrected report: old rows removed, summaries of the same days).
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/date.h"
#include "warehouse/line_numberer.h"
#include "warehouse/migrations.h"
#include "warehouse/report_load.h"

using namespace salesflow;
using namespace salesflow::warehouse;

namespace {

enum class Mode { kFile, kPosition, kSql, kLastDuplicate };

// Generates rows on the fly in 1 MiB chunks: memory stays bounded, as in the real loader.
// Orders of 3 lines, contiguous, 10 days, 5000 skus, 200000 customers.
class GeneratedSource : public ChunkSource {
 public:
  GeneratedSource(int64_t rows, Mode mode) : rows_(rows), mode_(mode) {
    line_.currency = "USD";
    line_.category = "Books";
    line_.country = "DE";
    line_.region = "Europe";
    line_.channel = "web";
    line_.payment_method = "card";
  }
  Result<std::string_view> Next() override {
    buffer_.clear();
    while (next_ < rows_ && buffer_.size() < (1u << 20)) {
      const int64_t i = next_++;
      line_.source_line = i + 2;
      line_.order_id = fmt::format("ORD-{:09}", i / 3);
      line_.line_no = mode_ == Mode::kFile || mode_ == Mode::kLastDuplicate
                          ? static_cast<int32_t>(i % 3 + 1)
                          : 0;
      if (mode_ == Mode::kLastDuplicate && i + 1 == rows_) {
        line_.order_id = "ORD-000000000";  // repeats the first line's key: the worst fallback
        line_.line_no = 1;
      }
      line_.order_date = core::DaysFromCivil({2026, 1, 1}) + static_cast<int32_t>(i * 10 / rows_);
      line_.order_seconds = static_cast<int32_t>(i % 86400);
      line_.sku = fmt::format("SKU-{:05}", (i * 7919) % 5000);
      line_.product_name = "Product " + line_.sku;
      line_.customer_id = fmt::format("CUST-{:07}", (i * 104729) % 200000);
      line_.quantity = i % 5 + 1;
      line_.unit_price = 12345 + i % 1000;
      line_.discount = static_cast<int32_t>(i % 3 == 0 ? 1000 : 0);
      line_.revenue = core::LineRevenue(line_.quantity, line_.unit_price, line_.discount);
      if (mode_ == Mode::kPosition) {
        AppendLoadDataRow(line_, numberer_.Next(line_), &buffer_);
      } else {
        AppendLoadDataRow(line_, &buffer_);
      }
    }
    return std::string_view(buffer_);
  }

 private:
  int64_t rows_;
  Mode mode_;
  int64_t next_ = 0;
  core::SalesLine line_;
  LineNumberer numberer_;
  std::string buffer_;
};

using Clock = std::chrono::steady_clock;
double Seconds(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

[[noreturn]] void Fail(const Status& status) {
  std::fprintf(stderr, "bench: %s\n", status.ToString().c_str());
  std::exit(1);
}
void Check(const Status& status) {
  if (!status.ok()) Fail(status);
}

struct SalesflowTimes {
  double stage = 0;
  double apply = 0;
  double commit = 0;
  double total() const { return stage + apply + commit; }
  StagedReportCounts counts;
};

SalesflowTimes LoadReport(Connection& conn, int64_t rows, Mode mode, uint64_t job_id) {
  SalesflowTimes t;
  auto start = Clock::now();
  auto tx = Transaction::Start(conn);
  Check(tx.status());
  auto staging = StagingTable::Create(conn, job_id);
  Check(staging.status());
  GeneratedSource source(rows, mode);
  Check(staging->Load(source).status());
  t.stage = Seconds(start);
  start = Clock::now();
  auto counts = ApplyStagedReport(conn, *staging, 1, job_id);
  Check(counts.status());
  t.counts = *counts;
  t.apply = Seconds(start);
  start = Clock::now();
  Check(tx->Commit());
  t.commit = Seconds(start);
  return t;
}

double RawLoad(Connection& conn, int64_t rows) {
  Check(conn.Execute("CREATE TABLE raw_sales LIKE sales"));
  Check(
      conn.Execute("ALTER TABLE raw_sales MODIFY order_key INT UNSIGNED NOT NULL DEFAULT 0, "
                   "MODIFY report_id BIGINT UNSIGNED NOT NULL DEFAULT 0, "
                   "MODIFY job_id BIGINT UNSIGNED NOT NULL DEFAULT 0"));
  const auto start = Clock::now();
  auto tx = Transaction::Start(conn);
  Check(tx.status());
  GeneratedSource source(rows, Mode::kFile);
  Check(LoadData(conn, "raw_sales", SalesLineColumns(), source).status());
  Check(tx->Commit());
  const double seconds = Seconds(start);
  Check(conn.Execute("DROP TABLE raw_sales"));
  return seconds;
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

Mode ParseMode(std::string_view name) {
  if (name == "file") return Mode::kFile;
  if (name == "sql") return Mode::kSql;
  if (name == "position") return Mode::kPosition;
  if (name == "lastdup") return Mode::kLastDuplicate;
  Fail(Status::InvalidArgument("mode must be file, position, sql or lastdup"));
}

void PrintProfile(Connection& conn) {
  auto rows = conn.Query(
      "SELECT TIME_TO_SEC(query_time) + MICROSECOND(query_time) / 1e6 AS s, "
      "LEFT(REPLACE(CONVERT(sql_text USING utf8mb4), '\\n', ' '), 150) FROM mysql.slow_log "
      "ORDER BY start_time");
  Check(rows.status());
  std::printf("profile: %zu statements logged\n", rows->rows.size());
  for (size_t i = 0; i < rows->rows.size(); ++i) {
    if (std::atof(rows->Text(i, 0).c_str()) < 0.05) continue;
    std::printf("  %8s s  %s\n", rows->Text(i, 0).c_str(), rows->Text(i, 1).c_str());
  }
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t rows = argc > 1 ? std::atoll(argv[1]) : 1'000'000;
  const Mode mode = ParseMode(argc > 2 ? argv[2] : "position");
  const int repeats = argc > 3 ? std::max(1, std::atoi(argv[3])) : 3;
  const bool profile = argc > 4 && std::atoi(argv[4]) != 0;
  const char* url = std::getenv("SALESFLOW_TEST_DB");
  if (url == nullptr) Fail(Status::InvalidArgument("SALESFLOW_TEST_DB is not set"));
  auto config = ParseDbUrl(url);
  Check(config.status());
  config->database = "warehouse_bench";
  auto conn = Connection::Open(*config);
  Check(conn.status());

  std::vector<double> raw_times, load_times, replace_times;
  for (int r = 0; r < repeats; ++r) {
    Check(conn->Execute("DROP DATABASE IF EXISTS warehouse_bench"));
    Check(conn->Execute("CREATE DATABASE warehouse_bench"));
    Check(conn->Execute("USE warehouse_bench"));
    Check(Migrate(*conn).status());
    const bool last = r + 1 == repeats;
    if (profile && last) {
      Check(conn->Execute("SET GLOBAL log_output = 'TABLE'"));
      Check(conn->Execute("SET GLOBAL long_query_time = 0"));
      Check(conn->Execute("SET SESSION long_query_time = 0"));
      Check(conn->Execute("TRUNCATE mysql.slow_log"));
      Check(conn->Execute("SET GLOBAL slow_query_log = 1"));
      Check(conn->Execute("SET SESSION slow_query_log = 1"));
    }
    const double raw = RawLoad(*conn, rows);
    const SalesflowTimes load = LoadReport(*conn, rows, mode, 1);
    const SalesflowTimes replace = LoadReport(*conn, rows, mode, 2);
    if (profile && last) Check(conn->Execute("SET GLOBAL slow_query_log = 0"));
    raw_times.push_back(raw);
    load_times.push_back(load.total());
    replace_times.push_back(replace.total());
    std::printf(
        "run %d: raw %.2f s | load %.2f s (stage %.2f + apply %.2f + commit %.2f; %llu new, "
        "%llu numbered, %llu days) = %.2fx | replace %.2f s (stage %.2f + apply %.2f; %llu "
        "removed) = %.2fx\n",
        r + 1, raw, load.total(), load.stage, load.apply, load.commit,
        static_cast<unsigned long long>(load.counts.upsert.inserted),
        static_cast<unsigned long long>(load.counts.numbered),
        static_cast<unsigned long long>(load.counts.dates_refreshed), load.total() / raw,
        replace.total(), replace.stage, replace.apply,
        static_cast<unsigned long long>(replace.counts.removed_previous), replace.total() / raw);
    std::fflush(stdout);
  }
  const double raw = Median(raw_times);
  std::printf(
      "median of %d (%lld rows, mode %s): raw %.2f s, load %.2f s = %.2fx, "
      "replace %.2f s = %.2fx\n",
      repeats, static_cast<long long>(rows), argc > 2 ? argv[2] : "position", raw,
      Median(load_times), Median(load_times) / raw, Median(replace_times),
      Median(replace_times) / raw);
  if (profile) PrintProfile(*conn);
  Check(conn->Execute("DROP DATABASE warehouse_bench"));
  return 0;
}
