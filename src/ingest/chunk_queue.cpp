#include "ingest/chunk_queue.h"

#include <utility>

namespace salesflow::ingest {

ChunkQueue::ChunkQueue(size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

Status ChunkQueue::Push(ChunkKind kind, std::string bytes) {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return closed_ || chunks_.size() < capacity_; });
  if (closed_) return Status::Cancelled("the load stopped");
  chunks_.push_back(Chunk{kind, std::move(bytes)});
  changed_.notify_all();
  return Status::Ok();
}

void ChunkQueue::Finish(Status status) {
  std::lock_guard lock(mutex_);
  finished_ = true;
  end_status_ = std::move(status);
  changed_.notify_all();
}

std::string ChunkQueue::TakeBuffer() {
  std::lock_guard lock(mutex_);
  if (free_.empty()) return {};
  std::string buffer = std::move(free_.back());
  free_.pop_back();
  buffer.clear();
  return buffer;
}

Result<std::optional<ChunkKind>> ChunkQueue::PeekKind() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return closed_ || finished_ || !chunks_.empty(); });
  if (closed_) return Status::Cancelled("the load stopped");
  // A failed producer wins over chunks still queued: they would be loaded for nothing.
  if (finished_ && !end_status_.ok()) return end_status_;
  if (chunks_.empty()) return std::optional<ChunkKind>();
  return std::optional<ChunkKind>(chunks_.front().kind);
}

std::string ChunkQueue::Pop() {
  std::lock_guard lock(mutex_);
  std::string bytes = std::move(chunks_.front().bytes);
  chunks_.pop_front();
  changed_.notify_all();
  return bytes;
}

void ChunkQueue::Recycle(std::string buffer) {
  std::lock_guard lock(mutex_);
  // Enough for every chunk in flight; more would only hold memory.
  if (free_.size() < capacity_ + 2) free_.push_back(std::move(buffer));
}

void ChunkQueue::Close() {
  std::lock_guard lock(mutex_);
  closed_ = true;
  chunks_.clear();
  changed_.notify_all();
}

ChunkRunSource::~ChunkRunSource() {
  if (current_) queue_->Recycle(std::move(*current_));
}

Result<std::string_view> ChunkRunSource::Next() {
  if (current_) {
    queue_->Recycle(std::move(*current_));
    current_.reset();
  }
  SF_ASSIGN_OR_RETURN(std::optional<ChunkKind> next, queue_->PeekKind());
  if (!next || *next != kind_) return std::string_view();
  current_ = queue_->Pop();
  bytes_ += current_->size();
  return std::string_view(*current_);
}

}  // namespace salesflow::ingest
