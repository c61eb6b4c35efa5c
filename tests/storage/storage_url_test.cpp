#include <gtest/gtest.h>

#include "storage/backends_impl.h"
#include "storage/object_store.h"
#include "test_util.h"

namespace salesflow::storage {
namespace {

StorageEnv TestEnv() {
  StorageEnv env;
  env.endpoint = "http://127.0.0.1:9000";
  env.access_key_id = "AKIDEXAMPLE";
  env.secret_access_key = "SECRET-never-shown";
  return env;
}

TEST(StorageUrl, ParsesS3) {
  auto location = ParseStorageUrl("s3://reports");
  ASSERT_OK(location.status());
  EXPECT_EQ(location->kind, StorageLocation::Kind::kS3);
  EXPECT_EQ(location->bucket, "reports");
  EXPECT_EQ(location->prefix, "");
  location = ParseStorageUrl("s3://my.bucket-1/team/daily/");
  ASSERT_OK(location.status());
  EXPECT_EQ(location->bucket, "my.bucket-1");
  EXPECT_EQ(location->prefix, "team/daily/");
}

TEST(StorageUrl, ParsesFile) {
  auto location = ParseStorageUrl("file:///srv/reports/");
  ASSERT_OK(location.status());
  EXPECT_EQ(location->kind, StorageLocation::Kind::kLocal);
  EXPECT_EQ(location->path, "/srv/reports");
}

TEST(StorageUrl, RejectsBadUrlsNamingTheSetting) {
  for (const char* url : {"", "reports", "http://x/y", "ftp://host/dir", "s3://", "s3://AB",
                          "s3://bucket_with_underscore", "s3://b/../x", "file://relative/dir",
                          "file://", "s3://-bad-"}) {
    const auto location = ParseStorageUrl(url);
    ASSERT_FALSE(location.ok()) << url;
    EXPECT_EQ(location.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(location.status().message().find("SALESFLOW_STORAGE"), std::string::npos) << url;
  }
}

TEST(StorageUrl, Endpoints) {
  auto endpoint = ParseEndpoint("http://127.0.0.1:9000/");
  ASSERT_OK(endpoint.status());
  EXPECT_EQ(endpoint->HostHeader(), "127.0.0.1:9000");
  endpoint = ParseEndpoint("https://s3.us-west-2.amazonaws.com");
  ASSERT_OK(endpoint.status());
  EXPECT_EQ(endpoint->port, 443);
  EXPECT_EQ(endpoint->HostHeader(), "s3.us-west-2.amazonaws.com");
  endpoint = ParseEndpoint("http://[::1]:9000");
  ASSERT_OK(endpoint.status());
  EXPECT_EQ(endpoint->HostHeader(), "[::1]:9000");
  for (const char* bad : {"127.0.0.1:9000", "http://", "http://h:0", "http://h:99999", "http://h:x",
                          "http://h/path", "http://user:pw@h", "http://h:"}) {
    const auto parsed = ParseEndpoint(bad);
    ASSERT_FALSE(parsed.ok()) << bad;
    EXPECT_NE(parsed.status().message().find("AWS_ENDPOINT_URL"), std::string::npos);
  }
}

TEST(OpenObjectStore, MissingCredentialsNameTheVariableAndHideSecrets) {
  StorageEnv env = TestEnv();
  env.access_key_id.clear();
  auto store = OpenObjectStore("s3://reports", env);
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.status().message().find("AWS_ACCESS_KEY_ID"), std::string::npos);
  EXPECT_EQ(store.status().message().find("SECRET-never-shown"), std::string::npos);
  env = TestEnv();
  env.secret_access_key.clear();
  store = OpenObjectStore("s3://reports", env);
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.status().message().find("AWS_SECRET_ACCESS_KEY"), std::string::npos);
}

TEST(OpenObjectStore, DescribeNeverShowsSecrets) {
  auto store = OpenObjectStore("s3://reports/team", TestEnv());
  ASSERT_OK(store.status());
  EXPECT_EQ((*store)->Describe(), "s3://reports/team at http://127.0.0.1:9000");
  StorageEnv aws = TestEnv();
  aws.endpoint.clear();
  aws.region = "eu-west-1";
  store = OpenObjectStore("s3://reports", aws);
  ASSERT_OK(store.status());
  EXPECT_EQ((*store)->Describe(), "s3://reports at https://s3.eu-west-1.amazonaws.com");
}

TEST(StorageEnv, ReadsTheAwsVariables) {
  ::setenv("AWS_ENDPOINT_URL", "http://generic:1", 1);
  ::setenv("AWS_ENDPOINT_URL_S3", "http://specific:2", 1);
  ::setenv("AWS_REGION", "ap-south-1", 1);
  StorageEnv env = StorageEnv::FromEnvironment();
  EXPECT_EQ(env.endpoint, "http://specific:2");
  EXPECT_EQ(env.region, "ap-south-1");
  ::unsetenv("AWS_ENDPOINT_URL_S3");
  ::unsetenv("AWS_REGION");
  ::unsetenv("AWS_DEFAULT_REGION");
  env = StorageEnv::FromEnvironment();
  EXPECT_EQ(env.endpoint, "http://generic:1");
  EXPECT_EQ(env.region, "us-east-1");
  ::unsetenv("AWS_ENDPOINT_URL");
}

TEST(DefaultStorageUrl, IsAnAbsoluteFileUrl) {
  const std::string url = DefaultStorageUrl();
  EXPECT_TRUE(url.starts_with("file:///")) << url;
  EXPECT_TRUE(url.ends_with("/data/reports")) << url;
}

}  // namespace
}  // namespace salesflow::storage
