// libFuzzer target: CsvParser is split-invariant. The same bytes parsed whole and in random
// splits give the same records, lines, too-long reports and final status.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "reader/csv_parser.h"

namespace {

using salesflow::Status;
namespace reader = salesflow::reader;

struct Trace : reader::CsvRecordHandler {
  Status OnRecord(const reader::CsvRecord& record) override {
    out += "R" + std::to_string(record.line) + ":";
    for (std::string_view f : record.fields) {
      out += std::to_string(f.size()) + "=";
      out.append(f);
    }
    out += '\n';
    return Status::Ok();
  }
  Status OnTooLong(int64_t line, std::string_view prefix) override {
    out += "T" + std::to_string(line) + ":" + std::string(prefix) + "\n";
    return Status::Ok();
  }
  std::string out;
};

std::string Run(const std::string& input, char delimiter, size_t limit, size_t max_split,
                bool split) {
  Trace trace;
  reader::CsvParser parser({delimiter, limit}, &trace);
  Status status;
  size_t at = 0;
  size_t step = split ? 1 : input.size();
  while (at < input.size() && status.ok()) {
    const size_t n = std::min(input.size() - at, step);
    status = parser.Feed(std::string_view(input).substr(at, n));
    at += n;
    if (split) step = 1 + (static_cast<unsigned char>(input[at - 1]) + at) % max_split;
  }
  if (status.ok()) status = parser.Finish();
  return trace.out + "#" + status.ToString();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider fdp(data, size);
  const char delimiters[] = {'\0', ',', ';', '\t', '|'};
  const char delimiter = delimiters[fdp.ConsumeIntegralInRange<size_t>(0, 4)];
  const size_t limit = fdp.ConsumeIntegralInRange<size_t>(16, 1024);
  const size_t max_split = fdp.ConsumeIntegralInRange<size_t>(1, 32);
  const std::string input = fdp.ConsumeRemainingBytesAsString();
  if (Run(input, delimiter, limit, max_split, false) !=
      Run(input, delimiter, limit, max_split, true)) {
    std::abort();
  }
  return 0;
}
