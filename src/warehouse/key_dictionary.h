// Dense integer keys for order and customer ids (tables order_keys and customer_keys),
// resolved in batches while a report streams, so that the summary bitmaps of a load can be
// built in C++ from the streamed lines (summary_delta.h) instead of re-reading sales.
//
// A KeyDictionary owns a connection of its own, in autocommit: a dictionary only grows, a
// key whose load is later rolled back is harmless (nothing counts dictionary rows), and
// committing each batch at once keeps two concurrent loaders from holding each other's new
// keys locked until their loads commit.
//
//   SF_ASSIGN_OR_RETURN(KeyDictionary dictionary, KeyDictionary::Open(std::move(connection)));
//   SF_ASSIGN_OR_RETURN(std::vector<uint32_t> keys, dictionary.Resolve(KeyKind::kOrder, ids));
//
// Thread-safety: one thread at a time (the connection's rule); movable.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "core/string_map.h"
#include "warehouse/connection.h"

namespace salesflow::warehouse {

enum class KeyKind { kOrder, kCustomer };

class KeyDictionary {
 public:
  // Takes the connection over (autocommit).
  static Result<KeyDictionary> Open(Connection connection);

  // The key of every id: result[i] belongs to ids[i]. Ids new to the warehouse are added
  // (in the order given, so a file's keys stay dense). Ids compare as the columns do
  // (utf8mb4_bin: exact bytes, trailing spaces ignored). Deadlocks and auto-increment
  // conflicts with a concurrent loader are retried a few times.
  // REQUIRES: every id is 1..64 characters of valid UTF-8 (what the reader lets through).
  Result<std::vector<uint32_t>> Resolve(KeyKind kind, std::span<const std::string_view> ids);

  // Batches sent to the database so far, retries included (an empty batch sends none).
  uint64_t batches() const { return batches_; }

 private:
  KeyDictionary(Connection connection, bool returning)
      : connection_(std::move(connection)), returning_(returning) {}
  Result<std::vector<uint32_t>> ResolveOnce(KeyKind kind, std::span<const std::string_view> ids);
  Status Lookup(KeyKind kind, std::span<const std::string_view> ids,
                std::span<const uint32_t> wanted, std::vector<uint32_t>& keys);
  Status Insert(KeyKind kind, std::span<const std::string_view> ids,
                std::span<const uint32_t> positions, std::vector<uint32_t>& keys);

  Connection connection_;
  bool returning_ = false;                             // the server knows INSERT ... RETURNING
  std::array<bool, 2> insert_first_ = {false, false};  // per KeyKind: see ResolveOnce
  // Per KeyKind: remembered ids (trailing spaces stripped) and their keys, bounded.
  std::array<core::StringMap<uint32_t>, 2> cache_;
  uint64_t batches_ = 0;
};

}  // namespace salesflow::warehouse
