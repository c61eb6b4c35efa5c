#include "ingest/reject_tally.h"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>

namespace salesflow::ingest {

void RejectTally::Add(core::RejectReason reason, int64_t line) {
  const size_t i = static_cast<size_t>(reason);
  ++counts_[i];
  std::vector<int64_t>& lines = first_lines_[i];
  if (lines.size() < kFirstLines) {
    lines.push_back(line);
  } else if (line < lines.back()) {  // lines come in file order; keep the smallest anyway
    lines.back() = line;
    std::sort(lines.begin(), lines.end());
  }
}

void RejectTally::AddMany(core::RejectReason reason, int64_t count,
                          const std::vector<int64_t>& first_lines) {
  const size_t i = static_cast<size_t>(reason);
  counts_[i] += count;
  std::vector<int64_t>& lines = first_lines_[i];
  lines.insert(lines.end(), first_lines.begin(), first_lines.end());
  std::sort(lines.begin(), lines.end());
  if (lines.size() > kFirstLines) lines.resize(kFirstLines);
}

int64_t RejectTally::total() const {
  return std::accumulate(counts_.begin(), counts_.end(), int64_t{0});
}

std::string RejectTally::Describe(size_t top) const {
  std::vector<size_t> order;
  for (size_t i = 0; i < kReasons; ++i) {
    if (counts_[i] > 0) order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return counts_[a] > counts_[b]; });
  if (order.size() > top) order.resize(top);
  std::string out;
  for (size_t i : order) {
    if (!out.empty()) out += ", ";
    out += fmt::format("{} {}", core::kRejectReasonCodes[i], counts_[i]);
    const std::vector<int64_t>& lines = first_lines_[i];
    if (!lines.empty()) {
      out += fmt::format(" ({} {}{})", lines.size() == 1 ? "line" : "lines", fmt::join(lines, ", "),
                         counts_[i] > static_cast<int64_t>(lines.size()) ? ", ..." : "");
    }
  }
  return out;
}

std::string RejectRatioMessage(int64_t rows_read, double max_reject_ratio,
                               const RejectTally& tally) {
  const int64_t rejected = tally.total();
  const double percent =
      rows_read > 0 ? 100.0 * static_cast<double>(rejected) / static_cast<double>(rows_read) : 0.0;
  return fmt::format(
      "{} of {} rows rejected ({:.2f}%), above max_reject_ratio {}: {}; nothing was loaded "
      "(the rejected rows are kept for download)",
      rejected, rows_read, percent, max_reject_ratio, tally.Describe(5));
}

bool ExceedsRejectRatio(int64_t rejected, int64_t rows_read, double max_reject_ratio) {
  if (rows_read <= 0) return false;
  return static_cast<double>(rejected) > max_reject_ratio * static_cast<double>(rows_read);
}

}  // namespace salesflow::ingest
