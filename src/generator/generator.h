// The sample-data generator behind `salesflow generate`: one report per day plus
// manifest.json with the exact totals of every file's good rows.
//
//   SF_ASSIGN_OR_RETURN(GenerateConfig config, MakeGenerateConfig(options));
//   SF_ASSIGN_OR_RETURN(auto sink, OpenLocalDirectorySink("/tmp/out"));
//   SF_ASSIGN_OR_RETURN(Manifest manifest, GenerateReports(config, *sink));
//
// Deterministic: the same config gives byte-identical files and manifest on every run and
// platform (own PRNG, integer money, no clock, no locale). Single-threaded; distinct calls
// are independent. The data model and distributions are in docs/generator.md.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "generator/generate_options.h"
#include "generator/manifest.h"
#include "generator/report_sink.h"

namespace salesflow::generator {

inline constexpr char kManifestName[] = "manifest.json";

// Header of every report, in order: the canonical column names (DESIGN.md).
const std::vector<std::string>& ReportColumns();

// Data records of each day's file, in date order. Sums to days x rows_per_day exactly.
std::vector<int64_t> DailyLineCounts(const GenerateConfig& config);

// Writes every day's report and then manifest.json through `sink`, and returns the
// manifest. On error the open file is aborted; files committed before it stay.
Result<Manifest> GenerateReports(const GenerateConfig& config, ReportSink& sink);

}  // namespace salesflow::generator
