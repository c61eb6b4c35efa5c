// SHA-256 of a report's raw bytes (compressed bytes for a .gz), computed while streaming:
// a report's version is its content (DESIGN.md "Identity").
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace salesflow::ingest {

// Not thread-safe; one per stream.
class ContentHash {
 public:
  ContentHash();
  ~ContentHash();
  ContentHash(const ContentHash&) = delete;
  ContentHash& operator=(const ContentHash&) = delete;

  void Update(std::string_view bytes);
  // Lower-case hex of the digest. REQUIRES: called once, after the last Update.
  std::string FinishHex();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Lower-case hex of SHA-256(bytes).
std::string Sha256Hex(std::string_view bytes);

}  // namespace salesflow::ingest
