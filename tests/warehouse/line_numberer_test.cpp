#include "warehouse/line_numberer.h"

#include <gtest/gtest.h>

#include <vector>

namespace salesflow::warehouse {
namespace {

std::vector<int32_t> Number(const std::vector<std::pair<std::string, int32_t>>& lines) {
  LineNumberer numberer;
  std::vector<int32_t> out;
  core::SalesLine line;
  for (const auto& [order, line_no] : lines) {
    line.order_id = order;
    line.line_no = line_no;
    out.push_back(numberer.Next(line));
  }
  return out;
}

TEST(LineNumberer, NumbersEachRunOfAnOrderNegatively) {
  EXPECT_EQ(Number({{"A", 0}, {"A", 0}, {"B", 0}, {"C", 0}, {"C", 0}, {"C", 0}}),
            (std::vector<int32_t>{-1, -2, -1, -1, -2, -3}));
}

TEST(LineNumberer, KeepsTheFileLineNoAndCountsOnlyUnnumberedLines) {
  // The SQL numbering ranks the unnumbered lines of an order among themselves.
  EXPECT_EQ(Number({{"A", 0}, {"A", 5}, {"A", 0}, {"B", 3}}), (std::vector<int32_t>{-1, 5, -2, 3}));
}

TEST(LineNumberer, ARepeatedOrderRestartsAtOneSoItCollides) {
  EXPECT_EQ(Number({{"A", 0}, {"B", 0}, {"A", 0}}), (std::vector<int32_t>{-1, -1, -1}));
}

TEST(LineNumberer, CountsNumberedLines) {
  LineNumberer numberer;
  core::SalesLine line;
  line.order_id = "A";
  (void)numberer.Next(line);
  line.line_no = 2;
  (void)numberer.Next(line);
  EXPECT_EQ(numberer.numbered(), 1u);
}

}  // namespace
}  // namespace salesflow::warehouse
