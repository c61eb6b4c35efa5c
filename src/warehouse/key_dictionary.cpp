#include "warehouse/key_dictionary.h"

#include <fmt/format.h>

#include <array>

#include "warehouse/load_data.h"

namespace salesflow::warehouse {
namespace {

constexpr std::string_view kBatchTable = "key_dictionary_batch";
constexpr std::array<std::string_view, 2> kBatchColumns = {"position", "id"};
constexpr int kAttempts = 5;

struct KeyTable {
  std::string_view table;
  std::string_view column;
};

KeyTable TableOf(KeyKind kind) {
  return kind == KeyKind::kOrder ? KeyTable{"order_keys", "order_id"}
                                 : KeyTable{"customer_keys", "customer_id"};
}

}  // namespace

Result<KeyDictionary> KeyDictionary::Open(Connection connection) {
  // A TEMPORARY table: private to the session, gone with it; no implicit commit.
  SF_RETURN_IF_ERROR(connection.Execute(
      fmt::format("CREATE TEMPORARY TABLE IF NOT EXISTS {} (position INT NOT NULL PRIMARY KEY, "
                  "id VARCHAR(64) NOT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 "
                  "COLLATE=utf8mb4_bin",
                  kBatchTable)));
  return KeyDictionary(std::move(connection));
}

Result<std::vector<uint32_t>> KeyDictionary::Resolve(KeyKind kind,
                                                     std::span<const std::string_view> ids) {
  if (ids.empty()) return std::vector<uint32_t>();
  for (int attempt = 1;; ++attempt) {
    Result<std::vector<uint32_t>> keys = ResolveOnce(kind, ids);
    // A deadlock or an auto-increment conflict with a concurrent loader; a lost session is
    // not worth retrying here (the job is).
    if (keys.ok() || attempt == kAttempts || keys.status().code() != StatusCode::kConflict) {
      return keys;
    }
  }
}

Result<std::vector<uint32_t>> KeyDictionary::ResolveOnce(KeyKind kind,
                                                         std::span<const std::string_view> ids) {
  ++batches_;
  const KeyTable keys = TableOf(kind);
  SF_RETURN_IF_ERROR(connection_.Execute(fmt::format("DELETE FROM {}", kBatchTable)));
  text_.clear();
  for (size_t i = 0; i < ids.size(); ++i) {
    AppendIntField(static_cast<int64_t>(i), &text_);
    AppendField(ids[i], &text_);
    EndRow(&text_);
  }
  StringChunkSource source(text_);
  LoadOptions load;
  load.force_insert_fallback = !connection_.local_infile_enabled();
  SF_RETURN_IF_ERROR(LoadData(connection_, kBatchTable, kBatchColumns, source, load).status());
  // The anti-join keeps existing ids from burning auto-increment values; IGNORE covers a
  // concurrent loader adding the same id in between (and 'a' / 'a ' in one batch).
  SF_RETURN_IF_ERROR(connection_.Execute(fmt::format(
      "INSERT IGNORE INTO {0} ({1}) SELECT b.id FROM {2} b LEFT JOIN {0} k ON k.{1} = b.id "
      "WHERE k.id IS NULL ORDER BY b.position",
      keys.table, keys.column, kBatchTable)));
  SF_ASSIGN_OR_RETURN(QueryResult found,
                      connection_.Query(fmt::format("SELECT b.position, k.id FROM {2} b "
                                                    "JOIN {0} k ON k.{1} = b.id",
                                                    keys.table, keys.column, kBatchTable)));
  std::vector<uint32_t> out(ids.size(), 0);
  std::vector<bool> seen(ids.size(), false);
  for (size_t row = 0; row < found.rows.size(); ++row) {
    const int64_t position = found.Int(row, 0);
    const int64_t key = found.Int(row, 1);
    if (position < 0 || static_cast<size_t>(position) >= ids.size() ||
        seen[static_cast<size_t>(position)] || key <= 0 || key > UINT32_MAX) {
      return Status::Internal(fmt::format("{} returned an unexpected row", keys.table));
    }
    seen[static_cast<size_t>(position)] = true;
    out[static_cast<size_t>(position)] = static_cast<uint32_t>(key);
  }
  if (found.rows.size() != ids.size()) {
    return Status::Internal(
        fmt::format("{}: {} of {} ids resolved", keys.table, found.rows.size(), ids.size()));
  }
  return out;
}

}  // namespace salesflow::warehouse
