#include "storage/sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <ctime>

namespace salesflow::storage::sigv4 {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

std::string ToHex(const unsigned char* data, std::size_t size) {
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out += kHexDigits[data[i] >> 4];
    out += kHexDigits[data[i] & 0xF];
  }
  return out;
}

using Digest = std::array<unsigned char, SHA256_DIGEST_LENGTH>;

Digest HmacSha256(std::string_view key, std::string_view data) {
  Digest out{};
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(), &length);
  return out;
}

std::string_view AsView(const Digest& digest) {
  return {reinterpret_cast<const char*>(digest.data()), digest.size()};
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// SigV4 canonical header value: leading/trailing spaces trimmed, inner runs of spaces as one.
std::string TrimAndCollapse(std::string_view value) {
  std::string out;
  bool pending_space = false;
  for (const char c : value) {
    if (c == ' ' || c == '\t') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += c;
  }
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string CanonicalQuery(const Pairs& query) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(query.size());
  for (const auto& [name, value] : query) {
    encoded.emplace_back(UriEncode(name, false), UriEncode(value, false));
  }
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [name, value] : encoded) {
    if (!out.empty()) out += '&';
    out += name;
    out += '=';
    out += value;
  }
  return out;
}

}  // namespace

std::string UriEncode(std::string_view text, bool keep_slash) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
                            c == '~' || (keep_slash && c == '/');
    if (unreserved) {
      out += c;
    } else {
      const auto byte = static_cast<unsigned char>(c);
      out += '%';
      out += "0123456789ABCDEF"[byte >> 4];
      out += "0123456789ABCDEF"[byte & 0xF];
    }
  }
  return out;
}

std::string UriDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && HexValue(text[i + 1]) >= 0 &&
        HexValue(text[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(text[i + 1]) * 16 + HexValue(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::string HexSha256(std::string_view bytes) {
  Digest digest{};
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest.data());
  return ToHex(digest.data(), digest.size());
}

std::string AmzDate(int64_t unix_seconds) {
  const auto time = static_cast<std::time_t>(unix_seconds);
  std::tm utc{};
  gmtime_r(&time, &utc);
  char buffer[32];
  const std::size_t length = std::strftime(buffer, sizeof buffer, "%Y%m%dT%H%M%SZ", &utc);
  return {buffer, length};
}

Signature Sign(const SigningInput& input, const Credentials& credentials) {
  // Headers signed: the request's own plus host and the x-amz-* the signer adds.
  Pairs headers_to_send = {{"X-Amz-Date", input.amz_date},
                           {"X-Amz-Content-SHA256", input.payload_hash}};
  if (!credentials.session_token.empty()) {
    headers_to_send.emplace_back("X-Amz-Security-Token", credentials.session_token);
  }
  std::vector<std::pair<std::string, std::string>> canonical_headers;
  canonical_headers.emplace_back("host", TrimAndCollapse(input.host));
  for (const auto& [name, value] : input.headers) {
    canonical_headers.emplace_back(Lower(name), TrimAndCollapse(value));
  }
  for (const auto& [name, value] : headers_to_send) {
    canonical_headers.emplace_back(Lower(name), TrimAndCollapse(value));
  }
  std::sort(canonical_headers.begin(), canonical_headers.end());

  Signature signature;
  signature.canonical_query = CanonicalQuery(input.query);
  std::string header_block;
  std::string signed_headers;
  for (const auto& [name, value] : canonical_headers) {
    header_block += name + ':' + value + '\n';
    if (!signed_headers.empty()) signed_headers += ';';
    signed_headers += name;
  }
  signature.canonical_request = input.method + '\n' + input.encoded_path + '\n' +
                                signature.canonical_query + '\n' + header_block + '\n' +
                                signed_headers + '\n' + input.payload_hash;

  const std::string date = input.amz_date.substr(0, 8);
  const std::string scope = date + '/' + input.region + '/' + input.service + "/aws4_request";
  signature.string_to_sign = "AWS4-HMAC-SHA256\n" + input.amz_date + '\n' + scope + '\n' +
                             HexSha256(signature.canonical_request);

  const Digest date_key = HmacSha256("AWS4" + credentials.secret_access_key, date);
  const Digest region_key = HmacSha256(AsView(date_key), input.region);
  const Digest service_key = HmacSha256(AsView(region_key), input.service);
  const Digest signing_key = HmacSha256(AsView(service_key), "aws4_request");
  const Digest mac = HmacSha256(AsView(signing_key), signature.string_to_sign);

  signature.authorization = "AWS4-HMAC-SHA256 Credential=" + credentials.access_key_id + '/' +
                            scope + ", SignedHeaders=" + signed_headers +
                            ", Signature=" + ToHex(mac.data(), mac.size());
  headers_to_send.emplace_back("Authorization", signature.authorization);
  signature.headers_to_send = std::move(headers_to_send);
  return signature;
}

}  // namespace salesflow::storage::sigv4
