// How daily_summary rows and dictionary ids are keyed: one definition for everything that
// builds, merges or reads them (summary_bitmaps, summary_delta, stats, key_dictionary).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace salesflow::warehouse {

// daily_summary.dimension in ENUM order; index 0 is the total (dim_value always '').
inline constexpr std::array<std::string_view, 6> kSummaryDimensionNames = {
    "total", "category", "region", "country", "channel", "sku"};

// The index of a dimension's ENUM name; nullopt for an unknown name.
inline std::optional<uint8_t> SummaryDimensionIndex(std::string_view name) {
  for (size_t i = 0; i < kSummaryDimensionNames.size(); ++i) {
    if (kSummaryDimensionNames[i] == name) return static_cast<uint8_t>(i);
  }
  return std::nullopt;
}

// Text keys compare like utf8mb4_bin, a PAD SPACE collation: trailing spaces are not part
// of a key ('a' and 'a  ' are one summary group and one dictionary id).
inline std::string_view StripTrailingSpaces(std::string_view value) {
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  return value;
}

}  // namespace salesflow::warehouse
