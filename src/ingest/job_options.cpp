#include "ingest/job_options.h"

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>

namespace salesflow::ingest {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kRatioField = "max_reject_ratio";

Status CheckRatio(std::optional<double> ratio) {
  if (ratio && (!std::isfinite(*ratio) || *ratio < 0.0 || *ratio > 1.0)) {
    return Status::InvalidArgument(
        fmt::format("max_reject_ratio must be between 0 and 1, got {}", *ratio));
  }
  return Status::Ok();
}

Result<std::map<std::string, std::string>> StringMap(const Json& object, std::string_view what) {
  std::map<std::string, std::string> out;
  if (object.is_null()) return out;
  if (!object.is_object()) return Status::Internal(fmt::format("{} is not a JSON object", what));
  for (const auto& [name, value] : object.items()) {
    if (!value.is_string()) {
      return Status::Internal(fmt::format("{}.{} is not a string", what, name));
    }
    out[name] = value.get<std::string>();
  }
  return out;
}

Result<Json> ParseObject(std::string_view text, std::string_view what) {
  if (text.empty()) return Json::object();
  Json parsed = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !(parsed.is_object() || parsed.is_null())) {
    return Status::Internal(fmt::format("{} is not a JSON object", what));
  }
  return parsed;
}

}  // namespace

std::string JobOptions::ToJson() const {
  Json out = Json::object();
  if (dry_run) out["dry_run"] = true;
  if (force) out["force"] = true;
  if (mapping) out["mapping"] = *mapping;
  if (max_reject_ratio) out[kRatioField] = *max_reject_ratio;
  if (!reader.empty()) out["reader"] = reader;
  return out.dump();
}

Result<JobOptions> JobOptions::FromJson(std::string_view json) {
  SF_ASSIGN_OR_RETURN(Json parsed, ParseObject(json, "jobs.options"));
  JobOptions options;
  if (parsed.is_null()) return options;
  options.dry_run = parsed.value("dry_run", false);
  options.force = parsed.value("force", false);
  if (parsed.contains("mapping")) {
    SF_ASSIGN_OR_RETURN(options.mapping, StringMap(parsed["mapping"], "jobs.options.mapping"));
  }
  if (parsed.contains(kRatioField) && parsed[kRatioField].is_number()) {
    options.max_reject_ratio = parsed[kRatioField].get<double>();
  }
  if (parsed.contains("reader")) {
    SF_ASSIGN_OR_RETURN(options.reader, StringMap(parsed["reader"], "jobs.options.reader"));
  }
  return options;
}

std::string MappingJson(const ColumnMapping& mapping) { return Json(mapping).dump(); }

std::string ReaderSettingsJson(const ReaderSettings& reader,
                               std::optional<double> max_reject_ratio) {
  Json out(reader);
  if (out.is_null()) out = Json::object();
  if (max_reject_ratio) out[kRatioField] = *max_reject_ratio;
  return out.dump();
}

Result<PrefixMapping> PrefixMappingFromJson(std::string prefix, std::string_view mapping_json,
                                            std::string_view reader_json) {
  PrefixMapping out;
  out.prefix = std::move(prefix);
  SF_ASSIGN_OR_RETURN(Json mapping, ParseObject(mapping_json, "mappings.mapping"));
  SF_ASSIGN_OR_RETURN(out.mapping, StringMap(mapping, "mappings.mapping"));
  SF_ASSIGN_OR_RETURN(Json reader, ParseObject(reader_json, "mappings.reader_options"));
  if (reader.is_object() && reader.contains(kRatioField)) {
    if (reader[kRatioField].is_number()) out.max_reject_ratio = reader[kRatioField].get<double>();
    reader.erase(std::string(kRatioField));
  }
  SF_ASSIGN_OR_RETURN(out.reader, StringMap(reader, "mappings.reader_options"));
  return out;
}

Result<ResolvedOptions> ResolveOptions(const JobOptions& request, const PrefixMapping* stored,
                                       std::string_view key, std::string_view default_currency) {
  ResolvedOptions out;
  out.dry_run = request.dry_run;
  out.force = request.force;
  out.reader.source_name = std::string(key);
  out.reader.currency = std::string(default_currency);
  SF_RETURN_IF_ERROR(CheckRatio(request.max_reject_ratio));
  if (stored != nullptr) {
    for (const auto& [name, value] : stored->reader) {
      Status set = reader::SetReaderOption(&out.reader, name, value);
      if (!set.ok()) {
        return set.WithContext(fmt::format("stored mapping for prefix '{}'", stored->prefix));
      }
    }
    out.reader.mapping = stored->mapping;
    if (stored->max_reject_ratio) out.max_reject_ratio = *stored->max_reject_ratio;
  }
  for (const auto& [name, value] : request.reader) {
    SF_RETURN_IF_ERROR(reader::SetReaderOption(&out.reader, name, value));
  }
  if (request.mapping) out.reader.mapping = *request.mapping;
  if (request.max_reject_ratio) out.max_reject_ratio = *request.max_reject_ratio;
  SF_RETURN_IF_ERROR(reader::ValidateOptions(out.reader));
  return out;
}

Status ValidateJobOptions(const JobOptions& options) {
  return ResolveOptions(options, nullptr, "", "USD").status();
}

Status ValidatePrefixMapping(const PrefixMapping& mapping) {
  SF_RETURN_IF_ERROR(CheckRatio(mapping.max_reject_ratio));
  JobOptions probe;
  probe.mapping = mapping.mapping;
  probe.reader = mapping.reader;
  return ValidateJobOptions(probe);
}

}  // namespace salesflow::ingest
