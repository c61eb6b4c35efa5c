#include "cli/table.h"

#include <gtest/gtest.h>

#include <sstream>

namespace salesflow::cli {
namespace {

TEST(DisplayWidthTest, CountsTerminalColumns) {
  struct Case {
    std::string text;
    size_t width;
  };
  const Case cases[] = {
      {"", 0},
      {"abc.csv", 7},
      {"caf\u00e9.csv", 8},             // é precomposed: one column, two bytes
      {"cafe\u0301.csv", 8},            // e + combining acute: still one column
      {"\u65e5\u672c.csv", 8},          // two CJK ideographs, two columns each
      {"\ud55c\uae00", 4},              // Hangul syllables
      {"\U0001F600", 2},                // emoji
      {"a\u200bb", 2},                  // zero-width space
      {std::string("\xff\xfe", 2), 2},  // invalid bytes count one each
      {std::string("\xe6\x97", 2), 2},  // truncated sequence
  };
  for (const auto& c : cases) EXPECT_EQ(DisplayWidth(c.text), c.width) << c.text;
}

TEST(SanitizeForTerminalTest, NeutralisesControlCharacters) {
  EXPECT_EQ(SanitizeForTerminal("a\x1b[31mred"), "a?[31mred");
  EXPECT_EQ(SanitizeForTerminal("line\nbreak\ttab\r"), "line?break?tab?");
  EXPECT_EQ(SanitizeForTerminal("\u65e5\u672c \u00e9"), "\u65e5\u672c \u00e9");
  EXPECT_EQ(SanitizeForTerminal("c1\u009bx"), "c1?x");  // C1 CSI
  EXPECT_EQ(SanitizeForTerminal("del\x7f"), "del?");
}

TEST(TableTest, AlignsColumnsByDisplayWidth) {
  Table table({{"KEY"}, {"SIZE", Align::kRight}, {"STATUS"}});
  table.AddRow({"a.csv", "5", "new"});
  table.AddRow({"\u65e5\u672c.csv", "12345", "loaded"});
  std::ostringstream out;
  table.Render(out);
  EXPECT_EQ(out.str(),
            "KEY        SIZE  STATUS\n"
            "a.csv         5  new\n"
            "\u65e5\u672c.csv  12345  loaded\n");
}

TEST(TableTest, PadsShortRowsAndSanitisesCells) {
  Table table({{"A"}, {"B"}});
  table.AddRow({"x\ny"});
  table.AddRow({"1", "2", "ignored"});
  std::ostringstream out;
  table.Render(out);
  EXPECT_EQ(out.str(), "A    B\nx?y\n1    2\n");
}

TEST(TableTest, NoTrailingBlanksAfterLastLeftColumn) {
  Table table({{"NAME"}, {"V"}});
  table.AddRow({"n", "long value"});
  table.AddRow({"n", "v"});
  std::stringstream out;
  table.Render(out);
  for (std::string line; std::getline(out, line);) {
    ASSERT_FALSE(line.empty());
    EXPECT_NE(line.back(), ' ') << "'" << line << "'";
  }
}

TEST(BarTest, ScalesExactlyInEighths) {
  EXPECT_EQ(Bar(100, 100, 4, true), "\u2588\u2588\u2588\u2588");
  EXPECT_EQ(Bar(50, 100, 4, true), "\u2588\u2588");
  EXPECT_EQ(Bar(1, 8, 1, true), "\u258F");         // one eighth
  EXPECT_EQ(Bar(5, 16, 4, true), "\u2588\u258E");  // 5/16 of 4 columns = 1 + 2/8
  EXPECT_EQ(DisplayWidth(Bar(123456, 123456, 30, true)), 30u);
  EXPECT_EQ(DisplayWidth(Bar(2, 3, 30, true)), 20u);  // 2/3 of 30 columns, exact
}

TEST(BarTest, AsciiAndEdgeCases) {
  EXPECT_EQ(Bar(50, 100, 10, false), "#####");
  EXPECT_EQ(Bar(0, 100, 10, true), "");
  EXPECT_EQ(Bar(-5, 100, 10, true), "");  // a net-returns group has no bar
  EXPECT_EQ(Bar(5, 0, 10, true), "");
  EXPECT_EQ(Bar(200, 100, 4, false), "####");  // capped at max
}

TEST(BarTest, HugeCentsDoNotOverflow) {
  EXPECT_EQ(Bar(INT64_MAX, INT64_MAX, 10, false), "##########");
  EXPECT_EQ(Bar(int64_t{1} << 61, int64_t{1} << 62, 10, false), "#####");
  EXPECT_EQ(Bar(INT64_MAX / 3, INT64_MAX, 30, false), std::string(9, '#'));  // just under 1/3
}

}  // namespace
}  // namespace salesflow::cli
