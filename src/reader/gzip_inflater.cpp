#include "reader/gzip_inflater.h"

#include <zlib.h>

namespace salesflow::reader {
namespace {
constexpr size_t kChunk = size_t{64} << 10;
constexpr int kGzipWindowBits = 15 + 16;  // gzip wrapper only
}  // namespace

bool HasGzipMagic(std::string_view bytes) {
  return bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f &&
         static_cast<unsigned char>(bytes[1]) == 0x8b;
}

struct GzipInflater::Stream {
  z_stream z{};
  bool initialised = false;
  ~Stream() {
    if (initialised) inflateEnd(&z);
  }
};

GzipInflater::GzipInflater(const Limits& limits)
    : limits_(limits), stream_(std::make_unique<Stream>()), buffer_(kChunk, '\0') {}

GzipInflater::~GzipInflater() = default;

Status GzipInflater::CheckLimits() const {
  if (bytes_out_ > limits_.max_output_bytes) {
    return Status::ResourceExhausted(
        "gzip stream inflates past " + std::to_string(limits_.max_output_bytes) +
        " bytes (max_decompressed_bytes): refusing a possible gzip bomb");
  }
  if (bytes_out_ > limits_.min_ratio_check_bytes &&
      bytes_out_ / (bytes_in_ == 0 ? 1 : bytes_in_) > limits_.max_ratio) {
    return Status::ResourceExhausted("gzip stream inflates " + std::to_string(bytes_in_) +
                                     " bytes into more than " + std::to_string(bytes_out_) +
                                     " (ratio above " + std::to_string(limits_.max_ratio) +
                                     ":1): refusing a possible gzip bomb");
  }
  return Status::Ok();
}

Status GzipInflater::Inflate(std::string_view input, const Output& out) {
  z_stream& z = stream_->z;
  if (!stream_->initialised) {
    if (inflateInit2(&z, kGzipWindowBits) != Z_OK) {
      return Status::Internal("zlib inflateInit2 failed");
    }
    stream_->initialised = true;
  }
  // zlib's API is not const-correct; it never writes through next_in.
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  z.avail_in = static_cast<uInt>(input.size());
  while (z.avail_in > 0) {
    if (!in_member_) {
      in_member_ = true;
      ++members_;
      if (members_ > 1 && inflateReset(&z) != Z_OK) return Status::Internal("zlib reset failed");
    }
    z.next_out = reinterpret_cast<Bytef*>(buffer_.data());
    z.avail_out = static_cast<uInt>(buffer_.size());
    const uInt before_in = z.avail_in;
    const int rc = inflate(&z, Z_NO_FLUSH);
    bytes_in_ += before_in - z.avail_in;
    const size_t produced = buffer_.size() - z.avail_out;
    bytes_out_ += produced;
    if (rc == Z_DATA_ERROR || rc == Z_NEED_DICT) {
      return Status::DataLoss("corrupt gzip data after " + std::to_string(bytes_in_) +
                              " compressed bytes" +
                              (z.msg != nullptr ? std::string(": ") + z.msg : std::string()));
    }
    if (rc == Z_MEM_ERROR) return Status::ResourceExhausted("zlib out of memory");
    SF_RETURN_IF_ERROR(CheckLimits());
    if (produced > 0) SF_RETURN_IF_ERROR(out(std::string_view(buffer_.data(), produced)));
    if (rc == Z_STREAM_END) in_member_ = false;
  }
  // Flush what zlib still holds for this input (its window may hold output).
  for (;;) {
    if (!in_member_) break;
    z.next_out = reinterpret_cast<Bytef*>(buffer_.data());
    z.avail_out = static_cast<uInt>(buffer_.size());
    const int rc = inflate(&z, Z_NO_FLUSH);
    const size_t produced = buffer_.size() - z.avail_out;
    bytes_out_ += produced;
    if (rc == Z_DATA_ERROR) return Status::DataLoss("corrupt gzip data");
    SF_RETURN_IF_ERROR(CheckLimits());
    if (produced > 0) SF_RETURN_IF_ERROR(out(std::string_view(buffer_.data(), produced)));
    if (rc == Z_STREAM_END) in_member_ = false;
    if (produced == 0 || rc != Z_OK) break;
  }
  return Status::Ok();
}

Status GzipInflater::Finish() {
  if (in_member_ || members_ == 0) {
    return Status::DataLoss("truncated gzip stream: it ends after " + std::to_string(bytes_in_) +
                            " compressed bytes (" + std::to_string(bytes_out_) +
                            " inflated) without its end-of-stream marker; upload the whole file");
  }
  return Status::Ok();
}

}  // namespace salesflow::reader
