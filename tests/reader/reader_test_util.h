// Helpers for the reader tests: a collecting sink, whole-input reads at a given buffer
// size, fixture loading.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/sales_line.h"
#include "reader/report_reader.h"

namespace salesflow::reader::testing {

// The buffer sizes every streaming case is rerun at (STYLE.md): rows straddle buffers.
inline constexpr size_t kDefaultChunk = size_t{64} << 10;
inline const std::vector<size_t> kChunkSizes = {1, 2, 7, kDefaultChunk};

class CollectingSink : public LineSink {
 public:
  Status OnLine(const core::SalesLine& line) override {
    lines.push_back(line);
    return Status::Ok();
  }
  Status OnReject(const core::RejectedRow& reject) override {
    rejects.push_back(reject);
    return Status::Ok();
  }
  std::vector<core::SalesLine> lines;
  std::vector<core::RejectedRow> rejects;
};

struct ReadOutcome {
  Status status;  // the first error of Feed or Finish
  std::vector<core::SalesLine> lines;
  std::vector<core::RejectedRow> rejects;
  ReaderStats stats;
};

inline ReadOutcome ReadAll(const ReaderOptions& options, std::string_view bytes, size_t chunk) {
  CollectingSink sink;
  ReportReader reader(options, &sink);
  ReadOutcome out;
  for (size_t at = 0; at < bytes.size() && out.status.ok(); at += chunk) {
    out.status = reader.Feed(bytes.substr(at, chunk));
  }
  if (out.status.ok()) out.status = reader.Finish();
  out.lines = std::move(sink.lines);
  out.rejects = std::move(sink.rejects);
  out.stats = reader.stats();
  return out;
}

inline std::string SourcePath(const std::string& relative) {
  return std::string(SALESFLOW_SOURCE_DIR) + "/" + relative;
}

// Fails the test (never skips) when the file is missing.
inline std::string ReadFixture(const std::string& relative) {
  std::ifstream in(SourcePath(relative), std::ios::binary);
  EXPECT_TRUE(in.good()) << "missing fixture " << SourcePath(relative);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline std::string CodeOf(core::RejectReason r) { return std::string(core::RejectReasonCode(r)); }

}  // namespace salesflow::reader::testing
