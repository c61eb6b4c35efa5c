#include "cli/table.h"

#include <algorithm>
#include <array>

#include "core/utf8.h"

namespace salesflow::cli {
namespace {

// One decoded UTF-8 sequence: its code point, or kInvalid for a byte that starts no valid
// sequence (which then counts as one byte).
constexpr char32_t kInvalid = 0xFFFFFFFF;

struct Decoded {
  char32_t code_point;
  size_t length;
};

Decoded DecodeOne(std::string_view s, size_t i) {
  uint32_t cp = 0;
  const size_t length = core::DecodeUtf8(s, i, &cp);
  if (length == 0) return {kInvalid, 1};
  return {cp, length};
}

bool IsZeroWidth(char32_t cp) {
  return (cp >= 0x0300 && cp <= 0x036F) ||  // combining diacritical marks
         (cp >= 0x1AB0 && cp <= 0x1AFF) || (cp >= 0x1DC0 && cp <= 0x1DFF) ||
         (cp >= 0x200B && cp <= 0x200F) ||  // zero-width space, joiners, marks
         (cp >= 0x20D0 && cp <= 0x20FF) || (cp >= 0xFE00 && cp <= 0xFE0F) ||  // selectors
         (cp >= 0xFE20 && cp <= 0xFE2F) || cp == 0xFEFF;
}

bool IsWide(char32_t cp) {
  return (cp >= 0x1100 && cp <= 0x115F) ||  // Hangul Jamo
         (cp >= 0x2E80 && cp <= 0x303E) ||  // CJK radicals, punctuation
         (cp >= 0x3041 && cp <= 0x33FF) ||  // kana, CJK symbols
         (cp >= 0x3400 && cp <= 0x4DBF) ||  // CJK extension A
         (cp >= 0x4E00 && cp <= 0x9FFF) ||  // CJK unified ideographs
         (cp >= 0xA000 && cp <= 0xA4CF) ||  // Yi
         (cp >= 0xAC00 && cp <= 0xD7A3) ||  // Hangul syllables
         (cp >= 0xF900 && cp <= 0xFAFF) ||  // CJK compatibility ideographs
         (cp >= 0xFE30 && cp <= 0xFE4F) ||  // CJK compatibility forms
         (cp >= 0xFF00 && cp <= 0xFF60) ||  // fullwidth forms
         (cp >= 0xFFE0 && cp <= 0xFFE6) ||
         (cp >= 0x1F300 && cp <= 0x1F64F) ||  // pictographs, emoticons
         (cp >= 0x1F900 && cp <= 0x1F9FF) ||  // supplemental symbols and pictographs
         (cp >= 0x20000 && cp <= 0x3FFFD);    // CJK extensions B..
}

}  // namespace

size_t DisplayWidth(std::string_view text) {
  size_t width = 0;
  for (size_t i = 0; i < text.size();) {
    const Decoded d = DecodeOne(text, i);
    i += d.length;
    if (d.code_point == kInvalid) {
      width += 1;
    } else if (IsZeroWidth(d.code_point)) {
      // no column
    } else {
      width += IsWide(d.code_point) ? 2 : 1;
    }
  }
  return width;
}

std::string SanitizeForTerminal(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const Decoded d = DecodeOne(text, i);
    if (d.code_point != kInvalid && core::IsControlCodePoint(d.code_point)) {
      out.push_back('?');
    } else {
      out.append(text.substr(i, d.length));
    }
    i += d.length;
  }
  return out;
}

void Table::AddRow(std::vector<std::string> cells) {
  cells.resize(columns_.size());
  for (auto& cell : cells) cell = SanitizeForTerminal(cell);
  rows_.push_back(std::move(cells));
}

void Table::Render(std::ostream& out) const {
  std::vector<size_t> widths(columns_.size());
  for (size_t c = 0; c < columns_.size(); ++c) {
    widths[c] = DisplayWidth(columns_[c].header);
    for (const auto& row : rows_) widths[c] = std::max(widths[c], DisplayWidth(row[c]));
  }
  auto render_line = [&](auto&& cell_at) {
    std::string line;
    for (size_t c = 0; c < columns_.size(); ++c) {
      const std::string& cell = cell_at(c);
      const std::string pad(widths[c] - DisplayWidth(cell), ' ');
      if (c > 0) line += "  ";
      line += columns_[c].align == Align::kRight ? pad + cell : cell + pad;
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << '\n';
  };
  render_line([&](size_t c) -> const std::string& { return columns_[c].header; });
  for (const auto& row : rows_) {
    render_line([&](size_t c) -> const std::string& { return row[c]; });
  }
}

std::string Bar(int64_t value, int64_t max, int width, bool unicode) {
  if (value <= 0 || max <= 0 || width <= 0) return "";
  value = std::min(value, max);
  // 128-bit product: value * width * 8 overflows int64 for large cents, and the bar of a
  // group must never come out longer than an exact computation would make it.
  __extension__ using Wide = __int128;
  const auto eighths = static_cast<int64_t>(Wide{value} * width * 8 / max);
  std::string out;
  if (!unicode) {
    out.assign(static_cast<size_t>(eighths / 8), '#');
    return out;
  }
  static constexpr std::array<std::string_view, 8> kPartial = {
      "", "\u258F", "\u258E", "\u258D", "\u258C", "\u258B", "\u258A", "\u2589"};
  for (int64_t i = 0; i < eighths / 8; ++i) out += "\u2588";
  out += kPartial[static_cast<size_t>(eighths % 8)];
  return out;
}

}  // namespace salesflow::cli
