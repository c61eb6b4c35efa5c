// KeyDictionary against the real MariaDB: keys are stable, dense, in the order given, shared
// by ids the collation calls equal, any text round-trips, concurrent loaders agree.
#include "warehouse/key_dictionary.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <map>
#include <numeric>
#include <set>
#include <span>
#include <thread>

#include "test_db.h"

namespace salesflow::warehouse {
namespace {

using testing::WarehouseTest;

class KeyDictionaryTest : public WarehouseTest {
 protected:
  void SetUp() override {
    WarehouseTest::SetUp();
    if (HasFatalFailure()) return;
    dictionary_.emplace(OpenDictionary());
  }

  KeyDictionary OpenDictionary() {
    auto dictionary = KeyDictionary::Open(Connect());
    EXPECT_OK(dictionary.status());
    return std::move(dictionary).value();
  }

  std::vector<uint32_t> Resolve(KeyKind kind, const std::vector<std::string>& ids) {
    const std::vector<std::string_view> views(ids.begin(), ids.end());
    auto keys = dictionary_->Resolve(kind, views);
    EXPECT_OK(keys.status());
    if (!keys.ok()) return {};
    EXPECT_EQ(keys->size(), ids.size());
    return *std::move(keys);
  }
  std::vector<uint32_t> Orders(const std::vector<std::string>& ids) {
    return Resolve(KeyKind::kOrder, ids);
  }

  int64_t Scalar(const std::string& sql) {
    auto result = conn_->Query(sql);
    EXPECT_OK(result.status());
    return result.ok() && !result->empty() ? result->Int(0, 0) : -1;
  }

  // Every id of the table has the key MAX(id) = COUNT(*) says: no auto-increment value burnt.
  void ExpectDense(std::string_view table, int64_t rows) {
    EXPECT_EQ(Scalar(fmt::format("SELECT COUNT(*) FROM {}", table)), rows) << table;
    EXPECT_EQ(Scalar(fmt::format("SELECT COALESCE(MAX(id), 0) FROM {}", table)), rows)
        << table << ": auto-increment values were burnt";
  }

  // The id stored under `key` (read on the test's own session, not the dictionary's).
  std::optional<std::string> StoredId(std::string_view table, std::string_view column,
                                      uint32_t key) {
    auto result = conn_->Query(fmt::format("SELECT {} FROM {} WHERE id = ?", column, table),
                               {static_cast<int64_t>(key)});
    EXPECT_OK(result.status());
    if (!result.ok() || result->rows.size() != 1) return std::nullopt;
    return result->Text(0, 0);
  }

