#include "core/log.h"

#include <gtest/gtest.h>

namespace salesflow::core {
namespace {

TEST(LogTest, JsonEscapeKeepsLinesParseable) {
  EXPECT_EQ(JsonEscape("plain"), "plain");
  EXPECT_EQ(JsonEscape("a\"b\\c"), "a\\\"b\\\\c");
  EXPECT_EQ(JsonEscape("line\nnext\ttab"), "line\\nnext\\ttab");
  EXPECT_EQ(JsonEscape(std::string_view("\x01", 1)), "\\u0001");
  EXPECT_EQ(JsonEscape("caf\xc3\xa9"), "caf\xc3\xa9");  // UTF-8 passes through
}

}  // namespace
}  // namespace salesflow::core
