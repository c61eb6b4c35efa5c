#include "ingest/content_hash.h"

#include <openssl/evp.h>

#include <array>
#include <cstdlib>

namespace salesflow::ingest {

struct ContentHash::Impl {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~Impl() { EVP_MD_CTX_free(ctx); }
};

ContentHash::ContentHash() : impl_(std::make_unique<Impl>()) {
  // Only allocation failure can make these fail; there is no sensible way to continue.
  if (impl_->ctx == nullptr || EVP_DigestInit_ex(impl_->ctx, EVP_sha256(), nullptr) != 1) {
    std::abort();
  }
}

ContentHash::~ContentHash() = default;

void ContentHash::Update(std::string_view bytes) {
  if (!bytes.empty()) EVP_DigestUpdate(impl_->ctx, bytes.data(), bytes.size());
}

std::string ContentHash::FinishHex() {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  EVP_DigestFinal_ex(impl_->ctx, digest.data(), &length);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 0x0f]);
  }
  return hex;
}

std::string Sha256Hex(std::string_view bytes) {
  ContentHash hash;
  hash.Update(bytes);
  return hash.FinishHex();
}

}  // namespace salesflow::ingest
