#include "reader/date_parser.h"

#include <array>

#include "core/date.h"

namespace salesflow::reader {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads between min and max digits at text[*i]; advances *i.
bool ReadNumber(std::string_view text, size_t* i, size_t min_digits, size_t max_digits, int* out) {
  size_t n = 0;
  int v = 0;
  while (*i < text.size() && n < max_digits && IsDigit(text[*i])) {
    v = v * 10 + (text[*i] - '0');
    ++*i;
    ++n;
  }
  if (n < min_digits) return false;
  *out = v;
  return true;
}

bool MakeDays(int year, int month, int day, int32_t* days) {
  if (year < kMinYear || year > kMaxYear) return false;
  const core::CivilDate c{year, month, day};
  if (!core::IsValidCivil(c)) return false;
  *days = core::DaysFromCivil(c);
  return true;
}

// "HH:MM[:SS[.frac]]" then an optional offset, to the end of text.
bool ParseTimeTail(std::string_view text, size_t i, int32_t* seconds) {
  int h = 0, m = 0, s = 0;
  if (!ReadNumber(text, &i, 1, 2, &h) || i >= text.size() || text[i] != ':') return false;
  ++i;
  if (!ReadNumber(text, &i, 2, 2, &m)) return false;
  if (i < text.size() && text[i] == ':') {
    ++i;
    if (!ReadNumber(text, &i, 2, 2, &s)) return false;
    if (i < text.size() && (text[i] == '.' || text[i] == ',')) {
      ++i;
      const size_t start = i;
      while (i < text.size() && IsDigit(text[i])) ++i;
      if (i == start) return false;
    }
  }
  if (h > 23 || m > 59 || s > 60) return false;  // 60: a leap second, as ISO allows
  // Shopify writes "2026-03-14 09:15:02 -0500": one space before the offset is accepted.
  if (i + 1 < text.size() && text[i] == ' ' && (text[i + 1] == '+' || text[i + 1] == '-')) ++i;
  if (i < text.size()) {
    if (text[i] == 'Z' || text[i] == 'z') {
      ++i;
    } else if (text[i] == '+' || text[i] == '-') {
      ++i;
      int oh = 0, om = 0;
      if (!ReadNumber(text, &i, 2, 2, &oh)) return false;
      if (i < text.size() && text[i] == ':') ++i;
      if (i < text.size() && !ReadNumber(text, &i, 2, 2, &om)) return false;
      if (oh > 18 || om > 59) return false;
    }
  }
  if (i != text.size()) return false;
  *seconds = h * 3600 + m * 60 + (s > 59 ? 59 : s);
  return true;
}

constexpr std::array<std::string_view, 12> kMonthNames = {
    "january", "february", "march",     "april",   "may",      "june",
    "july",    "august",   "september", "october", "november", "december"};

bool ReadMonthName(std::string_view text, size_t* i, int* month) {
  size_t n = 0;
  char word[16];
  while (*i + n < text.size() && n < sizeof(word)) {
    char c = text[*i + n];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c < 'a' || c > 'z') break;
    word[n++] = c;
  }
  const std::string_view w(word, n);
  for (size_t m = 0; m < kMonthNames.size(); ++m) {
    if (w == kMonthNames[m] || (n == 3 && w == kMonthNames[m].substr(0, 3)) ||
        (w == "sept" && m == 8)) {
      *i += n;
      *month = static_cast<int>(m) + 1;
      return true;
    }
  }
  return false;
}

}  // namespace

bool ParseIsoDateTime(std::string_view text, DateTime* out) {
  if (text.size() < 10 || text[4] != '-' || text[7] != '-') return false;
  size_t i = 0;
  int y = 0, m = 0, d = 0;
  if (!ReadNumber(text, &i, 4, 4, &y) || i != 4) return false;
  i = 5;
  if (!ReadNumber(text, &i, 2, 2, &m) || i != 7) return false;
  i = 8;
  if (!ReadNumber(text, &i, 2, 2, &d) || i != 10) return false;
  int32_t days = 0;
  if (!MakeDays(y, m, d, &days)) return false;
  int32_t seconds = -1;
  if (text.size() > 10) {
    if (text[10] != 'T' && text[10] != 't' && text[10] != ' ') return false;
    if (!ParseTimeTail(text, 11, &seconds)) return false;
  }
  out->days = days;
  out->seconds = seconds;
  return true;
}

Result<DateFormat> DateFormat::Compile(std::string_view pattern) {
  bool has_year = false, has_month = false, has_day = false;
  DateFormat format;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] != '%') continue;
    if (i + 1 == pattern.size()) {
      return Status::InvalidArgument("date_format \"" + std::string(pattern) +
                                     "\" ends with a lone %");
    }
    switch (pattern[++i]) {
      case 'Y':
      case 'y':
        has_year = true;
        break;
      case 'm':
      case 'b':
        has_month = true;
        break;
      case 'd':
        has_day = true;
        break;
      case 'H':
      case 'M':
      case 'S':
        format.has_time_ = true;
        break;
      case '%':
        break;
      default:
        return Status::InvalidArgument("date_format \"" + std::string(pattern) + "\" uses %" +
                                       std::string(1, pattern[i]) +
                                       "; supported: %Y %y %m %d %H %M %S %b %%");
    }
  }
  if (!has_year || !has_month || !has_day) {
    return Status::InvalidArgument("date_format \"" + std::string(pattern) +
                                   "\" must contain a year (%Y or %y), a month (%m or %b) "
                                   "and a day (%d)");
  }
  format.pattern_ = std::string(pattern);
  return format;
}

