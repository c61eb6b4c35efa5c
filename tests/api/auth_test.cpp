#include "api/auth.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "test_util.h"

namespace salesflow::api {
namespace {

std::string TempFile(const std::string& stem) {
  const auto dir = std::filesystem::temp_directory_path() / salesflow::testing::UniqueName(stem);
  std::filesystem::create_directories(dir);
  return (dir / "keys.jsonl").string();
}

TEST(AuthTest, SecretsAreLongRandomAndPrefixed) {
  const std::string a = GenerateSecret().value();
  const std::string b = GenerateSecret().value();
  EXPECT_EQ(a.rfind("sf_", 0), 0u);
  EXPECT_EQ(a.size(), 3u + 43u);  // base64url of 32 bytes, no padding
  EXPECT_NE(a, b);
  EXPECT_EQ(
      a.find_first_not_of("sf_ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-"),
      std::string::npos);
}

TEST(AuthTest, AuthenticatesOnlyTheRightSecret) {
  const std::string secret = GenerateSecret().value();
  KeyStore store({HashNewKey("ci", Role::kOperator, secret).value(),
                  HashNewKey("dash", Role::kViewer, GenerateSecret().value()).value()});
  const auto principal = store.Authenticate(secret);
  ASSERT_TRUE(principal.has_value());
  EXPECT_EQ(principal->name, "ci");
  EXPECT_EQ(principal->role, Role::kOperator);
  EXPECT_FALSE(store.Authenticate(secret + "x").has_value());
  EXPECT_FALSE(store.Authenticate("").has_value());
  EXPECT_FALSE(store.Authenticate(secret.substr(0, secret.size() - 1)).has_value());
}

TEST(AuthTest, SameSecretGetsDifferentSaltsAndHashes) {
  const auto a = HashNewKey("a", Role::kAdmin, "sf_same").value();
  const auto b = HashNewKey("b", Role::kAdmin, "sf_same").value();
  EXPECT_NE(a.salt_hex, b.salt_hex);
  EXPECT_NE(a.hash_hex, b.hash_hex);
}

TEST(AuthTest, RolePermissions) {
  struct Case {
    Role role;
    std::vector<Permission> allowed;
  };
  const std::vector<Permission> all = {
      Permission::kPublic,  Permission::kList,   Permission::kStats,   Permission::kUpload,
      Permission::kProcess, Permission::kUnload, Permission::kRejects, Permission::kMappings};
  const std::vector<Case> cases = {
      {Role::kViewer, {Permission::kPublic, Permission::kList, Permission::kStats}},
      {Role::kUploader, {Permission::kPublic, Permission::kList, Permission::kUpload}},
      {Role::kOperator,
       {Permission::kPublic, Permission::kList, Permission::kStats, Permission::kProcess,
        Permission::kUnload, Permission::kRejects, Permission::kMappings}},
      {Role::kAdmin, all},
  };
  for (const Case& c : cases) {
    for (const Permission p : all) {
      const bool expected = std::find(c.allowed.begin(), c.allowed.end(), p) != c.allowed.end();
      EXPECT_EQ(RoleAllows(c.role, p), expected) << RoleName(c.role) << " " << PermissionName(p);
    }
  }
}

TEST(AuthTest, KeysAddCreatesPrivateFileAndRefusesDuplicates) {
  const std::string file = TempFile("keys_add");
  const auto secret = AddKeyToFile(file, "ci", "operator");
  ASSERT_TRUE(secret.ok()) << secret.status().ToString();
  struct stat info {};
  ASSERT_EQ(::stat(file.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);

  // The file holds the hash, never the secret.
  std::ifstream in(file);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text.find(*secret), std::string::npos);
  EXPECT_NE(text.find("\"name\":\"ci\""), std::string::npos);

  const auto duplicate = AddKeyToFile(file, "ci", "viewer");
  EXPECT_EQ(duplicate.status().code(), StatusCode::kAlreadyExists);
  const auto bad_role = AddKeyToFile(file, "other", "superuser");
  EXPECT_EQ(bad_role.status().code(), StatusCode::kInvalidArgument);
  const auto bad_name = AddKeyToFile(file, "a b", "viewer");
  EXPECT_EQ(bad_name.status().code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(AddKeyToFile(file, "dash", "viewer").ok());

  const auto store = KeyStore::LoadFile(file);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ(store->size(), 2u);
  const auto principal = store->Authenticate(*secret);
  ASSERT_TRUE(principal.has_value());
  EXPECT_EQ(principal->name, "ci");
  EXPECT_EQ(principal->role, Role::kOperator);
}

TEST(AuthTest, RunKeysAddCommandPrintsTheSecretOnce) {
  const std::string file = TempFile("keys_cmd");
  ::testing::internal::CaptureStdout();
  const int rc = RunKeysAddCommand("ops", "admin", file);
  const std::string out = ::testing::internal::GetCapturedStdout();
  EXPECT_EQ(rc, 0);
  ASSERT_EQ(out.rfind("sf_", 0), 0u) << out;
  const std::string secret = out.substr(0, out.find('\n'));
  EXPECT_TRUE(KeyStore::LoadFile(file)->Authenticate(secret).has_value());
  EXPECT_NE(RunKeysAddCommand("ops", "admin", file), 0);
  EXPECT_NE(RunKeysAddCommand("x", "root", file), 0);
}

TEST(AuthTest, MalformedKeysFilesNameTheLine) {
  const std::string file = TempFile("keys_bad");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"not json\n", "line 1"},
      {"# comment\n{\"name\":\"a\",\"role\":\"god\",\"salt\":\"00\",\"hash\":\"" +
           std::string(64, '0') + "\"}\n",
       "line 2"},
      {"{\"name\":\"a\",\"role\":\"admin\",\"salt\":\"00\",\"hash\":\"zz\"}\n", "line 1"},
      {"{\"name\":\"a\",\"role\":\"admin\",\"salt\":\"00\",\"hash\":\"" + std::string(64, '0') +
           "\",\"extra\":\"1\"}\n",
       "unknown field"},
      {"{\"name\":\"a\",\"role\":\"admin\",\"salt\":\"00\",\"hash\":\"" + std::string(64, '0') +
           "\"}\n{\"name\":\"a\",\"role\":\"viewer\",\"salt\":\"00\",\"hash\":\"" +
           std::string(64, '0') + "\"}\n",
       "duplicate"},
  };
  for (const auto& [text, expected] : cases) {
    std::ofstream(file, std::ios::trunc) << text;
    const auto store = KeyStore::LoadFile(file);
    ASSERT_FALSE(store.ok()) << text;
    EXPECT_EQ(store.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(store.status().message().find(expected), std::string::npos)
        << store.status().message();
  }
  EXPECT_EQ(KeyStore::LoadFile(file + ".missing").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace salesflow::api
