#include "reader/number_parser.h"

namespace salesflow::reader {
namespace {

constexpr size_t kMaxNumberText = 64;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Copies text into buf without its grouping separators (any of `group`, or the two bytes
// of U+00A0 / U+202F when `group` allows spaces) and with `decimal` turned into '.'.
// False when the grouping is malformed.
bool Normalise(std::string_view text, std::string_view group, char decimal, char* buf,
               size_t* len) {
  size_t n = 0;
  size_t i = 0;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) buf[n++] = text[i++];
  size_t digits_in_group = 0;
  bool grouped = false;  // a separator was seen in the integer part
  bool integer = true;
  const bool spaces = group.find(' ') != std::string_view::npos;
  while (i < text.size()) {
    const char c = text[i];
    size_t sep_len = 0;
    if (integer && group.find(c) != std::string_view::npos) {
      sep_len = 1;
    } else if (integer && spaces && text.substr(i, 2) == "\xC2\xA0") {
      sep_len = 2;
    } else if (integer && spaces && text.substr(i, 3) == "\xE2\x80\xAF") {
      sep_len = 3;
    }
    if (sep_len > 0) {
      // First group 1-3 digits, later groups exactly 3.
      if (digits_in_group == 0 || digits_in_group > 3 || (grouped && digits_in_group != 3)) {
        return false;
      }
      grouped = true;
      digits_in_group = 0;
      i += sep_len;
      continue;
    }
    if (n + 1 >= kMaxNumberText) return false;
    if (integer && c == decimal) {
      if (grouped && digits_in_group != 3) return false;
      integer = false;
      buf[n++] = '.';
    } else {
      if (integer && !IsDigit(c)) return false;
      buf[n++] = c;
      ++digits_in_group;
    }
    ++i;
  }
  if (integer && grouped && digits_in_group != 3) return false;
  *len = n;
  return true;
}

}  // namespace

core::ParseDecimalError ParseNumber(std::string_view text, DecimalFormat format, int scale,
                                    int64_t* out) {
  if (format == DecimalFormat::kPoint) return core::ParseDecimal(text, scale, out);
  if (text.empty()) return core::ParseDecimalError::kEmpty;
  char buf[kMaxNumberText];
  size_t len = 0;
  const bool ok = format == DecimalFormat::kPointGrouped ? Normalise(text, ",", '.', buf, &len)
                                                         : Normalise(text, ". '", ',', buf, &len);
  if (!ok) return core::ParseDecimalError::kSyntax;
  return core::ParseDecimal(std::string_view(buf, len), scale, out);
}

}  // namespace salesflow::reader
