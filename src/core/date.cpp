#include "core/date.h"

namespace salesflow::core {

int32_t DaysFromCivil(CivilDate date) {
  const int32_t y = date.year - (date.month <= 2 ? 1 : 0);
  const int32_t era = (y >= 0 ? y : y - 399) / 400;
  const int32_t yoe = y - era * 400;
  const int32_t mp = (date.month + 9) % 12;
  const int32_t doy = (153 * mp + 2) / 5 + date.day - 1;
  const int32_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

CivilDate CivilFromDays(int32_t days) {
  const int32_t z = days + 719468;
  const int32_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int32_t doe = z - era * 146097;
  const int32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int32_t mp = (5 * doy + 2) / 153;
  const int32_t d = doy - (153 * mp + 2) / 5 + 1;
  const int32_t m = mp < 10 ? mp + 3 : mp - 9;
  return {yoe + era * 400 + (m <= 2 ? 1 : 0), m, d};
}

int32_t DaysInMonth(int32_t year, int32_t month) {
  static constexpr int32_t kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2) {
    const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return leap ? 29 : 28;
  }
  return kDays[month - 1];
}

bool IsValidCivil(CivilDate date) {
  return date.year >= 1 && date.year <= 9999 && date.month >= 1 && date.month <= 12 &&
         date.day >= 1 && date.day <= DaysInMonth(date.year, date.month);
}

int32_t Weekday(int32_t days) { return ((days % 7) + 7 + 3) % 7; }

std::string FormatDate(int32_t days) {
  const CivilDate c = CivilFromDays(days);
  char buffer[16];
  buffer[0] = static_cast<char>('0' + (c.year / 1000) % 10);
  buffer[1] = static_cast<char>('0' + (c.year / 100) % 10);
  buffer[2] = static_cast<char>('0' + (c.year / 10) % 10);
  buffer[3] = static_cast<char>('0' + c.year % 10);
  buffer[4] = '-';
  buffer[5] = static_cast<char>('0' + c.month / 10);
  buffer[6] = static_cast<char>('0' + c.month % 10);
  buffer[7] = '-';
  buffer[8] = static_cast<char>('0' + c.day / 10);
  buffer[9] = static_cast<char>('0' + c.day % 10);
  return std::string(buffer, 10);
}

std::optional<int32_t> ParseIsoDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  auto digits = [&](size_t from, size_t count, int32_t* out) {
    int32_t v = 0;
    for (size_t i = from; i < from + count; ++i) {
      if (text[i] < '0' || text[i] > '9') return false;
      v = v * 10 + (text[i] - '0');
    }
    *out = v;
    return true;
  };
  CivilDate c;
  if (!digits(0, 4, &c.year) || !digits(5, 2, &c.month) || !digits(8, 2, &c.day)) {
    return std::nullopt;
  }
  if (!IsValidCivil(c)) return std::nullopt;
  return DaysFromCivil(c);
}

}  // namespace salesflow::core
