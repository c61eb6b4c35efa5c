// Numbers as reports write them, exactly: core::ParseDecimal after the locale's grouping
// and decimal separators (only those an explicit DecimalFormat allows) are normalised.
// Never floating point. Thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

#include "core/money.h"
#include "reader/report_reader.h"

namespace salesflow::reader {

// Parses `text` (already trimmed) in `format` into value x 10^scale. Grouping must be
// well formed (groups of exactly three digits), so "1.5" under kComma is kSyntax, not 15.
core::ParseDecimalError ParseNumber(std::string_view text, DecimalFormat format, int scale,
                                    int64_t* out);

}  // namespace salesflow::reader
