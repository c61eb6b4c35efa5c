// Command-line values that become API request fields: column mappings (--map col=header)
// and reader options, validated before any request so a typo fails fast with a message
// naming the flag.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace salesflow::cli {

// The canonical report columns of DESIGN.md, required ones first.
const std::vector<std::string_view>& CanonicalColumns();

// canonical column -> header as it appears in the report, in the order given.
using ColumnMapping = std::vector<std::pair<std::string, std::string>>;

// Parses "--map" values "order_id=InvoiceNo". The column is matched case-insensitively
// ('-' counts as '_') and must be canonical; the header is kept verbatim (it may hold spaces
// or '='; only the first '=' splits). InvalidArgument quoting the bad value on: no '=', an
// empty column or header, an unknown column, a column mapped twice.
Result<ColumnMapping> ParseColumnMapping(const std::vector<std::string>& values);

// Reader options shared by `process` and `mapping set`; unset ones are not sent.
struct ReaderOptions {
  std::string date_format;
  std::string delimiter;
  std::string encoding;
  std::string currency;
};

// "tab" and the two characters "\t" mean a tab; otherwise exactly one character.
Result<std::string> NormalizeDelimiter(std::string_view value);

// Adds "mapping" (an object) and the set reader options to a request body. REQUIRES: `body`
// is an object and `options.delimiter` went through NormalizeDelimiter.
void AddReaderFields(const ColumnMapping& mapping, const ReaderOptions& options,
                     nlohmann::json& body);

}  // namespace salesflow::cli
