// Parse + validate throughput of the report reader (DESIGN.md bar: >= 200 MB/s on one core).
// The input is a realistic 1M-line CSV built in memory by a deterministic builder, so the
// bench depends on nothing but the reader. Run: build/release/bench/reader/reader_bench
#include <benchmark/benchmark.h>
#include <zlib.h>

#include <array>
#include <cstdint>
#include <string>

#include "reader/csv_parser.h"
#include "reader/report_reader.h"

namespace salesflow::reader {
namespace {

constexpr size_t kLines = 1'000'000;
constexpr size_t kChunk = size_t{1} << 20;  // what the ingest path reads from storage

// A small xorshift PRNG: deterministic, no <random> distribution differences.
struct Rng {
  uint64_t s = 0x9E3779B97F4A7C15ULL;
  uint64_t Next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  }
  uint64_t Below(uint64_t n) { return Next() % n; }
};

const std::string& Csv() {
  static const std::string csv = [] {
    static constexpr std::array<const char*, 6> kCategories = {"Kitchen", "Garden",      "Toys",
                                                               "Books",   "Electronics", "Apparel"};
    static constexpr std::array<const char*, 5> kCountries = {"US", "DE", "FR", "GB", "CA"};
    static constexpr std::array<const char*, 4> kRegions = {"North", "South", "East", "West"};
    static constexpr std::array<const char*, 3> kChannels = {"web", "mobile", "marketplace"};
    static constexpr std::array<const char*, 4> kPayments = {"card", "paypal", "invoice",
                                                             "gift_card"};
    Rng rng;
    std::string out =
        "order_id,line_no,order_date,sku,product_name,category,quantity,unit_price,discount,"
        "currency,customer_id,country,region,channel,payment_method\n";
    out.reserve(kLines * 140);
    size_t order = 100000;
    int line_in_order = 0;
    char buf[512];
    for (size_t i = 0; i < kLines; ++i) {
      if (line_in_order == 0 || rng.Below(3) == 0) {
        ++order;
        line_in_order = 0;
      }
      ++line_in_order;
      const uint64_t sku = rng.Below(5000);
      const uint64_t cents = 199 + rng.Below(50000);
      const int qty = rng.Below(20) == 0 ? -1 : static_cast<int>(1 + rng.Below(5));
      const char* discount = rng.Below(4) == 0 ? "0.15" : "0";
      const int len = std::snprintf(
          buf, sizeof(buf),
          "ORD-%08zu,%d,2026-%02d-%02dT%02d:%02d:%02d,SKU-%05llu,\"Product %llu, size M\",%s,%d,"
          "%llu.%02llu,%s,USD,C%07llu,%s,%s,%s,%s\n",
          order, line_in_order, static_cast<int>(1 + (order / 3000) % 12),
          static_cast<int>(1 + order % 28), static_cast<int>(order % 24),
          static_cast<int>(order % 60), static_cast<int>(i % 60),
          static_cast<unsigned long long>(sku), static_cast<unsigned long long>(sku),
          kCategories[sku % kCategories.size()], qty, static_cast<unsigned long long>(cents / 100),
          static_cast<unsigned long long>(cents % 100), discount,
          static_cast<unsigned long long>(rng.Below(200000)),
          kCountries[rng.Below(kCountries.size())], kRegions[rng.Below(kRegions.size())],
          kChannels[rng.Below(kChannels.size())], kPayments[rng.Below(kPayments.size())]);
      out.append(buf, static_cast<size_t>(len));
    }
    return out;
  }();
  return csv;
}

const std::string& Gzipped() {
  static const std::string gz = [] {
    const std::string& csv = Csv();
    z_stream z{};
    deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    std::string out(deflateBound(&z, csv.size()), '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(csv.data()));
    z.avail_in = static_cast<uInt>(csv.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    deflate(&z, Z_FINISH);
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
  }();
  return gz;
}

class CountingSink : public LineSink {
 public:
  Status OnLine(const core::SalesLine& line) override {
    revenue += line.revenue.cents;
    ++lines;
    return Status::Ok();
  }
  Status OnReject(const core::RejectedRow&) override {
    ++rejects;
    return Status::Ok();
  }
  int64_t revenue = 0;
  int64_t lines = 0;
  int64_t rejects = 0;
};

void ReadOnce(benchmark::State& state, const std::string& input) {
  CountingSink sink;
  ReportReader reader({}, &sink);
  for (size_t at = 0; at < input.size(); at += kChunk) {
    if (!reader.Feed(std::string_view(input).substr(at, kChunk)).ok()) {
      state.SkipWithError("feed failed");
      return;
    }
  }
  if (!reader.Finish().ok() || sink.rejects != 0 || sink.lines != static_cast<int64_t>(kLines)) {
    state.SkipWithError("unexpected read result");
    return;
  }
  benchmark::DoNotOptimize(sink.revenue);
}

void SetCounters(benchmark::State& state) {
  const double text_bytes = static_cast<double>(Csv().size());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(Csv().size()));
  state.counters["lines/s"] = benchmark::Counter(static_cast<double>(kLines),
                                                 benchmark::Counter::kIsIterationInvariantRate);
  state.counters["csv_MB"] = text_bytes / 1e6;
}

// Parse + validate, plain CSV. bytes_per_second is over the CSV text.
void BM_ReadCsv(benchmark::State& state) {
  const std::string& csv = Csv();
  for (auto _ : state) ReadOnce(state, csv);
  SetCounters(state);
}
BENCHMARK(BM_ReadCsv)->Unit(benchmark::kMillisecond)->MinTime(2.0);

// Inflate + parse + validate. bytes_per_second is over the inflated CSV text.
void BM_ReadCsvGzip(benchmark::State& state) {
  const std::string& gz = Gzipped();
  for (auto _ : state) ReadOnce(state, gz);
  SetCounters(state);
  state.counters["gz_MB"] = static_cast<double>(gz.size()) / 1e6;
}
BENCHMARK(BM_ReadCsvGzip)->Unit(benchmark::kMillisecond)->MinTime(2.0);

// The CSV state machine alone (records, no mapping or validation), for profiling.
void BM_CsvParserOnly(benchmark::State& state) {
  class Count : public CsvRecordHandler {
   public:
    Status OnRecord(const CsvRecord& r) override {
      fields += r.fields.size();
      return Status::Ok();
    }
    Status OnTooLong(int64_t, std::string_view) override { return Status::Ok(); }
    size_t fields = 0;
  };
  const std::string& csv = Csv();
  for (auto _ : state) {
    Count count;
    CsvParser parser({',', size_t{1} << 20}, &count);
    for (size_t at = 0; at < csv.size(); at += kChunk) {
      benchmark::DoNotOptimize(parser.Feed(std::string_view(csv).substr(at, kChunk)));
    }
    benchmark::DoNotOptimize(parser.Finish());
    benchmark::DoNotOptimize(count.fields);
  }
  SetCounters(state);
}
BENCHMARK(BM_CsvParserOnly)->Unit(benchmark::kMillisecond)->MinTime(2.0);

}  // namespace
}  // namespace salesflow::reader

BENCHMARK_MAIN();
