#include "cli/url.h"

#include <string>

namespace salesflow::cli {
namespace {

bool IsUnreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

}  // namespace

std::string EncodePathSegment(std::string_view segment) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(segment.size() * 3);
  for (const char ch : segment) {
    const auto c = static_cast<unsigned char>(ch);
    if (IsUnreserved(c)) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0x0F]);
    }
  }
  return out;
}

std::string BuildQuery(const QueryParams& params) {
  std::string out;
  for (const auto& [name, value] : params) {
    if (value.empty()) continue;
    out += out.empty() ? '?' : '&';
    out += EncodePathSegment(name);
    out += '=';
    out += EncodePathSegment(value);
  }
  return out;
}

Result<BaseUrl> ParseBaseUrl(std::string_view url) {
  std::string_view rest;
  std::string scheme;
  if (url.starts_with("http://")) {
    scheme = "http://";
    rest = url.substr(7);
  } else if (url.starts_with("https://")) {
    scheme = "https://";
    rest = url.substr(8);
  } else {
    return Status::InvalidArgument("SALESFLOW_URL must start with http:// or https://, e.g. " +
                                   std::string("http://127.0.0.1:8080"));
  }
  const size_t slash = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
  if (authority.find('@') != std::string_view::npos) {
    return Status::InvalidArgument(
        "SALESFLOW_URL must not contain user:password@; put the API key in SALESFLOW_API_KEY");
  }
  if (authority.empty() || authority.starts_with(':')) {
    return Status::InvalidArgument("SALESFLOW_URL '" + std::string(url) + "' has no host");
  }
  if (path.find_first_of("?#") != std::string_view::npos) {
    return Status::InvalidArgument("SALESFLOW_URL '" + std::string(url) +
                                   "' must not have a query or fragment");
  }
  while (path.ends_with('/')) path.remove_suffix(1);
  return BaseUrl{scheme + std::string(authority), std::string(path)};
}

}  // namespace salesflow::cli
