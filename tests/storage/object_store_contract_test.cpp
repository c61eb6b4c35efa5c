// The ObjectStore contract: one suite, run against every backend (value-parameterised over
// the backend name). The local backend runs in storage_local_tests (label unit), S3 against
// the real s3rver in storage_s3_tests (label s3): same assertions, same semantics.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <thread>
#include <vector>

#include "core/object_key.h"
#include "storage/object_store.h"
#include "store_test_env.h"
#include "test_util.h"

namespace salesflow::storage {
namespace {

using testing::Bytes;
using testing::Md5Hex;

constexpr std::size_t kMiB = 1024 * 1024;

class ObjectStoreContract : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "local") {
      dir_ = std::filesystem::temp_directory_path() / ::salesflow::testing::UniqueName("sf_store");
      auto store = OpenObjectStore("file://" + dir_.string(), StorageEnv{});
      ASSERT_OK(store.status());
      store_ = std::move(*store);
    } else {
      auto store = OpenObjectStore(
          "s3://" + testing::S3TestBucket() + "/" + ::salesflow::testing::UniqueName("contract"),
          testing::S3TestEnv());
      ASSERT_OK(store.status());
      store_ = std::move(*store);
    }
  }
  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  std::vector<std::string> ListedKeys(std::string_view prefix = "") {
    std::vector<std::string> keys;
    EXPECT_OK(ListAll(*store_, prefix, [&](const ObjectInfo& info) {
      keys.push_back(info.key);
      return Status::Ok();
    }));
    return keys;
  }

  std::filesystem::path dir_;
  std::unique_ptr<ObjectStore> store_;
};

TEST_P(ObjectStoreContract, RoundTripsAwkwardKeys) {
  const std::vector<std::string> keys = {
      "plain.csv",
      "with space/and more spaces.csv",
      "日本/données ünïcödé 📈.csv",
      "a+b=c%d&e;f,g@h!i'j(k)l$m.csv",
      "%2F not a slash %20.csv",
      "a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/deep.csv",
      "~tilde/-dash_/.dot.csv",
  };
  for (const std::string& key : keys) {
    SCOPED_TRACE(key);
    const std::string content = "order_id,sku\n" + key + ",1\n";
    auto put = Put(*store_, key, content);
    ASSERT_OK(put.status());
    EXPECT_EQ(put->key, key);
    EXPECT_EQ(put->size, content.size());
    EXPECT_EQ(put->etag, Md5Hex(content));

    auto head = store_->Head(key);
    ASSERT_OK(head.status());
    EXPECT_EQ(head->key, key);
    EXPECT_EQ(head->size, content.size());
    EXPECT_EQ(head->etag, put->etag);
    EXPECT_GT(head->last_modified, 1700000000);

    auto got = GetAll(*store_, key);
    ASSERT_OK(got.status());
    EXPECT_EQ(*got, content);
  }
  std::vector<std::string> sorted = keys;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(ListedKeys(), sorted);
}

TEST_P(ObjectStoreContract, ListingReportsWhatHeadReports) {
  ASSERT_OK(Put(*store_, "x/one.csv", "12345").status());
  auto page = store_->List("x/", "", 1000);
  ASSERT_OK(page.status());
  ASSERT_EQ(page->objects.size(), 1u);
  EXPECT_TRUE(page->next_token.empty());
  auto head = store_->Head("x/one.csv");
  ASSERT_OK(head.status());
  EXPECT_EQ(page->objects[0].key, "x/one.csv");
  EXPECT_EQ(page->objects[0].size, 5u);
  EXPECT_EQ(page->objects[0].etag, head->etag);
  EXPECT_EQ(page->objects[0].last_modified, head->last_modified);
}

TEST_P(ObjectStoreContract, ZeroByteObject) {
  auto put = Put(*store_, "empty.csv", "");
  ASSERT_OK(put.status());
  EXPECT_EQ(put->size, 0u);
  EXPECT_EQ(put->etag, Md5Hex(""));
  auto head = store_->Head("empty.csv");
  ASSERT_OK(head.status());
  EXPECT_EQ(head->size, 0u);
  int infos = 0, chunks = 0;
  GetOptions options;
  options.on_info = [&](const ObjectInfo& info) {
    ++infos;
    EXPECT_EQ(info.size, 0u);
    EXPECT_EQ(info.etag, put->etag);
    return Status::Ok();
  };
  ASSERT_OK(store_->Get("empty.csv", options, [&](std::string_view) {
    ++chunks;
    return Status::Ok();
  }));
  EXPECT_EQ(infos, 1);
  EXPECT_EQ(chunks, 0);
  EXPECT_EQ(ListedKeys(), std::vector<std::string>{"empty.csv"});
}

