#include "api/codec.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <set>

#include "api/routes.h"
#include "core/date.h"
#include "core/object_key.h"

namespace salesflow::api {
namespace {

using Json = nlohmann::json;
using FieldHandler = std::function<Status(const Json&)>;

// Visits every field of `object`; a field without a handler is an error naming it.
Status ReadFields(const Json& object, std::string_view what,
                  const std::map<std::string, FieldHandler, std::less<>>& handlers) {
  for (const auto& [name, value] : object.items()) {
    const auto it = handlers.find(name);
    if (it == handlers.end()) {
      std::string known;
      for (const auto& [known_name, unused] : handlers) {
        known += known.empty() ? "" : ", ";
        known += known_name;
      }
      return Status::InvalidArgument("unknown field '" + name + "' in " + std::string(what) +
                                     " (known fields: " + known + ")");
    }
    SF_RETURN_IF_ERROR(it->second(value).WithContext("field '" + name + "'"));
  }
  return Status::Ok();
}

FieldHandler OptionalStringField(std::optional<std::string>* out) {
  return [out](const Json& value) {
    if (value.is_null()) return Status::Ok();
    if (!value.is_string()) return Status::InvalidArgument("must be a string");
    *out = value.get<std::string>();
    return Status::Ok();
  };
}

FieldHandler BoolField(bool* out) {
  return [out](const Json& value) {
    if (!value.is_boolean()) return Status::InvalidArgument("must be true or false");
    *out = value.get<bool>();
    return Status::Ok();
  };
}

FieldHandler RatioField(std::optional<double>* out) {
  return [out](const Json& value) {
    if (value.is_null()) return Status::Ok();
    if (!value.is_number()) return Status::InvalidArgument("must be a number from 0 to 1");
    const double ratio = value.get<double>();
    if (!std::isfinite(ratio) || ratio < 0.0 || ratio > 1.0) {
      return Status::InvalidArgument("must be a number from 0 to 1");
    }
    *out = ratio;
    return Status::Ok();
  };
}

FieldHandler MappingField(std::optional<ColumnMapping>* out) {
  return [out](const Json& value) {
    if (value.is_null()) return Status::Ok();
    if (!value.is_object()) {
      return Status::InvalidArgument(
          "must be an object of canonical column -> header, e.g. {\"order_id\": \"InvoiceNo\"}");
    }
    ColumnMapping mapping;
    for (const auto& [column, header] : value.items()) {
      if (!header.is_string() || header.get_ref<const std::string&>().empty()) {
        return Status::InvalidArgument("the header for column '" + column +
                                       "' must be a non-empty string");
      }
      mapping[column] = header.get<std::string>();
    }
    *out = std::move(mapping);
    return Status::Ok();
  };
}

void AddReaderFields(ReaderOptions* reader, std::map<std::string, FieldHandler, std::less<>>* h) {
  (*h)["date_format"] = OptionalStringField(&reader->date_format);
  (*h)["delimiter"] = OptionalStringField(&reader->delimiter);
  (*h)["encoding"] = OptionalStringField(&reader->encoding);
  (*h)["currency"] = OptionalStringField(&reader->currency);
}

Result<int64_t> ParseInteger(std::string_view text, std::string_view name, int64_t min,
                             int64_t max) {
  int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || value < min ||
      value > max) {
    return Status::InvalidArgument(std::string(name) + " must be an integer from " +
                                   std::to_string(min) + " to " + std::to_string(max) + ", got '" +
                                   std::string(text) + "'");
  }
  return value;
}

std::optional<std::string> Find(const QueryParams& query, const std::string& name) {
  const auto it = query.find(name);
  if (it == query.end()) return std::nullopt;
  return it->second;
}

Json FiguresToJson(const StatsFigures& figures) {
  return Json{{"revenue", figures.revenue.ToString()},
              {"orders", figures.orders},
              {"lines", figures.lines},
              {"units", figures.units},
              {"customers", figures.customers},
              {"avg_order_value", AverageOrderValue(figures.revenue, figures.orders).ToString()}};
}

Json OptionalTimestamp(const std::optional<Timestamp>& time) {
  return time ? Json(FormatTimestamp(*time)) : Json(nullptr);
}

Json ReaderToJson(const ReaderOptions& reader, Json json) {
  auto put = [&](const char* name, const std::optional<std::string>& value) {
    json[name] = value ? Json(*value) : Json(nullptr);
  };
  put("date_format", reader.date_format);
  put("delimiter", reader.delimiter);
  put("encoding", reader.encoding);
  put("currency", reader.currency);
  return json;
}

}  // namespace

