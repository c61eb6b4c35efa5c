#include "ingest/stats_fallback.h"

#include <fmt/format.h>

#include "core/date.h"

namespace salesflow::ingest {
namespace {

using warehouse::Param;
using warehouse::QueryResult;

std::string_view GroupExpression(StatsGrouping grouping) {
  switch (grouping) {
    case StatsGrouping::kDay:
      return "DATE_FORMAT(order_date, '%Y-%m-%d')";
    case StatsGrouping::kMonth:
      return "DATE_FORMAT(order_date, '%Y-%m')";
    case StatsGrouping::kCategory:
      return "COALESCE(category, '')";
    case StatsGrouping::kRegion:
      return "COALESCE(region, '')";
    case StatsGrouping::kCountry:
      return "COALESCE(country, '')";
    case StatsGrouping::kChannel:
      return "COALESCE(channel, '')";
    case StatsGrouping::kSku:
      return "sku";
    case StatsGrouping::kNone:
      break;
  }
  return "''";
}

constexpr std::string_view kFigures =
    "COALESCE(SUM(revenue), 0), COUNT(DISTINCT order_id), COUNT(*), COALESCE(SUM(quantity), 0), "
    "COUNT(DISTINCT customer_id)";

Result<StatsNumbers> NumbersFromRow(const QueryResult& result, size_t row, size_t first) {
  StatsNumbers n;
  const std::string& revenue = result.Text(row, first);
  if (core::ParseDecimal(revenue, core::kMoneyScale, &n.revenue.cents) !=
      core::ParseDecimalError::kOk) {
    return Status::Internal("revenue '" + revenue + "' from the warehouse is not a decimal");
  }
  n.orders = result.Int(row, first + 1);
  n.lines = result.Int(row, first + 2);
  n.units = result.Int(row, first + 3);
  n.customers = result.Int(row, first + 4);
  return n;
}

// " AND order_date >= ? AND order_date <= ?" with its parameters.
std::string RangeFilter(const StatsRequest& request, std::vector<std::string>* dates,
                        std::vector<Param>* params) {
  std::string sql;
  dates->reserve(2);
  if (request.from_day) {
    dates->push_back(core::FormatDate(*request.from_day));
    sql += " AND order_date >= ?";
  }
  if (request.to_day) {
    dates->push_back(core::FormatDate(*request.to_day));
    sql += " AND order_date <= ?";
  }
  for (const std::string& d : *dates) params->emplace_back(std::string_view(d));
  return sql;
}

}  // namespace

Result<StatsAnswer> QueryStatsFromSales(warehouse::Connection& connection,
                                        const StatsRequest& request,
                                        const std::string& default_currency) {
  StatsAnswer answer;
  answer.currency = request.currency.empty() ? default_currency : request.currency;
  std::vector<std::string> dates;
  std::vector<Param> range_params;
  const std::string range = RangeFilter(request, &dates, &range_params);

  SF_ASSIGN_OR_RETURN(
      QueryResult currencies,
      connection.Query(fmt::format("SELECT DISTINCT currency FROM sales WHERE 1 = 1{} "
                                   "ORDER BY currency",
                                   range),
                       range_params));
  for (size_t i = 0; i < currencies.rows.size(); ++i) {
    answer.currencies.push_back(currencies.Text(i, 0));
  }

  std::vector<Param> params = {std::string_view(answer.currency)};
  params.insert(params.end(), range_params.begin(), range_params.end());
  const std::string where = fmt::format("WHERE currency = ?{}", range);
  SF_ASSIGN_OR_RETURN(
      QueryResult totals,
      connection.Query(fmt::format("SELECT {} FROM sales {}", kFigures, where), params));
  SF_ASSIGN_OR_RETURN(answer.totals, NumbersFromRow(totals, 0, 0));

  if (request.group_by == StatsGrouping::kNone) return answer;
  const bool by_date =
      request.group_by == StatsGrouping::kDay || request.group_by == StatsGrouping::kMonth;
  std::string sql = fmt::format("SELECT {} AS group_key, {} FROM sales {} GROUP BY group_key",
                                GroupExpression(request.group_by), kFigures, where);
  sql += by_date ? " ORDER BY group_key" : " ORDER BY SUM(revenue) DESC, group_key";
  if (!by_date && request.top) {
    sql += " LIMIT ?";
    params.emplace_back(int64_t{*request.top});
  }
  SF_ASSIGN_OR_RETURN(QueryResult groups, connection.Query(sql, params));
  for (size_t i = 0; i < groups.rows.size(); ++i) {
    StatsRow row;
    row.key = groups.Text(i, 0);
    SF_ASSIGN_OR_RETURN(row.numbers, NumbersFromRow(groups, i, 1));
    answer.groups.push_back(std::move(row));
  }
  return answer;
}

}  // namespace salesflow::ingest
