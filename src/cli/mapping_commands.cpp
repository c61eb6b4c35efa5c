// salesflow mapping set | get | delete | list
#include "cli/commands.h"
#include "cli/commands_impl.h"
#include "cli/table.h"
#include "cli/url.h"

namespace salesflow::cli {

using internal::FieldText;
using internal::ParseJson;

namespace {

std::string MappingPath(const std::string& prefix) {
  return "/api/mappings/" + EncodePathSegment(prefix);
}

// The mapping object (canonical column -> header) of a stored mapping.
const nlohmann::json& MappingObject(const nlohmann::json& stored) {
  static const nlohmann::json kEmpty = nlohmann::json::object();
  const auto it = stored.find("mapping");
  return it != stored.end() && it->is_object() ? *it : kEmpty;
}

// Every other field ("date_format=%d/%m/%Y", "delimiter=;" ...), nested objects flattened
// as "reader.encoding=...", so the output stays readable whatever the server adds.
void CollectOptions(const nlohmann::json& object, const std::string& prefix,
                    std::vector<std::pair<std::string, std::string>>& out) {
  for (const auto& [name, value] : object.items()) {
    if (prefix.empty() && (name == "prefix" || name == "mapping")) continue;
    if (value.is_null()) continue;
    if (value.is_object()) {
      CollectOptions(value, prefix + name + ".", out);
    } else {
      out.emplace_back(prefix + name, value.is_string() ? value.get<std::string>() : value.dump());
    }
  }
}

std::string Joined(const std::vector<std::pair<std::string, std::string>>& pairs,
                   std::string_view separator) {
  std::string out;
  for (const auto& [name, value] : pairs) {
    if (!out.empty()) out += separator;
    // A tab delimiter shows as \t, not as invisible space.
    out += name + "=" + (value == "\t" ? std::string("\\t") : value);
  }
  return out;
}

int RequirePrefix(const MappingArgs& args, const Console& console, const char* command) {
  if (args.prefix.empty()) {
    return internal::ReportUsage(console, std::string("mapping ") + command + ": name a PREFIX");
  }
  return kExitOk;
}

}  // namespace

int RunMappingSet(const MappingArgs& args, ApiClient& client, const Console& console) {
  if (const int code = RequirePrefix(args, console, "set"); code != kExitOk) return code;
  auto mapping = ParseColumnMapping(args.map);
  if (!mapping.ok()) return internal::ReportUsage(console, mapping.status().message());
  ReaderOptions reader = args.reader;
  if (!reader.delimiter.empty()) {
    auto delimiter = NormalizeDelimiter(reader.delimiter);
    if (!delimiter.ok()) return internal::ReportUsage(console, delimiter.status().message());
    reader.delimiter = *delimiter;
  }
  // The prefix travels in the path only: the API refuses unknown body fields.
  nlohmann::json body = nlohmann::json::object();
  AddReaderFields(*mapping, reader, body);
  if (args.max_reject_ratio) {
    if (*args.max_reject_ratio < 0.0 || *args.max_reject_ratio > 1.0) {
      return internal::ReportUsage(console, "--max-reject-ratio must be between 0 and 1");
    }
    body["max_reject_ratio"] = *args.max_reject_ratio;
  }
  if (body.empty()) {
    return internal::ReportUsage(
        console, "mapping set: give --map COLUMN=HEADER and/or a reader option to store");
  }
  if (!body.contains("mapping")) body["mapping"] = nlohmann::json::object();
  auto response = client.Put(MappingPath(args.prefix), body.dump());
  if (!response.ok()) return ReportFailure(console, response.status());
  *console.out << "mapping for prefix " << SanitizeForTerminal(args.prefix) << " saved\n";
  return kExitOk;
}

int RunMappingGet(const MappingArgs& args, ApiClient& client, const Console& console) {
  if (const int code = RequirePrefix(args, console, "get"); code != kExitOk) return code;
  auto response = client.Get(MappingPath(args.prefix));
  if (!response.ok()) return ReportFailure(console, response.status());
  if (args.json) {
    internal::PrintRawJson(console, response->body);
    return kExitOk;
  }
  auto body = ParseJson(*response, "GET /api/mappings/{prefix}");
  if (!body.ok()) return ReportFailure(console, body.status());
  *console.out << "prefix: " << SanitizeForTerminal(FieldText(*body, "prefix", args.prefix))
               << '\n';
  std::vector<std::pair<std::string, std::string>> options;
  CollectOptions(*body, "", options);
  for (const auto& [name, value] : options) {
    *console.out << SanitizeForTerminal(name) << ": "
                 << SanitizeForTerminal(value == "\t" ? "\\t" : value) << '\n';
  }
  Table table({{"COLUMN"}, {"HEADER"}});
  for (const auto& [column, header] : MappingObject(*body).items()) {
    table.AddRow({column, header.is_string() ? header.get<std::string>() : header.dump()});
  }
  if (table.row_count() > 0) {
    *console.out << '\n';
    table.Render(*console.out);
  }
  return kExitOk;
}

int RunMappingDelete(const MappingArgs& args, ApiClient& client, const Console& console) {
  if (const int code = RequirePrefix(args, console, "delete"); code != kExitOk) return code;
  auto response = client.Delete(MappingPath(args.prefix));
  if (!response.ok()) return ReportFailure(console, response.status());
  *console.out << "mapping for prefix " << SanitizeForTerminal(args.prefix) << " deleted\n";
  return kExitOk;
}

int RunMappingList(const MappingArgs& args, ApiClient& client, const Console& console) {
  auto response = client.Get("/api/mappings");
  if (!response.ok()) return ReportFailure(console, response.status());
  if (args.json) {
    internal::PrintRawJson(console, response->body);
    return kExitOk;
  }
  auto body = ParseJson(*response, "GET /api/mappings");
  if (!body.ok()) return ReportFailure(console, body.status());
  Table table({{"PREFIX"}, {"MAPPING"}, {"OPTIONS"}});
  for (const auto& stored : internal::ArrayField(*body, "mappings")) {
    std::vector<std::pair<std::string, std::string>> columns;
    for (const auto& [column, header] : MappingObject(stored).items()) {
      columns.emplace_back(column, header.is_string() ? header.get<std::string>() : header.dump());
    }
    std::vector<std::pair<std::string, std::string>> options;
    CollectOptions(stored, "", options);
    table.AddRow({FieldText(stored, "prefix"), Joined(columns, ", "), Joined(options, " ")});
  }
  if (table.row_count() == 0) {
    *console.out << "no mappings\n";
    return kExitOk;
  }
  table.Render(*console.out);
  return kExitOk;
}

}  // namespace salesflow::cli
