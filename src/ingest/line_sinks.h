// The producer side of a load: reader::LineSinks that turn the reader's lines and rejects
// into LOAD DATA text on a ChunkQueue (chunk_queue.h), for the loading thread to send.
//
//   StagingSink  rows for the staging table (the exact path: warehouse/report_load.h);
//   DirectSink   rows straight for sales, with their dictionary keys and lineage, while a
//                SummaryDelta accumulates their summaries (the direct load).
//
// Both number lines by run (warehouse::LineNumberer), tally the rejects and queue them as
// `rejects` rows. Thread-safety: a sink is used by the producer thread only, except
// SummaryMerge, which is the hand-off between the two threads.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "core/string_map.h"
#include "ingest/chunk_queue.h"
#include "ingest/reject_tally.h"
#include "reader/report_reader.h"
#include "warehouse/key_dictionary.h"
#include "warehouse/line_numberer.h"
#include "warehouse/summary_delta.h"

namespace salesflow::ingest {

struct LiveProgress;

// What every sink shares: the queue, the rejects and their tally.
class QueuedSink : public reader::LineSink {
 public:
  struct Target {
    ChunkQueue* queue = nullptr;
    size_t chunk_bytes = size_t{1} << 20;  // text per queued chunk
    uint64_t report_id = 0;
    uint64_t job_id = 0;
    LiveProgress* progress = nullptr;
  };
  explicit QueuedSink(const Target& target);

  Status OnReject(const core::RejectedRow& reject) override;
  // Queues what is still buffered. Call once, after the reader finished.
  virtual Status Flush();

  const RejectTally& tally() const { return tally_; }
  // The first error the sink itself met, if any: a push refused because the loading side
  // closed the queue (Cancelled: the loading side's own error says why), or a failure of the
  // warehouse work a sink does while streaming (dictionary keys, summary merges).
  const Status& error() const { return error_; }

 protected:
  // Records `status` as the sink's error (if it is the first) and returns it.
  Status Failed(Status status);
  Status Ship(ChunkKind kind, std::string* buffer);
  void CountLoaded();
  const Target& target() const { return target_; }

 private:
  Target target_;
  std::string rejects_;
  RejectTally tally_;
  Status error_;
};

class StagingSink : public QueuedSink {
 public:
  explicit StagingSink(const Target& target);
  Status OnLine(const core::SalesLine& line) override;
  Status Flush() override;

 private:
  warehouse::LineNumberer numberer_;
  std::string sales_;
};

// The producer asks, the loading thread merges, the producer goes on: the delta is never
// touched by both threads at once.
class SummaryMerge {
 public:
  // Producer: queues the request and waits for its outcome (Cancelled if the loading side
  // gave up first).
  Status Request(ChunkQueue& queue);
  // Loading thread: the outcome of the requested merge; or, once it stops reading the
  // queue, Cancelled, so that a waiting producer never hangs.
  void Complete(Status status);

 private:
  std::mutex mutex_;
  std::condition_variable done_changed_;
  bool pending_ = false;
  Status outcome_;
};

class DirectSink : public QueuedSink {
 public:
  struct Direct {
    warehouse::KeyDictionary* dictionary = nullptr;
    warehouse::SummaryDelta* delta = nullptr;
    SummaryMerge* merge = nullptr;
    // Lines accumulated in the delta before a merge is asked for: bounds its memory.
    uint64_t merge_every_lines = 1'000'000;
    // Text of the lines whose keys are resolved together: bigger batches, fewer round trips
    // (the rows still go out in chunks of Target::chunk_bytes).
    size_t batch_bytes = size_t{2} << 20;
  };
  DirectSink(const Target& target, const Direct& direct);
  Status OnLine(const core::SalesLine& line) override;
  Status Flush() override;

 private:
  static constexpr uint32_t kNoCustomer = UINT32_MAX;
  struct PendingLine {
    size_t end = 0;  // of its fields in batch_
    uint32_t order = 0;
    uint32_t customer = kNoCustomer;
    warehouse::SummaryDelta::LineRows summary;
  };
  // Slot of `id` in the batch's distinct ids of one kind.
  struct Ids {
    std::vector<std::string> distinct;
    // false: only runs of one id are folded (an order's lines come together; an order met
    // again later in the batch is sent twice and gets its one key twice: KeyDictionary
    // allows repeats). Saves a hash map insert per order.
    bool dedup_all = true;
    core::StringMap<uint32_t> slots;
    uint32_t Slot(const std::string& id);
    void Clear();
  };
  // Resolves the batch's keys, completes and queues its rows.
  Status CompleteBatch();

  Direct direct_;
  warehouse::LineNumberer numberer_;
  std::string batch_;  // fields of the pending lines, without keys and lineage
  std::vector<PendingLine> pending_;
  Ids orders_;  // dedup_all = false (constructor)
  Ids customers_;
  std::string sales_;
  uint64_t lines_since_merge_ = 0;
  uint64_t batches_ = 0;  // completed
};

}  // namespace salesflow::ingest
