// Files embedded into the binary at build time (src/api/embed.cmake): the dashboard page
// from web/ and the OpenAPI document. Nothing is read from disk at run time.
#pragma once

#include <string_view>

namespace salesflow::api {

std::string_view DashboardHtml();    // web/index.html
std::string_view OpenApiDocument();  // src/api/openapi.json

}  // namespace salesflow::api
