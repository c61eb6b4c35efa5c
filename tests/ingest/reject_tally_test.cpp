#include "ingest/reject_tally.h"

#include <gtest/gtest.h>

namespace salesflow::ingest {
namespace {

using core::RejectReason;

TEST(RejectTallyTest, CountsByReasonWithFirstLinesMostFrequentFirst) {
  RejectTally tally;
  for (int64_t line : {3, 9, 12, 40, 41}) tally.Add(RejectReason::kBadDate, line);
  tally.Add(RejectReason::kMissingValue, 5);
  tally.AddMany(RejectReason::kDuplicateLine, 2, {17, 8});
  EXPECT_EQ(tally.total(), 8);
  EXPECT_EQ(tally.count(RejectReason::kBadDate), 5);
  EXPECT_EQ(tally.Describe(5),
            "bad_date 5 (lines 3, 9, 12, ...), duplicate_line 2 (lines 8, 17), "
            "missing_value 1 (line 5)");
  EXPECT_EQ(tally.Describe(1), "bad_date 5 (lines 3, 9, 12, ...)");
}

TEST(RejectTallyTest, RatioMessageSaysHowManyOfHowManyAndWhy) {
  RejectTally tally;
  tally.Add(RejectReason::kBadNumber, 2);
  tally.Add(RejectReason::kBadNumber, 4);
  const std::string message = RejectRatioMessage(10, 0.01, tally);
  EXPECT_NE(message.find("2 of 10 rows rejected (20.00%)"), std::string::npos) << message;
  EXPECT_NE(message.find("above max_reject_ratio 0.01"), std::string::npos) << message;
  EXPECT_NE(message.find("bad_number 2 (lines 2, 4)"), std::string::npos) << message;
}

TEST(RejectTallyTest, RatioBoundaries) {
  EXPECT_FALSE(ExceedsRejectRatio(1, 100, 0.01));  // exactly at the ratio passes
  EXPECT_TRUE(ExceedsRejectRatio(2, 100, 0.01));
  EXPECT_FALSE(ExceedsRejectRatio(0, 0, 0.0));  // an empty report never exceeds
  EXPECT_TRUE(ExceedsRejectRatio(1, 1, 0.0));
  EXPECT_FALSE(ExceedsRejectRatio(5, 5, 1.0));
}

}  // namespace
}  // namespace salesflow::ingest
