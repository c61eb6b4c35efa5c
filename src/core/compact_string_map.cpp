#include "core/compact_string_map.h"

#include <functional>
#include <limits>

namespace salesflow::core {

std::string_view CompactStringMap::Key(uint32_t entry) const {
  const uint32_t begin = entry == 0 ? 0 : ends_[entry - 1];
  return std::string_view(bytes_).substr(begin, ends_[entry] - begin);
}

size_t CompactStringMap::Probe(std::string_view key) const {
  const size_t mask = slots_.size() - 1;
  for (size_t slot = std::hash<std::string_view>{}(key)&mask;; slot = (slot + 1) & mask) {
    const uint32_t held = slots_[slot];
    if (held == 0 || Key(held - 1) == key) return slot;
  }
}

const uint32_t* CompactStringMap::Find(std::string_view key) const {
  if (slots_.empty()) return nullptr;
  const uint32_t held = slots_[Probe(key)];
  return held == 0 ? nullptr : &values_[held - 1];
}

bool CompactStringMap::Insert(std::string_view key, uint32_t value) {
  if (full() || bytes_.size() + key.size() > std::numeric_limits<uint32_t>::max()) return false;
  if (2 * (size() + 1) > slots_.size()) Grow();
  const size_t slot = Probe(key);
  if (slots_[slot] != 0) return false;
  bytes_.append(key);
  ends_.push_back(static_cast<uint32_t>(bytes_.size()));
  values_.push_back(value);
  slots_[slot] = static_cast<uint32_t>(values_.size());
  return true;
}

void CompactStringMap::Grow() {
  slots_.assign(slots_.empty() ? 16 : 2 * slots_.size(), 0);
  const size_t mask = slots_.size() - 1;
  for (uint32_t entry = 0; entry < values_.size(); ++entry) {
    size_t slot = std::hash<std::string_view>{}(Key(entry)) & mask;
    while (slots_[slot] != 0) slot = (slot + 1) & mask;
    slots_[slot] = entry + 1;
  }
}

}  // namespace salesflow::core
