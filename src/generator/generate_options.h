// `salesflow generate` options: the raw values as the CLI takes them, and the validated
// configuration the generator runs on.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace salesflow::generator {

// As typed on the command line. Defaults give a deterministic run: the same options always
// produce byte-identical files (the default start date is fixed, not "today").
struct GenerateOptions {
  std::string out_dir;                    // --out; may be empty only with --upload
  int64_t days = 0;                       // --days, >= 1
  int64_t rows_per_day = 0;               // --rows-per-day: mean data records per file, >= 1
  std::string start_date = "2026-10-01";  // --start-date, YYYY-MM-DD
  uint64_t seed = 42;                     // --seed
  double dirty_rate = 0.0;                // --dirty-rate: share of bad records, 0..1
  bool gzip = false;                      // --gzip: write .csv.gz / .jsonl.gz
  bool upload = false;                    // --upload: also put files into SALESFLOW_STORAGE
  std::string upload_prefix;              // --prefix: key prefix in the store ("" = root)
  std::string currencies = "USD";         // --currencies USD,EUR,...: the first is the most common
  std::string format = "csv";             // --format csv|jsonl
};

enum class FileFormat { kCsv, kJsonLines };

// Limits that keep every count and total comfortably inside int64.
inline constexpr int64_t kMaxDays = 36'600;                // a century
inline constexpr int64_t kMaxTotalLines = 10'000'000'000;  // days x rows_per_day
inline constexpr size_t kMaxCurrencies = 16;

struct GenerateConfig {
  int32_t start_day = 0;  // days since 1970-01-01
  int32_t days = 0;
  int64_t rows_per_day = 0;
  uint64_t seed = 0;
  double dirty_rate = 0.0;
  bool gzip = false;
  FileFormat format = FileFormat::kCsv;
  std::vector<std::string> currencies;  // distinct, 3 upper-case ASCII letters each
};

// Validates everything but the output destination. InvalidArgument naming the option
// ("--days must be at least 1, got 0") otherwise.
Result<GenerateConfig> MakeGenerateConfig(const GenerateOptions& options);

// "2026-10-01.csv", "2026-10-01.jsonl.gz".
std::string ReportFileName(int32_t day, const GenerateConfig& config);

}  // namespace salesflow::generator
