// salesflow process | jobs
#include <algorithm>
#include <array>
#include <thread>

#include "cli/commands.h"
#include "cli/commands_impl.h"
#include "cli/progress.h"
#include "cli/table.h"
#include "cli/url.h"

namespace salesflow::cli {

using internal::FieldText;
using internal::JobIdText;
using internal::ParseJson;

namespace {

bool IsFinalJob(const nlohmann::json& job) {
  const std::string status = FieldText(job, "status", "");
  return status == "succeeded" || status == "failed";
}

uint64_t Counter(const nlohmann::json& job, const char* field) {
  const auto it = job.find(field);
  return it != job.end() && it->is_number_unsigned() ? it->get<uint64_t>() : 0;
}

std::string OutcomeText(const nlohmann::json& job) {
  std::string outcome = FieldText(job, "outcome");
  const std::string of = FieldText(job, "duplicate_of", "");
  if (outcome == "duplicate" && !of.empty()) outcome += " of " + of;
  return outcome;
}

void RenderJobTable(const nlohmann::json& jobs, const Console& console) {
  Table table({{"JOB", Align::kRight},
               {"KEY"},
               {"STATUS"},
               {"OUTCOME"},
               {"READ", Align::kRight},
               {"LOADED", Align::kRight},
               {"UPDATED", Align::kRight},
               {"REJECTED", Align::kRight},
               {"CREATED"}});
  for (const auto& job : jobs) {
    table.AddRow({JobIdText(job), FieldText(job, "key"), FieldText(job, "status"), OutcomeText(job),
                  FieldText(job, "rows_read"), FieldText(job, "rows_loaded"),
                  FieldText(job, "rows_updated"), FieldText(job, "rows_rejected"),
                  FieldText(job, "created_at")});
  }
  table.Render(*console.out);
}

// One line per failed job on stderr; returns how many failed.
int ReportFailedJobs(const nlohmann::json& jobs, const Console& console) {
  int failed = 0;
  for (const auto& job : jobs) {
    if (FieldText(job, "status", "") != "failed") continue;
    ++failed;
    *console.err << "salesflow: job " << SanitizeForTerminal(JobIdText(job)) << " ("
                 << SanitizeForTerminal(FieldText(job, "key"))
                 << ") failed: " << SanitizeForTerminal(FieldText(job, "error", "no reason given"))
                 << '\n';
  }
  return failed;
}

// Polls GET /api/jobs/{id} until the job is final, drawing bytes_read/bytes_total.
Result<nlohmann::json> WaitForJob(const nlohmann::json& queued, ApiClient& client,
                                  const Console& console, const PollOptions& poll) {
  const std::string id = JobIdText(queued);
  if (id.empty()) return Status::Internal("the server returned a job without job_id");
  const std::string path = "/api/jobs/" + EncodePathSegment(id);
  ProgressBar bar(*console.err, console.progress, FieldText(queued, "key", id), console.width,
                  console.unicode);
  int failures = 0;
  for (;;) {
    auto response = client.Get(path);
    if (response.ok()) {
      failures = 0;
      auto job = ParseJson(*response, "GET " + path);
      if (!job.ok()) return job.status();
      bar.Update(Counter(*job, "bytes_read"), Counter(*job, "bytes_total"));
      if (IsFinalJob(*job)) return job;
    } else {
      const StatusCode code = response.status().code();
      const bool transient =
          code == StatusCode::kUnavailable || code == StatusCode::kDeadlineExceeded;
      if (!transient || ++failures > poll.max_consecutive_failures) {
        return response.status().WithContext("waiting for job " + id);
      }
    }
    if (poll.interval.count() > 0) {
      if (poll.sleep) {
        poll.sleep(poll.interval);
      } else {
        std::this_thread::sleep_for(poll.interval);
      }
    }
  }
}

}  // namespace

Result<std::string> ProcessRequestBody(const ProcessArgs& args) {
  if (args.pending == !args.keys.empty()) {
    return Status::InvalidArgument("process: name report KEYs or --pending (not both)");
  }
  if (!args.prefix.empty() && !args.pending) {
    return Status::InvalidArgument("process: --prefix selects pending reports; add --pending");
  }
  for (const auto& key : args.keys) {
    if (key.empty()) return Status::InvalidArgument("process: an empty KEY");
  }
  SF_ASSIGN_OR_RETURN(ColumnMapping mapping, ParseColumnMapping(args.map));
  ReaderOptions reader = args.reader;
  if (!reader.delimiter.empty()) {
    SF_ASSIGN_OR_RETURN(reader.delimiter, NormalizeDelimiter(reader.delimiter));
  }
  nlohmann::json body = nlohmann::json::object();
  if (args.pending) {
    body["pending"] = true;
    if (!args.prefix.empty()) body["prefix"] = args.prefix;
  } else if (args.keys.size() == 1) {
    body["key"] = args.keys.front();
  } else {
    body["keys"] = args.keys;
  }
  if (args.dry_run) body["dry_run"] = true;
  if (args.force) body["force"] = true;
  if (args.max_reject_ratio) {
    if (*args.max_reject_ratio < 0.0 || *args.max_reject_ratio > 1.0) {
      return Status::InvalidArgument("--max-reject-ratio must be between 0 and 1");
    }
    body["max_reject_ratio"] = *args.max_reject_ratio;
  }
  AddReaderFields(mapping, reader, body);
  return body.dump();
}

int RunProcess(const ProcessArgs& args, ApiClient& client, const Console& console,
               const PollOptions& poll) {
  auto request = ProcessRequestBody(args);
  if (!request.ok()) return internal::ReportUsage(console, request.status().message());
  // The client polls instead of sending "wait": true, so it can draw progress and a long
  // job never runs into an HTTP read timeout.
  auto response = client.Post("/api/process", *request);
  if (!response.ok()) return ReportFailure(console, response.status());
  auto body = ParseJson(*response, "POST /api/process");
  if (!body.ok()) return ReportFailure(console, body.status());
  const nlohmann::json& queued = internal::ArrayField(*body, "jobs");

  if (!args.wait) {
    if (args.json) {
      internal::PrintRawJson(console, response->body);
    } else if (queued.empty()) {
      *console.out << "nothing to process\n";
    } else {
      RenderJobTable(queued, console);
    }
    return kExitOk;
  }
  nlohmann::json finished = nlohmann::json::array();
  for (const auto& job : queued) {
    auto done =
        IsFinalJob(job) ? Result<nlohmann::json>(job) : WaitForJob(job, client, console, poll);
    if (!done.ok()) return ReportFailure(console, done.status());
    finished.push_back(std::move(*done));
  }
  if (args.json) {
    internal::PrintRawJson(console, nlohmann::json{{"jobs", finished}}.dump());
  } else if (finished.empty()) {
    *console.out << "nothing to process\n";
  } else {
    RenderJobTable(finished, console);
  }
  return ReportFailedJobs(finished, console) > 0 ? kExitJobFailed : kExitOk;
}

int RunJobs(const JobsArgs& args, ApiClient& client, const Console& console) {
  const std::string path =
      args.id.empty() ? std::string("/api/jobs") : "/api/jobs/" + EncodePathSegment(args.id);
  auto response = client.Get(path);
  if (!response.ok()) return ReportFailure(console, response.status());
  if (args.json) {
    internal::PrintRawJson(console, response->body);
    return kExitOk;
  }
  auto body = ParseJson(*response, "GET " + path);
  if (!body.ok()) return ReportFailure(console, body.status());
  if (args.id.empty()) {
    const nlohmann::json& jobs = internal::ArrayField(*body, "jobs");
    if (jobs.empty()) {
      *console.out << "no jobs\n";
    } else {
      RenderJobTable(jobs, console);
    }
    return kExitOk;
  }
  // One job: every field, the contract's first and in its order, then any others.
  static constexpr std::array<std::string_view, 15> kOrder = {
      "job_id",      "key",         "status",       "outcome",       "duplicate_of",
      "rows_read",   "rows_loaded", "rows_updated", "rows_rejected", "bytes_read",
      "bytes_total", "error",       "created_at",   "started_at",    "finished_at"};
  Table table({{"FIELD"}, {"VALUE"}});
  for (const auto field : kOrder) {
    if (body->contains(field)) table.AddRow({std::string(field), FieldText(*body, field)});
  }
  for (const auto& [field, value] : body->items()) {
    if (std::find(kOrder.begin(), kOrder.end(), field) == kOrder.end()) {
      table.AddRow({field, FieldText(*body, field)});
    }
  }
  table.Render(*console.out);
  return kExitOk;
}

}  // namespace salesflow::cli
