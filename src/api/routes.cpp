#include "api/routes.h"

namespace salesflow::api {
namespace {

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> segments;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  while (true) {
    const size_t slash = path.find('/');
    segments.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return segments;
}

bool IsParam(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

enum class PathMatch { kNo, kYes, kBadEncoding };

PathMatch MatchPath(std::string_view pattern, const std::vector<std::string_view>& segments,
                    std::vector<std::string>* params) {
  const auto want = SplitPath(pattern);
  if (want.size() != segments.size()) return PathMatch::kNo;
  params->clear();
  for (size_t i = 0; i < want.size(); ++i) {
    if (IsParam(want[i])) {
      if (segments[i].empty()) return PathMatch::kNo;
      auto decoded = PercentDecode(segments[i], /*plus_is_space=*/false);
      if (!decoded) return PathMatch::kBadEncoding;
      params->push_back(std::move(*decoded));
    } else if (want[i] != segments[i]) {
      return PathMatch::kNo;
    }
  }
  return PathMatch::kYes;
}

}  // namespace

std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      const int hi = hex(text[i + 1]);
      const int lo = hex(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      c = static_cast<char>((hi << 4) | lo);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      c = ' ';
    }
    if (c == '\0') return std::nullopt;
    out += c;
  }
  return out;
}

Result<RouteMatch> MatchRoute(std::string_view method, std::string_view raw_path) {
  const std::string_view effective = method == "HEAD" ? std::string_view("GET") : method;
  const auto segments = SplitPath(raw_path);
  bool path_known = false;
  RouteMatch match;
  for (const RouteSpec& route : kRoutes) {
    switch (MatchPath(route.path, segments, &match.params)) {
      case PathMatch::kNo:
        continue;
      case PathMatch::kBadEncoding:
        return Status::InvalidArgument("malformed percent-encoding in the request path");
      case PathMatch::kYes:
        break;
    }
    path_known = true;
    if (route.method == effective) {
      match.route = &route;
      return match;
    }
  }
  if (path_known) {
    return Status::FailedPrecondition("method " + std::string(method) +
                                      " is not allowed here; allowed: " + AllowedMethods(raw_path));
  }
  return Status::NotFound("no route for " + std::string(method) + " " + std::string(raw_path));
}

std::string AllowedMethods(std::string_view raw_path) {
  const auto segments = SplitPath(raw_path);
  std::vector<std::string> params;
  std::string out;
  for (const RouteSpec& route : kRoutes) {
    if (MatchPath(route.path, segments, &params) != PathMatch::kYes) continue;
    if (out.find(route.method) != std::string::npos) continue;
    if (!out.empty()) out += ", ";
    out += route.method;
  }
  return out;
}

}  // namespace salesflow::api