  std::optional<KeyDictionary> dictionary_;
};

std::vector<uint32_t> Range(uint32_t first, size_t count) {
  std::vector<uint32_t> keys(count);
  std::iota(keys.begin(), keys.end(), first);
  return keys;
}

TEST_F(KeyDictionaryTest, NewIdsGetDenseKeysInTheOrderGivenAndKeepThem) {
  // Not sorted: the order of the file decides.
  const std::vector<std::string> ids = {"Z9", "A1", "M5"};
  EXPECT_EQ(Orders(ids), Range(1, 3));
  EXPECT_EQ(Orders(ids), Range(1, 3)) << "the same ids twice: the same keys";
  EXPECT_EQ(Orders({"M5", "Z9", "A1"}), (std::vector<uint32_t>{3, 1, 2}));
  ExpectDense("order_keys", 3);
  // Committed on the dictionary's own session (autocommit), whatever the caller's
  // transaction does: another session sees them at once.
  EXPECT_EQ(StoredId("order_keys", "order_id", 1), "Z9");
  EXPECT_EQ(StoredId("order_keys", "order_id", 3), "M5");
  EXPECT_EQ(dictionary_->batches(), 3u);
}

// New keys of one batch: above every earlier key, increasing in the order given.
void ExpectNewKeysInOrder(const std::vector<uint32_t>& keys, std::span<const size_t> positions,
                          uint32_t above) {
  for (size_t position : positions) {
    EXPECT_GT(keys.at(position), above) << "position " << position;
    above = keys.at(position);
  }
}

TEST_F(KeyDictionaryTest, IdsOfAnEarlierBatchKeepTheirKeys) {
  EXPECT_EQ(Orders({"A", "B"}), Range(1, 2));
  const std::vector<uint32_t> second = Orders({"C", "A", "D"});
  ASSERT_EQ(second.size(), 3u);
  EXPECT_EQ(second[1], 1u);
  ExpectNewKeysInOrder(second, std::array<size_t, 2>{0, 2}, 2);
  const std::vector<uint32_t> third = Orders({"B", "E", "A", "F", "D", "G"});
  ASSERT_EQ(third.size(), 6u);
  EXPECT_EQ(third[0], 2u);
  EXPECT_EQ(third[2], 1u);
  EXPECT_EQ(third[4], second[2]);
  ExpectNewKeysInOrder(third, std::array<size_t, 3>{1, 3, 5}, second[2]);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM order_keys"), 7);
}

// A batch of only new ids makes the next one add first (no lookup); ids that turn out to be
// known there still get their own keys, never a second one.
TEST_F(KeyDictionaryTest, AfterABatchOfNewIdsKnownOnesAreStillFound) {
  std::vector<std::string> fresh;
  for (int i = 1; i <= 100; ++i) fresh.push_back(fmt::format("N{}", i));
  EXPECT_EQ(Orders(fresh), Range(1, 100));
  const std::vector<uint32_t> second = Orders({"X1", "N5", "X2", "N50", "X1 ", "N100"});
  ASSERT_EQ(second.size(), 6u);
  EXPECT_EQ(second[1], 5u);
  EXPECT_EQ(second[3], 50u);
  EXPECT_EQ(second[5], 100u);
  EXPECT_EQ(second[4], second[0]) << "equal up to trailing spaces: one key";
  ExpectNewKeysInOrder(second, std::array<size_t, 2>{0, 2}, 100);
  const std::vector<uint32_t> third = Orders({"N7", "Y1", "X2"});
  ASSERT_EQ(third.size(), 3u);
  EXPECT_EQ(third[0], 7u);
  EXPECT_GT(third[1], second[2]);
  EXPECT_EQ(third[2], second[2]);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM order_keys"), 103);
  EXPECT_EQ(Scalar("SELECT COUNT(DISTINCT id) FROM order_keys"), 103) << "no key given twice";
}

// MySQL 8 refuses LOAD DATA LOCAL by default: new ids then go in by INSERTs, same keys.
TEST_F(KeyDictionaryTest, NewIdsAreAddedByInsertsWhereLocalInfileIsRefused) {
  ConnectOptions refusing;
  refusing.local_infile = false;
  auto opened = KeyDictionary::Open(Connect(refusing));
  ASSERT_OK(opened.status());
  dictionary_.emplace(std::move(opened).value());
  EXPECT_EQ(Orders({"A", "B", "A", "tab\there\\N"}), (std::vector<uint32_t>{1, 2, 1, 3}));
  EXPECT_EQ(StoredId("order_keys", "order_id", 3), "tab\there\\N");
  const std::vector<uint32_t> second = Orders({"C", "B"});
  EXPECT_EQ(second, (std::vector<uint32_t>{4, 2}));
  ExpectDense("order_keys", 4);
}

TEST_F(KeyDictionaryTest, ARepeatedIdInOneBatchGetsOneKey) {
  const std::vector<uint32_t> keys = Orders({"A", "B", "A", "B", "C"});
  EXPECT_EQ(keys, (std::vector<uint32_t>{1, 2, 1, 2, 3}));
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM order_keys"), 3);
}

TEST_F(KeyDictionaryTest, TrailingSpacesCompareEqualAsInTheColumns) {
  // utf8mb4_bin is a PAD SPACE collation: sales' primary key and the dictionary's unique key
  // both take 'A1' and 'A1 ' for one id, so they must share one key.
  const std::vector<uint32_t> one_batch = Orders({"A1", "A1 ", "B2  ", "B2"});
  ASSERT_EQ(one_batch.size(), 4u);
  EXPECT_EQ(one_batch[0], one_batch[1]);
  EXPECT_EQ(one_batch[2], one_batch[3]);
  EXPECT_NE(one_batch[0], one_batch[2]);
  EXPECT_EQ(Orders({"A1   "}), std::vector<uint32_t>{one_batch[0]}) << "across batches too";
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM order_keys"), 2);
  // Any other trailing character is part of the id.
  const std::vector<uint32_t> tab = Orders({"A1\t"});
  ASSERT_EQ(tab.size(), 1u);
  EXPECT_NE(tab[0], one_batch[0]);
}

TEST_F(KeyDictionaryTest, AnEmptyBatchCostsNothing) {
  EXPECT_TRUE(Orders({}).empty());
  EXPECT_TRUE(Resolve(KeyKind::kCustomer, {}).empty());
  EXPECT_EQ(dictionary_->batches(), 0u) << "no round trip for nothing";
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM order_keys"), 0);
  EXPECT_EQ(Orders({"A"}), Range(1, 1));
}

TEST_F(KeyDictionaryTest, HostileTextRoundTripsVerbatim) {
  const std::vector<std::string> ids = {
      "'); DROP TABLE sales; --",
      "quote ' and \" and `",
      "back\\slash",
      "\\N",
      "\\",
      "tab\there",
      "new\nline",
      "cr\rlf",
      std::string("nul\0byte", 8),
      "emoji \xF0\x9F\x98\x80",
      "\xE6\x97\xA5\xE6\x9C\xAC",  // 日本
      "%_ LIKE wildcards",
  };
  // 64 four-byte characters: the longest id the column takes.
  std::string longest;
  for (int i = 0; i < 64; ++i) longest += "\xF0\x9F\x98\x80";
  std::vector<std::string> all = ids;
  all.push_back(longest);
  const std::vector<uint32_t> keys = Orders(all);
  ASSERT_EQ(keys, Range(1, all.size()));
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(StoredId("order_keys", "order_id", keys[i]), all[i]) << "id " << i;
  }
  EXPECT_EQ(Orders(all), keys) << "found again by the same bytes";
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM sales"), 0) << "the sales table is still there";
  ExpectDense("order_keys", static_cast<int64_t>(all.size()));
}

TEST_F(KeyDictionaryTest, CustomersHaveTheirOwnTable) {
  EXPECT_EQ(Resolve(KeyKind::kCustomer, {"C7", "C3"}), Range(1, 2));
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM order_keys"), 0);
  EXPECT_EQ(StoredId("customer_keys", "customer_id", 1), "C7");
  // The same text as an order id is another dictionary's business.
  EXPECT_EQ(Orders({"C3", "O1"}), Range(1, 2));
  const std::vector<uint32_t> customers = Resolve(KeyKind::kCustomer, {"C3", "C9", "C7"});
  ASSERT_EQ(customers.size(), 3u);
  EXPECT_EQ(customers[0], 2u);
  EXPECT_EQ(customers[2], 1u);
  EXPECT_EQ(StoredId("customer_keys", "customer_id", customers[1]), "C9");
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM customer_keys"), 3);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM order_keys"), 2);
}

