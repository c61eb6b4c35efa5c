// `salesflow generate --upload` into a real S3 API server (s3rver, started by
// scripts/with-services.sh): every file and manifest.json arrive byte for byte.
#include <gtest/gtest.h>

#include <cstdlib>

#include "core/date.h"
#include "generator/generate_command.h"
#include "generator/generator.h"
#include "generator/memory_sink.h"
#include "storage/object_store.h"
#include "test_util.h"

namespace salesflow::generator {
namespace {

TEST(GenerateUploadS3Test, UploadsEveryFileAndTheManifest) {
  const std::string bucket = salesflow::testing::RequiredEnv("SALESFLOW_TEST_S3_BUCKET");
  salesflow::testing::RequiredEnv("AWS_ENDPOINT_URL_S3");
  ASSERT_FALSE(bucket.empty());
  const std::string prefix = salesflow::testing::UniqueName("generate") + "/";

  GenerateOptions options;
  options.days = 2;
  options.rows_per_day = 60'000;  // ~9 MiB per file: past the 8 MiB multipart threshold
  options.seed = 77;
  options.dirty_rate = 0.01;
  options.upload = true;
  options.upload_prefix = prefix;
  ASSERT_EQ(setenv("SALESFLOW_STORAGE", ("s3://" + bucket).c_str(), 1), 0);
  std::FILE* err = std::tmpfile();
  const int exit_code = RunGenerateCommand(options, stdout, err);
  unsetenv("SALESFLOW_STORAGE");
  ASSERT_EQ(exit_code, 0);

  // The same run into memory is the expectation.
  Result<GenerateConfig> config = MakeGenerateConfig(options);
  ASSERT_OK(config.status());
  MemorySink expected;
  ASSERT_OK(GenerateReports(*config, expected).status());

  Result<std::unique_ptr<storage::ObjectStore>> store =
      storage::OpenObjectStore("s3://" + bucket, storage::StorageEnv::FromEnvironment());
  ASSERT_OK(store.status());
  std::vector<std::string> keys;
  ASSERT_OK(storage::ListAll(**store, prefix, [&](const storage::ObjectInfo& info) {
    keys.push_back(info.key);
    return Status::Ok();
  }));
  std::vector<std::string> expected_keys;
  for (const auto& [name, bytes] : expected.files()) expected_keys.push_back(prefix + name);
  EXPECT_EQ(keys, expected_keys);
  for (const auto& [name, bytes] : expected.files()) {
    Result<std::string> got = storage::GetAll(**store, prefix + name);
    ASSERT_OK(got.status());
    EXPECT_TRUE(*got == bytes) << name << ": " << got->size() << " vs " << bytes.size();
  }
  for (const std::string& key : keys) EXPECT_OK((*store)->Delete(key));
}

}  // namespace
}  // namespace salesflow::generator
