#include "api/routes.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "api/assets.h"
#include "test_util.h"

namespace salesflow::api {
namespace {

TEST(RoutesTest, MatchesTemplatesAndDecodesParameters) {
  auto match = MatchRoute("GET", "/api/reports/daily%2F2026-10-01.csv/rejects");
  ASSERT_TRUE(match.ok()) << match.status().ToString();
  EXPECT_EQ(match->route->id, RouteId::kRejects);
  ASSERT_EQ(match->params.size(), 1u);
  EXPECT_EQ(match->params[0], "daily/2026-10-01.csv");

  match = MatchRoute("HEAD", "/api/jobs/12");
  ASSERT_TRUE(match.ok());
  EXPECT_EQ(match->route->id, RouteId::kGetJob);
  EXPECT_EQ(match->params[0], "12");

  match = MatchRoute("DELETE", "/api/mappings/shop%2Bx%2F");
  ASSERT_TRUE(match.ok());
  EXPECT_EQ(match->route->id, RouteId::kDeleteMapping);
  EXPECT_EQ(match->params[0], "shop+x/");
}

TEST(RoutesTest, UnknownPathsMethodsAndBadEncoding) {
  EXPECT_EQ(MatchRoute("GET", "/api/nothing").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(MatchRoute("GET", "/api/reports/a/b.csv/rejects").status().code(),
            StatusCode::kNotFound);  // a raw slash splits segments: keys need %2F
  EXPECT_EQ(MatchRoute("GET", "/api/jobs/").status().code(), StatusCode::kNotFound);
  const auto wrong_method = MatchRoute("POST", "/api/mappings/x");
  EXPECT_EQ(wrong_method.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(AllowedMethods("/api/mappings/x"), "GET, PUT, DELETE");
  EXPECT_EQ(MatchRoute("GET", "/api/jobs/%zz").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(MatchRoute("GET", "/api/jobs/%00").status().code(), StatusCode::kInvalidArgument);
}

// The OpenAPI document and the route table describe the same set of routes: a route
// added without documentation, or documentation without a route, fails here.
TEST(RoutesTest, OpenApiDocumentsExactlyTheRouteTable) {
  const auto doc = nlohmann::json::parse(OpenApiDocument(), nullptr, false);
  ASSERT_TRUE(doc.is_object()) << "openapi.json is not valid JSON";
  EXPECT_EQ(doc["openapi"], "3.1.0");
  std::set<std::string> documented;
  for (const auto& [path, item] : doc["paths"].items()) {
    for (const auto& [method, operation] : item.items()) {
      std::string upper = method;
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      documented.insert(upper + " " + path);
      EXPECT_TRUE(operation.contains("responses")) << upper << " " << path;
    }
  }
  std::set<std::string> routed;
  for (const RouteSpec& route : kRoutes) {
    routed.insert(std::string(route.method) + " " + std::string(route.path));
    // Public routes are marked public in the document, protected ones are not.
    std::string lower(route.method);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const auto& operation = doc["paths"][std::string(route.path)][lower];
    const bool documented_public = operation.contains("security") && operation["security"].empty();
    EXPECT_EQ(documented_public, route.permission == Permission::kPublic) << route.path;
  }
  EXPECT_EQ(documented, routed);
}

}  // namespace
}  // namespace salesflow::api
