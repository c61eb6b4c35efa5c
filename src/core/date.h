// Civil dates as days since 1970-01-01 (proleptic Gregorian), the one date type shared by
// the reader, the generator and the warehouse. Algorithms from H. Hinnant's chrono papers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace salesflow::core {

struct CivilDate {
  int32_t year = 1970;
  int32_t month = 1;  // 1..12
  int32_t day = 1;    // 1..31
  friend constexpr bool operator==(CivilDate, CivilDate) = default;
};

// Days since 1970-01-01 for a valid civil date.
int32_t DaysFromCivil(CivilDate date);
CivilDate CivilFromDays(int32_t days);
bool IsValidCivil(CivilDate date);
int32_t DaysInMonth(int32_t year, int32_t month);
// 0 = Monday .. 6 = Sunday.
int32_t Weekday(int32_t days);

// "2026-10-01"
std::string FormatDate(int32_t days);
// Strict "YYYY-MM-DD" (used for API parameters and file names); nullopt when invalid.
std::optional<int32_t> ParseIsoDate(std::string_view text);

}  // namespace salesflow::core
