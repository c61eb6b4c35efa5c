// ChunkQueue: the bounded hand-off between the producer thread (storage -> hash -> reader ->
// LOAD DATA text) and the loading thread (LOAD DATA into staging / rejects). Parsing and
// loading overlap on two cores, and memory stays bounded by capacity x chunk size whatever
// the report's size. Buffers are recycled, so a steady-state load allocates nothing.
//
// Thread-safety: one producer thread and one consumer thread; every method is safe to call
// concurrently with the other side's.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "warehouse/load_data.h"

namespace salesflow::ingest {

// kSummaries carries no bytes: the producer asks the loading thread to merge the load's
// summary delta between two LOAD DATA statements (line_sinks.h, DirectSink).
enum class ChunkKind { kSales, kRejects, kSummaries };

class ChunkQueue {
 public:
  // REQUIRES: capacity >= 1 (chunks queued at most).
  explicit ChunkQueue(size_t capacity);

  // ---- producer ----
  // Queues a chunk, blocking while the queue is full. Cancelled once the consumer Close()d.
  Status Push(ChunkKind kind, std::string bytes);
  // No more chunks. A non-ok status is what the consumer's PeekKind returns (the producer
  // failed); ok is a clean end.
  void Finish(Status status);
  // An empty buffer to fill, recycled when possible (keeps its capacity).
  std::string TakeBuffer();

  // ---- consumer ----
  // Blocks until a chunk is queued (its kind), the clean end (nullopt) or the producer's
  // failure (its status).
  Result<std::optional<ChunkKind>> PeekKind();
  // Removes the front chunk. REQUIRES: PeekKind just returned a kind.
  std::string Pop();
  // Hands a consumed buffer back for reuse.
  void Recycle(std::string buffer);
  // The consumer gives up (its load failed): queued chunks are dropped and Push fails.
  void Close();

 private:
  struct Chunk {
    ChunkKind kind;
    std::string bytes;
  };
  const size_t capacity_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Chunk> chunks_;
  std::vector<std::string> free_;
  bool finished_ = false;
  bool closed_ = false;
  Status end_status_;
};

// A warehouse::ChunkSource over the run of consecutive chunks of one kind at the front of
// the queue: it ends (empty view) where a chunk of the other kind, or the end, comes next,
// so one LOAD DATA statement takes one run.
class ChunkRunSource : public warehouse::ChunkSource {
 public:
  ChunkRunSource(ChunkQueue* queue, ChunkKind kind) : queue_(queue), kind_(kind) {}
  ~ChunkRunSource() override;
  Result<std::string_view> Next() override;
  // Bytes handed out so far.
  size_t bytes() const { return bytes_; }

 private:
  ChunkQueue* queue_;
  ChunkKind kind_;
  std::optional<std::string> current_;
  size_t bytes_ = 0;
};

}  // namespace salesflow::ingest
