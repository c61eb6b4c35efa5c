#include "warehouse/key_dictionary.h"

#include <fmt/format.h>
#include <mysql.h>

#include <algorithm>
#include <unordered_map>

#include "warehouse/load_data.h"
#include "warehouse/summary_keys.h"

namespace salesflow::warehouse {
namespace {

constexpr int kAttempts = 5;
// A batch where fewer than 1 id in this many existed makes the next one add first (see
// ResolveOnce).
constexpr uint64_t kInsertFirstBelow = 16;
// Ids per statement (one placeholder each, far below the 65535 limit).
constexpr size_t kStatementIds = 8192;

// Fills keys[p] for the positions p among `positions` whose id is in `found` (rows of
// id text, key).
Status AssignFound(const QueryResult& found, const DictionaryTable& table,
                   std::span<const std::string_view> ids, std::span<const uint32_t> positions,
                   std::vector<uint32_t>& keys) {
  // Id -> first position; an id given more than once chains its other positions through
  // `next` (no allocation per id: this runs for every id of a load).
  constexpr uint32_t kEnd = UINT32_MAX;
  std::unordered_map<std::string_view, uint32_t> by_id;
  by_id.reserve(positions.size());
  std::vector<uint32_t> next(positions.size(), kEnd);
  for (uint32_t i = 0; i < positions.size(); ++i) {
    auto [at, inserted] = by_id.try_emplace(StripTrailingSpaces(ids[positions[i]]), i);
    if (!inserted) {
      next[i] = at->second;
      at->second = i;
    }
  }
  for (size_t row = 0; row < found.rows.size(); ++row) {
    const int64_t key = found.Int(row, 1);
    if (key <= 0 || key > UINT32_MAX) {
      return Status::Internal(fmt::format("{} holds an id out of range", table.table));
    }
    // The column compares PAD SPACE: the stored id may differ by trailing spaces.
    auto at = by_id.find(StripTrailingSpaces(found.Text(row, 0)));
    if (at == by_id.end()) continue;
    for (uint32_t i = at->second; i != kEnd; i = next[i]) {
      keys[positions[i]] = static_cast<uint32_t>(key);
    }
  }
  return Status::Ok();
}

}  // namespace

DictionaryTable DictionaryTableOf(KeyKind kind) {
  return kind == KeyKind::kOrder ? DictionaryTable{"order_keys", "order_id", "order"}
                                 : DictionaryTable{"customer_keys", "customer_id", "customer"};
}

Result<uint32_t> ReserveKeys(Connection& connection, KeyKind kind, uint64_t count) {
  constexpr uint64_t kKeyLimit = uint64_t{UINT32_MAX} + 1;  // INT UNSIGNED, 32-bit bitmaps
  if (count == 0 || count >= kKeyLimit) {
    return Status::InvalidArgument(fmt::format("ReserveKeys: cannot reserve {} keys", count));
  }
  const DictionaryTable table = DictionaryTableOf(kind);
  // LAST_INSERT_ID(expr) hands the new value back to this session with the UPDATE's reply.
  SF_RETURN_IF_ERROR(connection.Execute(
      fmt::format("UPDATE dictionary_counters SET next_key = LAST_INSERT_ID(next_key + {0}) "
                  "WHERE dictionary = '{1}' AND next_key + {0} <= {2}",
                  count, table.counter, kKeyLimit)));
  if (connection.affected_rows() != 1) {
    return Status::ResourceExhausted(
        fmt::format("the {} dictionary cannot give {} more keys: its 32-bit keys are used up (or "
                    "dictionary_counters has no '{}' row: run `salesflow migrate`)",
                    table.table, count, table.counter));
  }
  return static_cast<uint32_t>(connection.last_insert_id() - count);
}

Result<KeyDictionary> KeyDictionary::Open(Connection connection) {
  return KeyDictionary(std::move(connection));
}

Result<std::vector<uint32_t>> KeyDictionary::Resolve(KeyKind kind,
                                                     std::span<const std::string_view> ids) {
  if (ids.empty()) return std::vector<uint32_t>();
  auto& cache = cache_[static_cast<size_t>(kind)];
  LastId& last = last_[static_cast<size_t>(kind)];
  std::vector<uint32_t> keys(ids.size(), 0);
  std::vector<std::string_view> misses;
  std::vector<uint32_t> miss_positions;
  for (uint32_t i = 0; i < ids.size(); ++i) {
    const std::string_view id = StripTrailingSpaces(ids[i]);
    if (last.key != 0 && id == last.id) {
      keys[i] = last.key;
      continue;
    }
    if (const uint32_t* hit = cache.Find(id)) {
      keys[i] = *hit;
    } else {
      misses.push_back(ids[i]);
      miss_positions.push_back(i);
    }
  }
  for (int attempt = 1; !misses.empty(); ++attempt) {
    Result<std::vector<uint32_t>> resolved = ResolveOnce(kind, misses);
    if (resolved.ok()) {
      for (size_t m = 0; m < misses.size(); ++m) {
        keys[miss_positions[m]] = (*resolved)[m];
        // Full: frozen. The ids seen first are the frequent ones, mostly (regulars).
        cache.Insert(StripTrailingSpaces(misses[m]), (*resolved)[m]);
      }
      break;
    }
    // A deadlock with a concurrent loader; a lost session is not worth retrying here (the
    // job is).
    if (attempt == kAttempts || resolved.status().code() != StatusCode::kConflict) {
      return resolved.status();
    }
  }
  last.id.assign(StripTrailingSpaces(ids.back()));
  last.key = keys.back();
  return keys;
}

// Fills keys[i] (0 = not found yet) for the positions in `wanted` whose id is stored.
Status KeyDictionary::Lookup(KeyKind kind, std::span<const std::string_view> ids,
                             std::span<const uint32_t> wanted, std::vector<uint32_t>& keys) {
  const DictionaryTable table = DictionaryTableOf(kind);
  for (size_t first = 0; first < wanted.size(); first += kStatementIds) {
    const size_t end = std::min(wanted.size(), first + kStatementIds);
    std::string sql =
        fmt::format("SELECT {1}, id FROM {0} WHERE {1} IN (", table.table, table.column);
    std::vector<Param> params;
    params.reserve(end - first);
    for (size_t i = first; i < end; ++i) {
      sql += i == first ? "?" : ",?";
      params.emplace_back(ids[wanted[i]]);
    }
    sql += ")";
    SF_ASSIGN_OR_RETURN(QueryResult found, connection_.Query(sql, params));
    SF_RETURN_IF_ERROR(AssignFound(found, table, ids, wanted.subspan(first, end - first), keys));
  }
  return Status::Ok();
}

// Adds the ids at `positions` with keys from a fresh range, in one LOAD DATA ... IGNORE, and
// fills in their keys. Returns how many of them were stored already. An id given twice (or
// equal up to trailing spaces) is added once. The LOAD runs in autocommit, which LoadData
// allows here: its source is in memory (it cannot fail halfway) and the statement is atomic.
Result<uint64_t> KeyDictionary::Insert(KeyKind kind, std::span<const std::string_view> ids,
                                       std::span<const uint32_t> positions,
                                       std::vector<uint32_t>& keys) {
  if (positions.empty()) return 0;
  const DictionaryTable table = DictionaryTableOf(kind);
  // The distinct ids in the order given; slot[j] = the index of positions[j]'s id among them.
  std::unordered_map<std::string_view, uint32_t> index_of;
  index_of.reserve(positions.size());
  std::vector<uint32_t> distinct;
  std::vector<uint32_t> slot(positions.size());
  for (size_t j = 0; j < positions.size(); ++j) {
    auto [at, added] = index_of.try_emplace(StripTrailingSpaces(ids[positions[j]]),
                                            static_cast<uint32_t>(distinct.size()));
    if (added) distinct.push_back(positions[j]);
    slot[j] = at->second;
  }
  SF_ASSIGN_OR_RETURN(const uint32_t first_key, ReserveKeys(connection_, kind, distinct.size()));
  rows_.clear();
  for (uint32_t i = 0; i < distinct.size(); ++i) {
    AppendField(ids[distinct[i]], &rows_);
    AppendIntField(int64_t{first_key} + i, &rows_);
    EndRow(&rows_);
  }
  StringChunkSource source(rows_);
  const std::array<std::string_view, 2> columns = {table.column, "id"};
  LoadOptions options;
  options.on_duplicate = OnDuplicateKey::kIgnore;
  SF_ASSIGN_OR_RETURN(LoadStats loaded,
                      LoadData(connection_, table.table, columns, source, options));
  if (loaded.skipped == 0) {
    for (size_t j = 0; j < positions.size(); ++j) keys[positions[j]] = first_key + slot[j];
    return 0;
  }
  // Another loader stored some of them first: theirs stand, and the keys reserved for those
  // stay unused. Read back the keys of the whole batch.
  SF_RETURN_IF_ERROR(Lookup(kind, ids, positions, keys));
  return loaded.skipped;
}

Result<std::vector<uint32_t>> KeyDictionary::ResolveOnce(KeyKind kind,
                                                         std::span<const std::string_view> ids) {
  ++batches_;
  bool& insert_first = insert_first_[static_cast<size_t>(kind)];
  std::vector<uint32_t> keys(ids.size(), 0);
  std::vector<uint32_t> wanted(ids.size());
  for (uint32_t i = 0; i < wanted.size(); ++i) wanted[i] = i;
  const auto unresolved = [&] {
    std::vector<uint32_t> out;
    for (uint32_t i = 0; i < keys.size(); ++i) {
      if (keys[i] == 0) out.push_back(i);
    }
    return out;
  };
  // Known ids (returning customers, a replaced report's orders) are looked up first, and
  // only the missing ones added: no key is reserved for an id that has one. A batch of
  // almost only new ids (a new report's orders) makes the next batch add first and skip the
  // lookup, which would find (almost) nothing; the ids that existed after all are read back,
  // and the keys reserved for them stay unused. Each batch decides for the next; the first
  // looks up.
  uint64_t existing = 0;
  if (insert_first) {
    SF_ASSIGN_OR_RETURN(existing, Insert(kind, ids, wanted, keys));
  } else {
    SF_RETURN_IF_ERROR(Lookup(kind, ids, wanted, keys));
    const std::vector<uint32_t> missing = unresolved();
    existing = ids.size() - missing.size();
    // Ids a concurrent loader added meanwhile are read back inside Insert.
    SF_RETURN_IF_ERROR(Insert(kind, ids, missing, keys).status());
  }
  insert_first = existing * kInsertFirstBelow < ids.size();
  if (!unresolved().empty()) {
    return Status::Internal(
        fmt::format("{}: an id was neither found nor added", DictionaryTableOf(kind).table));
  }
  return keys;
}

}  // namespace salesflow::warehouse
