#include "generator/generator.h"

#include <gtest/gtest.h>

#include <numeric>
#include <set>
#include <string>

#include "core/date.h"
#include "generator/memory_sink.h"
#include "report_check.h"
#include "test_util.h"

namespace salesflow::generator {
namespace {

using testing::Gunzip;
using testing::Recount;
using testing::RecountFile;

GenerateConfig Config(uint64_t seed, int32_t days, int64_t rows, double dirty = 0.0,
                      FileFormat format = FileFormat::kCsv, bool gzip = false,
                      std::vector<std::string> currencies = {"USD"}) {
  GenerateConfig config;
  config.start_day = *core::ParseIsoDate("2026-11-20");  // spans Black Friday
  config.days = days;
  config.rows_per_day = rows;
  config.seed = seed;
  config.dirty_rate = dirty;
  config.format = format;
  config.gzip = gzip;
  config.currencies = std::move(currencies);
  return config;
}

struct Run {
  MemorySink sink;
  Manifest manifest;
};

std::unique_ptr<Run> Generate(const GenerateConfig& config) {
  auto run = std::make_unique<Run>();
  Result<Manifest> manifest = GenerateReports(config, run->sink);
  EXPECT_TRUE(manifest.ok()) << manifest.status().ToString();
  if (manifest.ok()) run->manifest = *std::move(manifest);
  return run;
}

std::string Plain(const Run& run, const FileManifest& file) {
  const std::string& bytes = run.sink.files().at(file.name);
  return run.manifest.gzip ? Gunzip(bytes) : bytes;
}

TEST(GeneratorTest, SameSeedSameBytes) {
  for (FileFormat format : {FileFormat::kCsv, FileFormat::kJsonLines}) {
    const auto config = Config(7, 3, 500, 0.05, format, false, {"USD", "EUR"});
    const auto a = Generate(config);
    const auto b = Generate(config);
    EXPECT_EQ(a->sink.files(), b->sink.files());
    EXPECT_EQ(a->sink.files().size(), 4u);  // 3 days + manifest.json
  }
}

TEST(GeneratorTest, DifferentSeedDifferentBytes) {
  const auto a = Generate(Config(1, 2, 300));
  const auto b = Generate(Config(2, 2, 300));
  for (const auto& [name, bytes] : a->sink.files()) {
    EXPECT_NE(bytes, b->sink.files().at(name)) << name;
  }
}

TEST(GeneratorTest, FilesNamedByDateWithCanonicalHeader) {
  const auto run = Generate(Config(3, 3, 50));
  std::vector<std::string> names;
  for (const auto& [name, bytes] : run->sink.files()) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"2026-11-20.csv", "2026-11-21.csv", "2026-11-22.csv",
                                             "manifest.json"}));
  const std::string& first = run->sink.files().at("2026-11-20.csv");
  EXPECT_EQ(first.substr(0, first.find('\n')),
            "order_id,line_no,order_date,customer_id,sku,product_name,category,quantity,"
            "unit_price,discount,currency,country,region,channel,payment_method");
  const auto gz = Generate(Config(3, 1, 50, 0, FileFormat::kJsonLines, true));
  EXPECT_EQ(gz->sink.files().begin()->first, "2026-11-20.jsonl.gz");
}

TEST(GeneratorTest, DailyCountsAreExactDeterministicAndVary) {
  const auto config = Config(11, 60, 1000);
  const std::vector<int64_t> counts = DailyLineCounts(config);
  ASSERT_EQ(counts.size(), 60u);
  EXPECT_EQ(std::accumulate(counts.begin(), counts.end(), int64_t{0}), 60 * 1000);
  EXPECT_EQ(counts, DailyLineCounts(config));
  // Black Friday 2026 is 2026-11-27 (day 7): the busiest day of the run.
  EXPECT_EQ(std::max_element(counts.begin(), counts.end()) - counts.begin(), 7);
  EXPECT_GT(counts[7], 2000);
  // A single day gets exactly rows_per_day.
  EXPECT_EQ(DailyLineCounts(Config(11, 1, 1234)), std::vector<int64_t>{1234});
}

TEST(GeneratorTest, ManifestCountsMatchDailyCounts) {
  const auto config = Config(5, 10, 200, 0.1);
  const auto run = Generate(config);
  const std::vector<int64_t> counts = DailyLineCounts(config);
  ASSERT_EQ(run->manifest.files.size(), counts.size());
  for (size_t i = 0; i < counts.size(); ++i) {
    EXPECT_EQ(run->manifest.files[i].lines, counts[i]);
    Recount recount;
    RecountFile(Plain(*run, run->manifest.files[i]), false, &recount);
    EXPECT_EQ(recount.lines, counts[i]) << run->manifest.files[i].name;
  }
  EXPECT_EQ(run->manifest.lines, 2000);
}

