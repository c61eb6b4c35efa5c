// Watcher: auto-ingest (`--watch PREFIX`). Every interval it runs one scan: list storage
// under the prefix, compare with the ledger and jobs, and enqueue every report whose status
// is new or changed (Engine::EnqueuePending). It works from the listing, never from events,
// so a late or lost notification cannot skip a file. Any number of processes may watch the
// same prefix: enqueueing coalesces on the report's active job, and a version already
// loaded is `unchanged` without being read, so a report is loaded once.
//
// Thread-safety: Start/Stop from one thread; the scan runs on the watcher's own thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "core/status.h"

namespace salesflow::ingest {

class Watcher {
 public:
  // `scan` enqueues what needs processing and returns how many jobs it enqueued.
  Watcher(std::string prefix, std::chrono::milliseconds interval,
          std::function<Result<size_t>()> scan);
  ~Watcher();  // Stop()
  Watcher(const Watcher&) = delete;
  Watcher& operator=(const Watcher&) = delete;

  // Starts the thread; the first scan runs at once.
  void Start();
  // Wakes and joins the thread. Idempotent.
  void Stop();

 private:
  void Loop();

  std::string prefix_;
  std::chrono::milliseconds interval_;
  std::function<Result<size_t>()> scan_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace salesflow::ingest
