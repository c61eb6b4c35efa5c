// Generator throughput (DESIGN.md bar: >= 1M lines/s on one core), plain and gzip, CSV and
// JSON Lines, into a sink that only counts bytes: this measures generating and encoding,
// not the disk. Run a Release build: build/release/bench/generator/generator_bench
#include <benchmark/benchmark.h>

#include "core/date.h"
#include "generator/generator.h"
#include "generator/memory_sink.h"

namespace salesflow::generator {
namespace {

void BM_Generate(benchmark::State& state, FileFormat format, bool gzip) {
  GenerateConfig config;
  config.start_day = *core::ParseIsoDate("2026-10-01");
  config.days = 1;
  config.rows_per_day = 1'000'000;
  config.seed = 42;
  config.dirty_rate = 0.01;
  config.format = format;
  config.gzip = gzip;
  config.currencies = {"USD", "EUR"};
  int64_t bytes = 0;
  for (auto _ : state) {
    MemorySink sink(/*keep_bytes=*/false);
    Result<Manifest> manifest = GenerateReports(config, sink);
    if (!manifest.ok()) {
      state.SkipWithError(manifest.status().ToString().c_str());
      return;
    }
    bytes += sink.bytes();
  }
  const auto lines =
      static_cast<double>(config.rows_per_day) * static_cast<double>(state.iterations());
  state.counters["lines/s"] = benchmark::Counter(lines, benchmark::Counter::kIsRate);
  state.SetBytesProcessed(bytes);
}

BENCHMARK_CAPTURE(BM_Generate, csv, FileFormat::kCsv, false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Generate, csv_gzip, FileFormat::kCsv, true)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Generate, jsonl, FileFormat::kJsonLines, false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_Generate, jsonl_gzip, FileFormat::kJsonLines, true)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace salesflow::generator

BENCHMARK_MAIN();
