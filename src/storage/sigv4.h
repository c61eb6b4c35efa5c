// AWS Signature Version 4 for S3 requests: pure functions, no I/O, no clock.
//
// The S3 client builds a SigningInput for each request and sends exactly the headers and the
// query string returned here. Tests reproduce botocore's vectors byte for byte
// (tests/storage/sigv4_test.cpp over ../shared/testdata/sigv4/s3_vectors.json).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace salesflow::storage::sigv4 {

inline constexpr std::string_view kEmptyPayloadHash =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty when none
};

using Pairs = std::vector<std::pair<std::string, std::string>>;

struct SigningInput {
  std::string method;        // "GET", "PUT", ...
  std::string host;          // the Host header: "127.0.0.1:9000", "bucket.s3.amazonaws.com"
  std::string encoded_path;  // as sent on the wire, already percent-encoded ("/bucket/a%20b")
  Pairs query;               // decoded names and values; a bare "?uploads" is {"uploads", ""}
  Pairs headers;             // extra headers to sign (Range, Content-Type, Content-Length...)
  std::string payload_hash;  // hex SHA-256 of the body, or kUnsignedPayload
  std::string amz_date;      // "YYYYMMDDTHHMMSSZ" (UTC)
  std::string region;        // "us-east-1"
  std::string service = "s3";
};

struct Signature {
  std::string canonical_query;  // sorted, RFC 3986-encoded: also the query string to send
  std::string canonical_request;
  std::string string_to_sign;
  std::string authorization;  // the Authorization header's value
  Pairs headers_to_send;  // X-Amz-Date, X-Amz-Content-SHA256, [X-Amz-Security-Token], Authorization
};

// REQUIRES: input.amz_date is 16 characters; credentials have an id and a secret.
Signature Sign(const SigningInput& input, const Credentials& credentials);

// RFC 3986 percent-encoding: unreserved characters (A-Z a-z 0-9 - . _ ~) kept, every other
// byte as %XX (upper-case hex); '/' kept when keep_slash (object keys in paths).
std::string UriEncode(std::string_view text, bool keep_slash);
// Inverse of UriEncode for any %XX; '+' is kept as '+'. Malformed escapes are kept verbatim.
std::string UriDecode(std::string_view text);

// Lower-case hex SHA-256 of bytes.
std::string HexSha256(std::string_view bytes);

// "YYYYMMDDTHHMMSSZ" for a unix time.
std::string AmzDate(int64_t unix_seconds);

}  // namespace salesflow::storage::sigv4
