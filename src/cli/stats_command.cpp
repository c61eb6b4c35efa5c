// salesflow stats
#include <algorithm>
#include <array>

#include "cli/commands.h"
#include "cli/commands_impl.h"
#include "cli/table.h"
#include "cli/url.h"
#include "core/date.h"
#include "core/money.h"

namespace salesflow::cli {

using internal::FieldText;

namespace {

constexpr std::array<std::string_view, 7> kGroupings = {"day",     "month",   "category", "region",
                                                        "country", "channel", "sku"};
constexpr int kBarWidth = 30;

// Revenue "1234.50" as cents for the bar; nullopt when it is not a decimal (the text is
// still shown as the server sent it).
std::optional<int64_t> Cents(const nlohmann::json& figures) {
  const std::string text = FieldText(figures, "revenue", "");
  int64_t cents = 0;
  if (core::ParseDecimal(text, core::kMoneyScale, &cents) != core::ParseDecimalError::kOk) {
    return std::nullopt;
  }
  return cents;
}

std::string Upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  return out;
}

}  // namespace

Result<std::string> StatsPath(const StatsArgs& args) {
  for (const auto* date : {&args.from, &args.to}) {
    if (!date->empty() && !core::ParseIsoDate(*date)) {
      return Status::InvalidArgument("stats: '" + *date + "' is not a date YYYY-MM-DD");
    }
  }
  if (!args.from.empty() && !args.to.empty() &&
      *core::ParseIsoDate(args.from) > *core::ParseIsoDate(args.to)) {
    return Status::InvalidArgument("stats: --from " + args.from + " is after --to " + args.to);
  }
  if (!args.by.empty() &&
      std::find(kGroupings.begin(), kGroupings.end(), args.by) == kGroupings.end()) {
    return Status::InvalidArgument(
        "stats: --by '" + args.by +
        "' is not one of day, month, category, region, country, channel, sku");
  }
  if (args.top && *args.top < 1) return Status::InvalidArgument("stats: --top must be >= 1");
  return "/api/stats" + BuildQuery({{"from", args.from},
                                    {"to", args.to},
                                    {"group_by", args.by},
                                    {"top", args.top ? std::to_string(*args.top) : ""},
                                    {"currency", args.currency}});
}

void RenderStats(const std::string& group_by, const nlohmann::json& stats, const Console& console) {
  const std::string currency = FieldText(stats, "currency", "");
  std::string others;
  for (const auto& c : internal::ArrayField(stats, "currencies")) {
    if (c.is_string() && c.get<std::string>() != currency) {
      others += (others.empty() ? "" : ", ") + c.get<std::string>();
    }
  }
  *console.out << "currency: " << SanitizeForTerminal(currency.empty() ? "-" : currency);
  if (!others.empty()) {
    *console.out << "  (also in range: " << SanitizeForTerminal(others)
                 << "; see them with --currency)";
  }
  *console.out << "\n\n";

  const nlohmann::json& groups = internal::ArrayField(stats, "groups");
  const bool grouped = !group_by.empty();
  std::vector<Column> columns = {{grouped ? Upper(group_by) : ""}, {"REVENUE", Align::kRight},
                                 {"ORDERS", Align::kRight},        {"LINES", Align::kRight},
                                 {"UNITS", Align::kRight},         {"CUSTOMERS", Align::kRight},
                                 {"AVG ORDER", Align::kRight}};
  if (grouped) columns.push_back({""});
  Table table(std::move(columns));

  int64_t max_cents = 0;
  for (const auto& group : groups) max_cents = std::max(max_cents, Cents(group).value_or(0));
  auto row = [&](std::string label, const nlohmann::json& figures, bool with_bar) {
    std::vector<std::string> cells = {std::move(label),
                                      FieldText(figures, "revenue"),
                                      FieldText(figures, "orders"),
                                      FieldText(figures, "lines"),
                                      FieldText(figures, "units"),
                                      FieldText(figures, "customers"),
                                      FieldText(figures, "avg_order_value")};
    if (with_bar) {
      cells.push_back(Bar(Cents(figures).value_or(0), max_cents, kBarWidth, console.unicode));
    }
    table.AddRow(std::move(cells));
  };
  for (const auto& group : groups) {
    const std::string key = FieldText(group, "key", "");
    row(key.empty() ? "(none)" : key, group, true);
  }
  const auto totals = stats.find("totals");
  row(grouped ? "TOTAL" : "total", totals != stats.end() ? *totals : nlohmann::json::object(),
      false);
  table.Render(*console.out);
}

int RunStats(const StatsArgs& args, ApiClient& client, const Console& console) {
  auto path = StatsPath(args);
  if (!path.ok()) return internal::ReportUsage(console, path.status().message());
  auto response = client.Get(*path);
  if (!response.ok()) return ReportFailure(console, response.status());
  if (args.json) {
    internal::PrintRawJson(console, response->body);
    return kExitOk;
  }
  auto body = internal::ParseJson(*response, "GET /api/stats");
  if (!body.ok()) return ReportFailure(console, body.status());
  RenderStats(args.by, *body, console);
  return kExitOk;
}

}  // namespace salesflow::cli
