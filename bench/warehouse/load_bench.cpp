// Staging + set-based apply vs a raw LOAD DATA of the same rows into a table with sales'
// schema and indexes (docs/warehouse.md "Measurements"). Needs SALESFLOW_TEST_DB (run under
// scripts/with-services.sh). Usage: warehouse_load_bench [rows=1000000] [line_no=1|0]
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/date.h"
#include "warehouse/migrations.h"
#include "warehouse/report_load.h"

using namespace salesflow;
using namespace salesflow::warehouse;

namespace {

// Generates rows on the fly in 1 MiB chunks: memory stays bounded, as in the real loader.
class GeneratedSource : public ChunkSource {
 public:
  GeneratedSource(int64_t rows, bool with_line_no) : rows_(rows), with_line_no_(with_line_no) {
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
      line_.line_no = with_line_no_ ? static_cast<int32_t>(i % 3 + 1) : 0;
      line_.order_date = core::DaysFromCivil({2026, 1, 1}) + static_cast<int32_t>(i * 10 / rows_);
      line_.order_seconds = static_cast<int32_t>(i % 86400);
      line_.sku = fmt::format("SKU-{:05}", (i * 7919) % 5000);
      line_.product_name = "Product " + line_.sku;
      line_.customer_id = fmt::format("CUST-{:07}", (i * 104729) % 200000);
      line_.quantity = i % 5 + 1;
      line_.unit_price = 12345 + i % 1000;
      line_.discount = static_cast<int32_t>(i % 3 == 0 ? 1000 : 0);
      line_.revenue = core::LineRevenue(line_.quantity, line_.unit_price, line_.discount);
      AppendLoadDataRow(line_, &buffer_);
    }
    return std::string_view(buffer_);
  }

 private:
  int64_t rows_;
  bool with_line_no_;
  int64_t next_ = 0;
  core::SalesLine line_;
  std::string buffer_;
};

double Seconds(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

int Fail(const Status& status) {
  std::fprintf(stderr, "bench: %s\n", status.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t rows = argc > 1 ? std::atoll(argv[1]) : 1'000'000;
  const bool with_line_no = argc > 2 ? std::atoi(argv[2]) != 0 : true;
  const char* url = std::getenv("SALESFLOW_TEST_DB");
  if (url == nullptr) return Fail(Status::InvalidArgument("SALESFLOW_TEST_DB is not set"));
  auto config = ParseDbUrl(url);
  if (!config.ok()) return Fail(config.status());
  config->database = "warehouse_bench";
  auto conn = Connection::Open(*config);
  if (!conn.ok()) return Fail(conn.status());
  if (Status s = conn->Execute("DROP DATABASE IF EXISTS warehouse_bench"); !s.ok()) return Fail(s);
  if (Status s = conn->Execute("CREATE DATABASE warehouse_bench"); !s.ok()) return Fail(s);
  if (Status s = conn->Execute("USE warehouse_bench"); !s.ok()) return Fail(s);
  if (auto m = Migrate(*conn); !m.ok()) return Fail(m.status());

  // (a) raw: LOAD DATA into a copy of sales (same schema and indexes), lineage defaulted.
  (void)conn->Execute("CREATE TABLE raw_sales LIKE sales");
  (void)conn->Execute(
      "ALTER TABLE raw_sales MODIFY order_key INT UNSIGNED NOT NULL DEFAULT 0, "
      "MODIFY report_id BIGINT UNSIGNED NOT NULL DEFAULT 0, "
      "MODIFY job_id BIGINT UNSIGNED NOT NULL DEFAULT 0");
  auto start = std::chrono::steady_clock::now();
  {
    auto tx = Transaction::Start(*conn);
    GeneratedSource source(rows, true);
    auto stats = LoadData(*conn, "raw_sales", SalesLineColumns(), source);
    if (!stats.ok()) return Fail(stats.status());
    if (Status s = tx->Commit(); !s.ok()) return Fail(s);
  }
  const double raw = Seconds(start);
  std::printf("raw LOAD DATA into sales-like table: %.2f s (%lld rows)\n", raw,
              static_cast<long long>(rows));

  // (b) salesflow: staging + set-based apply, one transaction, timed per step.
  start = std::chrono::steady_clock::now();
  auto tx = Transaction::Start(*conn);
  auto staging = StagingTable::Create(*conn, 1);
  if (!staging.ok()) return Fail(staging.status());
  GeneratedSource source(rows, with_line_no);
  auto loaded = staging->Load(source);
  if (!loaded.ok()) return Fail(loaded.status());
  const double t_stage = Seconds(start);
  auto step = std::chrono::steady_clock::now();
  auto numbered = AssignLineNumbers(*conn, *staging);
  if (!numbered.ok()) return Fail(numbered.status());
  const double t_number = Seconds(step);
  step = std::chrono::steady_clock::now();
  auto dups = RejectDuplicateLines(*conn, *staging, 1, 1);
  if (!dups.ok()) return Fail(dups.status());
  const double t_dups = Seconds(step);
  step = std::chrono::steady_clock::now();
  auto removed = RemoveReportRows(*conn, 1);
  if (!removed.ok()) return Fail(removed.status());
  auto upsert = UpsertSales(*conn, *staging, 1, 1);
  if (!upsert.ok()) return Fail(upsert.status());
  const double t_upsert = Seconds(step);
  step = std::chrono::steady_clock::now();
  auto refreshed = RefreshSummaries(*conn);
  if (!refreshed.ok()) return Fail(refreshed.status());
  const double t_refresh = Seconds(step);
  step = std::chrono::steady_clock::now();
  if (Status s = tx->Commit(); !s.ok()) return Fail(s);
  const double t_commit = Seconds(step);
  const double total = Seconds(start);
  std::printf(
      "salesflow staged load: %.2f s = stage %.2f + number %.2f (%llu) + duplicates %.2f + "
      "upsert %.2f (%llu new) + summaries %.2f (%llu days) + commit %.2f\n",
      total, t_stage, t_number, static_cast<unsigned long long>(*numbered), t_dups, t_upsert,
      static_cast<unsigned long long>(upsert->inserted), t_refresh,
      static_cast<unsigned long long>(*refreshed), t_commit);
  std::printf("ratio: %.2fx the raw load\n", total / raw);
  (void)conn->Execute("DROP DATABASE warehouse_bench");
  return 0;
}