bool DateFormat::Parse(std::string_view text, DateTime* out) const {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  size_t i = 0;
  const std::string_view p = pattern_;
  for (size_t k = 0; k < p.size(); ++k) {
    if (p[k] == '%') {
      const char directive = p[++k];
      bool ok = true;
      switch (directive) {
        case 'Y':
          ok = ReadNumber(text, &i, 4, 4, &year);
          break;
        case 'y':
          ok = ReadNumber(text, &i, 2, 2, &year);
          year += year >= 69 ? 1900 : 2000;
          break;
        case 'm':
          ok = ReadNumber(text, &i, 1, 2, &month);
          break;
        case 'd':
          ok = ReadNumber(text, &i, 1, 2, &day);
          break;
        case 'H':
          ok = ReadNumber(text, &i, 1, 2, &hour);
          break;
        case 'M':
          ok = ReadNumber(text, &i, 1, 2, &minute);
          break;
        case 'S':
          ok = ReadNumber(text, &i, 1, 2, &second);
          break;
        case 'b':
          ok = ReadMonthName(text, &i, &month);
          break;
        default:  // '%%'
          ok = i < text.size() && text[i] == '%';
          ++i;
          break;
      }
      if (!ok) return false;
    } else if (p[k] == ' ') {
      if (i >= text.size() || text[i] != ' ') return false;
      while (i < text.size() && text[i] == ' ') ++i;
    } else {
      if (i >= text.size() || text[i] != p[k]) return false;
      ++i;
    }
  }
  int32_t seconds = -1;
  if (i != text.size()) {
    if (has_time_ || (text[i] != ' ' && text[i] != 'T')) return false;
    while (i < text.size() && text[i] == ' ') ++i;
    if (i < text.size() && text[i] == 'T') ++i;
    if (!ParseTimeTail(text, i, &seconds)) return false;
  } else if (has_time_) {
    if (hour > 23 || minute > 59 || second > 59) return false;
    seconds = hour * 3600 + minute * 60 + second;
  }
  int32_t days = 0;
  if (!MakeDays(year, month, day, &days)) return false;
  out->days = days;
  out->seconds = seconds;
  return true;
}

DateShape ClassifyDate(std::string_view text) {
  DateShape shape;
  DateTime ignored;
  if (ParseIsoDateTime(text, &ignored)) {
    shape.evidence = DateEvidence::kIso;
    return shape;
  }
  // Three numbers with one separator among / . -, then optionally a time.
  size_t i = 0;
  int a = 0, b = 0, c = 0;
  const size_t a_start = i;
  if (!ReadNumber(text, &i, 1, 4, &a)) return shape;
  const size_t a_digits = i - a_start;
  if (i >= text.size()) return shape;
  const char sep = text[i];
  if (sep != '/' && sep != '.' && sep != '-') return shape;
  ++i;
  if (!ReadNumber(text, &i, 1, 2, &b) || i >= text.size() || text[i] != sep) return shape;
  ++i;
  const size_t c_start = i;
  if (!ReadNumber(text, &i, 1, 4, &c)) return shape;
  const size_t c_digits = i - c_start;
  if (i < text.size() && text[i] != ' ' && text[i] != 'T') return shape;
  const std::string s(1, sep);
  if (a_digits == 4) {
    shape.evidence = DateEvidence::kYearFirst;
    shape.day_first_format = shape.month_first_format = "%Y" + s + "%m" + s + "%d";
  } else {
    if (a_digits > 2 || (c_digits != 2 && c_digits != 4)) return shape;
    const std::string year = c_digits == 4 ? "%Y" : "%y";
    shape.day_first_format = "%d" + s + "%m" + s + year;
    shape.month_first_format = "%m" + s + "%d" + s + year;
    if (a > 12 && b <= 12) {
      shape.evidence = DateEvidence::kDayFirst;
    } else if (b > 12 && a <= 12) {
      shape.evidence = DateEvidence::kMonthFirst;
    } else if (a <= 12 && b <= 12) {
      shape.evidence = DateEvidence::kAmbiguous;
    } else {
      return shape;
    }
  }
  // The value must actually parse in the order it suggests.
  Result<DateFormat> f =
      DateFormat::Compile(shape.evidence == DateEvidence::kMonthFirst ? shape.month_first_format
                                                                      : shape.day_first_format);
  DateTime dt;
  if (!f.ok() || !f->Parse(text, &dt)) shape.evidence = DateEvidence::kNotADate;
  return shape;
}

}  // namespace salesflow::reader
