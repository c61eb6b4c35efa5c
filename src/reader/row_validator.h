// RowValidator: one record's field texts (by canonical column) in, a validated
// core::SalesLine or a RejectedRow out. The rules are listed in docs/reader.md; the first
// failing column decides the reject. Reuses the caller's SalesLine (no per-row allocation
// once its strings have grown). Not thread-safe (holds the date mode); cheap to copy.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "core/sales_line.h"
#include "core/status.h"
#include "reader/columns.h"
#include "reader/date_parser.h"
#include "reader/report_reader.h"

namespace salesflow::reader {

// One record's values, untrimmed, by canonical column; empty for absent columns.
// The views must outlive the Validate call only.
struct RowFields {
  std::array<std::string_view, kColumnCount> value{};
  int64_t line = 0;  // physical line where the record starts

  std::string_view operator[](Column c) const { return value[static_cast<size_t>(c)]; }
  std::string_view& operator[](Column c) { return value[static_cast<size_t>(c)]; }
};

class RowValidator {
 public:
  // Options must have passed ValidateOptions. The date mode starts as options.date_format
  // when given, otherwise ISO 8601 (SetDateFormat switches it after detection).
  static Result<RowValidator> Create(const ReaderOptions& options);

  void SetDateFormat(DateFormat format) { date_format_ = std::move(format); }
  bool has_date_format() const { return date_format_.has_value(); }

  // True: *line is filled (raw-independent fields only; source_line = fields.line).
  // False: *reject is filled except `raw`, which the caller adds.
  bool Validate(const RowFields& fields, core::SalesLine* line, core::RejectedRow* reject) const;

 private:
  RowValidator() = default;

  DecimalFormat decimal_format_ = DecimalFormat::kPoint;
  TextEncoding fallback_ = TextEncoding::kWindows1252;
  std::string default_currency_;
  std::optional<DateFormat> date_format_;
};

// Trims ASCII spaces and tabs at both ends.
std::string_view TrimBlanks(std::string_view s);

}  // namespace salesflow::reader
