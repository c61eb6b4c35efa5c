#include "generator/generate_options.h"

#include <algorithm>

#include "core/date.h"

namespace salesflow::generator {
namespace {

bool IsCurrencyCode(std::string_view code) {
  return code.size() == 3 &&
         std::all_of(code.begin(), code.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

Result<std::vector<std::string>> ParseCurrencies(std::string_view list) {
  std::vector<std::string> out;
  while (true) {
    const size_t comma = list.find(',');
    std::string code(list.substr(0, comma));
    std::transform(code.begin(), code.end(), code.begin(), [](char c) {
      return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
    });
    if (!IsCurrencyCode(code)) {
      return Status::InvalidArgument("--currencies: '" + code +
                                     "' is not a 3-letter ISO 4217 code (e.g. USD,EUR,GBP)");
    }
    if (std::find(out.begin(), out.end(), code) != out.end()) {
      return Status::InvalidArgument("--currencies: " + code + " is listed twice");
    }
    out.push_back(std::move(code));
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  if (out.size() > kMaxCurrencies) {
    return Status::InvalidArgument("--currencies: at most " + std::to_string(kMaxCurrencies) +
                                   " currencies");
  }
  return out;
}

}  // namespace

Result<GenerateConfig> MakeGenerateConfig(const GenerateOptions& options) {
  GenerateConfig config;
  if (options.days < 1 || options.days > kMaxDays) {
    return Status::InvalidArgument("--days must be between 1 and " + std::to_string(kMaxDays) +
                                   ", got " + std::to_string(options.days));
  }
  if (options.rows_per_day < 1 || options.rows_per_day > kMaxTotalLines / options.days) {
    return Status::InvalidArgument(
        "--rows-per-day must be at least 1 and days x rows-per-day at most " +
        std::to_string(kMaxTotalLines) + ", got " + std::to_string(options.rows_per_day));
  }
  if (!(options.dirty_rate >= 0.0 && options.dirty_rate <= 1.0)) {  // also rejects NaN
    return Status::InvalidArgument("--dirty-rate must be between 0 and 1, got " +
                                   std::to_string(options.dirty_rate));
  }
  const std::optional<int32_t> start = core::ParseIsoDate(options.start_date);
  if (!start) {
    return Status::InvalidArgument("--start-date must be a date like 2026-10-01, got '" +
                                   options.start_date + "'");
  }
  const int32_t last_day = *start + static_cast<int32_t>(options.days) - 1;
  if (core::CivilFromDays(last_day).year > 9999) {
    return Status::InvalidArgument("--start-date plus --days runs past the year 9999");
  }
  if (options.format == "csv") {
    config.format = FileFormat::kCsv;
  } else if (options.format == "jsonl") {
    config.format = FileFormat::kJsonLines;
  } else {
    return Status::InvalidArgument("--format must be csv or jsonl, got '" + options.format + "'");
  }
  SF_ASSIGN_OR_RETURN(config.currencies, ParseCurrencies(options.currencies));
  config.start_day = *start;
  config.days = static_cast<int32_t>(options.days);
  config.rows_per_day = options.rows_per_day;
  config.seed = options.seed;
  config.dirty_rate = options.dirty_rate;
  config.gzip = options.gzip;
  return config;
}

std::string ReportFileName(int32_t day, const GenerateConfig& config) {
  std::string name = core::FormatDate(day);
  name += config.format == FileFormat::kCsv ? ".csv" : ".jsonl";
  if (config.gzip) name += ".gz";
  return name;
}

}  // namespace salesflow::generator
