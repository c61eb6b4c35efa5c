// Order dates: ISO 8601 by default, a strptime-like subset by option, and the evidence used
// to detect day/month order from the data. The wall-clock date and time are kept as
// written: an offset ("+02:00", "Z") is accepted and ignored, never converted, so a sale
// stays on the calendar day the shop recorded it. Thread-safe (immutable after Compile).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace salesflow::reader {

struct DateTime {
  int32_t days = 0;      // days since 1970-01-01
  int32_t seconds = -1;  // seconds since midnight; -1 when only a date was written
};

// Years the reader accepts; outside them a date is a bad_date reject (a typo, not a sale).
inline constexpr int kMinYear = 1900;
inline constexpr int kMaxYear = 2999;

// "YYYY-MM-DD", optionally followed by 'T' or ' ' and "HH:MM", ":SS", ".fraction",
// and "Z" or "+HH:MM" / "-HH:MM" / "+HHMM" / "+HH".
bool ParseIsoDateTime(std::string_view text, DateTime* out);

// A compiled date_format: %Y (4 digits) %y (2 digits: 69-99 -> 19xx, else 20xx) %m %d
// %H %M %S (1-2 digits) %b (English month name, abbreviated or full, any case) %% and
// literal characters; a space matches one or more spaces. When the format has no time
// directive, a trailing time as in ISO (" 14:05[:09[.5]]", offset ignored) is accepted.
class DateFormat {
 public:
  static Result<DateFormat> Compile(std::string_view pattern);
  bool Parse(std::string_view text, DateTime* out) const;
  const std::string& pattern() const { return pattern_; }

 private:
  std::string pattern_;
  bool has_time_ = false;
};

// What one numeric date value says about day/month order (detection).
enum class DateEvidence {
  kIso,         // parses as ISO 8601
  kYearFirst,   // 2026/03/15 or 2026.03.15: decided
  kDayFirst,    // 15/03/2026: first number > 12
  kMonthFirst,  // 03/15/2026: second number > 12
  kAmbiguous,   // 03/04/2026
  kNotADate,    // anything else: the row is a bad_date reject, nothing learnt
};

struct DateShape {
  DateEvidence evidence = DateEvidence::kNotADate;
  // For numeric shapes, the date_format that reads this value in each order, e.g.
  // "%d/%m/%Y" and "%m/%d/%Y" (equal for kYearFirst).
  std::string day_first_format;
  std::string month_first_format;
};

DateShape ClassifyDate(std::string_view text);

}  // namespace salesflow::reader
