// Dense integer keys for order and customer ids (tables order_keys and customer_keys),
// resolved in batches while a report streams, so that the summary bitmaps of a load can be
// built in C++ from the streamed lines (summary_delta.h) instead of re-reading sales.
//
// A dictionary table is keyed by the id text alone; its keys come from ranges reserved in
// dictionary_counters (ReserveKeys), so a batch of new ids is one LOAD DATA with the keys in
// it: one B-tree write per id and no key sent back (docs/warehouse.md, "Dictionaries").
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

#include "core/compact_string_map.h"
#include "core/status.h"
#include "warehouse/connection.h"

namespace salesflow::warehouse {

enum class KeyKind { kOrder, kCustomer };

// Where a dictionary lives: its table, the id column, and its row in dictionary_counters.
struct DictionaryTable {
  std::string_view table;
  std::string_view column;
  std::string_view counter;
};
DictionaryTable DictionaryTableOf(KeyKind kind);

// Reserves `count` consecutive unused keys of a dictionary and returns the first: raises
// dictionary_counters.next_key by `count`. On an autocommit session the range is taken at
// once; inside a transaction the counter row stays locked until it ends (the staged load,
// which holds the apply lock anyway). kResourceExhausted when the keys would pass 2^32 - 1.
// REQUIRES: count > 0.
Result<uint32_t> ReserveKeys(Connection& connection, KeyKind kind, uint64_t count);

class KeyDictionary {
 public:
  // Takes the connection over (autocommit).
  static Result<KeyDictionary> Open(Connection connection);

  // The key of every id: result[i] belongs to ids[i]. Ids new to the warehouse are added
  // (in the order given, so a file's keys stay dense). Ids compare as the columns do
  // (utf8mb4_bin: exact bytes, trailing spaces ignored). Deadlocks with a concurrent loader
  // are retried a few times.
  // REQUIRES: every id is 1..64 characters of valid UTF-8 (what the reader lets through).
  Result<std::vector<uint32_t>> Resolve(KeyKind kind, std::span<const std::string_view> ids);

  // Batches sent to the database so far, retries included (an empty batch sends none).
  uint64_t batches() const { return batches_; }

 private:
  // Customer ids remembered with their keys (about 7 MiB when full): customers come back,
  // orders do not. Keys never change once given, so a remembered key stays right.
  static constexpr size_t kCustomerCacheEntries = 256 * 1024;

  explicit KeyDictionary(Connection connection) : connection_(std::move(connection)) {}
  Result<std::vector<uint32_t>> ResolveOnce(KeyKind kind, std::span<const std::string_view> ids);
  Status Lookup(KeyKind kind, std::span<const std::string_view> ids,
                std::span<const uint32_t> wanted, std::vector<uint32_t>& keys);
  Result<uint64_t> Insert(KeyKind kind, std::span<const std::string_view> ids,
                          std::span<const uint32_t> positions, std::vector<uint32_t>& keys);

  Connection connection_;
  std::array<bool, 2> insert_first_ = {false, false};  // per KeyKind: see ResolveOnce
  // Per KeyKind: remembered ids (trailing spaces stripped) and their keys, bounded.
  std::array<core::CompactStringMap, 2> cache_ = {core::CompactStringMap(0),
                                                  core::CompactStringMap(kCustomerCacheEntries)};
  // Per KeyKind: the last id of the previous batch (trailing spaces stripped) and its key, as
  // an order's lines come together and one order often ends a batch and starts the next.
  struct LastId {
    std::string id;
    uint32_t key = 0;  // 0: none yet
  };
  std::array<LastId, 2> last_;
  std::string rows_;  // LOAD DATA text of the ids being added (reused)
  uint64_t batches_ = 0;
};

}  // namespace salesflow::warehouse
