// Streaming gzip inflation (zlib) with bomb guards, for reports stored as .gz.
// Multi-member streams (concatenated .gz files) are inflated whole. Not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

namespace salesflow::reader {

// True when `bytes` starts with the gzip magic 1f 8b.
bool HasGzipMagic(std::string_view bytes);

class GzipInflater {
 public:
  struct Limits {
    uint64_t max_output_bytes = uint64_t{64} << 30;
    // Inflated / compressed, enforced once min_ratio_check_bytes have been inflated so
    // that small, very repetitive files are not refused.
    uint64_t max_ratio = 200;
    uint64_t min_ratio_check_bytes = uint64_t{64} << 20;
  };
  using Output = std::function<Status(std::string_view)>;

  explicit GzipInflater(const Limits& limits);
  ~GzipInflater();
  GzipInflater(const GzipInflater&) = delete;
  GzipInflater& operator=(const GzipInflater&) = delete;

  // Inflates `input`, passing each inflated chunk (at most 64 KiB) to `out`. Errors:
  // DataLoss (corrupt data), ResourceExhausted (a limit), or what `out` returns.
  Status Inflate(std::string_view input, const Output& out);
  // DataLoss when the stream stopped inside a member (a truncated file).
  Status Finish();

  uint64_t bytes_in() const { return bytes_in_; }
  uint64_t bytes_out() const { return bytes_out_; }

 private:
  struct Stream;
  Status CheckLimits() const;

  Limits limits_;
  std::unique_ptr<Stream> stream_;
  std::string buffer_;
  bool in_member_ = false;  // bytes of a member consumed, its end not yet seen
  int members_ = 0;
  uint64_t bytes_in_ = 0;
  uint64_t bytes_out_ = 0;
};

}  // namespace salesflow::reader
