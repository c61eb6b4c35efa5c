#include "generator/file_encoder.h"

#include <algorithm>
#include <cstring>
#include <string>

namespace salesflow::generator {
namespace {

// Level 1: gzip must not slow the generator much below its plain rate; reports compress
// about 4x at this level (docs/generator.md has the figures).
constexpr int kGzipLevel = 1;
constexpr int kGzipWindowBits = 15 + 16;  // +16: gzip wrapper, header mtime 0 (deterministic)
constexpr int kMemLevel = 8;

}  // namespace

FileEncoder::FileEncoder(ReportSink* sink, bool gzip)
    : sink_(sink), gzip_(gzip), buffer_(kFlushBytes + kMaxRecord), cursor_(buffer_.data()) {
  if (gzip_) compressed_.resize(kFlushBytes);
}

FileEncoder::~FileEncoder() {
  Abort();
  if (zstream_ready_) deflateEnd(&zstream_);
}

Status FileEncoder::Begin(std::string_view name) {
  if (gzip_) {
    if (!zstream_ready_) {
      if (deflateInit2(&zstream_, kGzipLevel, Z_DEFLATED, kGzipWindowBits, kMemLevel,
                       Z_DEFAULT_STRATEGY) != Z_OK) {
        return Status::Internal("zlib deflateInit2 failed");
      }
      zstream_ready_ = true;
    } else if (deflateReset(&zstream_) != Z_OK) {
      return Status::Internal("zlib deflateReset failed");
    }
  }
  cursor_ = buffer_.data();
  bytes_written_ = 0;
  SF_RETURN_IF_ERROR(sink_->Begin(name));
  open_ = true;
  return Status::Ok();
}

Status FileEncoder::Append(std::string_view bytes) {
  while (!bytes.empty()) {
    const size_t room = kFlushBytes + kMaxRecord - static_cast<size_t>(cursor_ - buffer_.data());
    const size_t n = std::min(room, bytes.size());
    std::memcpy(cursor_, bytes.data(), n);
    bytes.remove_prefix(n);
    SF_RETURN_IF_ERROR(Advance(cursor_ + n));
  }
  return Status::Ok();
}

Status FileEncoder::WriteOut(std::string_view bytes) {
  bytes_written_ += static_cast<int64_t>(bytes.size());
  return sink_->Write(bytes);
}

Status FileEncoder::Flush(bool finish) {
  const std::string_view pending(buffer_.data(), static_cast<size_t>(cursor_ - buffer_.data()));
  cursor_ = buffer_.data();
  if (!gzip_) return pending.empty() ? Status::Ok() : WriteOut(pending);

  // zlib's API takes non-const input; it does not modify it.
  zstream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(pending.data()));
  zstream_.avail_in = static_cast<uInt>(pending.size());
  const int flush = finish ? Z_FINISH : Z_NO_FLUSH;
  while (true) {
    zstream_.next_out = reinterpret_cast<Bytef*>(compressed_.data());
    zstream_.avail_out = static_cast<uInt>(compressed_.size());
    const int rc = deflate(&zstream_, flush);
    if (rc == Z_STREAM_ERROR) return Status::Internal("zlib deflate failed");
    const size_t produced = compressed_.size() - zstream_.avail_out;
    if (produced > 0) SF_RETURN_IF_ERROR(WriteOut({compressed_.data(), produced}));
    if (finish ? rc == Z_STREAM_END : zstream_.avail_out != 0) break;
  }
  return Status::Ok();
}

Status FileEncoder::Commit() {
  Status status = Flush(/*finish=*/true);
  if (!status.ok()) {
    Abort();
    return status;
  }
  open_ = false;
  return sink_->Commit();
}

void FileEncoder::Abort() {
  if (!open_) return;
  open_ = false;
  sink_->Abort();
}

}  // namespace salesflow::generator