TEST_P(ObjectStoreContract, MissingKeys) {
  EXPECT_EQ(store_->Head("nope.csv").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->Head("no/such/dir/nope.csv").status().code(), StatusCode::kNotFound);
  const Status get = store_->Get("nope.csv", {}, [](std::string_view) { return Status::Ok(); });
  EXPECT_EQ(get.code(), StatusCode::kNotFound) << get.ToString();
  EXPECT_NE(get.message().find("nope.csv"), std::string::npos) << get.message();
  EXPECT_OK(store_->Delete("nope.csv"));
  auto page = store_->List("nothing-here/", "", 1000);
  ASSERT_OK(page.status());
  EXPECT_TRUE(page->objects.empty());
}

TEST_P(ObjectStoreContract, InvalidKeysAreRefusedBeforeAnyIo) {
  for (const std::string& key :
       std::vector<std::string>{"../escape.csv", "/abs.csv", "a//b.csv", "a/./b", "",
                                std::string("nul\0.csv", 8), "x\n.csv"}) {
    EXPECT_EQ(store_->Head(key).status().code(), StatusCode::kInvalidArgument) << key;
    EXPECT_EQ(store_->Delete(key).code(), StatusCode::kInvalidArgument) << key;
    EXPECT_EQ(store_->OpenWriter(key, {}).status().code(), StatusCode::kInvalidArgument) << key;
    EXPECT_EQ(store_->Get(key, {}, [](std::string_view) { return Status::Ok(); }).code(),
              StatusCode::kInvalidArgument)
        << key;
  }
  EXPECT_EQ(store_->List("../", "", 10).status().code(), StatusCode::kInvalidArgument);
}

