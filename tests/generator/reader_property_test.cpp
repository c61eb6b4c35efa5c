// The generator and the reader check each other: for any seed, dirty rate, format and
// currency mix, what the reader + validator compute from the generated files equals what
// manifest.json promises, to the cent.
//
// One difference is by design: duplicate_line. The reader keeps no per-order state; the
// loader detects repeated (order_id, line_no) set-based in SQL (src/reader/report_reader.h).
// So the reader passes both copies as good lines, and this test plays the loader's part:
// it drops the second occurrence of a key and counts it as the duplicate_line reject.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "core/date.h"
#include "generator/generator.h"
#include "generator/memory_sink.h"
#include "reader/report_reader.h"
#include "test_util.h"

namespace salesflow::generator {
namespace {

using core::RejectReason;

struct Tally : reader::LineSink {
  struct Currency {
    int64_t revenue_cents = 0;
    int64_t lines = 0;
    int64_t units = 0;
    std::set<std::string> orders;
    std::set<std::string> customers;
  };
  std::map<std::string, Currency> currencies;
  std::set<std::pair<std::string, int32_t>> keys;  // per file
  int64_t duplicates = 0;
  std::vector<std::string> reject_messages;

  Status OnLine(const core::SalesLine& line) override {
    if (!keys.insert({line.order_id, line.line_no}).second) {
      ++duplicates;
      return Status::Ok();
    }
    Currency& c = currencies[line.currency];
    c.revenue_cents += line.revenue.cents;
    ++c.lines;
    c.units += line.quantity;
    c.orders.insert(line.order_id);
    c.customers.insert(line.customer_id);
    return Status::Ok();
  }
  Status OnReject(const core::RejectedRow& reject) override {
    if (reject_messages.size() < 20) {
      reject_messages.push_back(std::string(core::RejectReasonCode(reject.reason)) + " line " +
                                std::to_string(reject.line) + " " + reject.column + ": " +
                                reject.message);
    }
    return Status::Ok();
  }

  std::map<std::string, CurrencyTotals> Totals() const {
    std::map<std::string, CurrencyTotals> out;
    for (const auto& [code, c] : currencies) {
      out[code] = {core::Money{c.revenue_cents}, c.lines, c.units,
                   static_cast<int64_t>(c.orders.size()), static_cast<int64_t>(c.customers.size())};
    }
    return out;
  }
};

struct Case {
  uint64_t seed;
  double dirty;
  FileFormat format;
  bool gzip;
  std::vector<std::string> currencies;
};

TEST(ReaderPropertyTest, ReaderAgreesWithManifest) {
  const std::vector<Case> cases = {
      {1, 0.0, FileFormat::kCsv, false, {"USD"}},
      {2, 0.0, FileFormat::kCsv, true, {"USD", "EUR", "JPY"}},
      {3, 0.02, FileFormat::kCsv, false, {"USD"}},
      {4, 0.2, FileFormat::kCsv, true, {"EUR", "GBP", "KRW"}},
      {5, 0.0, FileFormat::kJsonLines, false, {"USD", "CHF"}},
      {6, 0.15, FileFormat::kJsonLines, true, {"USD", "INR"}},
      {7, 0.5, FileFormat::kCsv, false, {"USD", "XYZ"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE("seed " + std::to_string(c.seed) + " dirty " + std::to_string(c.dirty) +
                 (c.format == FileFormat::kCsv ? " csv" : " jsonl") + (c.gzip ? " gzip" : ""));
    GenerateConfig config;
    config.start_day = *core::ParseIsoDate("2026-11-25");
    config.days = 3;
    config.rows_per_day = 1500;
    config.seed = c.seed;
    config.dirty_rate = c.dirty;
    config.format = c.format;
    config.gzip = c.gzip;
    config.currencies = c.currencies;
    MemorySink sink;
    Result<Manifest> manifest = GenerateReports(config, sink);
    ASSERT_OK(manifest.status());

    Tally all;
    for (const FileManifest& file : manifest->files) {
      SCOPED_TRACE(file.name);
      Tally one;
      all.keys.clear();
      reader::ReaderOptions options;
      options.source_name = file.name;
      for (Tally* tally : {&one, &all}) {
        reader::ReportReader report(options, tally);
        const std::string& bytes = sink.files().at(file.name);
        // Uneven chunks, so records and gzip blocks straddle Feed calls.
        for (size_t at = 0; at < bytes.size(); at += 7919) {
          ASSERT_OK(report.Feed(std::string_view(bytes).substr(at, 7919)));
        }
        ASSERT_OK(report.Finish());
        if (tally != &one) continue;
        const reader::ReaderStats& stats = report.stats();
        EXPECT_EQ(stats.rows_read, file.lines);
        for (size_t r = 0; r < kReasonCount; ++r) {
          if (r == static_cast<size_t>(RejectReason::kDuplicateLine)) continue;
          EXPECT_EQ(stats.rejects_by_reason[r], file.bad_by_reason[r])
              << core::kRejectReasonCodes[r];
        }
        EXPECT_EQ(stats.rejects_by_reason[static_cast<size_t>(RejectReason::kDuplicateLine)], 0);
      }
      EXPECT_EQ(one.duplicates,
                file.bad_by_reason[static_cast<size_t>(RejectReason::kDuplicateLine)]);
      EXPECT_EQ(one.Totals(), file.totals);
      if (::testing::Test::HasFailure()) {
        for (const std::string& m : one.reject_messages) ADD_FAILURE() << m;
        return;
      }
    }
    EXPECT_EQ(all.Totals(), manifest->totals);  // distinct counts across files
  }
}

}  // namespace
}  // namespace salesflow::generator
