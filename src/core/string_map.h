// StringMap<V>: an unordered map from std::string that finds by std::string_view without
// building a string (C++20 heterogeneous lookup), for hot paths keyed by parsed text.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace salesflow::core {

struct TransparentStringHash {
  using is_transparent = void;
  size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
};

template <typename V>
using StringMap = std::unordered_map<std::string, V, TransparentStringHash, std::equal_to<>>;

}  // namespace salesflow::core
