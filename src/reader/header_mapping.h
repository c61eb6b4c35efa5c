// Header mapping: which field of a record feeds which canonical column.
//
// Resolution order for each column: the explicit mapping (exact header, then normalised),
// then a header equal to the canonical name, then the column's synonyms in preference
// order. Names compare normalised: ASCII case-folded, spaces, '_' and '-' removed. A header
// feeds at most one column; unknown headers are ignored. The synonym list is documented
// in docs/reader.md.
#pragma once

#include <array>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "reader/columns.h"

namespace salesflow::reader {

inline constexpr int kUnmapped = -1;

struct HeaderMap {
  // Field index in the record for each canonical column, or kUnmapped.
  std::array<int, kColumnCount> field_of{};
  // The header text that feeds each column ("" when unmapped), for messages.
  std::array<std::string, kColumnCount> header_of;
};

// "Unit Price" -> "unitprice".
std::string NormalizeHeaderName(std::string_view header);

// Maps `headers` (in file order) to columns. FailedPrecondition when a required column is
// missing (listing required, found and the closest header of each missing column) or when
// an explicit mapping names a header that is not there. InvalidArgument when a mapping key
// is not a canonical column.
Result<HeaderMap> ResolveHeader(const std::vector<std::string>& headers,
                                const std::map<std::string, std::string>& mapping);

// Classic Levenshtein distance, for "closest header" hints.
size_t EditDistance(std::string_view a, std::string_view b);

}  // namespace salesflow::reader