// The property: for any seed, dirty rate, format and currency mix, manifest.json says
// exactly what an independent parse of the files finds.
TEST(GeneratorTest, ManifestTotalsEqualIndependentRecount) {
  struct Case {
    uint64_t seed;
    double dirty;
    FileFormat format;
    bool gzip;
    std::vector<std::string> currencies;
  };
  const std::vector<Case> cases = {
      {1, 0.0, FileFormat::kCsv, false, {"USD"}},
      {2, 0.02, FileFormat::kCsv, true, {"USD", "EUR", "GBP"}},
      {3, 0.3, FileFormat::kCsv, false, {"EUR", "JPY"}},
      {4, 1.0, FileFormat::kCsv, false, {"USD"}},
      {5, 0.0, FileFormat::kJsonLines, false, {"USD", "JPY"}},
      {6, 0.1, FileFormat::kJsonLines, true, {"CHF", "XYZ"}},
      {7, 0.25, FileFormat::kCsv, false, {"USD", "EUR", "GBP", "JPY", "KRW", "INR"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE("seed " + std::to_string(c.seed) + " dirty " + std::to_string(c.dirty));
    const auto run = Generate(Config(c.seed, 4, 700, c.dirty, c.format, c.gzip, c.currencies));
    const bool jsonl = c.format == FileFormat::kJsonLines;
    Recount all;
    for (const FileManifest& file : run->manifest.files) {
      SCOPED_TRACE(file.name);
      Recount one;
      const std::string text = Plain(*run, file);
      RecountFile(text, jsonl, &one);
      RecountFile(text, jsonl, &all);
      EXPECT_EQ(one.lines, file.lines);
      EXPECT_EQ(one.bad_lines(), file.bad_lines);
      EXPECT_EQ(one.bad_by_reason, file.bad_by_reason);
      EXPECT_EQ(one.Totals(), file.totals);
      EXPECT_EQ(static_cast<int64_t>(run->sink.files().at(file.name).size()), file.bytes);
    }
    EXPECT_EQ(all.lines, run->manifest.lines);
    EXPECT_EQ(all.bad_by_reason, run->manifest.bad_by_reason);
    EXPECT_EQ(all.Totals(), run->manifest.totals);  // distinct counts across files
    if (c.dirty == 0.0) {
      EXPECT_EQ(run->manifest.bad_lines, 0);
      EXPECT_EQ(run->manifest.totals.size(), c.currencies.size());
    }
    if (c.dirty == 1.0) {
      EXPECT_TRUE(run->manifest.totals.empty());
    }
  }
}

TEST(GeneratorTest, EveryReasonIsInjected) {
  using core::RejectReason;
  for (FileFormat format : {FileFormat::kCsv, FileFormat::kJsonLines}) {
    const auto run = Generate(Config(9, 2, 1000, 0.1, format));
    const auto& bad = run->manifest.bad_by_reason;
    const std::vector<RejectReason> expected = {
        RejectReason::kMissingValue,
        RejectReason::kBadNumber,
        RejectReason::kZeroQuantity,
        RejectReason::kNegativePrice,
        RejectReason::kBadDiscount,
        RejectReason::kBadDate,
        RejectReason::kBadCurrency,
        RejectReason::kTooLong,
        RejectReason::kDuplicateLine,
        format == FileFormat::kCsv ? RejectReason::kFieldCount : RejectReason::kBadJson};
    for (RejectReason reason : expected) {
      EXPECT_GE(bad[static_cast<size_t>(reason)], 5) << core::RejectReasonCode(reason);
    }
    // About 10% bad: 200 expected of 2000.
    EXPECT_GT(run->manifest.bad_lines, 140);
    EXPECT_LT(run->manifest.bad_lines, 260);
  }
}

TEST(GeneratorTest, GzipInflatesToThePlainBytes) {
  for (FileFormat format : {FileFormat::kCsv, FileFormat::kJsonLines}) {
    const auto plain = Generate(Config(21, 2, 3000, 0.05, format, false));
    const auto gzip = Generate(Config(21, 2, 3000, 0.05, format, true));
    ASSERT_EQ(plain->manifest.files.size(), gzip->manifest.files.size());
    for (size_t i = 0; i < plain->manifest.files.size(); ++i) {
      const std::string& compressed = gzip->sink.files().at(gzip->manifest.files[i].name);
      EXPECT_LT(compressed.size() * 2,
                plain->sink.files().at(plain->manifest.files[i].name).size());
      EXPECT_EQ(Gunzip(compressed), plain->sink.files().at(plain->manifest.files[i].name));
      EXPECT_EQ(gzip->manifest.files[i].totals, plain->manifest.files[i].totals);
    }
  }
}

TEST(GeneratorTest, LargeFileCrossesBufferFlushes) {
  // Several MiB per file: records straddle the encoder's 1 MiB flushes, plain and gzip.
  const auto plain = Generate(Config(31, 1, 60'000, 0.01));
  const auto gzip = Generate(Config(31, 1, 60'000, 0.01, FileFormat::kCsv, true));
  const std::string& bytes = plain->sink.files().at("2026-11-20.csv");
  EXPECT_GT(bytes.size(), size_t{5} << 20);
  EXPECT_EQ(Gunzip(gzip->sink.files().at("2026-11-20.csv.gz")), bytes);
  Recount recount;
  RecountFile(bytes, false, &recount);
  EXPECT_EQ(recount.Totals(), plain->manifest.files[0].totals);
}

TEST(GeneratorTest, HostileButValidTextIsPresentAndRoundTrips) {
  const auto run = Generate(Config(13, 3, 3000));
  std::set<std::string> names;
  for (const FileManifest& file : run->manifest.files) {
    const auto records = testing::ParseCsv(Plain(*run, file));
    for (size_t r = 1; r < records.size(); ++r) names.insert(records[r][5]);
  }
  EXPECT_TRUE(names.count("'); DROP TABLE sales; --"));
  EXPECT_TRUE(names.count("Greeting card\nHappy Birthday!"));
  EXPECT_TRUE(names.count("Sofa \"Comfort\", 3-seat"));
  EXPECT_TRUE(names.count("C:\\Temp\\backslash\\path \\N"));
  EXPECT_TRUE(names.count("Tab\tseparated\tname"));
}

TEST(GeneratorTest, DataLooksLikeAShop) {
  const auto run = Generate(Config(17, 7, 2000, 0, FileFormat::kCsv, false, {"USD", "EUR"}));
  std::map<std::string, int> customer_orders;
  std::set<std::string> channels, countries, payments, categories;
  int returns = 0, discounted = 0, lines = 0;
  std::map<std::string, std::set<std::string>> order_lines;
  for (const FileManifest& file : run->manifest.files) {
    const auto records = testing::ParseCsv(Plain(*run, file));
    for (size_t r = 1; r < records.size(); ++r) {
      const auto& f = records[r];
      ++lines;
      if (order_lines[f[0]].empty()) ++customer_orders[f[3]];
      order_lines[f[0]].insert(f[1]);
      categories.insert(f[6]);
      if (f[7][0] == '-') ++returns;
      if (f[9] != "0") ++discounted;
      countries.insert(f[11]);
      channels.insert(f[13]);
      payments.insert(f[14]);
    }
  }
  size_t max_lines = 0;
  for (const auto& [order, nos] : order_lines) max_lines = std::max(max_lines, nos.size());
  EXPECT_EQ(max_lines, 6u);
  int returning = 0;
  for (const auto& [customer, orders] : customer_orders) returning += orders > 1 ? 1 : 0;
  EXPECT_GT(returning * 5, static_cast<int>(customer_orders.size()));  // > 20% come back
  EXPECT_GE(channels.size(), 5u);
  EXPECT_GE(payments.size(), 6u);
  EXPECT_GE(countries.size(), 5u);
  EXPECT_GE(categories.size(), 10u);
  EXPECT_GT(returns, lines / 100);
  EXPECT_GT(discounted, lines / 10);
  EXPECT_EQ(run->manifest.totals.size(), 2u);
}

TEST(ManifestTest, JsonRoundTrips) {
  const auto run = Generate(Config(23, 2, 400, 0.2, FileFormat::kCsv, false, {"USD", "EUR"}));
  const std::string json = run->sink.files().at(kManifestName);
  EXPECT_EQ(json, run->manifest.ToJson());
  Result<Manifest> parsed = ParseManifest(json);
  ASSERT_OK(parsed.status());
  EXPECT_EQ(parsed->ToJson(), json);
  EXPECT_EQ(parsed->totals, run->manifest.totals);
  EXPECT_FALSE(ParseManifest("{\"files\": 3}").ok());
  EXPECT_FALSE(ParseManifest("not json").ok());
}

}  // namespace
}  // namespace salesflow::generator
