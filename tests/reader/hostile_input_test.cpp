// Inputs built to hurt: each gives a clear error or a per-row reject, fast, with bounded
// memory. Big inputs are made at test time, not committed.
#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

#include "reader/report_reader.h"
#include "reader_test_util.h"
#include "test_util.h"

namespace salesflow::reader {
namespace {

using testing::CodeOf;
using testing::ReadAll;
using testing::ReadFixture;
using testing::ReadOutcome;

const std::string kHeader = "order_id,order_date,sku,quantity,unit_price\n";

// Streams `repeat` copies of `unit` through deflate into a gzip string, without ever
// holding the inflated text.
std::string GzipRepeated(const std::string& unit, size_t repeat, const std::string& prefix = "") {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_RLE), Z_OK);
  std::string out;
  char buffer[1 << 16];
  std::string block = prefix;
  for (size_t done = 0; done < repeat; done += 4096) {
    if (done > 0) block.clear();
    for (size_t i = 0; i < 4096; ++i) block += unit;
    const bool last = done + 4096 >= repeat;
    z.next_in = reinterpret_cast<Bytef*>(block.data());
    z.avail_in = static_cast<uInt>(block.size());
    do {
      z.next_out = reinterpret_cast<Bytef*>(buffer);
      z.avail_out = sizeof(buffer);
      deflate(&z, last ? Z_FINISH : Z_NO_FLUSH);
      out.append(buffer, sizeof(buffer) - z.avail_out);
    } while (z.avail_out == 0);
  }
  deflateEnd(&z);
  return out;
}

TEST(HostileInputTest, NulBytesAreNotText) {
  const std::string bytes = ReadFixture("tests/data/reader/nul_bytes.csv");
  for (size_t chunk : testing::kChunkSizes) {
    ReadOutcome r = ReadAll({}, bytes, chunk);
    EXPECT_EQ(r.status.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status.message().find("not a text file: NUL byte at line 3"), std::string::npos)
        << r.status.message();
  }
  // UTF-16 (every other byte NUL) fails on its first line.
  const std::string utf16("o\0r\0d\0e\0r\0\n\0", 12);
  ReadOutcome r = ReadAll({}, utf16, testing::kDefaultChunk);
  EXPECT_EQ(r.status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status.message().find("UTF-16"), std::string::npos);
}

TEST(HostileInputTest, UnterminatedQuoteNamesTheLineWhereItOpened) {
  const std::string bytes = ReadFixture("tests/data/reader/unterminated_quote.csv");
  for (size_t chunk : testing::kChunkSizes) {
    ReadOutcome r = ReadAll({}, bytes, chunk);
    EXPECT_EQ(r.status.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(r.status.message().find("quoted field opened at line 3"), std::string::npos)
        << r.status.message();
  }
}

TEST(HostileInputTest, UnterminatedQuoteSwallowingAHugeFileFailsEarly) {
  // 64 MiB after an open quote: the read fails once the quote passes max_line_bytes,
  // long before the end.
  testing::CollectingSink sink;
  ReportReader reader({}, &sink);
  ASSERT_OK(reader.Feed(kHeader + "A,2026-01-01,\"S,1,1\n"));
  const std::string block(1 << 16, 'x');
  Status s;
  size_t fed = 0;
  while (s.ok() && fed < (size_t{64} << 20)) {
    s = reader.Feed(block);
    fed += block.size();
  }
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("opened at line 2"), std::string::npos) << s.message();
  EXPECT_LE(fed, size_t{2} << 20);
}

TEST(HostileInputTest, TwoMebibyteLineIsARejectAndTheReadGoesOn) {
  std::string csv = kHeader + "A,2026-01-01,S,1,1\n";
  csv += "B,2026-01-01," + std::string(size_t{2} << 20, 'z') + ",1,1\n";
  csv += "C,2026-01-01,S,1,1\n";
  for (size_t chunk : {size_t{7}, testing::kDefaultChunk, csv.size()}) {
    ReadOutcome r = ReadAll({}, csv, chunk);
    ASSERT_OK(r.status);
    ASSERT_EQ(r.lines.size(), 2u);
    EXPECT_EQ(r.lines[1].order_id, "C");
    EXPECT_EQ(r.lines[1].source_line, 4);
    ASSERT_EQ(r.rejects.size(), 1u);
    EXPECT_EQ(CodeOf(r.rejects[0].reason), "line_too_long");
    EXPECT_EQ(r.rejects[0].line, 3);
    EXPECT_LE(r.rejects[0].raw.size(), ReaderOptions{}.max_raw_bytes);
  }
}

