// S3-only behaviour against the real s3rver (label s3): credentials, outages, and interop with
// the real AWS CLI in both directions.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "storage/object_store.h"
#include "store_test_env.h"
#include "test_util.h"

namespace salesflow::storage {
namespace {

using ::salesflow::testing::UniqueName;
using testing::Bytes;
using testing::S3TestBucket;
using testing::S3TestEnv;

std::unique_ptr<ObjectStore> OpenOrDie(const std::string& url, const StorageEnv& env) {
  auto store = OpenObjectStore(url, env);
  EXPECT_OK(store.status());
  return store.ok() ? std::move(*store) : nullptr;
}

// A loopback port nobody listens on: bound, then closed.
int ClosedPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

// Runs a shell command, returns its exit code; stdout goes to `output`.
int RunCommand(const std::string& command, std::string* output = nullptr) {
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return -1;
  std::array<char, 65536> buffer{};
  std::size_t got = 0;
  while ((got = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
    if (output != nullptr) output->append(buffer.data(), got);
  }
  const int status = ::pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// The real AWS CLI, isolated from any user configuration.
std::string Aws(const StorageEnv& env) {
  return "AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_ACCESS_KEY_ID=" +
         env.access_key_id + " AWS_SECRET_ACCESS_KEY=" + env.secret_access_key +
         " AWS_REGION=" + env.region + " /usr/bin/aws --endpoint-url " + env.endpoint + " ";
}

TEST(S3Store, UnknownAccessKeyIsRefusedClearly) {
  StorageEnv env = S3TestEnv();
  env.access_key_id = "NOSUCHKEYID";
  env.secret_access_key = "wrong-secret-value";
  auto store = OpenOrDie("s3://" + S3TestBucket(), env);
  ASSERT_NE(store, nullptr);
  const auto listed = store->List("", "", 10);
  ASSERT_FALSE(listed.ok());
  EXPECT_EQ(listed.status().code(), StatusCode::kUnauthenticated) << listed.status().ToString();
  EXPECT_NE(listed.status().message().find("AWS_ACCESS_KEY_ID"), std::string::npos);
  EXPECT_NE(listed.status().message().find("InvalidAccessKeyId"), std::string::npos);
  EXPECT_EQ(listed.status().message().find("wrong-secret-value"), std::string::npos);
  const auto put = Put(*store, "x.csv", "x");
  EXPECT_EQ(put.status().code(), StatusCode::kUnauthenticated) << put.status().ToString();
}

TEST(S3Store, EndpointDownIsUnavailableQuickly) {
  StorageEnv env = S3TestEnv();
  const int port = ClosedPort();
  env.endpoint = "http://127.0.0.1:" + std::to_string(port);
  env.max_attempts = 2;
  env.initial_backoff_ms = 10;
  env.connect_timeout_ms = 500;
  auto store = OpenOrDie("s3://" + S3TestBucket(), env);
  ASSERT_NE(store, nullptr);
  const auto start = std::chrono::steady_clock::now();
  const auto head = store->Head("x.csv");
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(head.ok());
  EXPECT_EQ(head.status().code(), StatusCode::kUnavailable) << head.status().ToString();
  EXPECT_NE(head.status().message().find("127.0.0.1:" + std::to_string(port)), std::string::npos)
      << head.status().message();
  EXPECT_NE(head.status().message().find("AWS_ENDPOINT_URL"), std::string::npos);
  EXPECT_LT(elapsed, std::chrono::seconds(3));
  const Status get = store->Get("x.csv", {}, [](std::string_view) { return Status::Ok(); });
  EXPECT_EQ(get.code(), StatusCode::kUnavailable) << get.ToString();
}

TEST(S3Store, MissingBucketIsNamed) {
  auto valid = OpenOrDie("s3://no-such-bucket-" + std::to_string(::getpid()), S3TestEnv());
  ASSERT_NE(valid, nullptr);
  const auto missing = valid->List("", "", 10);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound) << missing.status().ToString();
  EXPECT_NE(missing.status().message().find("no-such-bucket-"), std::string::npos);
}

TEST(S3Store, PrefixedStoresAreIsolated) {
  const std::string base = "s3://" + S3TestBucket() + "/" + UniqueName("iso");
  auto a = OpenOrDie(base + "/a", S3TestEnv());
  auto b = OpenOrDie(base + "/b", S3TestEnv());
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  ASSERT_OK(Put(*a, "x.csv", "in a").status());
  EXPECT_EQ(b->Head("x.csv").status().code(), StatusCode::kNotFound);
  auto page = b->List("", "", 10);
  ASSERT_OK(page.status());
  EXPECT_TRUE(page->objects.empty());
}

TEST(S3Store, AwsCliUploadReadByUs) {
  const StorageEnv env = S3TestEnv();
  const std::string prefix = UniqueName("cli");
  const std::string content = Bytes(100000, 5);
  const std::filesystem::path file = std::filesystem::temp_directory_path() / (prefix + ".bin");
  std::ofstream(file, std::ios::binary) << content;
  const std::string key = "from cli/日本 +=%.csv";
  ASSERT_EQ(RunCommand(Aws(env) + "s3 cp --quiet '" + file.string() + "' 's3://" + S3TestBucket() +
                       "/" + prefix + "/" + key + "'"),
            0);
  std::filesystem::remove(file);
  auto store = OpenOrDie("s3://" + S3TestBucket() + "/" + prefix, env);
  ASSERT_NE(store, nullptr);
  auto page = store->List("", "", 10);
  ASSERT_OK(page.status());
  ASSERT_EQ(page->objects.size(), 1u);
  EXPECT_EQ(page->objects[0].key, key);
  EXPECT_EQ(page->objects[0].size, content.size());
  auto got = GetAll(*store, key);
  ASSERT_OK(got.status());
  EXPECT_TRUE(*got == content);
}

TEST(S3Store, OurUploadReadByAwsCli) {
  const StorageEnv env = S3TestEnv();
  const std::string prefix = UniqueName("cli");
  auto store = OpenOrDie("s3://" + S3TestBucket() + "/" + prefix, env);
  ASSERT_NE(store, nullptr);
  WriteOptions options;
  options.multipart_threshold = kMinPartSize;
  options.part_size = kMinPartSize;
  const std::string content = Bytes(kMinPartSize + 4321, 9);  // multipart, 2 parts
  const std::string key = "to cli/données & co.csv";
  ASSERT_OK(Put(*store, key, content, options).status());
  std::string downloaded;
  ASSERT_EQ(RunCommand(Aws(env) + "s3 cp --quiet 's3://" + S3TestBucket() + "/" + prefix + "/" +
                           key + "' -",
                       &downloaded),
            0);
  EXPECT_EQ(downloaded.size(), content.size());
  EXPECT_TRUE(downloaded == content);
  std::string listing;
  ASSERT_EQ(RunCommand(Aws(env) + "s3api list-objects-v2 --bucket " + S3TestBucket() +
                           " --prefix '" + prefix + "/' --query 'Contents[].Key' --output text",
                       &listing),
            0);
  EXPECT_NE(listing.find(prefix + "/" + key), std::string::npos) << listing;
}

}  // namespace
}  // namespace salesflow::storage
