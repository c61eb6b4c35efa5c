// Test helpers shared by the storage test binaries: one store per test, isolated (a fresh
// temp directory, or a unique prefix in the s3rver bucket that with-services.sh created).
#pragma once

#include <openssl/evp.h>

#include <array>
#include <memory>
#include <string>
#include <string_view>

#include "storage/object_store.h"
#include "test_util.h"

namespace salesflow::storage::testing {

inline std::string HexDigest(const EVP_MD* md, std::string_view bytes) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest.data(), &length, md, nullptr);
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    out += "0123456789abcdef"[digest[i] >> 4];
    out += "0123456789abcdef"[digest[i] & 0xF];
  }
  return out;
}
inline std::string Md5Hex(std::string_view bytes) { return HexDigest(EVP_md5(), bytes); }

// Deterministic pseudo-random bytes (incompressible enough, cheap to make).
inline std::string Bytes(std::size_t size, uint32_t seed = 1) {
  std::string out(size, '\0');
  uint32_t x = seed * 2654435761u + 1;
  for (char& c : out) {
    x ^= x << 13, x ^= x >> 17, x ^= x << 5;
    c = static_cast<char>(x & 0xFF);
  }
  return out;
}

// The S3 settings with-services.sh exports (fails the test when missing, never skips).
inline StorageEnv S3TestEnv() {
  ::salesflow::testing::RequiredEnv("AWS_ENDPOINT_URL_S3");
  ::salesflow::testing::RequiredEnv("AWS_ACCESS_KEY_ID");
  StorageEnv env = StorageEnv::FromEnvironment();
  env.max_attempts = 3;
  env.initial_backoff_ms = 20;
  env.connect_timeout_ms = 2000;
  env.read_timeout_ms = 20000;
  return env;
}

inline std::string S3TestBucket() {
  return ::salesflow::testing::RequiredEnv("SALESFLOW_TEST_S3_BUCKET");
}

}  // namespace salesflow::storage::testing
