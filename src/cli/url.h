// URL pieces the client builds: path segments for object keys and query strings.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace salesflow::cli {

// Percent-encodes `segment` for use as ONE path segment: every byte outside RFC 3986's
// unreserved set (A-Z a-z 0-9 - . _ ~) becomes %XX, so a key's '/' is sent as %2F and
// "a b+c.csv" as "a%20b%2Bc.csv" (DESIGN.md: "{key} in a path is URL-encoded, slashes as %2F").
std::string EncodePathSegment(std::string_view segment);

// "?a=1&b=x%20y" from the pairs whose value is non-empty; "" when none. Values are encoded
// like path segments (space as %20, never '+').
using QueryParams = std::vector<std::pair<std::string, std::string>>;
std::string BuildQuery(const QueryParams& params);

// A base URL split for httplib: "https://host:8443/sub" -> origin "https://host:8443",
// path_prefix "/sub". REQUIRES nothing; returns InvalidArgument naming SALESFLOW_URL when the
// scheme is not http/https, the host is empty, or the URL carries user:password@ (the
// message never echoes such a URL, since it holds a secret).
struct BaseUrl {
  std::string origin;       // scheme://host[:port], what httplib::Client takes
  std::string path_prefix;  // "" or "/something" without a trailing slash
};
Result<BaseUrl> ParseBaseUrl(std::string_view url);

}  // namespace salesflow::cli
