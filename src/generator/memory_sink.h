// An in-memory ReportSink for tests and benchmarks: committed files land in files(),
// or are only counted when keep_bytes is false (a benchmark measuring the generator alone).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "generator/report_sink.h"

namespace salesflow::generator {

class MemorySink final : public ReportSink {
 public:
  explicit MemorySink(bool keep_bytes = true) : keep_bytes_(keep_bytes) {}

  Status Begin(std::string_view name) override {
    if (open_) return Status::Internal("MemorySink::Begin with a file still open");
    open_ = true;
    name_ = std::string(name);
    pending_.clear();
    return Status::Ok();
  }
  Status Write(std::string_view chunk) override {
    if (!open_) return Status::Internal("MemorySink::Write without an open file");
    bytes_ += static_cast<int64_t>(chunk.size());
    if (keep_bytes_) pending_.append(chunk);
    return Status::Ok();
  }
  Status Commit() override {
    if (!open_) return Status::Internal("MemorySink::Commit without an open file");
    open_ = false;
    files_[name_] = std::move(pending_);
    pending_.clear();
    return Status::Ok();
  }
  void Abort() override {
    open_ = false;
    pending_.clear();
  }
  std::string Describe() const override { return "memory"; }

  // Committed files by name (empty contents when !keep_bytes).
  const std::map<std::string, std::string>& files() const { return files_; }
  // Bytes written over the sink's life, committed or not.
  int64_t bytes() const { return bytes_; }

 private:
  bool keep_bytes_;
  bool open_ = false;
  std::string name_;
  std::string pending_;
  std::map<std::string, std::string> files_;
  int64_t bytes_ = 0;
};

}  // namespace salesflow::generator
