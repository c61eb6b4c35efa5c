// RejectTally: rejected rows counted by reason, with the first few line numbers of each, so a
// failed load can say exactly why ("412 of 10000 rows rejected: bad_date 400 (lines 3, 9,
// 12), ..."). Memory is constant: counts plus kFirstLines lines per reason.
// Thread-compatible.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/sales_line.h"

namespace salesflow::ingest {

class RejectTally {
 public:
  static constexpr size_t kFirstLines = 3;

  void Add(core::RejectReason reason, int64_t line);
  // Adds `count` rejects of `reason` whose first lines are `first_lines` (ascending).
  void AddMany(core::RejectReason reason, int64_t count, const std::vector<int64_t>& first_lines);

  int64_t total() const;
  int64_t count(core::RejectReason reason) const { return counts_[static_cast<size_t>(reason)]; }
  // "bad_date 400 (lines 3, 9, 12), missing_value 12 (lines 5, 8, 30)": the `top` reasons
  // with most rejects, most first; "" when there are none.
  std::string Describe(size_t top) const;

 private:
  static constexpr size_t kReasons = static_cast<size_t>(core::RejectReason::kCount_);
  std::array<int64_t, kReasons> counts_{};
  std::array<std::vector<int64_t>, kReasons> first_lines_{};
};

// The error of a job whose rejects exceed max_reject_ratio.
std::string RejectRatioMessage(int64_t rows_read, double max_reject_ratio,
                               const RejectTally& tally);

// True when `rejected` of `rows_read` is above the ratio (never for an empty report).
bool ExceedsRejectRatio(int64_t rejected, int64_t rows_read, double max_reject_ratio);

}  // namespace salesflow::ingest
