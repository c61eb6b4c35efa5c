// The route table: the one list of the API's routes, used to dispatch requests, to check
// permissions, and (in tests) to prove that /api/openapi.json documents exactly these.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/auth.h"
#include "core/status.h"

namespace salesflow::api {

enum class RouteId {
  kListReports,
  kUpload,
  kProcess,
  kListJobs,
  kGetJob,
  kStats,
  kRejects,
  kUnload,
  kListMappings,
  kGetMapping,
  kPutMapping,
  kDeleteMapping,
  kHealthz,
  kReadyz,
  kMetrics,
  kOpenApi,
  kDashboard,
  kAsset,
};

// How a route's request body is read.
enum class BodyKind {
  kNone,       // no body allowed
  kJson,       // a JSON object, at most ServerOptions::max_json_body_bytes
  kMultipart,  // multipart/form-data, streamed (uploads)
};

struct RouteSpec {
  RouteId id;
  std::string_view method;  // GET, POST, PUT, DELETE
  // OpenAPI-style template; a "{name}" segment matches one percent-encoded path segment
  // ("a%2Fb.csv" for the key "a/b.csv").
  std::string_view path;
  Permission permission;
  BodyKind body;
};

inline constexpr std::array<RouteSpec, 18> kRoutes = {{
    {RouteId::kListReports, "GET", "/api/reports", Permission::kList, BodyKind::kNone},
    {RouteId::kUpload, "POST", "/api/upload", Permission::kUpload, BodyKind::kMultipart},
    {RouteId::kProcess, "POST", "/api/process", Permission::kProcess, BodyKind::kJson},
    {RouteId::kListJobs, "GET", "/api/jobs", Permission::kList, BodyKind::kNone},
    {RouteId::kGetJob, "GET", "/api/jobs/{id}", Permission::kList, BodyKind::kNone},
    {RouteId::kStats, "GET", "/api/stats", Permission::kStats, BodyKind::kNone},
    {RouteId::kRejects, "GET", "/api/reports/{key}/rejects", Permission::kRejects, BodyKind::kNone},
    {RouteId::kUnload, "DELETE", "/api/reports/{key}/rows", Permission::kUnload, BodyKind::kNone},
    {RouteId::kListMappings, "GET", "/api/mappings", Permission::kMappings, BodyKind::kNone},
    {RouteId::kGetMapping, "GET", "/api/mappings/{prefix}", Permission::kMappings, BodyKind::kNone},
    {RouteId::kPutMapping, "PUT", "/api/mappings/{prefix}", Permission::kMappings, BodyKind::kJson},
    {RouteId::kDeleteMapping, "DELETE", "/api/mappings/{prefix}", Permission::kMappings,
     BodyKind::kNone},
    {RouteId::kHealthz, "GET", "/healthz", Permission::kPublic, BodyKind::kNone},
    {RouteId::kReadyz, "GET", "/readyz", Permission::kPublic, BodyKind::kNone},
    {RouteId::kMetrics, "GET", "/metrics", Permission::kList, BodyKind::kNone},
    {RouteId::kOpenApi, "GET", "/api/openapi.json", Permission::kPublic, BodyKind::kNone},
    {RouteId::kDashboard, "GET", "/", Permission::kPublic, BodyKind::kNone},
    {RouteId::kAsset, "GET", "/assets/{name}", Permission::kPublic, BodyKind::kNone},
}};

struct RouteMatch {
  const RouteSpec* route = nullptr;
  std::vector<std::string> params;  // decoded "{...}" segments, in template order
};

// Matches a request against the table. `raw_path` is the request target before
// percent-decoding, without the query. HEAD matches like GET.
// NotFound: no template matches the path. FailedPrecondition: the path matches but not the
// method (-> 405; the message lists the allowed methods). InvalidArgument: a parameter is
// not valid percent-encoding.
Result<RouteMatch> MatchRoute(std::string_view method, std::string_view raw_path);

// The methods allowed on a path, "GET, PUT" (for the Allow header of a 405).
std::string AllowedMethods(std::string_view raw_path);

// Percent-decodes one path segment or query component. `plus_is_space` for queries.
// nullopt for a malformed escape or a decoded NUL byte.
std::optional<std::string> PercentDecode(std::string_view text, bool plus_is_space);

}  // namespace salesflow::api