TEST(HostileInputTest, TruncatedGzipIsDataLoss) {
  const std::string bytes = ReadFixture("tests/data/reader/truncated.csv.gz");
  for (size_t chunk : testing::kChunkSizes) {
    ReadOutcome r = ReadAll({}, bytes, chunk);
    EXPECT_EQ(r.status.code(), StatusCode::kDataLoss);
    EXPECT_NE(r.status.message().find("truncated gzip"), std::string::npos);
  }
}

TEST(HostileInputTest, CorruptGzipIsDataLoss) {
  std::string bytes = ReadFixture("tests/data/reader/shopify_orders.csv.gz");
  for (size_t i = 20; i < 60 && i < bytes.size(); ++i)
    bytes[i] = static_cast<char>(bytes[i] ^ 0x5A);
  ReadOutcome r = ReadAll({}, bytes, testing::kDefaultChunk);
  EXPECT_EQ(r.status.code(), StatusCode::kDataLoss) << r.status.ToString();
}

TEST(HostileInputTest, GzipBombStopsOnTheRatioGuard) {
  // A header, then 256 MiB of blank lines: about 1000:1. Default limits refuse it after some
  // 64 MiB inflated, without reading the rest. (Blank lines keep the test fast; a bomb of
  // rows trips the same guard at the same point.)
  const std::string unit(4096, '\n');
  const std::string bomb = GzipRepeated(unit, (size_t{256} << 20) / unit.size(), kHeader);
  EXPECT_LT(bomb.size(), size_t{1} << 20);
  ReadOutcome r = ReadAll({}, bomb, testing::kDefaultChunk);
  EXPECT_EQ(r.status.code(), StatusCode::kResourceExhausted) << r.status.ToString();
  EXPECT_NE(r.status.message().find("gzip bomb"), std::string::npos);
  EXPECT_LT(r.stats.bytes_out, int64_t{80} << 20);
}

TEST(HostileInputTest, GzipSizeCapIsConfigurable) {
  const std::string gz = GzipRepeated("A,2026-01-01,S,1,1.00\n", 200'000, kHeader);
  ReaderOptions options;
  options.max_decompressed_bytes = 1 << 20;
  ReadOutcome r = ReadAll(options, gz, testing::kDefaultChunk);
  EXPECT_EQ(r.status.code(), StatusCode::kResourceExhausted);
  EXPECT_NE(r.status.message().find("max_decompressed_bytes"), std::string::npos);
}

TEST(HostileInputTest, ConcatenatedGzipMembersAreOneStream) {
  const std::string a = GzipRepeated("", 1, kHeader);
  const std::string b = GzipRepeated("A,2026-01-01,S,1,1.00\n", 3);
  for (size_t chunk : testing::kChunkSizes) {
    ReadOutcome r = ReadAll({}, a + b, chunk);
    ASSERT_OK(r.status);
    // GzipRepeated emits whole 4096-unit blocks.
    EXPECT_EQ(r.lines.size(), 4096u);
  }
}

TEST(HostileInputTest, ZipArchiveIsNamed) {
  ReadOutcome r = ReadAll({}, std::string("PK\x03\x04\x14\x00rest", 10), testing::kDefaultChunk);
  EXPECT_EQ(r.status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status.message().find("ZIP"), std::string::npos);
}

TEST(HostileInputTest, HeaderLongerThanTheLimitFails) {
  ReaderOptions options;
  options.max_line_bytes = 100;
  ReadOutcome r = ReadAll(options, std::string(500, 'h') + "\n1\n", testing::kDefaultChunk);
  EXPECT_EQ(r.status.code(), StatusCode::kInvalidArgument);
}

TEST(HostileInputTest, JsonLinesTooLongAndNul) {
  std::string jsonl =
      "{\"order_id\":\"A\",\"order_date\":\"2026-01-01\",\"sku\":\"S\",\"quantity\":1,"
      "\"unit_price\":1}\n";
  const std::string good = jsonl;
  jsonl += "{\"order_id\":\"" + std::string(5000, 'x') + "\"}\n" + good;
  ReaderOptions options;
  options.max_line_bytes = 1024;
  ReadOutcome r = ReadAll(options, jsonl, 7);
  ASSERT_OK(r.status);
  EXPECT_EQ(r.lines.size(), 2u);
  ASSERT_EQ(r.rejects.size(), 1u);
  EXPECT_EQ(CodeOf(r.rejects[0].reason), "line_too_long");
  r = ReadAll(options, good + std::string("{\"a\":\0}\n", 8), 7);
  EXPECT_EQ(r.status.code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace salesflow::reader