Result<Json> ParseJsonObject(std::string_view body) {
  Json json = Json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return Status::InvalidArgument("the request body is not valid JSON");
  if (!json.is_object()) return Status::InvalidArgument("the request body must be a JSON object");
  return json;
}

Result<ProcessCommand> ParseProcessCommand(const Json& body) {
  ProcessCommand command;
  ProcessRequest& request = command.request;
  std::optional<std::string> key;
  std::optional<Json> keys;
  std::optional<std::string> prefix;
  std::map<std::string, FieldHandler, std::less<>> handlers = {
      {"key", OptionalStringField(&key)},
      {"keys",
       [&](const Json& value) {
         keys = value;
         return Status::Ok();
       }},
      {"pending", BoolField(&request.pending)},
      {"prefix", OptionalStringField(&prefix)},
      {"dry_run", BoolField(&request.dry_run)},
      {"force", BoolField(&request.force)},
      {"wait", BoolField(&command.wait)},
      {"mapping", MappingField(&request.mapping)},
      {"max_reject_ratio", RatioField(&request.max_reject_ratio)},
  };
  AddReaderFields(&request.reader, &handlers);
  SF_RETURN_IF_ERROR(ReadFields(body, "the process request", handlers));

  const int forms = (key ? 1 : 0) + (keys ? 1 : 0) + (request.pending ? 1 : 0);
  if (forms != 1) {
    return Status::InvalidArgument("give exactly one of \"key\", \"keys\" or \"pending\": true");
  }
  if (key) request.keys.push_back(*key);
  if (keys) {
    if (!keys->is_array() || keys->empty() || keys->size() > 1000) {
      return Status::InvalidArgument("field 'keys' must be an array of 1 to 1000 strings");
    }
    for (const Json& item : *keys) {
      if (!item.is_string()) {
        return Status::InvalidArgument("field 'keys' must be an array of 1 to 1000 strings");
      }
      request.keys.push_back(item.get<std::string>());
    }
  }
  for (const std::string& k : request.keys) {
    SF_RETURN_IF_ERROR(ValidateObjectKey(k));
  }
  if (prefix) {
    if (!request.pending) {
      return Status::InvalidArgument("field 'prefix' is only allowed with \"pending\": true");
    }
    SF_RETURN_IF_ERROR(ValidateKeyPrefix(*prefix));
    request.prefix = *prefix;
  }
  return command;
}

Result<PrefixMapping> ParseMappingBody(const Json& body, std::string prefix) {
  PrefixMapping mapping;
  mapping.prefix = std::move(prefix);
  std::optional<ColumnMapping> columns;
  std::map<std::string, FieldHandler, std::less<>> handlers = {
      {"mapping", MappingField(&columns)},
      {"max_reject_ratio", RatioField(&mapping.max_reject_ratio)},
  };
  AddReaderFields(&mapping.reader, &handlers);
  SF_RETURN_IF_ERROR(ReadFields(body, "the mapping", handlers));
  if (columns) mapping.mapping = std::move(*columns);
  return mapping;
}

Result<QueryParams> ParseQuery(std::string_view raw_query,
                               const std::vector<std::string_view>& allowed) {
  QueryParams params;
  while (!raw_query.empty()) {
    const size_t amp = raw_query.find('&');
    const std::string_view pair = raw_query.substr(0, amp);
    raw_query = amp == std::string_view::npos ? std::string_view() : raw_query.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    const auto name = PercentDecode(pair.substr(0, eq), /*plus_is_space=*/true);
    const auto value = PercentDecode(
        eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true);
    if (!name || !value) {
      return Status::InvalidArgument("malformed percent-encoding in the query string");
    }
    bool known = false;
    for (const std::string_view a : allowed) known = known || a == *name;
    if (!known) {
      std::string list;
      for (const std::string_view a : allowed) {
        list += list.empty() ? "" : ", ";
        list += a;
      }
      return Status::InvalidArgument(
          "unknown query parameter '" + *name + "'" +
          (list.empty() ? " (this route takes none)" : " (known: " + list + ")"));
    }
    if (!params.emplace(*name, *value).second) {
      return Status::InvalidArgument("query parameter '" + *name + "' is given twice");
    }
  }
  return params;
}

