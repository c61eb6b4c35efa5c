// CompactStringMap: a bounded, append-only map from short strings to uint32_t kept in flat
// arrays: the strings back to back, an end offset and a value per entry, and an open-
// addressing table of entry numbers. About 16 bytes per entry plus the string itself, where
// a node-based std::unordered_map<std::string, uint32_t> takes about 80: the customer-key
// cache of a load holds hundreds of thousands of ids within the loader's memory bar.
//
//   CompactStringMap cache(256 * 1024);
//   if (const uint32_t* key = cache.Find(id)) ...; else cache.Insert(id, resolved);
//
// Thread-safety: none (one owner). Entries are never removed; a full map ignores Insert.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace salesflow::core {

class CompactStringMap {
 public:
  // At most `capacity` entries (and below 4 GiB of string bytes).
  explicit CompactStringMap(size_t capacity) : capacity_(capacity) {}

  // The value of `key`, or nullptr. Valid until the next Insert.
  const uint32_t* Find(std::string_view key) const;
  // Adds key -> value unless the key is present or the map is full; true when added.
  bool Insert(std::string_view key, uint32_t value);

  size_t size() const { return values_.size(); }
  bool full() const { return size() >= capacity_; }

 private:
  std::string_view Key(uint32_t entry) const;
  // The slot holding `key`, or the empty slot where it would go. REQUIRES: slots_ not empty.
  size_t Probe(std::string_view key) const;
  void Grow();

  size_t capacity_;
  std::string bytes_;
  std::vector<uint32_t> ends_;    // entry i's bytes end at ends_[i] (start: ends_[i - 1] or 0)
  std::vector<uint32_t> values_;  // entry i's value
  std::vector<uint32_t> slots_;   // entry number + 1, 0 = empty; a power of two, at most half full
};

}  // namespace salesflow::core
