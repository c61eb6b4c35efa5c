// libFuzzer target: the whole ReportReader over arbitrary bytes fed in random splits, with
// fuzzed options. Properties: no crash, no sanitizer report, every row accounted for
// (rows_read == good + rejected), raw text within its cap, output text valid UTF-8.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdlib>
#include <string>

#include "reader/report_reader.h"
#include "reader/text_encoding.h"

namespace {

using salesflow::Status;
namespace reader = salesflow::reader;
namespace core = salesflow::core;

class CheckingSink : public reader::LineSink {
 public:
  explicit CheckingSink(size_t raw_cap) : raw_cap_(raw_cap) {}
  Status OnLine(const core::SalesLine& line) override {
    for (const std::string* s :
         {&line.order_id, &line.sku, &line.product_name, &line.category, &line.customer_id,
          &line.country, &line.region, &line.channel, &line.payment_method}) {
      if (!reader::IsValidUtf8(*s)) std::abort();
    }
    if (line.quantity == 0 || line.unit_price < 0 || line.discount < 0 ||
        line.discount >= core::kDiscountUnit || line.currency.size() != 3) {
      std::abort();
    }
    ++lines;
    return Status::Ok();
  }
  Status OnReject(const core::RejectedRow& reject) override {
    if (reject.raw.size() > raw_cap_ || !reader::IsValidUtf8(reject.raw) ||
        reject.message.empty()) {
      std::abort();
    }
    ++rejects;
    return Status::Ok();
  }
  int64_t lines = 0;
  int64_t rejects = 0;

 private:
  size_t raw_cap_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider fdp(data, size);
  reader::ReaderOptions options;
  options.max_line_bytes = fdp.ConsumeIntegralInRange<size_t>(64, 4096);
  options.max_raw_bytes = fdp.ConsumeIntegralInRange<size_t>(0, 256);
  options.date_detect_rows = fdp.ConsumeIntegralInRange<size_t>(1, 50);
  options.max_decompressed_bytes = 1 << 20;
  switch (fdp.ConsumeIntegralInRange<int>(0, 3)) {
    case 0:
      options.format = reader::ReportFormat::kCsv;
      break;
    case 1:
      options.format = reader::ReportFormat::kJsonLines;
      break;
    default:
      break;
  }
  const char delimiters[] = {'\0', ',', ';', '\t', '|'};
  options.delimiter = delimiters[fdp.ConsumeIntegralInRange<size_t>(0, 4)];
  options.decimal_format =
      static_cast<reader::DecimalFormat>(fdp.ConsumeIntegralInRange<int>(0, 2));
  if (fdp.ConsumeBool()) options.fallback_encoding = reader::TextEncoding::kLatin1;
  if (fdp.ConsumeBool()) options.date_format = "%d/%m/%Y %H:%M";
  if (fdp.ConsumeBool()) options.mapping["order_id"] = "id";
  const size_t max_split = fdp.ConsumeIntegralInRange<size_t>(1, 64);
  const std::string input = fdp.ConsumeRemainingBytesAsString();

  CheckingSink sink(options.max_raw_bytes);
  reader::ReportReader r(options, &sink);
  // Split sizes come from the input itself so a crash reproduces from its file.
  size_t at = 0;
  size_t step = 1;
  Status status;
  while (at < input.size() && status.ok()) {
    const size_t n = std::min(input.size() - at, step);
    status = r.Feed(std::string_view(input).substr(at, n));
    at += n;
    step = 1 + (static_cast<unsigned char>(input[at - 1]) * 31 + step) % max_split;
  }
  if (status.ok()) status = r.Finish();
  const reader::ReaderStats& stats = r.stats();
  if (stats.rows_read != stats.rows_good + stats.rows_rejected()) std::abort();
  if (stats.rows_good != sink.lines || stats.rows_rejected() != sink.rejects) std::abort();
  return 0;
}