Status ValidatePrefixParam(std::string_view prefix) { return ValidateKeyPrefix(prefix); }

Result<ListReportsRequest> ParseListReportsQuery(const QueryParams& query) {
  ListReportsRequest request;
  if (auto prefix = Find(query, "prefix")) {
    SF_RETURN_IF_ERROR(ValidateKeyPrefix(*prefix));
    request.prefix = *prefix;
  }
  if (auto token = Find(query, "page_token")) request.page_token = *token;
  if (auto limit = Find(query, "limit")) {
    SF_ASSIGN_OR_RETURN(const int64_t value, ParseInteger(*limit, "limit", 1, 1000));
    request.limit = static_cast<int>(value);
  }
  return request;
}

Result<int> ParseJobsLimit(const QueryParams& query) {
  auto limit = Find(query, "limit");
  if (!limit) return 50;
  SF_ASSIGN_OR_RETURN(const int64_t value, ParseInteger(*limit, "limit", 1, 1000));
  return static_cast<int>(value);
}

Result<JobId> ParseJobId(std::string_view text) {
  return ParseInteger(text, "a job id", 1, INT64_MAX);
}

Result<StatsQuery> ParseStatsQuery(const QueryParams& query) {
  StatsQuery stats;
  for (const char* name : {"from", "to"}) {
    auto text = Find(query, name);
    if (!text) continue;
    const auto day = core::ParseIsoDate(*text);
    if (!day) {
      return Status::InvalidArgument(std::string(name) + " must be a date YYYY-MM-DD, got '" +
                                     *text + "'");
    }
    (std::string_view(name) == "from" ? stats.from_day : stats.to_day) = *day;
  }
  if (stats.from_day && stats.to_day && *stats.from_day > *stats.to_day) {
    return Status::InvalidArgument("from (" + *Find(query, "from") + ") is after to (" +
                                   *Find(query, "to") + ")");
  }
  if (auto group = Find(query, "group_by")) {
    static const std::map<std::string, GroupBy, std::less<>> kGroups = {
        {"day", GroupBy::kDay},
        {"month", GroupBy::kMonth},
        {"category", GroupBy::kCategory},
        {"region", GroupBy::kRegion},
        {"country", GroupBy::kCountry},
        {"channel", GroupBy::kChannel},
        {"sku", GroupBy::kSku}};
    const auto it = kGroups.find(*group);
    if (it == kGroups.end()) {
      return Status::InvalidArgument(
          "group_by must be one of day, month, category, region, country, channel, sku; got '" +
          *group + "'");
    }
    stats.group_by = it->second;
  }
  if (auto top = Find(query, "top")) {
    SF_ASSIGN_OR_RETURN(const int64_t value, ParseInteger(*top, "top", 1, 100000));
    stats.top = static_cast<int>(value);
  }
  if (auto currency = Find(query, "currency")) {
    bool letters = currency->size() == 3;
    for (char& c : *currency) {
      letters = letters && ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'));
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    if (!letters) {
      return Status::InvalidArgument("currency must be a 3-letter ISO 4217 code such as USD");
    }
    stats.currency = *currency;
  }
  return stats;
}

std::string FormatTimestamp(Timestamp time) {
  const auto seconds = std::chrono::floor<std::chrono::seconds>(time).time_since_epoch().count();
  const int64_t days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400;
  const int64_t in_day = seconds - days * 86400;
  // in_day is in [0, 86400): every field has exactly two digits.
  const auto two_digits = [](int64_t value, char* out) {
    out[0] = static_cast<char>('0' + value / 10);
    out[1] = static_cast<char>('0' + value % 10);
  };
  char clock[] = "T00:00:00Z";
  two_digits(in_day / 3600, clock + 1);
  two_digits(in_day / 60 % 60, clock + 4);
  two_digits(in_day % 60, clock + 7);
  return core::FormatDate(static_cast<int32_t>(days)) + clock;
}

core::Money AverageOrderValue(core::Money revenue, int64_t orders) {
  if (orders <= 0) return {};
  const int64_t quotient = revenue.cents / orders;
  const int64_t abs_remainder = std::abs(revenue.cents % orders);
  // Half away from zero: 2*|remainder| >= orders, written so it cannot overflow.
  int64_t result = quotient;
  if (abs_remainder != 0 && abs_remainder >= orders - abs_remainder) {
    result += revenue.cents >= 0 ? 1 : -1;
  }
  return core::Money{result};
}

Json ReportToJson(const ReportInfo& report) {
  return Json{{"key", report.key},
              {"size", report.size},
              {"etag", report.etag},
              {"last_modified", FormatTimestamp(report.last_modified)},
              {"status", std::string(ReportStatusName(report.status))},
              {"rows_loaded", report.rows_loaded},
              {"rows_rejected", report.rows_rejected},
              {"last_job_id", report.last_job_id ? Json(*report.last_job_id) : Json(nullptr)}};
}

Json JobSummaryToJson(const JobInfo& job) {
  return Json{
      {"job_id", job.job_id}, {"key", job.key}, {"status", std::string(JobStatusName(job.status))}};
}

Json JobToJson(const JobInfo& job) {
  Json json = JobSummaryToJson(job);
  json["outcome"] = job.outcome ? Json(std::string(JobOutcomeName(*job.outcome))) : Json(nullptr);
  json["duplicate_of"] = job.duplicate_of.empty() ? Json(nullptr) : Json(job.duplicate_of);
  json["rows_read"] = job.rows_read;
  json["rows_loaded"] = job.rows_loaded;
  json["rows_updated"] = job.rows_updated;
  json["rows_rejected"] = job.rows_rejected;
  json["bytes_read"] = job.bytes_read;
  json["bytes_total"] = job.bytes_total;
  json["error"] = job.error.empty() ? Json(nullptr) : Json(job.error);
  json["created_at"] = FormatTimestamp(job.created_at);
  json["started_at"] = OptionalTimestamp(job.started_at);
  json["finished_at"] = OptionalTimestamp(job.finished_at);
  return json;
}

Json StatsToJson(const StatsResult& stats) {
  Json groups = Json::array();
  for (const StatsGroup& group : stats.groups) {
    Json item = FiguresToJson(group.figures);
    item["key"] = group.key;
    groups.push_back(std::move(item));
  }
  return Json{{"currency", stats.currency},
              {"currencies", stats.currencies},
              {"totals", FiguresToJson(stats.totals)},
              {"groups", std::move(groups)}};
}

Json MappingToJson(const PrefixMapping& mapping) {
  Json json{{"prefix", mapping.prefix},
            {"mapping", Json(mapping.mapping)},
            {"max_reject_ratio",
             mapping.max_reject_ratio ? Json(*mapping.max_reject_ratio) : Json(nullptr)}};
  return ReaderToJson(mapping.reader, std::move(json));
}

std::string Dump(const Json& json) {
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string CsvCell(std::string_view text) {
  std::string cell;
  if (!text.empty() && (text[0] == '=' || text[0] == '+' || text[0] == '-' || text[0] == '@' ||
                        text[0] == '\t' || text[0] == '\r')) {
    cell += '\'';
  }
  cell.append(text);
  if (cell.find_first_of(",\"\r\n") == std::string::npos) return cell;
  std::string quoted = "\"";
  for (const char c : cell) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  quoted += '"';
  return quoted;
}

void AppendRejectCsv(const core::RejectedRow& row, std::string* out) {
  *out += std::to_string(row.line);
  *out += ',';
  *out += CsvCell(row.column);
  *out += ',';
  *out += core::RejectReasonCode(row.reason);
  *out += ',';
  *out += CsvCell(row.message);
  *out += ',';
  *out += CsvCell(row.raw);
  *out += "\r\n";
}

}  // namespace salesflow::api
