#include "api/metrics.h"

#include <fmt/format.h>

namespace salesflow::api {
namespace {

// Label values are route templates and method names we chose, but escape anyway.
std::string LabelValue(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

void HttpMetrics::Record(std::string_view route, std::string_view method, int status,
                         double seconds) {
  std::lock_guard<std::mutex> lock(mutex_);
  Series& series = series_[Labels(std::string(route), std::string(method), status)];
  ++series.count;
  series.sum += seconds;
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) {
      ++series.buckets[i];
      break;
    }
  }
}

std::string HttpMetrics::Render(const Result<BackendMetrics>& backend) const {
  std::string out;
  out +=
      "# HELP salesflow_http_requests_total HTTP requests by route template, method and "
      "status.\n# TYPE salesflow_http_requests_total counter\n";
  std::map<Labels, Series> snapshot;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    snapshot = series_;
  }
  for (const auto& [labels, series] : snapshot) {
    const auto& [route, method, status] = labels;
    out += fmt::format(
        "salesflow_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{}\"}} {}\n",
        LabelValue(route), LabelValue(method), status, series.count);
  }
  out +=
      "# HELP salesflow_http_request_duration_seconds HTTP request latency.\n"
      "# TYPE salesflow_http_request_duration_seconds histogram\n";
  for (const auto& [labels, series] : snapshot) {
    const auto& [route, method, status] = labels;
    const std::string base = fmt::format("route=\"{}\",method=\"{}\",status=\"{}\"",
                                         LabelValue(route), LabelValue(method), status);
    int64_t cumulative = 0;
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      cumulative += series.buckets[i];
      out += fmt::format("salesflow_http_request_duration_seconds_bucket{{{},le=\"{}\"}} {}\n",
                         base, kBuckets[i], cumulative);
    }
    out += fmt::format("salesflow_http_request_duration_seconds_bucket{{{},le=\"+Inf\"}} {}\n",
                       base, series.count);
    out += fmt::format("salesflow_http_request_duration_seconds_sum{{{}}} {}\n", base, series.sum);
    out +=
        fmt::format("salesflow_http_request_duration_seconds_count{{{}}} {}\n", base, series.count);
  }
  out +=
      "# HELP salesflow_backend_up 1 when the backend figures below could be read.\n"
      "# TYPE salesflow_backend_up gauge\n";
  out += fmt::format("salesflow_backend_up {}\n", backend.ok() ? 1 : 0);
  if (!backend.ok()) return out;
  out += "# HELP salesflow_jobs Jobs in the jobs table by status.\n# TYPE salesflow_jobs gauge\n";
  for (const JobStatus status :
       {JobStatus::kQueued, JobStatus::kRunning, JobStatus::kSucceeded, JobStatus::kFailed}) {
    const auto it = backend->jobs_by_status.find(status);
    out += fmt::format("salesflow_jobs{{status=\"{}\"}} {}\n", JobStatusName(status),
                       it == backend->jobs_by_status.end() ? 0 : it->second);
  }
  const std::pair<const char*, int64_t> counters[] = {{"rows_loaded", backend->rows_loaded},
                                                      {"rows_updated", backend->rows_updated},
                                                      {"rows_rejected", backend->rows_rejected},
                                                      {"bytes_read", backend->bytes_read}};
  for (const auto& [name, value] : counters) {
    out += fmt::format("# TYPE salesflow_{}_total counter\nsalesflow_{}_total {}\n", name, name,
                       value);
  }
  return out;
}

}  // namespace salesflow::api
