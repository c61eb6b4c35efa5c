// Local-backend specifics: containment (symlinks, reserved names), the ETag sidecar, temp files.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "storage/object_store.h"
#include "store_test_env.h"
#include "test_util.h"

namespace salesflow::storage {
namespace {

namespace fs = std::filesystem;
using testing::Md5Hex;

class LocalStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() / ::salesflow::testing::UniqueName("sf_local");
    root_ = base_ / "root";
    fs::create_directories(base_ / "outside");
    std::ofstream(base_ / "outside" / "secret.csv") << "do not read me";
    auto store = OpenObjectStore("file://" + root_.string(), StorageEnv{});
    ASSERT_OK(store.status());
    store_ = std::move(*store);
  }
  void TearDown() override { fs::remove_all(base_); }

  std::vector<std::string> Keys() {
    std::vector<std::string> keys;
    EXPECT_OK(ListAll(*store_, "", [&](const ObjectInfo& info) {
      keys.push_back(info.key);
      return Status::Ok();
    }));
    return keys;
  }

  fs::path base_, root_;
  std::unique_ptr<ObjectStore> store_;
};

TEST_F(LocalStoreTest, CreatesTheRootAndDescribesIt) {
  EXPECT_TRUE(fs::is_directory(root_));
  EXPECT_EQ(store_->Describe(), "file://" + root_.string());
}

TEST_F(LocalStoreTest, SymlinksAreNeverFollowed) {
  fs::create_symlink(base_ / "outside" / "secret.csv", root_ / "link.csv");
  fs::create_symlink(base_ / "outside", root_ / "linkdir");
  EXPECT_TRUE(Keys().empty());
  EXPECT_EQ(store_->Head("link.csv").status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(store_->Head("linkdir/secret.csv").status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(GetAll(*store_, "linkdir/secret.csv").status().code(), StatusCode::kPermissionDenied);
  // Writing through a symlinked folder must not land outside the root.
  EXPECT_FALSE(Put(*store_, "linkdir/planted.csv", "x").ok());
  EXPECT_FALSE(fs::exists(base_ / "outside" / "planted.csv"));
  auto page = store_->List("linkdir/", "", 10);
  ASSERT_OK(page.status());
  EXPECT_TRUE(page->objects.empty());
}

TEST_F(LocalStoreTest, ReservedFolderIsNotAKey) {
  EXPECT_EQ(Put(*store_, ".salesflow/tmp/x", "x").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->Head(".salesflow").status().code(), StatusCode::kInvalidArgument);
  ASSERT_OK(Put(*store_, ".salesflowish.csv", "fine").status());  // only the exact folder
  ASSERT_OK(Put(*store_, "a/.salesflow/x.csv", "fine too").status());
  EXPECT_EQ(Keys(), (std::vector<std::string>{".salesflowish.csv", "a/.salesflow/x.csv"}));
}

TEST_F(LocalStoreTest, TempFilesNeverListedAndRemovedOnAbort) {
  auto writer = store_->OpenWriter("pending.csv", {});
  ASSERT_OK(writer.status());
  ASSERT_OK((*writer)->Write("partial"));
  EXPECT_TRUE(Keys().empty());
  EXPECT_FALSE(fs::is_empty(root_ / ".salesflow" / "tmp"));
  (*writer)->Abort();
  EXPECT_TRUE(fs::is_empty(root_ / ".salesflow" / "tmp"));
  EXPECT_FALSE(fs::exists(root_ / "pending.csv"));
}

TEST_F(LocalStoreTest, FilesReplacedBehindOurBackGetAFreshEtag) {
  auto put = Put(*store_, "day.csv", "first");
  ASSERT_OK(put.status());
  EXPECT_EQ(put->etag, Md5Hex("first"));
  // Another tool rewrites the file in place (same inode, new size and mtime).
  std::ofstream(root_ / "day.csv", std::ios::trunc) << "second, longer";
  auto head = store_->Head("day.csv");
  ASSERT_OK(head.status());
  EXPECT_EQ(head->etag, Md5Hex("second, longer"));
  // A file dropped in by hand is an object too.
  fs::create_directories(root_ / "dropped");
  std::ofstream(root_ / "dropped" / "x.csv") << "by hand";
  head = store_->Head("dropped/x.csv");
  ASSERT_OK(head.status());
  EXPECT_EQ(head->etag, Md5Hex("by hand"));
  EXPECT_EQ(Keys(), (std::vector<std::string>{"day.csv", "dropped/x.csv"}));
}

TEST_F(LocalStoreTest, FileAndFolderOfTheSameNameConflict) {
  ASSERT_OK(Put(*store_, "a", "file").status());
  const auto nested = Put(*store_, "a/b.csv", "x");
  EXPECT_EQ(nested.status().code(), StatusCode::kFailedPrecondition) << nested.status().ToString();
  ASSERT_OK(Put(*store_, "d/e.csv", "x").status());
  const auto over_folder = Put(*store_, "d", "x");
  EXPECT_EQ(over_folder.status().code(), StatusCode::kFailedPrecondition)
      << over_folder.status().ToString();
  EXPECT_EQ(store_->Head("d").status().code(), StatusCode::kNotFound);
}

TEST_F(LocalStoreTest, UnlistableNamesAreSkipped) {
  std::ofstream(root_ / "bad\nname.csv") << "x";
  std::ofstream(root_ / "good.csv") << "x";
  EXPECT_EQ(Keys(), std::vector<std::string>{"good.csv"});
}

TEST_F(LocalStoreTest, RelativeAndBadUrlsAreRefused) {
  EXPECT_EQ(OpenObjectStore("file://relative", {}).status().code(), StatusCode::kInvalidArgument);
  std::ofstream(base_ / "plainfile") << "x";
  const auto not_dir = OpenObjectStore("file://" + (base_ / "plainfile").string(), {});
  EXPECT_EQ(not_dir.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(not_dir.status().message().find("SALESFLOW_STORAGE"), std::string::npos);
}

}  // namespace
}  // namespace salesflow::storage
