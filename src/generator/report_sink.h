// Where generated files go: a report sink takes one file at a time as a stream of chunks
// and publishes it whole on Commit(). The generator never buffers a whole file, so the
// sink decides how bytes reach their destination (a directory, object storage, memory).
//
// Thread-safety: a sink is used by one thread at a time.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace salesflow::generator {

class ReportSink {
 public:
  virtual ~ReportSink() = default;

  // Starts the file `name`, a bare file name such as "2026-10-01.csv.gz". Nothing is
  // visible under `name` until Commit().
  // REQUIRES: no file is open; `name` has no '/' and is not "." or "..".
  virtual Status Begin(std::string_view name) = 0;

  // Appends `chunk` to the open file. REQUIRES: a file is open.
  virtual Status Write(std::string_view chunk) = 0;

  // Publishes the open file, replacing any earlier file of that name, and closes it.
  // On error the file is discarded. REQUIRES: a file is open.
  virtual Status Commit() = 0;

  // Discards the open file, if any. Never fails; safe to call at any time.
  virtual void Abort() = 0;

  // Where the files go, for messages: "/tmp/out", "s3://reports/daily".
  virtual std::string Describe() const = 0;
};

// Writes into the local directory `dir`, creating it (and its parents) when missing. Each
// file is written to a hidden temporary name in `dir` and renamed on Commit(), so a reader
// of the directory never sees half a file. Fails when `dir` cannot be created or written.
Result<std::unique_ptr<ReportSink>> OpenLocalDirectorySink(const std::string& dir);

// Sends every call to each of `sinks` in order (e.g. a directory and object storage).
// The first error aborts the open file in all sinks and is returned.
// REQUIRES: sinks are non-null.
std::unique_ptr<ReportSink> MakeTeeSink(std::vector<std::unique_ptr<ReportSink>> sinks);

}  // namespace salesflow::generator
