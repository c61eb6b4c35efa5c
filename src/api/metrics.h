// Prometheus text exposition (format 0.0.4) for /metrics: HTTP requests and latency by
// route template (never the raw path, so label cardinality stays bounded), method and
// status, plus the figures the Backend reports (jobs by status, rows, bytes).
#pragma once

#include <array>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>

#include "api/backend.h"

namespace salesflow::api {

class HttpMetrics {
 public:
  static constexpr std::array<double, 12> kBuckets = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                      0.25,  0.5,   1.0,  2.5,   5.0,  10.0};

  // Thread-safe. `route` is a template from the route table or "unmatched".
  void Record(std::string_view route, std::string_view method, int status, double seconds);

  // The whole exposition; `backend` figures are omitted when not ok (salesflow_backend_up 0).
  std::string Render(const Result<BackendMetrics>& backend) const;

 private:
  struct Series {
    int64_t count = 0;
    double sum = 0;
    std::array<int64_t, kBuckets.size()> buckets{};  // non-cumulative
  };
  using Labels = std::tuple<std::string, std::string, int>;  // route, method, status

  mutable std::mutex mutex_;
  std::map<Labels, Series> series_;
};

}  // namespace salesflow::api
