#include "test_util.h"

#include <unistd.h>

#include <atomic>
#include <chrono>

namespace salesflow::testing {

std::string UniqueName(const std::string& stem) {
  static std::atomic<int> counter{0};
  const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
  return stem + "_" + std::to_string(getpid()) + "_" + std::to_string(now % 1000000007) + "_" +
         std::to_string(counter++);
}

}  // namespace salesflow::testing
