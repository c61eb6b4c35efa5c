#include "api/auth.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

namespace salesflow::api {
namespace {

constexpr std::string_view kSecretPrefix = "sf_";
constexpr size_t kSecretBytes = 32;
constexpr size_t kSaltBytes = 16;

std::string ToHex(const unsigned char* data, size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    out += kDigits[data[i] >> 4];
    out += kDigits[data[i] & 0x0f];
  }
  return out;
}

std::optional<std::string> FromHex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int hi = nibble(hex[i]);
    const int lo = nibble(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>((hi << 4) | lo);
  }
  return out;
}

std::string Base64Url(const unsigned char* data, size_t size) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (size_t i = 0; i < size; ++i) {
    buffer = (buffer << 8) | data[i];
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kAlphabet[(buffer >> bits) & 0x3f];
    }
  }
  if (bits > 0) out += kAlphabet[(buffer << (6 - bits)) & 0x3f];
  return out;
}

// SHA-256(salt || secret) as raw bytes.
std::array<unsigned char, 32> SaltedHash(std::string_view salt, std::string_view secret) {
  std::array<unsigned char, 32> digest{};
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  unsigned int length = 0;
  if (ctx == nullptr || EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx, salt.data(), salt.size()) != 1 ||
      EVP_DigestUpdate(ctx, secret.data(), secret.size()) != 1 ||
      EVP_DigestFinal_ex(ctx, digest.data(), &length) != 1) {
    // Leaves an all-zero digest, which matches no stored hash (a stored hash is never
    // all zero in practice), so a broken OpenSSL fails closed.
    digest.fill(0);
  }
  EVP_MD_CTX_free(ctx);
  return digest;
}

Status ValidateKeyName(std::string_view name) {
  if (name.empty() || name.size() > 64) {
    return Status::InvalidArgument("a key name must be 1 to 64 characters");
  }
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    if (!ok) {
      return Status::InvalidArgument("key name '" + std::string(name) +
                                     "' may only contain letters, digits, '-', '_' and '.'");
    }
  }
  return Status::Ok();
}

Result<ApiKeyRecord> ParseRecordLine(const std::string& line, const std::string& where) {
  nlohmann::json json = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return Status::InvalidArgument(where + ": not a JSON object");
  ApiKeyRecord record;
  for (const auto& [field, value] : json.items()) {
    if (field == "created_at") continue;
    if (!value.is_string()) {
      return Status::InvalidArgument(where + ": field '" + field + "' must be a string");
    }
    const auto& text = value.get_ref<const std::string&>();
    if (field == "name") {
      record.name = text;
    } else if (field == "role") {
      const auto role = ParseRole(text);
      if (!role) {
        return Status::InvalidArgument(where + ": unknown role '" + text +
                                       "' (expected viewer, uploader, operator or admin)");
      }
      record.role = *role;
    } else if (field == "salt") {
      record.salt_hex = text;
    } else if (field == "hash") {
      record.hash_hex = text;
    } else {
      return Status::InvalidArgument(where + ": unknown field '" + field + "'");
    }
  }
  SF_RETURN_IF_ERROR(ValidateKeyName(record.name).WithContext(where));
  const auto hash = FromHex(record.hash_hex);
  if (!hash || hash->size() != 32 || !FromHex(record.salt_hex) || record.salt_hex.empty()) {
    return Status::InvalidArgument(where + ": 'salt' and 'hash' must be hex (hash: 64 digits)");
  }
  return record;
}

std::string NowUtc() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return stamp;
}

// Parses every line of `text` into records; "where" names the file for messages.
Result<std::vector<ApiKeyRecord>> ParseRecords(const std::string& text, const std::string& file) {
  std::vector<ApiKeyRecord> records;
  std::set<std::string> names;
  std::istringstream in(text);
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos || line[0] == '#') continue;
    const std::string where = file + " line " + std::to_string(line_no);
    SF_ASSIGN_OR_RETURN(ApiKeyRecord record, ParseRecordLine(line, where));
    if (!names.insert(record.name).second) {
      return Status::InvalidArgument(where + ": duplicate key name '" + record.name + "'");
    }
    records.push_back(std::move(record));
  }
  return records;
}

}  // namespace

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kViewer:
      return "viewer";
    case Role::kUploader:
      return "uploader";
    case Role::kOperator:
      return "operator";
    case Role::kAdmin:
      return "admin";
  }
  return "unknown";
}

std::optional<Role> ParseRole(std::string_view name) {
  for (const Role role : {Role::kViewer, Role::kUploader, Role::kOperator, Role::kAdmin}) {
    if (RoleName(role) == name) return role;
  }
  return std::nullopt;
}

std::string_view PermissionName(Permission permission) {
  switch (permission) {
    case Permission::kPublic:
      return "public";
    case Permission::kList:
      return "list";
    case Permission::kStats:
      return "stats";
    case Permission::kUpload:
      return "upload";
    case Permission::kProcess:
      return "process";
    case Permission::kUnload:
      return "unload";
    case Permission::kRejects:
      return "rejects";
    case Permission::kMappings:
      return "mappings";
  }
  return "unknown";
}

