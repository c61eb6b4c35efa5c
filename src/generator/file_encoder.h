// Buffers one file's bytes and hands them to a ReportSink in large chunks, gzip-compressed
// on the way when asked. Internal to src/generator.
#pragma once

#include <zlib.h>

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "generator/report_sink.h"

namespace salesflow::generator {

class FileEncoder {
 public:
  // Records are appended into a buffer of kFlushBytes; a record may be up to kMaxRecord.
  static constexpr size_t kFlushBytes = size_t{1} << 20;
  static constexpr size_t kMaxRecord = size_t{64} << 10;

  // REQUIRES: sink outlives the encoder.
  FileEncoder(ReportSink* sink, bool gzip);
  ~FileEncoder();
  FileEncoder(const FileEncoder&) = delete;
  FileEncoder& operator=(const FileEncoder&) = delete;

  Status Begin(std::string_view name);

  // Where the next record goes; at least kMaxRecord bytes are free.
  char* cursor() { return cursor_; }
  // Marks bytes up to `end` as written and flushes when the buffer is full.
  // REQUIRES: cursor() <= end <= cursor() + kMaxRecord.
  Status Advance(char* end) {
    cursor_ = end;
    if (static_cast<size_t>(cursor_ - buffer_.data()) >= kFlushBytes) return Flush(false);
    return Status::Ok();
  }
  Status Append(std::string_view bytes);

  // Flushes, finishes the gzip stream and commits the file.
  Status Commit();
  void Abort();

  // Bytes handed to the sink for the current file (compressed when gzip).
  int64_t bytes_written() const { return bytes_written_; }

 private:
  Status Flush(bool finish);
  Status WriteOut(std::string_view bytes);

  ReportSink* sink_;
  bool gzip_;
  bool open_ = false;
  std::vector<char> buffer_;
  char* cursor_;
  std::vector<char> compressed_;
  z_stream zstream_{};
  bool zstream_ready_ = false;
  int64_t bytes_written_ = 0;
};

}  // namespace salesflow::generator
