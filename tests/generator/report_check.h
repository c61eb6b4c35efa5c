// An independent re-computation of a generated report's manifest entry, for tests: a tiny
// RFC 4180 CSV parser and a JSON Lines reader of its own, the data contract's validation
// rules written out plainly, and exact totals. Shares nothing with the generator but the
// core types, so a bug in one is not hidden by the same bug in the other.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "generator/manifest.h"

namespace salesflow::generator::testing {

// Accumulates over the files of one run; distinct sets span files for the grand totals.
struct Recount {
  struct Currency {
    int64_t revenue_cents = 0;
    int64_t lines = 0;
    int64_t units = 0;
    std::set<std::string> orders;
    std::set<std::string> customers;
  };
  int64_t lines = 0;
  std::array<int64_t, kReasonCount> bad_by_reason{};
  std::map<std::string, Currency> currencies;

  int64_t bad_lines() const;
  std::map<std::string, CurrencyTotals> Totals() const;
};

// Splits RFC 4180 CSV into records of fields. Fails the current test on malformed input.
std::vector<std::vector<std::string>> ParseCsv(std::string_view text);

// Recounts one file (plain bytes, not gzip). `jsonl` selects the format.
void RecountFile(std::string_view text, bool jsonl, Recount* out);

// Inflates a gzip stream; fails the current test on corrupt input.
std::string Gunzip(std::string_view compressed);

}  // namespace salesflow::generator::testing