bool RoleAllows(Role role, Permission permission) {
  if (permission == Permission::kPublic || role == Role::kAdmin) return true;
  switch (role) {
    case Role::kViewer:
      return permission == Permission::kList || permission == Permission::kStats;
    case Role::kUploader:
      return permission == Permission::kList || permission == Permission::kUpload;
    case Role::kOperator:
      return permission != Permission::kUpload;
    case Role::kAdmin:
      return true;
  }
  return false;
}

Result<KeyStore> KeyStore::LoadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status::NotFound("cannot read the API keys file " + path +
                            " (SALESFLOW_API_KEYS_FILE): " + std::strerror(errno));
  }
  std::ostringstream text;
  text << in.rdbuf();
  SF_ASSIGN_OR_RETURN(auto records, ParseRecords(text.str(), path));
  return KeyStore(std::move(records));
}

std::optional<Principal> KeyStore::Authenticate(std::string_view secret) const {
  std::optional<Principal> found;
  for (const ApiKeyRecord& record : records_) {
    const auto salt = FromHex(record.salt_hex);
    const auto expected = FromHex(record.hash_hex);
    if (!salt || !expected || expected->size() != 32) continue;
    const auto digest = SaltedHash(*salt, secret);
    // No early exit: the time taken does not tell which record matched.
    if (CRYPTO_memcmp(digest.data(), expected->data(), digest.size()) == 0 && !found) {
      found = Principal{record.name, record.role};
    }
  }
  return found;
}

Result<std::string> GenerateSecret() {
  std::array<unsigned char, kSecretBytes> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    return Status::Internal("OpenSSL RAND_bytes failed: no secure random source");
  }
  return std::string(kSecretPrefix) + Base64Url(bytes.data(), bytes.size());
}

Result<ApiKeyRecord> HashNewKey(std::string name, Role role, std::string_view secret) {
  SF_RETURN_IF_ERROR(ValidateKeyName(name));
  std::array<unsigned char, kSaltBytes> salt{};
  if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1) {
    return Status::Internal("OpenSSL RAND_bytes failed: no secure random source");
  }
  const std::string salt_bytes(reinterpret_cast<const char*>(salt.data()), salt.size());
  const auto digest = SaltedHash(salt_bytes, secret);
  return ApiKeyRecord{std::move(name), role, ToHex(salt.data(), salt.size()),
                      ToHex(digest.data(), digest.size())};
}

Result<std::string> AddKeyToFile(const std::string& file, const std::string& name,
                                 std::string_view role_name) {
  SF_RETURN_IF_ERROR(ValidateKeyName(name));
  const auto role = ParseRole(role_name);
  if (!role) {
    return Status::InvalidArgument("unknown role '" + std::string(role_name) +
                                   "' (expected viewer, uploader, operator or admin)");
  }
  const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Status::InvalidArgument("cannot open the API keys file " + file + ": " +
                                   std::strerror(errno));
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  if (::flock(fd, LOCK_EX) != 0) {
    return Status::Internal("cannot lock " + file + ": " + std::strerror(errno));
  }
  // Read what is there under the lock, so two concurrent `keys add` cannot both take a name.
  std::string text;
  char buffer[4096];
  ssize_t n = 0;
  while ((n = ::pread(fd, buffer, sizeof(buffer), static_cast<off_t>(text.size()))) > 0) {
    text.append(buffer, static_cast<size_t>(n));
  }
  SF_ASSIGN_OR_RETURN(auto records, ParseRecords(text, file));
  for (const ApiKeyRecord& record : records) {
    if (record.name == name) {
      return Status::AlreadyExists("a key named '" + name + "' already exists in " + file);
    }
  }
  SF_ASSIGN_OR_RETURN(std::string secret, GenerateSecret());
  SF_ASSIGN_OR_RETURN(ApiKeyRecord record, HashNewKey(name, *role, secret));
  nlohmann::json json = {{"name", record.name},
                         {"role", std::string(RoleName(record.role))},
                         {"salt", record.salt_hex},
                         {"hash", record.hash_hex},
                         {"created_at", NowUtc()}};
  std::string line = json.dump();
  if (!text.empty() && text.back() != '\n') line.insert(line.begin(), '\n');
  line += '\n';
  if (::write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size()) ||
      ::fsync(fd) != 0) {
    return Status::Internal("cannot write " + file + ": " + std::strerror(errno));
  }
  return secret;
}

int RunKeysAddCommand(const std::string& name, const std::string& role, const std::string& file) {
  std::string path = file;
  if (path.empty()) {
    const char* env = std::getenv("SALESFLOW_API_KEYS_FILE");
    if (env != nullptr) path = env;
  }
  if (path.empty()) {
    std::fprintf(stderr,
                 "salesflow keys add: no keys file: set SALESFLOW_API_KEYS_FILE or pass --file\n");
    return 2;
  }
  auto secret = AddKeyToFile(path, name, role);
  if (!secret.ok()) {
    std::fprintf(stderr, "salesflow keys add: %s\n", secret.status().message().c_str());
    return secret.status().code() == StatusCode::kInternal ? 1 : 2;
  }
  std::fprintf(stderr,
               "created key '%s' with role %s in %s; its secret is printed below, once: "
               "store it now\n",
               name.c_str(), role.c_str(), path.c_str());
  std::printf("%s\n", secret->c_str());
  std::fflush(stdout);
  return 0;
}

}  // namespace salesflow::api
