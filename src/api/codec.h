// Request parsing and response serialisation for the HTTP API: domain structs <-> JSON and
// query strings. Parsing is strict: an unknown field or query parameter is InvalidArgument
// naming it, so a typo ("dryrun") is never silently ignored. Pure functions, thread-safe.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "api/backend.h"

namespace salesflow::api {

// ---- requests ----
// The JSON object in `body`. InvalidArgument for malformed JSON or a non-object.
Result<nlohmann::json> ParseJsonObject(std::string_view body);

struct ProcessCommand {
  ProcessRequest request;
  bool wait = false;
};
Result<ProcessCommand> ParseProcessCommand(const nlohmann::json& body);

// PUT /api/mappings/{prefix} body: {"mapping": {...}, "date_format", "delimiter",
// "encoding", "currency", "max_reject_ratio"}.
Result<PrefixMapping> ParseMappingBody(const nlohmann::json& body, std::string prefix);

// name -> value of a raw query string ("a=1&b=x%2Fy"). InvalidArgument for a parameter not
// in `allowed`, a repeated one, or malformed percent-encoding.
using QueryParams = std::map<std::string, std::string>;
Result<QueryParams> ParseQuery(std::string_view raw_query,
                               const std::vector<std::string_view>& allowed);

Result<ListReportsRequest> ParseListReportsQuery(const QueryParams& query);
Result<int> ParseJobsLimit(const QueryParams& query);
Result<JobId> ParseJobId(std::string_view text);
Result<StatsQuery> ParseStatsQuery(const QueryParams& query);
Status ValidatePrefixParam(std::string_view prefix);

// ---- responses ----
// RFC 3339 UTC with seconds: "2026-11-25T12:00:00Z".
std::string FormatTimestamp(Timestamp time);
// revenue / orders, rounded half away from zero to the cent; 0 when there are no orders.
core::Money AverageOrderValue(core::Money revenue, int64_t orders);

nlohmann::json ReportToJson(const ReportInfo& report);
nlohmann::json JobToJson(const JobInfo& job);
nlohmann::json JobSummaryToJson(const JobInfo& job);  // {"job_id","key","status"}
nlohmann::json StatsToJson(const StatsResult& stats);
nlohmann::json MappingToJson(const PrefixMapping& mapping);
// Serialises with invalid UTF-8 replaced, never throwing.
std::string Dump(const nlohmann::json& json);

// ---- rejects CSV ----
inline constexpr std::string_view kRejectsCsvHeader = "line,column,reason,message,raw\r\n";
// Appends one RFC 4180 record. Text cells starting with = + - @ (or TAB/CR, which some
// spreadsheets skip before evaluating) get a leading apostrophe against formula injection.
void AppendRejectCsv(const core::RejectedRow& row, std::string* out);
std::string CsvCell(std::string_view text);

}  // namespace salesflow::api
