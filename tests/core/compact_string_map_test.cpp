// CompactStringMap against std::map as the model: same answers for any keys, including
// prefixes of each other, empty and binary keys; bounded by its capacity.
#include "core/compact_string_map.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>

namespace salesflow::core {
namespace {

TEST(CompactStringMap, FindsWhatWasInsertedAndNothingElse) {
  CompactStringMap map(100);
  EXPECT_EQ(map.Find("a"), nullptr) << "empty";
  EXPECT_TRUE(map.Insert("ab", 1));
  EXPECT_TRUE(map.Insert("a", 2));
  EXPECT_TRUE(map.Insert("", 3));
  EXPECT_TRUE(map.Insert(std::string_view("a\0b", 3), 4));
  EXPECT_FALSE(map.Insert("ab", 9)) << "present: the first value stays";
  ASSERT_NE(map.Find("ab"), nullptr);
  EXPECT_EQ(*map.Find("ab"), 1u);
  EXPECT_EQ(*map.Find("a"), 2u);
  EXPECT_EQ(*map.Find(""), 3u);
  EXPECT_EQ(*map.Find(std::string_view("a\0b", 3)), 4u);
  EXPECT_EQ(map.Find("abc"), nullptr);
  EXPECT_EQ(map.Find("b"), nullptr);
  EXPECT_EQ(map.size(), 4u);
}

TEST(CompactStringMap, AgreesWithAModelThroughManyGrowths) {
  std::mt19937 random(7);
  std::map<std::string, uint32_t> model;
  CompactStringMap map(50000);
  for (uint32_t i = 0; i < 200000; ++i) {
    std::string key = "C" + std::to_string(random() % 60000);
    if (random() % 7 == 0) key += ' ';
    const bool added = map.Insert(key, i);
    const bool model_added = model.size() < 50000 && model.emplace(key, i).second;
    ASSERT_EQ(added, model_added) << key;
  }
  EXPECT_EQ(map.size(), model.size());
  EXPECT_TRUE(map.full());
  for (const auto& [key, value] : model) {
    const uint32_t* found = map.Find(key);
    ASSERT_NE(found, nullptr) << key;
    EXPECT_EQ(*found, value) << key;
  }
  for (int i = 0; i < 1000; ++i) {
    const std::string absent = "D" + std::to_string(i);
    EXPECT_EQ(map.Find(absent), nullptr);
  }
}

TEST(CompactStringMap, AFullMapIgnoresInserts) {
  CompactStringMap map(2);
  EXPECT_TRUE(map.Insert("x", 1));
  EXPECT_TRUE(map.Insert("y", 2));
  EXPECT_FALSE(map.Insert("z", 3));
  EXPECT_EQ(map.Find("z"), nullptr);
  EXPECT_EQ(*map.Find("y"), 2u);
  CompactStringMap none(0);
  EXPECT_FALSE(none.Insert("x", 1));
  EXPECT_EQ(none.Find("x"), nullptr);
}

}  // namespace
}  // namespace salesflow::core
