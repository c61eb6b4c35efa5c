#include "ingest/watcher.h"

#include <spdlog/spdlog.h>

namespace salesflow::ingest {

Watcher::Watcher(std::string prefix, std::chrono::milliseconds interval,
                 std::function<Result<size_t>()> scan)
    : prefix_(std::move(prefix)), interval_(interval), scan_(std::move(scan)) {}

Watcher::~Watcher() { Stop(); }

void Watcher::Start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { Loop(); });
}

void Watcher::Stop() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Watcher::Loop() {
  spdlog::info("watcher: watching '{}' every {} ms", prefix_, interval_.count());
  std::string last_error;
  std::unique_lock lock(mutex_);
  while (!stop_) {
    lock.unlock();
    Result<size_t> enqueued = scan_();
    lock.lock();
    if (!enqueued.ok()) {
      // Log a persisting outage once, not every interval.
      if (enqueued.status().message() != last_error) {
        last_error = enqueued.status().message();
        spdlog::warn("watcher: scan of '{}' failed (will retry): {}", prefix_, last_error);
      }
    } else {
      last_error.clear();
      if (*enqueued > 0)
        spdlog::info("watcher: enqueued {} report(s) under '{}'", *enqueued, prefix_);
    }
    wake_.wait_for(lock, interval_, [this] { return stop_; });
  }
}

}  // namespace salesflow::ingest
