#include "api/assets.h"

#include <httplib.h>

#include <array>
#include <string>

namespace salesflow::api {

// Defined by the files embed.cmake generates (src/api/CMakeLists.txt lists them).
std::string_view DashboardHtmlSha256();
std::string_view DashboardCss();
std::string_view DashboardCssSha256();
std::string_view DashboardJs();
std::string_view DashboardJsSha256();
std::string_view ChartJs();
std::string_view ChartJsSha256();

namespace {

// The page may load its own scripts and styles, call its own API and draw on canvases
// (Chart.js sets element styles through the CSSOM, which style-src does not govern);
// nothing inline, nothing from another origin, no framing.
constexpr std::string_view kPagePolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

struct Embedded {
  std::string etag;
  WebAsset asset;
};

Embedded Make(std::string_view name, std::string_view type, std::string_view content,
              std::string_view sha256) {
  return Embedded{"\"" + std::string(sha256.substr(0, 32)) + "\"",
                  WebAsset{name, type, content, {}}};
}

// Built once; the WebAssets point into these entries, which live until exit.
const std::array<Embedded, 4>& Table() {
  static const std::array<Embedded, 4> table = [] {
    std::array<Embedded, 4> t = {
        Make("", "text/html; charset=utf-8", DashboardHtml(), DashboardHtmlSha256()),
        Make("app.css", "text/css; charset=utf-8", DashboardCss(), DashboardCssSha256()),
        Make("app.js", "text/javascript; charset=utf-8", DashboardJs(), DashboardJsSha256()),
        Make("chart.js", "text/javascript; charset=utf-8", ChartJs(), ChartJsSha256())};
    for (Embedded& e : t) e.asset.etag = e.etag;
    return t;
  }();
  return table;
}

// If-None-Match may list several tags or be "*" (RFC 9110 13.1.2).
bool MatchesEtag(const std::string& if_none_match, std::string_view etag) {
  if (if_none_match.empty()) return false;
  if (if_none_match == "*") return true;
  return if_none_match.find(etag) != std::string::npos;
}

}  // namespace

const WebAsset& DashboardPage() { return Table()[0].asset; }

const WebAsset* FindWebAsset(std::string_view name) {
  if (name.empty()) return nullptr;  // the page is "/", not "/assets/"
  for (const Embedded& e : Table()) {
    if (e.asset.name == name) return &e.asset;
  }
  return nullptr;
}

void WriteWebAsset(const httplib::Request& req, httplib::Response& res, const WebAsset& asset) {
  // Revalidated on every load (cheap 304s), so a new binary's assets are never mixed
  // with a cached old page. Replaces the server's default no-store (set_header appends).
  res.headers.erase("Cache-Control");
  res.set_header("Cache-Control", "no-cache");
  res.set_header("ETag", std::string(asset.etag));
  if (asset.name.empty()) {
    res.set_header("Content-Security-Policy", std::string(kPagePolicy));
    res.set_header("Referrer-Policy", "no-referrer");
  }
  if (MatchesEtag(req.get_header_value("If-None-Match"), asset.etag)) {
    res.status = 304;
    return;
  }
  res.status = 200;
  res.set_content(std::string(asset.content), std::string(asset.content_type));
}

}  // namespace salesflow::api
