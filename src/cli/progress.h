// Progress bars on stderr for uploads and waited jobs. Drawn only when stderr is a terminal:
// a redirected stderr (a log file, CI) gets no carriage-return noise at all.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <string_view>

namespace salesflow::cli {

// "1.5 MiB", "512 B": binary units, one decimal, computed in integers.
std::string FormatBytes(uint64_t bytes);

// One progress line without the leading '\r', at most `width` columns:
//   "x.csv [##########          ]  50%  5.0 MiB/10.0 MiB"
// total == 0 means unknown: no bar, only the bytes done.
std::string FormatProgressLine(std::string_view label, uint64_t done, uint64_t total, size_t width,
                               bool unicode);

// Redraws one line in place ('\r', then the line) at most every kRedrawInterval or when the
// percentage changes; Finish() ends the line. When disabled every call is a no-op, so
// callers never branch on the terminal themselves. Not thread-safe: one owner.
class ProgressBar {
 public:
  static constexpr std::chrono::milliseconds kRedrawInterval{100};
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  // `out` must outlive the bar. `enabled` is normally isatty(STDERR_FILENO). `now` defaults
  // to std::chrono::steady_clock::now (tests pass a fixed clock).
  ProgressBar(std::ostream& out, bool enabled, std::string label, size_t width, bool unicode,
              Clock now = {});
  ~ProgressBar() { Finish(); }
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  void Update(uint64_t done, uint64_t total);
  // Draws the last state and ends the line; later calls do nothing.
  void Finish();

 private:
  std::ostream& out_;
  bool enabled_;
  std::string label_;
  size_t width_;
  bool unicode_;
  Clock now_;
  bool drawn_ = false;
  bool finished_ = false;
  uint64_t done_ = 0;
  uint64_t total_ = 0;
  int last_percent_ = -1;
  std::chrono::steady_clock::time_point last_draw_{};

  void Draw();
};

}  // namespace salesflow::cli
