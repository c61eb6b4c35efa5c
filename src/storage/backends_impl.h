// Internal to src/storage: the backends' factories and URL parsing, used by object_store.cpp
// and the storage tests. Nobody else includes this header.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"
#include "storage/object_store.h"

namespace salesflow::storage {

// '<text>' for messages. Built by appending: GCC 12 reports a false -Wrestrict on
// "'" + std::string(...) in optimised builds.
inline std::string Quote(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '\'';
  out += text;
  out += '\'';
  return out;
}

struct StorageLocation {
  enum class Kind { kS3, kLocal } kind = Kind::kLocal;
  std::string bucket;  // kS3
  std::string prefix;  // kS3: "" or "a/b/" (always ends in '/')
  std::string path;    // kLocal: absolute directory
};

// Parses SALESFLOW_STORAGE's value; errors name SALESFLOW_STORAGE.
Result<StorageLocation> ParseStorageUrl(std::string_view url);

struct Endpoint {
  std::string scheme;  // "http" or "https"
  std::string host;    // "127.0.0.1", "s3.us-east-1.amazonaws.com"
  int port = 0;
  std::string HostHeader() const;  // host[:port] (port omitted when the scheme's default)
  std::string SchemeHostPort() const;
};

// Parses AWS_ENDPOINT_URL_S3's value ("http://host:port", no path); errors name the variable.
Result<Endpoint> ParseEndpoint(std::string_view url);

// Both backends accept the same options (so a test passing on one passes on the other).
Status ValidateWriteOptions(const WriteOptions& options);

Result<std::unique_ptr<ObjectStore>> OpenLocalStore(const std::string& directory);
Result<std::unique_ptr<ObjectStore>> OpenS3Store(const StorageLocation& location,
                                                 const StorageEnv& env);

}  // namespace salesflow::storage
