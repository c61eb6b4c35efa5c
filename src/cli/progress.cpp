#include "cli/progress.h"

#include <algorithm>
#include <array>

#include "cli/table.h"

namespace salesflow::cli {
namespace {

int Percent(uint64_t done, uint64_t total) {
  if (total == 0) return 0;
  done = std::min(done, total);
  // done * 100 can overflow only past 1.8e17 bytes; divide first then.
  const uint64_t p = done > UINT64_MAX / 100 ? done / (total / 100) : done * 100 / total;
  return static_cast<int>(std::min<uint64_t>(p, 100));
}

}  // namespace

std::string FormatBytes(uint64_t bytes) {
  static constexpr std::array<const char*, 6> kUnits = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  if (bytes < 1024) return std::to_string(bytes) + " B";
  size_t unit = 0;
  uint64_t scaled = bytes;
  while (scaled >= 1024 * 1024 && unit + 2 < kUnits.size()) {
    scaled /= 1024;
    ++unit;
  }
  // scaled is in [1024, 1024^2): one decimal of scaled / 1024, rounded down.
  const uint64_t tenths = scaled * 10 / 1024;
  return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + " " + kUnits[unit + 1];
}

std::string FormatProgressLine(std::string_view label, uint64_t done, uint64_t total, size_t width,
                               bool unicode) {
  std::string amounts = FormatBytes(done);
  if (total > 0) amounts.append("/").append(FormatBytes(total));
  std::string suffix;
  if (total > 0) {
    const std::string pct = std::to_string(Percent(done, total)) + "%";
    suffix = std::string(pct.size() < 4 ? 4 - pct.size() : 0, ' ') + pct + "  " + amounts;
  } else {
    suffix = amounts;
  }
  // Label is shortened (keeping its end, where a file name's distinctive part is) to leave
  // room for a bar of at least 10 columns.
  std::string shown = SanitizeForTerminal(label);
  const size_t fixed = suffix.size() + 4;  // " [" + "] " around the bar
  const size_t max_label = width > fixed + 10 ? width - fixed - 10 : 0;
  if (DisplayWidth(shown) > max_label) {
    const std::string_view ellipsis = unicode ? "\u2026" : "~";
    while (!shown.empty() && DisplayWidth(shown) + 1 > max_label) {
      size_t cut = 1;  // one whole UTF-8 sequence from the front
      while (cut < shown.size() && (static_cast<unsigned char>(shown[cut]) & 0xC0) == 0x80) ++cut;
      shown.erase(0, cut);
    }
    if (max_label > 0) shown.insert(0, ellipsis);
  }
  if (total == 0) return shown + "  " + suffix;
  const size_t used = DisplayWidth(shown) + fixed;
  const int bar_width = static_cast<int>(width > used ? std::min<size_t>(width - used, 40) : 10);
  const uint64_t capped = std::min(done, total);
  // Bar() takes int64; byte counts beyond 2^63 do not occur.
  std::string bar =
      Bar(static_cast<int64_t>(capped), static_cast<int64_t>(total), bar_width, unicode);
  const size_t bar_cols = DisplayWidth(bar);
  bar.append(static_cast<size_t>(bar_width) - std::min(bar_cols, static_cast<size_t>(bar_width)),
             ' ');
  return shown + " [" + bar + "] " + suffix;
}

ProgressBar::ProgressBar(std::ostream& out, bool enabled, std::string label, size_t width,
                         bool unicode, Clock now)
    : out_(out),
      enabled_(enabled),
      label_(std::move(label)),
      width_(width),
      unicode_(unicode),
      now_(now ? std::move(now) : Clock([] { return std::chrono::steady_clock::now(); })) {}

void ProgressBar::Update(uint64_t done, uint64_t total) {
  if (!enabled_ || finished_) return;
  done_ = done;
  total_ = total;
  const int percent = Percent(done, total);
  const auto now = now_();
  if (drawn_ && percent == last_percent_ && now - last_draw_ < kRedrawInterval) return;
  last_percent_ = percent;
  last_draw_ = now;
  Draw();
}

void ProgressBar::Finish() {
  if (!enabled_ || finished_) return;
  finished_ = true;
  if (!drawn_) return;
  Draw();
  out_ << '\n';
  out_.flush();
}

void ProgressBar::Draw() {
  // "\r" then the line then "\x1b[K" (erase to end of line) so a shorter line leaves no tail.
  out_ << '\r' << FormatProgressLine(label_, done_, total_, width_, unicode_) << "\x1b[K";
  out_.flush();
  drawn_ = true;
}

}  // namespace salesflow::cli
