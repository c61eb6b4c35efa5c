#include "warehouse/key_dictionary.h"

#include <fmt/format.h>
#include <mysql.h>

#include <algorithm>
#include <unordered_map>

#include "warehouse/summary_keys.h"

namespace salesflow::warehouse {
namespace {

constexpr int kAttempts = 5;
// Customer ids remembered with their keys (about 4 MiB): customers come back, orders
// do not. Keys never change once given, so a remembered key stays right.
constexpr size_t kCustomerCacheEntries = 64 * 1024;
// Ids per statement (one placeholder each, far below the 65535 limit).
constexpr size_t kStatementIds = 8192;

struct KeyTable {
  std::string_view table;
  std::string_view column;
};

KeyTable TableOf(KeyKind kind) {
  return kind == KeyKind::kOrder ? KeyTable{"order_keys", "order_id"}
                                 : KeyTable{"customer_keys", "customer_id"};
}

// Fills keys[p] for the positions p among `positions` whose id is in `found` (rows of
// id text, key).
Status AssignFound(const QueryResult& found, const KeyTable& table,
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

Result<KeyDictionary> KeyDictionary::Open(Connection connection) {
  // INSERT ... RETURNING: MariaDB 10.5 and later.
  const std::string server = mysql_get_server_info(connection.handle());
  const bool returning = server.find("MariaDB") != std::string::npos &&
                         mysql_get_server_version(connection.handle()) >= 100500;
  return KeyDictionary(std::move(connection), returning);
}

Result<std::vector<uint32_t>> KeyDictionary::Resolve(KeyKind kind,
                                                     std::span<const std::string_view> ids) {
  if (ids.empty()) return std::vector<uint32_t>();
  auto& cache = cache_[static_cast<size_t>(kind)];
  const size_t capacity = kind == KeyKind::kCustomer ? kCustomerCacheEntries : 0;
  std::vector<uint32_t> keys(ids.size(), 0);
  std::vector<std::string_view> misses;
  std::vector<uint32_t> miss_positions;
  for (uint32_t i = 0; i < ids.size(); ++i) {
    auto hit = capacity > 0 ? cache.find(StripTrailingSpaces(ids[i])) : cache.end();
    if (hit != cache.end()) {
      keys[i] = hit->second;
    } else {
      misses.push_back(ids[i]);
      miss_positions.push_back(i);
    }
  }
  if (misses.empty()) return keys;
  for (int attempt = 1;; ++attempt) {
    Result<std::vector<uint32_t>> resolved = ResolveOnce(kind, misses);
    if (resolved.ok()) {
      for (size_t m = 0; m < misses.size(); ++m) {
        keys[miss_positions[m]] = (*resolved)[m];
        // Full: frozen. The ids seen first are the frequent ones, mostly (regulars).
        if (cache.size() < capacity) {
          cache.emplace(StripTrailingSpaces(misses[m]), (*resolved)[m]);
        }
      }
      return keys;
    }
    // A deadlock or an auto-increment conflict with a concurrent loader; a lost session is
    // not worth retrying here (the job is).
    if (attempt == kAttempts || resolved.status().code() != StatusCode::kConflict) {
      return resolved.status();
    }
  }
}

// Fills keys[i] (0 = not found yet) for the positions in `wanted` whose id is stored.
Status KeyDictionary::Lookup(KeyKind kind, std::span<const std::string_view> ids,
                             std::span<const uint32_t> wanted, std::vector<uint32_t>& keys) {
  const KeyTable table = TableOf(kind);
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

// Inserts the ids at `positions` (IGNORE: present ones stay). With RETURNING (MariaDB
// 10.5+) the new rows' keys come back in the same round trip and are filled in.
Status KeyDictionary::Insert(KeyKind kind, std::span<const std::string_view> ids,
                             std::span<const uint32_t> positions, std::vector<uint32_t>& keys) {
  const KeyTable table = TableOf(kind);
  for (size_t first = 0; first < positions.size(); first += kStatementIds) {
    const size_t end = std::min(positions.size(), first + kStatementIds);
    std::string sql = fmt::format("INSERT IGNORE INTO {} ({}) VALUES ", table.table, table.column);
    std::vector<Param> params;
    params.reserve(end - first);
    for (size_t i = first; i < end; ++i) {
      sql += i == first ? "(?)" : ",(?)";
      params.emplace_back(ids[positions[i]]);
    }
    if (!returning_) {
      SF_RETURN_IF_ERROR(connection_.Exec(sql, params).status());
      continue;
    }
    sql += fmt::format(" RETURNING {}, id", table.column);
    SF_ASSIGN_OR_RETURN(QueryResult inserted, connection_.Query(sql, params));
    SF_RETURN_IF_ERROR(
        AssignFound(inserted, table, ids, positions.subspan(first, end - first), keys));
  }
  return Status::Ok();
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
  // Mostly known ids (returning customers, a replaced report's orders): look up first and
  // insert only the missing, so present ids burn no auto-increment values. Mostly new ones
  // (a new report's orders): insert first, one round trip with RETURNING, then look up
  // what was there already; only those few burn a value each (InnoDB allocates before it
  // sees the duplicate). Each batch decides for the next; the first looks up first.
  size_t added = 0;
  if (insert_first) {
    SF_RETURN_IF_ERROR(Insert(kind, ids, wanted, keys));
    wanted = unresolved();
    added = ids.size() - wanted.size();
    SF_RETURN_IF_ERROR(Lookup(kind, ids, wanted, keys));
  } else {
    SF_RETURN_IF_ERROR(Lookup(kind, ids, wanted, keys));
    wanted = unresolved();
    added = wanted.size();
    if (!wanted.empty()) {
      SF_RETURN_IF_ERROR(Insert(kind, ids, wanted, keys));
      SF_RETURN_IF_ERROR(Lookup(kind, ids, unresolved(), keys));
    }
  }
  if (returning_) insert_first = 2 * added > ids.size();
  if (!unresolved().empty()) {
    return Status::Internal(
        fmt::format("{}: an id was neither found nor added", TableOf(kind).table));
  }
  return keys;
}

}  // namespace salesflow::warehouse
