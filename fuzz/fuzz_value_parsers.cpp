// libFuzzer target: the value parsers (dates, numbers, encodings, row validator).
// Properties: no crash; decoded text is valid UTF-8; a parsed number re-formats to an
// equivalent number; a parsed date is a valid civil date within the accepted years.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdlib>
#include <string>

#include "core/date.h"
#include "core/money.h"
#include "reader/date_parser.h"
#include "reader/number_parser.h"
#include "reader/row_validator.h"
#include "reader/text_encoding.h"

namespace {
namespace reader = salesflow::reader;
namespace core = salesflow::core;

void CheckDate(const reader::DateTime& dt) {
  const core::CivilDate c = core::CivilFromDays(dt.days);
  if (c.year < reader::kMinYear || c.year > reader::kMaxYear) std::abort();
  if (dt.seconds < -1 || dt.seconds >= 86400) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider fdp(data, size);
  const std::string a = fdp.ConsumeRandomLengthString(64);
  const std::string b = fdp.ConsumeRandomLengthString(64);
  const int scale = fdp.ConsumeIntegralInRange<int>(0, 4);
  const auto format = static_cast<reader::DecimalFormat>(fdp.ConsumeIntegralInRange<int>(0, 2));

  reader::DateTime dt;
  if (reader::ParseIsoDateTime(a, &dt)) CheckDate(dt);
  salesflow::Result<reader::DateFormat> f = reader::DateFormat::Compile(b);
  if (f.ok() && f->Parse(a, &dt)) CheckDate(dt);
  (void)reader::ClassifyDate(a);

  int64_t value = 0;
  if (reader::ParseNumber(a, format, scale, &value) == core::ParseDecimalError::kOk) {
    int64_t again = 0;
    if (core::ParseDecimal(core::FormatDecimal(value, scale), scale, &again) !=
            core::ParseDecimalError::kOk ||
        again != value) {
      std::abort();
    }
  }

  std::string out;
  reader::AssignUtf8(
      a, fdp.ConsumeBool() ? reader::TextEncoding::kLatin1 : reader::TextEncoding::kWindows1252,
      &out);
  if (!reader::IsValidUtf8(out)) std::abort();

  reader::ReaderOptions options;
  salesflow::Result<reader::RowValidator> validator = reader::RowValidator::Create(options);
  if (!validator.ok()) std::abort();
  reader::RowFields fields;
  std::string values[reader::kColumnCount];
  for (size_t c = 0; c < reader::kColumnCount; ++c) {
    values[c] = fdp.ConsumeRandomLengthString(80);
    fields.value[c] = values[c];
  }
  core::SalesLine line;
  core::RejectedRow reject;
  if (validator->Validate(fields, &line, &reject)) {
    if (line.revenue != core::LineRevenue(line.quantity, line.unit_price, line.discount)) {
      std::abort();
    }
  } else if (reject.message.empty()) {
    std::abort();
  }
  return 0;
}