TEST_F(KeyDictionaryTest, LargeBatchesKeepTheOrderGiven) {
  // A report's batch holds tens of thousands of distinct ids, more than one statement takes.
  std::vector<std::string> ids;
  for (int i = 0; i < 20000; ++i) ids.push_back(fmt::format("ORD-{:06d}", (i * 7919) % 20000));
  EXPECT_EQ(Orders(ids), Range(1, ids.size())) << "a fresh table: 1, 2, 3, ... in file order";
  std::map<std::string, uint32_t> first;
  for (size_t i = 0; i < ids.size(); ++i) first[ids[i]] = static_cast<uint32_t>(i + 1);
  // 4000 known ids, then 8000 new ones.
  std::vector<std::string> more;
  for (int i = 0; i < 12000; ++i) more.push_back(fmt::format("ORD-{:06d}", 16000 + i));
  const std::vector<uint32_t> keys = Orders(more);
  ASSERT_EQ(keys.size(), more.size());
  for (size_t i = 0; i < 4000; ++i) EXPECT_EQ(keys[i], first.at(more[i])) << more[i];
  std::vector<size_t> fresh(8000);
  std::iota(fresh.begin(), fresh.end(), size_t{4000});
  ExpectNewKeysInOrder(keys, fresh, 20000);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM order_keys"), 28000);
}

// Two loaders resolve overlapping ids at once: each id ends with exactly one key, both agree,
// and conflicts between them are retried, never surfaced.
TEST_F(KeyDictionaryTest, ConcurrentLoadersAgreeOnEveryKey) {
  constexpr int kRounds = 20;
  constexpr int kIdsPerRound = 300;
  KeyDictionary other = OpenDictionary();
  std::vector<std::map<std::string, uint32_t>> seen(2);
  auto run = [&](KeyDictionary& dictionary, size_t who) {
    for (int round = 0; round < kRounds; ++round) {
      std::vector<std::string> ids;
      for (int i = 0; i < kIdsPerRound; ++i) {
        // Overlapping windows in opposite orders.
        const int n = round * (kIdsPerRound / 2) + (who == 0 ? i : kIdsPerRound - 1 - i);
        ids.push_back(fmt::format("O{}", n));
      }
      const std::vector<std::string_view> views(ids.begin(), ids.end());
      auto keys = dictionary.Resolve(KeyKind::kOrder, views);
      ASSERT_OK(keys.status());
      for (size_t i = 0; i < ids.size(); ++i) {
        auto [it, inserted] = seen[who].emplace(ids[i], (*keys)[i]);
        ASSERT_EQ(it->second, (*keys)[i]) << ids[i] << " changed its key";
      }
    }
  };
  std::thread second([&] { run(other, 1); });
  run(*dictionary_, 0);
  second.join();
  size_t shared = 0;
  for (const auto& [id, key] : seen[0]) {
    auto found = seen[1].find(id);
    if (found == seen[1].end()) continue;
    ++shared;
    EXPECT_EQ(found->second, key) << id;
  }
  EXPECT_GT(shared, 1000u);
  std::set<std::string> all;
  for (const auto& by : seen) {
    for (const auto& [id, key] : by) {
      all.insert(id);
      EXPECT_EQ(StoredId("order_keys", "order_id", key), id);
    }
  }
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM order_keys"), static_cast<int64_t>(all.size()));
}

}  // namespace
}  // namespace salesflow::warehouse
