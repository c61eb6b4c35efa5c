// Files embedded into the binary at build time (src/api/embed.cmake): the dashboard page
// and its assets from web/, Chart.js from Debian's libjs-chart.js, and the OpenAPI
// document. Nothing is read from disk at run time and nothing is fetched from elsewhere.
#pragma once

#include <string_view>

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace salesflow::api {

std::string_view DashboardHtml();    // web/index.html
std::string_view OpenApiDocument();  // src/api/openapi.json

// One embedded web file. `etag` is a quoted strong validator derived from the content's
// SHA-256 at build time, so a new binary with a changed file gets a new tag.
struct WebAsset {
  std::string_view name;          // "app.js": the last segment of /assets/{name}
  std::string_view content_type;  // with charset for text types
  std::string_view content;
  std::string_view etag;
};

// The dashboard page served at "/".
const WebAsset& DashboardPage();

// The asset served at /assets/{name}; nullptr when there is none of that name.
const WebAsset* FindWebAsset(std::string_view name);

// Writes `asset` as a 200 (or a 304 when If-None-Match names its tag). Headers make the
// browser revalidate (no-cache + ETag), forbid sniffing, and for the page set a strict
// Content-Security-Policy: scripts, styles and connections from this origin only.
void WriteWebAsset(const httplib::Request& req, httplib::Response& res, const WebAsset& asset);

}  // namespace salesflow::api
