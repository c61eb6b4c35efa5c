#include "core/date.h"

#include <gtest/gtest.h>

namespace salesflow::core {
namespace {

TEST(DateTest, RoundTripsEveryDayOfFourCenturies) {
  for (int32_t days = DaysFromCivil({1900, 1, 1}); days < DaysFromCivil({2300, 1, 1}); ++days) {
    const CivilDate c = CivilFromDays(days);
    ASSERT_TRUE(IsValidCivil(c));
    ASSERT_EQ(DaysFromCivil(c), days);
  }
}

TEST(DateTest, KnownDays) {
  EXPECT_EQ(DaysFromCivil({1970, 1, 1}), 0);
  EXPECT_EQ(FormatDate(DaysFromCivil({2024, 2, 29})), "2024-02-29");
  EXPECT_EQ(Weekday(DaysFromCivil({2026, 11, 25})), 2);  // a Wednesday
  EXPECT_EQ(DaysInMonth(1900, 2), 28);
  EXPECT_EQ(DaysInMonth(2000, 2), 29);
}

TEST(DateTest, ParseIsoDateIsStrict) {
  EXPECT_EQ(ParseIsoDate("2026-10-01"), DaysFromCivil({2026, 10, 1}));
  EXPECT_FALSE(ParseIsoDate("2026-02-30"));
  EXPECT_FALSE(ParseIsoDate("2026-1-01"));
  EXPECT_FALSE(ParseIsoDate("2026-10-01T00:00"));
  EXPECT_FALSE(ParseIsoDate("20261001"));
  EXPECT_FALSE(ParseIsoDate("abcd-ef-gh"));
}

}  // namespace
}  // namespace salesflow::core
