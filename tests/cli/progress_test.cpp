#include "cli/progress.h"

#include <gtest/gtest.h>

#include <sstream>

#include "cli/table.h"

namespace salesflow::cli {
namespace {

TEST(FormatBytesTest, BinaryUnitsInIntegers) {
  EXPECT_EQ(FormatBytes(0), "0 B");
  EXPECT_EQ(FormatBytes(1023), "1023 B");
  EXPECT_EQ(FormatBytes(1024), "1.0 KiB");
  EXPECT_EQ(FormatBytes(1536), "1.5 KiB");
  EXPECT_EQ(FormatBytes(100ull * 1024 * 1024), "100.0 MiB");
  EXPECT_EQ(FormatBytes(10ull * 1024 * 1024 * 1024), "10.0 GiB");
}

TEST(FormatProgressLineTest, BarPercentAndAmounts) {
  const std::string line = FormatProgressLine("day.csv", 512, 1024, 60, false);
  EXPECT_EQ(line.rfind("day.csv [", 0), 0u) << line;
  EXPECT_NE(line.find("]  50%  512 B/1.0 KiB"), std::string::npos) << line;
  EXPECT_LE(DisplayWidth(line), 60u);
  const size_t open = line.find('[');
  const size_t close = line.find(']');
  const std::string bar = line.substr(open + 1, close - open - 1);
  EXPECT_EQ(std::count(bar.begin(), bar.end(), '#') * 2, static_cast<long>(bar.size())) << bar;
}

TEST(FormatProgressLineTest, UnknownTotalShowsBytesOnly) {
  EXPECT_EQ(FormatProgressLine("x", 2048, 0, 60, true), "x  2.0 KiB");
}

TEST(FormatProgressLineTest, LongLabelKeepsItsEndAndFitsTheWidth) {
  const std::string label = "reports/2024/very/long/prefix/of/many/segments/day-2024-01-31.csv";
  for (const bool unicode : {true, false}) {
    const std::string line = FormatProgressLine(label, 1, 2, 60, unicode);
    EXPECT_LE(DisplayWidth(line), 60u) << line;
    EXPECT_NE(line.find("31.csv ["), std::string::npos) << line;
  }
}

TEST(ProgressBarTest, DisabledWritesNothing) {
  std::ostringstream err;
  {
    ProgressBar bar(err, /*enabled=*/false, "x.csv", 80, true);
    bar.Update(1, 10);
    bar.Update(10, 10);
    bar.Finish();
  }
  EXPECT_EQ(err.str(), "");
}

TEST(ProgressBarTest, EnabledRedrawsInPlaceAndEndsTheLine) {
  std::ostringstream err;
  {
    ProgressBar bar(err, /*enabled=*/true, "x.csv", 80, false);
    bar.Update(0, 100);
    bar.Update(50, 100);   // percent changed: redrawn at once
    bar.Update(100, 100);  // destructor finishes
  }
  const std::string text = err.str();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\r'), 4);  // 3 updates + final draw
  EXPECT_NE(text.find("100%"), std::string::npos);
  EXPECT_EQ(text.back(), '\n');
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1);
}

TEST(ProgressBarTest, SamePercentWithinIntervalIsNotRedrawn) {
  std::ostringstream err;
  auto now = std::chrono::steady_clock::time_point{};
  ProgressBar bar(err, true, "x", 80, false, [&now] { return now; });
  bar.Update(1, 1000);
  bar.Update(2, 1000);  // still 0%, same instant: not redrawn
  now += ProgressBar::kRedrawInterval;
  bar.Update(3, 1000);  // still 0%, but the interval passed: redrawn
  const std::string text = err.str();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\r'), 2);
}

TEST(ProgressBarTest, FinishWithoutUpdateWritesNothing) {
  std::ostringstream err;
  ProgressBar bar(err, true, "x", 80, false);
  bar.Finish();
  EXPECT_EQ(err.str(), "");
}

}  // namespace
}  // namespace salesflow::cli
