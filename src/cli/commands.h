// The client commands (DESIGN.md "Client commands") as functions of parsed arguments, an
// ApiClient and a Console, so tests run them against an in-process server and capture
// their output. client_commands.h wires them to CLI11.
//
// Every Run* function returns the process exit code (ExitCode) after printing its result to
// console.out and, on failure, exactly one line "salesflow: <reason>" per failure to
// console.err. None throws.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "cli/api_client.h"
#include "cli/options.h"
#include "core/status.h"

namespace salesflow::cli {

// Exit codes of the client commands (docs/cli.md).
enum ExitCode : int {
  kExitOk = 0,
  kExitFailed = 1,       // the server refused the request (4xx/5xx) or a local file failed
  kExitUsage = 2,        // bad arguments or configuration; nothing was sent
  kExitUnavailable = 3,  // the server is unreachable, timed out, or answered 502/503/504
  kExitJobFailed = 4,    // process --wait: a job ended with status failed
};

// Where a command writes. `progress` enables progress bars on `err` (normally
// isatty(STDERR_FILENO)); `unicode` draws bars with block characters (a UTF-8 locale).
struct Console {
  std::ostream* out = nullptr;
  std::ostream* err = nullptr;
  bool progress = false;
  bool unicode = true;
  size_t width = 80;  // terminal columns for progress lines
};

// The real process console: std::cout, std::cerr, isatty(2), LC_ALL/LC_CTYPE/LANG, COLUMNS
// or the terminal's width.
Console ProcessConsole();

// How `process --wait` polls GET /api/jobs/{id}. Tests use a zero interval.
struct PollOptions {
  std::chrono::milliseconds interval{500};
  // Consecutive unreachable/503 answers tolerated (a server restarting) before giving up.
  int max_consecutive_failures = 10;
  std::function<void(std::chrono::milliseconds)> sleep;  // default: std::this_thread::sleep_for
};

// Prints "salesflow: <message>" on one line (control characters neutralised) and returns the
// exit code for `status`: kExitUnavailable for kUnavailable/kDeadlineExceeded, else
// kExitFailed.
int ReportFailure(const Console& console, const Status& status);

struct ReportsArgs {
  std::string prefix;
  bool json = false;
};
int RunReports(const ReportsArgs& args, ApiClient& client, const Console& console);

struct UploadArgs {
  std::vector<std::string> files;
  std::string key;     // only with one file
  std::string prefix;  // key = prefix + file name, when no --key
};
// The key each file is uploaded under; InvalidArgument for --key with several files.
Result<std::vector<std::string>> UploadKeys(const UploadArgs& args);
int RunUpload(const UploadArgs& args, ApiClient& client, const Console& console);

struct ProcessArgs {
  std::vector<std::string> keys;
  bool pending = false;
  std::string prefix;  // only with pending
  bool wait = false;
  bool dry_run = false;
  bool force = false;
  bool json = false;
  std::vector<std::string> map;  // "col=header"
  ReaderOptions reader;
  std::optional<double> max_reject_ratio;
};
// The POST /api/process body; InvalidArgument for bad arguments (checked before any request).
Result<std::string> ProcessRequestBody(const ProcessArgs& args);
int RunProcess(const ProcessArgs& args, ApiClient& client, const Console& console,
               const PollOptions& poll);

struct JobsArgs {
  std::string id;  // "" = recent jobs
  bool json = false;
};
int RunJobs(const JobsArgs& args, ApiClient& client, const Console& console);

struct StatsArgs {
  std::string from;
  std::string to;
  std::string by;
  std::optional<int> top;
  std::string currency;
  bool json = false;
};
// "/api/stats?..." for the arguments; InvalidArgument for a bad date or --by.
Result<std::string> StatsPath(const StatsArgs& args);
// The human rendering of a stats response (exposed for tests).
void RenderStats(const std::string& group_by, const nlohmann::json& stats, const Console& console);
int RunStats(const StatsArgs& args, ApiClient& client, const Console& console);

struct RejectsArgs {
  std::string key;
  std::string out;  // "" = stdout
};
int RunRejects(const RejectsArgs& args, ApiClient& client, const Console& console);

struct UnloadArgs {
  std::string key;
};
int RunUnload(const UnloadArgs& args, ApiClient& client, const Console& console);

struct MappingArgs {
  std::string prefix;
  std::vector<std::string> map;
  ReaderOptions reader;
  std::optional<double> max_reject_ratio;
  bool json = false;
};
int RunMappingSet(const MappingArgs& args, ApiClient& client, const Console& console);
int RunMappingGet(const MappingArgs& args, ApiClient& client, const Console& console);
int RunMappingDelete(const MappingArgs& args, ApiClient& client, const Console& console);
int RunMappingList(const MappingArgs& args, ApiClient& client, const Console& console);

}  // namespace salesflow::cli
