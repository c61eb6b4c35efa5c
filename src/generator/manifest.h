// manifest.json: what the generator wrote, so tests and demos can check a pipeline's
// numbers against exact expectations. Format and example in docs/generator.md.
//
// Totals cover GOOD rows only (what a correct pipeline loads), per currency: revenue is the
// sum of per-line core::LineRevenue; orders and customers are exact distinct counts (the
// grand totals count across files, they are not sums of the per-file counts).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/money.h"
#include "core/sales_line.h"
#include "core/status.h"

namespace salesflow::generator {

inline constexpr size_t kReasonCount = static_cast<size_t>(core::RejectReason::kCount_);

struct CurrencyTotals {
  core::Money revenue;
  int64_t lines = 0;
  int64_t units = 0;  // sum of quantity (returns subtract)
  int64_t orders = 0;
  int64_t customers = 0;
  friend bool operator==(const CurrencyTotals&, const CurrencyTotals&) = default;
};

struct FileManifest {
  std::string name;   // "2026-10-01.csv.gz"
  std::string date;   // "2026-10-01"
  int64_t lines = 0;  // data records (header excluded), good + bad
  int64_t bad_lines = 0;
  std::array<int64_t, kReasonCount> bad_by_reason{};  // indexed by core::RejectReason
  std::map<std::string, CurrencyTotals> totals;       // currency -> good-row totals
  int64_t bytes = 0;  // size of the file as written (compressed when gzip)
};

struct Manifest {
  // The run, echoed so a manifest says how to reproduce it.
  uint64_t seed = 0;
  std::string start_date;
  int64_t days = 0;
  int64_t rows_per_day = 0;
  double dirty_rate = 0.0;
  std::string format;  // "csv" | "jsonl"
  bool gzip = false;
  std::vector<std::string> currencies;
  std::vector<std::string> columns;  // header of every file, in order

  std::vector<FileManifest> files;
  // Grand totals over all files.
  int64_t lines = 0;
  int64_t bad_lines = 0;
  std::array<int64_t, kReasonCount> bad_by_reason{};
  std::map<std::string, CurrencyTotals> totals;

  // Pretty-printed JSON, deterministic (fixed key order), ending in a newline.
  std::string ToJson() const;
};

// Parses manifest.json (for tests and tools that check a pipeline against it).
Result<Manifest> ParseManifest(std::string_view json);

}  // namespace salesflow::generator
