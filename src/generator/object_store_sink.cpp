#include "generator/object_store_sink.h"

#include <utility>

namespace salesflow::generator {
namespace {

class ObjectStoreSink final : public ReportSink {
 public:
  ObjectStoreSink(storage::ObjectStore* store, std::string prefix)
      : store_(store), prefix_(std::move(prefix)) {}
  ~ObjectStoreSink() override { Abort(); }

  Status Begin(std::string_view name) override {
    if (writer_) return Status::Internal("ObjectStoreSink::Begin with a file still open");
    key_ = prefix_ + std::string(name);
    storage::WriteOptions options;
    options.content_type = ContentType(name);
    SF_ASSIGN_OR_RETURN(writer_, store_->OpenWriter(key_, options));
    return Status::Ok();
  }

  Status Write(std::string_view chunk) override {
    if (!writer_) return Status::Internal("ObjectStoreSink::Write without an open file");
    Status status = writer_->Write(chunk);
    if (!status.ok()) Abort();
    return status.WithContext("uploading " + key_);
  }

  Status Commit() override {
    if (!writer_) return Status::Internal("ObjectStoreSink::Commit without an open file");
    std::unique_ptr<storage::ObjectWriter> writer = std::move(writer_);
    Result<storage::ObjectInfo> info = writer->Commit();
    if (!info.ok()) return info.status().WithContext("uploading " + key_);
    return Status::Ok();
  }

  void Abort() override {
    if (!writer_) return;
    writer_->Abort();
    writer_.reset();
  }

  std::string Describe() const override {
    return store_->Describe() + (prefix_.empty() ? "" : " under " + prefix_);
  }

 private:
  static std::string ContentType(std::string_view name) {
    auto ends_with = [&](std::string_view suffix) {
      return name.size() >= suffix.size() && name.substr(name.size() - suffix.size()) == suffix;
    };
    if (ends_with(".gz")) return "application/gzip";
    if (ends_with(".csv")) return "text/csv";
    if (ends_with(".json")) return "application/json";
    if (ends_with(".jsonl")) return "application/x-ndjson";
    return "application/octet-stream";
  }

  storage::ObjectStore* store_;
  std::string prefix_;
  std::string key_;
  std::unique_ptr<storage::ObjectWriter> writer_;
};

}  // namespace

std::unique_ptr<ReportSink> MakeObjectStoreSink(storage::ObjectStore* store, std::string prefix) {
  return std::make_unique<ObjectStoreSink>(store, std::move(prefix));
}

}  // namespace salesflow::generator
