// API keys and roles (DESIGN.md "Security"; file format in docs/api.md).
//
// The keys file (SALESFLOW_API_KEYS_FILE) holds one JSON object per line:
//   {"name":"ci","role":"operator","salt":"<32 hex>","hash":"<64 hex>","created_at":"..."}
// hash = hex(SHA-256(salt_bytes || secret)). A secret is "sf_" + base64url of 32 random
// bytes from OpenSSL's RAND_bytes (256 bits of entropy), so a fast salted hash is enough:
// a slow KDF (bcrypt, argon2) protects low-entropy human passwords against guessing, and
// guessing a 256-bit random value is infeasible at any hash rate. The salt keeps two files
// with the same key from sharing a hash. Secrets are compared in constant time.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace salesflow::api {

enum class Role { kViewer, kUploader, kOperator, kAdmin };
std::string_view RoleName(Role role);
std::optional<Role> ParseRole(std::string_view name);

// What a route needs. kPublic routes need no key even when keys are configured.
enum class Permission { kPublic, kList, kStats, kUpload, kProcess, kUnload, kRejects, kMappings };
std::string_view PermissionName(Permission permission);

// viewer: list, stats. uploader: list, upload. operator: list, stats, process, unload,
// rejects, mappings. admin: everything.
bool RoleAllows(Role role, Permission permission);

struct ApiKeyRecord {
  std::string name;
  Role role = Role::kViewer;
  std::string salt_hex;
  std::string hash_hex;
};

// Who made a request: the key's name (logged) and role. Never the secret.
struct Principal {
  std::string name;
  Role role = Role::kViewer;
};

// An immutable set of keys. Thread-safe (const after construction).
class KeyStore {
 public:
  explicit KeyStore(std::vector<ApiKeyRecord> records) : records_(std::move(records)) {}

  // Parses the keys file. InvalidArgument naming the line for a malformed entry, unknown
  // role or duplicate name; NotFound when the file does not exist. An empty file is valid
  // (no key can authenticate).
  static Result<KeyStore> LoadFile(const std::string& path);

  // The key whose hash matches `secret`, or nullopt. Constant-time per record.
  std::optional<Principal> Authenticate(std::string_view secret) const;

  size_t size() const { return records_.size(); }

 private:
  std::vector<ApiKeyRecord> records_;
};

// A fresh secret: "sf_" + base64url(32 random bytes), 46 characters.
Result<std::string> GenerateSecret();

// The record for `secret` with a fresh random salt.
Result<ApiKeyRecord> HashNewKey(std::string name, Role role, std::string_view secret);

// Appends a new key to `file` (created with mode 0600 when missing, under an exclusive
// lock) and returns its secret. InvalidArgument for a bad name or unknown role;
// AlreadyExists when the name is taken.
Result<std::string> AddKeyToFile(const std::string& file, const std::string& name,
                                 std::string_view role);

// `salesflow keys add NAME --role ROLE [--file F]`: prints the secret once on stdout and
// what was done on stderr. `file` empty means SALESFLOW_API_KEYS_FILE. Returns the exit code.
int RunKeysAddCommand(const std::string& name, const std::string& role, const std::string& file);

}  // namespace salesflow::api