TEST_P(ObjectStoreContract, RangeGets) {
  const std::string content = Bytes(1000, 7);
  ASSERT_OK(Put(*store_, "r.bin", content).status());
  const auto range = [&](uint64_t offset, std::optional<uint64_t> length) {
    GetOptions options;
    options.offset = offset;
    options.length = length;
    uint64_t reported_size = 0;
    options.on_info = [&](const ObjectInfo& info) {
      reported_size = info.size;
      return Status::Ok();
    };
    auto got = GetAll(*store_, "r.bin", options);
    if (got.ok()) {
      EXPECT_EQ(reported_size, content.size());  // the whole object's size
    }
    return got;
  };
  auto got = range(10, 20);
  ASSERT_OK(got.status());
  EXPECT_EQ(*got, content.substr(10, 20));
  got = range(990, std::nullopt);
  ASSERT_OK(got.status());
  EXPECT_EQ(*got, content.substr(990));
  got = range(0, 1);
  ASSERT_OK(got.status());
  EXPECT_EQ(*got, content.substr(0, 1));
  got = range(900, 5000);  // clipped to the end
  ASSERT_OK(got.status());
  EXPECT_EQ(*got, content.substr(900));
  EXPECT_EQ(range(1000, std::nullopt).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(range(5000, 10).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(range(0, 0).status().code(), StatusCode::kInvalidArgument);
}

TEST_P(ObjectStoreContract, StreamsInBoundedChunksAndStopsOnSinkError) {
  const std::string content = Bytes(300 * 1024, 3);
  ASSERT_OK(Put(*store_, "big.bin", content).status());
  GetOptions options;
  options.chunk_size = 7000;
  std::string got;
  std::size_t largest = 0;
  ASSERT_OK(store_->Get("big.bin", options, [&](std::string_view chunk) {
    largest = std::max(largest, chunk.size());
    got.append(chunk);
    return Status::Ok();
  }));
  EXPECT_EQ(got, content);
  EXPECT_LE(largest, 7000u);

  int calls = 0;
  const Status stopped = store_->Get("big.bin", options, [&](std::string_view) {
    return ++calls == 3 ? Status::Cancelled("enough") : Status::Ok();
  });
  EXPECT_EQ(stopped.code(), StatusCode::kCancelled);
  EXPECT_EQ(stopped.message(), "enough");
  EXPECT_EQ(calls, 3);

  GetOptions refuse;
  refuse.on_info = [](const ObjectInfo&) { return Status::FailedPrecondition("etag differs"); };
  bool any_chunk = false;
  EXPECT_EQ(store_
                ->Get("big.bin", refuse,
                      [&](std::string_view) {
                        any_chunk = true;
                        return Status::Ok();
                      })
                .code(),
            StatusCode::kFailedPrecondition);
  EXPECT_FALSE(any_chunk);
}

TEST_P(ObjectStoreContract, IfMatchGuardsTheVersion) {
  auto put = Put(*store_, "v.csv", "version 1");
  ASSERT_OK(put.status());
  GetOptions options;
  options.if_match = put->etag;
  auto got = GetAll(*store_, "v.csv", options);
  ASSERT_OK(got.status());
  EXPECT_EQ(*got, "version 1");
  auto replaced = Put(*store_, "v.csv", "version 2 is longer");
  ASSERT_OK(replaced.status());
  EXPECT_NE(replaced->etag, put->etag);
  EXPECT_EQ(GetAll(*store_, "v.csv", options).status().code(), StatusCode::kFailedPrecondition);
  got = GetAll(*store_, "v.csv");
  ASSERT_OK(got.status());
  EXPECT_EQ(*got, "version 2 is longer");
}

TEST_P(ObjectStoreContract, MultipartAboveThreshold) {
  WriteOptions options;
  options.multipart_threshold = kMinPartSize;
  options.part_size = kMinPartSize;
  const std::string content = Bytes(2 * kMinPartSize + 12345, 11);  // 3 parts, last one small
  auto writer = store_->OpenWriter("big/multi.csv.gz", options);
  ASSERT_OK(writer.status());
  // Odd-sized writes, as an upload stream would deliver them.
  for (std::size_t pos = 0; pos < content.size(); pos += 777777) {
    ASSERT_OK((*writer)->Write(std::string_view(content).substr(pos, 777777)));
  }
  auto info = (*writer)->Commit();
  ASSERT_OK(info.status());
  EXPECT_EQ(info->size, content.size());
  EXPECT_FALSE(info->etag.empty());
  auto head = store_->Head("big/multi.csv.gz");
  ASSERT_OK(head.status());
  EXPECT_EQ(head->size, content.size());
  EXPECT_EQ(head->etag, info->etag);
  auto got = GetAll(*store_, "big/multi.csv.gz");
  ASSERT_OK(got.status());
  EXPECT_TRUE(*got == content) << "multipart content differs";
  EXPECT_EQ(store_->OpenWriter("x", WriteOptions{.part_size = 1024}).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_P(ObjectStoreContract, AbortedWritersLeaveNothingBehind) {
  WriteOptions options;
  options.multipart_threshold = kMinPartSize;
  options.part_size = kMinPartSize;
  {
    auto small = store_->OpenWriter("aborted/small.csv", options);
    ASSERT_OK(small.status());
    ASSERT_OK((*small)->Write("half a report"));
    (*small)->Abort();
    (*small)->Abort();  // idempotent
    EXPECT_FALSE((*small)->Commit().ok());
  }
  {
    auto large = store_->OpenWriter("aborted/large.csv", options);
    ASSERT_OK(large.status());
    ASSERT_OK((*large)->Write(Bytes(kMinPartSize + kMinPartSize / 2)));  // a multipart is open
    ASSERT_OK((*large)->Write(Bytes(kMinPartSize)));                     // a part went up
    // Destroyed without Commit: aborted.
  }
  EXPECT_EQ(store_->Head("aborted/small.csv").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->Head("aborted/large.csv").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(ListedKeys().empty());
}

TEST_P(ObjectStoreContract, NothingIsVisibleBeforeCommit) {
  ASSERT_OK(Put(*store_, "live.csv", "old").status());
  auto writer = store_->OpenWriter("live.csv", {});
  ASSERT_OK(writer.status());
  ASSERT_OK((*writer)->Write("new content"));
  auto got = GetAll(*store_, "live.csv");
  ASSERT_OK(got.status());
  EXPECT_EQ(*got, "old");
  EXPECT_EQ(ListedKeys(), std::vector<std::string>{"live.csv"});
  ASSERT_OK((*writer)->Commit().status());
  got = GetAll(*store_, "live.csv");
  ASSERT_OK(got.status());
  EXPECT_EQ(*got, "new content");
}

TEST_P(ObjectStoreContract, DeleteRemoves) {
  ASSERT_OK(Put(*store_, "d/x.csv", "x").status());
  ASSERT_OK(Put(*store_, "d/y.csv", "y").status());
  ASSERT_OK(store_->Delete("d/x.csv"));
  EXPECT_EQ(store_->Head("d/x.csv").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ListedKeys(), std::vector<std::string>{"d/y.csv"});
  ASSERT_OK(store_->Delete("d/x.csv"));  // again: still fine
}

TEST_P(ObjectStoreContract, PrefixIsAStringPrefix) {
  for (const char* key : {"daily/2026-09-30.csv", "daily/2026-10-01.csv", "daily/2026-10-02.csv",
                          "daily-extra.csv", "monthly/2026-10.csv", "daily/2026-1/odd.csv"}) {
    ASSERT_OK(Put(*store_, key, key).status());
  }
  EXPECT_EQ(ListedKeys("daily/2026-1"),
            (std::vector<std::string>{"daily/2026-1/odd.csv", "daily/2026-10-01.csv",
                                      "daily/2026-10-02.csv"}));
  EXPECT_EQ(
      ListedKeys("daily"),
      (std::vector<std::string>{"daily-extra.csv", "daily/2026-09-30.csv", "daily/2026-1/odd.csv",
                                "daily/2026-10-01.csv", "daily/2026-10-02.csv"}));
  EXPECT_EQ(ListedKeys("monthly/"), std::vector<std::string>{"monthly/2026-10.csv"});
  EXPECT_TRUE(ListedKeys("zzz").empty());
}

TEST_P(ObjectStoreContract, PaginatesPastAThousandKeys) {
  constexpr int kKeys = 1105;
  std::vector<std::string> expected;
  for (int i = 0; i < kKeys; ++i) expected.push_back("many/k" + std::to_string(i) + ".csv");
  std::atomic<int> next{0};
  std::atomic<bool> failed{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = next++; i < kKeys && !failed; i = next++) {
        if (!Put(*store_, expected[static_cast<std::size_t>(i)], "x").ok()) failed = true;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  ASSERT_FALSE(failed);
  std::sort(expected.begin(), expected.end());

  auto first = store_->List("many/", "", 1000);
  ASSERT_OK(first.status());
  EXPECT_EQ(first->objects.size(), 1000u);
  EXPECT_FALSE(first->next_token.empty());
  auto second = store_->List("many/", first->next_token, 1000);
  ASSERT_OK(second.status());
  EXPECT_EQ(second->objects.size(), static_cast<std::size_t>(kKeys - 1000));
  EXPECT_TRUE(second->next_token.empty());
  EXPECT_EQ(ListedKeys("many/"), expected);

  // Small pages walk the same sequence.
  std::vector<std::string> walked;
  std::string token;
  int pages = 0;
  do {
    auto page = store_->List("many/k1", token, 97);
    ASSERT_OK(page.status());
    EXPECT_LE(page->objects.size(), 97u);
    for (const auto& info : page->objects) walked.push_back(info.key);
    token = page->next_token;
    ++pages;
  } while (!token.empty());
  std::vector<std::string> k1;
  std::copy_if(expected.begin(), expected.end(), std::back_inserter(k1),
               [](const std::string& key) { return key.starts_with("many/k1"); });
  EXPECT_EQ(walked, k1);
  EXPECT_GT(pages, 1);
}

TEST_P(ObjectStoreContract, ListAllStopsOnVisitorError) {
  ASSERT_OK(Put(*store_, "a.csv", "a").status());
  ASSERT_OK(Put(*store_, "b.csv", "b").status());
  int visits = 0;
  const Status status = ListAll(*store_, "", [&](const ObjectInfo&) {
    ++visits;
    return Status::Cancelled("stop");
  });
  EXPECT_EQ(status.code(), StatusCode::kCancelled);
  EXPECT_EQ(visits, 1);
}

INSTANTIATE_TEST_SUITE_P(Backend, ObjectStoreContract,
                         ::testing::Values(std::string(SALESFLOW_STORE_BACKEND)),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
}  // namespace salesflow::storage
