#include "generator/manifest.h"

#include <nlohmann/json.hpp>

namespace salesflow::generator {
namespace {

using Json = nlohmann::ordered_json;

Json ReasonsToJson(const std::array<int64_t, kReasonCount>& counts) {
  Json out = Json::object();
  for (size_t i = 0; i < kReasonCount; ++i) {
    if (counts[i] != 0) out[std::string(core::kRejectReasonCodes[i])] = counts[i];
  }
  return out;
}

Json TotalsToJson(const std::map<std::string, CurrencyTotals>& totals) {
  Json out = Json::object();
  for (const auto& [currency, t] : totals) {
    out[currency] = {{"revenue", t.revenue.ToString()},
                     {"lines", t.lines},
                     {"units", t.units},
                     {"orders", t.orders},
                     {"customers", t.customers}};
  }
  return out;
}

Status ReasonsFromJson(const Json& json, std::array<int64_t, kReasonCount>* counts) {
  for (const auto& [code, count] : json.items()) {
    bool known = false;
    for (size_t i = 0; i < kReasonCount; ++i) {
      if (core::kRejectReasonCodes[i] == code) {
        (*counts)[i] = count.get<int64_t>();
        known = true;
      }
    }
    if (!known) return Status::InvalidArgument("manifest: unknown reject reason '" + code + "'");
  }
  return Status::Ok();
}

Status TotalsFromJson(const Json& json, std::map<std::string, CurrencyTotals>* totals) {
  for (const auto& [currency, t] : json.items()) {
    CurrencyTotals parsed;
    const std::string revenue = t.at("revenue").get<std::string>();
    if (core::ParseDecimal(revenue, core::kMoneyScale, &parsed.revenue.cents) !=
        core::ParseDecimalError::kOk) {
      return Status::InvalidArgument("manifest: bad revenue '" + revenue + "'");
    }
    parsed.lines = t.at("lines").get<int64_t>();
    parsed.units = t.at("units").get<int64_t>();
    parsed.orders = t.at("orders").get<int64_t>();
    parsed.customers = t.at("customers").get<int64_t>();
    (*totals)[currency] = parsed;
  }
  return Status::Ok();
}

}  // namespace

std::string Manifest::ToJson() const {
  Json files_json = Json::array();
  for (const FileManifest& file : files) {
    files_json.push_back({{"name", file.name},
                          {"date", file.date},
                          {"bytes", file.bytes},
                          {"lines", file.lines},
                          {"bad_lines", file.bad_lines},
                          {"bad_by_reason", ReasonsToJson(file.bad_by_reason)},
                          {"totals", TotalsToJson(file.totals)}});
  }
  Json json = {{"generator", "salesflow generate"},
               {"manifest_version", 1},
               {"seed", seed},
               {"start_date", start_date},
               {"days", days},
               {"rows_per_day", rows_per_day},
               {"dirty_rate", dirty_rate},
               {"format", format},
               {"gzip", gzip},
               {"currencies", currencies},
               {"columns", columns},
               {"files", std::move(files_json)},
               {"lines", lines},
               {"bad_lines", bad_lines},
               {"bad_by_reason", ReasonsToJson(bad_by_reason)},
               {"totals", TotalsToJson(totals)}};
  return json.dump(2) + "\n";
}

Result<Manifest> ParseManifest(std::string_view text) {
  try {
    const Json json = Json::parse(text);
    Manifest m;
    m.seed = json.at("seed").get<uint64_t>();
    m.start_date = json.at("start_date").get<std::string>();
    m.days = json.at("days").get<int64_t>();
    m.rows_per_day = json.at("rows_per_day").get<int64_t>();
    m.dirty_rate = json.at("dirty_rate").get<double>();
    m.format = json.at("format").get<std::string>();
    m.gzip = json.at("gzip").get<bool>();
    m.currencies = json.at("currencies").get<std::vector<std::string>>();
    m.columns = json.at("columns").get<std::vector<std::string>>();
    for (const Json& f : json.at("files")) {
      FileManifest file;
      file.name = f.at("name").get<std::string>();
      file.date = f.at("date").get<std::string>();
      file.bytes = f.at("bytes").get<int64_t>();
      file.lines = f.at("lines").get<int64_t>();
      file.bad_lines = f.at("bad_lines").get<int64_t>();
      SF_RETURN_IF_ERROR(ReasonsFromJson(f.at("bad_by_reason"), &file.bad_by_reason));
      SF_RETURN_IF_ERROR(TotalsFromJson(f.at("totals"), &file.totals));
      m.files.push_back(std::move(file));
    }
    m.lines = json.at("lines").get<int64_t>();
    m.bad_lines = json.at("bad_lines").get<int64_t>();
    SF_RETURN_IF_ERROR(ReasonsFromJson(json.at("bad_by_reason"), &m.bad_by_reason));
    SF_RETURN_IF_ERROR(TotalsFromJson(json.at("totals"), &m.totals));
    return m;
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidArgument(std::string("manifest.json is malformed: ") + e.what());
  }
}

}  // namespace salesflow::generator
