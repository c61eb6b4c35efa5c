#include "warehouse/db_config.h"

#include <fmt/format.h>

#include <charconv>
#include <cstdlib>

namespace salesflow::warehouse {
namespace {

Status UrlError(std::string_view problem) {
  return Status::InvalidArgument(
      fmt::format("{}: {} (expected mysql://user:password@host:port/database[?socket=/path])",
                  kDbUrlVariable, problem));
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes `text`; `what` names the part for the error (never its value: it may be
// the password).
Result<std::string> PercentDecode(std::string_view text, std::string_view what) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) {
      return UrlError(fmt::format("truncated percent-escape in the {}", what));
    }
    const int hi = HexValue(text[i + 1]);
    const int lo = HexValue(text[i + 2]);
    if (hi < 0 || lo < 0) return UrlError(fmt::format("bad percent-escape in the {}", what));
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  if (out.find('\0') != std::string::npos) {
    return UrlError(fmt::format("the {} contains a NUL byte", what));
  }
  return out;
}

Status ParseQuery(std::string_view query, DbConfig* config) {
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    const std::string_view name = pair.substr(0, eq);
    const std::string_view value =
        eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
    if (name != "socket") {
      return UrlError(fmt::format("unknown parameter '{}' (only 'socket' is supported)", name));
    }
    SF_ASSIGN_OR_RETURN(config->socket, PercentDecode(value, "socket path"));
    if (config->socket.empty() || config->socket.front() != '/') {
      return UrlError("socket must be an absolute path");
    }
  }
  return Status::Ok();
}

Status ParseHostPort(std::string_view hostport, DbConfig* config) {
  std::string_view host = hostport;
  std::string_view port;
  if (!hostport.empty() && hostport.front() == '[') {  // [::1]:3306
    const size_t close = hostport.find(']');
    if (close == std::string_view::npos) return UrlError("unterminated IPv6 address");
    host = hostport.substr(1, close - 1);
    const std::string_view rest = hostport.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return UrlError("unexpected text after the IPv6 address");
      port = rest.substr(1);
    }
  } else if (const size_t colon = hostport.rfind(':'); colon != std::string_view::npos) {
    host = hostport.substr(0, colon);
    port = hostport.substr(colon + 1);
  }
  if (!host.empty()) config->host = std::string(host);
  if (!port.empty()) {
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc{} || end != port.data() + port.size() || value == 0 || value > 65535) {
      return UrlError(fmt::format("bad port '{}' (1-65535)", port));
    }
    config->port = static_cast<uint16_t>(value);
  }
  return Status::Ok();
}

}  // namespace

std::string DbConfig::Redacted() const {
  std::string out = "mysql://" + user;
  if (!password.empty()) out += ":***";
  out += "@" + (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
         std::to_string(port) + "/" + database;
  if (!socket.empty()) out += "?socket=" + socket;
  return out;
}

std::string DbConfig::Endpoint() const {
  if (!socket.empty()) return "socket " + socket;
  return fmt::format("{}:{}", host, port);
}

Result<DbConfig> ParseDbUrl(std::string_view url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return UrlError("not a URL");
  const std::string_view scheme = url.substr(0, scheme_end);
  if (scheme != "mysql" && scheme != "mariadb") {
    // Name only a scheme that looks like one: anything else may hold a password.
    const bool plausible = !scheme.empty() && scheme.size() <= 16 &&
                           scheme.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789+.-") ==
                               std::string_view::npos;
    return UrlError(plausible ? fmt::format("unknown scheme '{}' (use mysql://)", scheme)
                              : std::string("unknown scheme (use mysql://)"));
  }
  std::string_view rest = url.substr(scheme_end + 3);
  DbConfig config;

  std::string_view query;
  if (const size_t q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  std::string_view path;
  if (const size_t slash = rest.find('/'); slash != std::string_view::npos) {
    path = rest.substr(slash + 1);
    rest = rest.substr(0, slash);
  }
  // The password may contain '@' only percent-encoded, but be lenient: the last '@' splits.
  if (const size_t at = rest.rfind('@'); at != std::string_view::npos) {
    const std::string_view userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    const size_t colon = userinfo.find(':');
    SF_ASSIGN_OR_RETURN(config.user, PercentDecode(userinfo.substr(0, colon), "user"));
    if (colon != std::string_view::npos) {
      SF_ASSIGN_OR_RETURN(config.password, PercentDecode(userinfo.substr(colon + 1), "password"));
    }
    if (config.user.empty()) return UrlError("empty user name");
  }
  SF_RETURN_IF_ERROR(ParseHostPort(rest, &config));
  if (path.find('/') != std::string_view::npos) {
    return UrlError("the database name cannot contain '/'");
  }
  SF_ASSIGN_OR_RETURN(config.database, PercentDecode(path, "database name"));
  if (config.database.size() > 64) return UrlError("database name longer than 64 characters");
  SF_RETURN_IF_ERROR(ParseQuery(query, &config));
  if (rest.empty() && config.socket.empty()) config.host = "127.0.0.1";
  return config;
}

Result<DbConfig> DbConfigFromEnv() {
  const char* value = std::getenv(std::string(kDbUrlVariable).c_str());
  if (value == nullptr || *value == '\0') return ParseDbUrl(kDefaultDbUrl);
  return ParseDbUrl(value);
}

}  // namespace salesflow::warehouse
