// Helpers shared by the command implementations (report_commands.cpp, process_commands.cpp,
// stats_command.cpp, mapping_commands.cpp). Not part of the module's interface.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "cli/api_client.h"
#include "cli/commands.h"
#include "core/status.h"

namespace salesflow::cli::internal {

// The body as JSON; Internal "the server sent invalid JSON for <what>" otherwise.
Result<nlohmann::json> ParseJson(const ApiResponse& response, std::string_view what);

// A field of `object` as table text: strings as is, numbers and booleans printed, missing
// or null as `missing`.
std::string FieldText(const nlohmann::json& object, std::string_view field,
                      std::string_view missing = "-");

// A job id (number or string in JSON) as text for tables and URL paths.
std::string JobIdText(const nlohmann::json& job);

// The array under `field` of an object, or `body` itself when it is an array; empty
// otherwise. Lenient about envelope shape so list endpoints stay readable.
const nlohmann::json& ArrayField(const nlohmann::json& body, std::string_view field);

// Prints the server's JSON body as received (ending with a newline) for --json.
void PrintRawJson(const Console& console, const std::string& body);

// Prints "salesflow: <message>" and returns kExitUsage.
int ReportUsage(const Console& console, std::string_view message);

// "/api/reports/<key>" etc. with the key percent-encoded as one segment.
std::string ReportPath(std::string_view key, std::string_view suffix);

}  // namespace salesflow::cli::internal
