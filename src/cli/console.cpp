// Console, failure reporting and the helpers of commands_impl.h.
#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "cli/commands.h"
#include "cli/commands_impl.h"
#include "cli/table.h"
#include "cli/url.h"

namespace salesflow::cli {
namespace {

bool LocaleIsUtf8() {
  // The first of LC_ALL, LC_CTYPE, LANG that is set decides, as setlocale() would.
  for (const char* name : {"LC_ALL", "LC_CTYPE", "LANG"}) {
    const char* value = std::getenv(name);
    if (value == nullptr || *value == '\0') continue;
    const std::string_view v(value);
    return v.find("UTF-8") != std::string_view::npos || v.find("utf8") != std::string_view::npos ||
           v.find("utf-8") != std::string_view::npos || v.find("UTF8") != std::string_view::npos;
  }
  return false;
}

size_t TerminalWidth() {
  winsize size{};
  if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col >= 20) return size.ws_col;
  if (const char* columns = std::getenv("COLUMNS"); columns != nullptr) {
    const long n = std::strtol(columns, nullptr, 10);
    if (n >= 20 && n <= 1000) return static_cast<size_t>(n);
  }
  return 80;
}

}  // namespace

Console ProcessConsole() {
  Console console;
  console.out = &std::cout;
  console.err = &std::cerr;
  console.progress = ::isatty(STDERR_FILENO) == 1;
  console.unicode = LocaleIsUtf8();
  console.width = console.progress ? TerminalWidth() : 80;
  return console;
}

int ReportFailure(const Console& console, const Status& status) {
  *console.err << "salesflow: " << SanitizeForTerminal(status.message()) << '\n';
  console.err->flush();
  switch (status.code()) {
    case StatusCode::kUnavailable:
    case StatusCode::kDeadlineExceeded:
      return kExitUnavailable;
    default:
      return kExitFailed;
  }
}

namespace internal {

Result<nlohmann::json> ParseJson(const ApiResponse& response, std::string_view what) {
  nlohmann::json parsed = nlohmann::json::parse(response.body, nullptr, false);
  if (parsed.is_discarded()) {
    return Status::Internal("the server sent invalid JSON for " + std::string(what) +
                            " (is SALESFLOW_URL a salesflow server?)");
  }
  return parsed;
}

std::string FieldText(const nlohmann::json& object, std::string_view field,
                      std::string_view missing) {
  if (!object.is_object()) return std::string(missing);
  const auto it = object.find(field);
  if (it == object.end() || it->is_null()) return std::string(missing);
  if (it->is_string()) return it->get<std::string>();
  return it->dump();
}

std::string JobIdText(const nlohmann::json& job) { return FieldText(job, "job_id", ""); }

const nlohmann::json& ArrayField(const nlohmann::json& body, std::string_view field) {
  static const nlohmann::json kEmpty = nlohmann::json::array();
  if (body.is_array()) return body;
  if (body.is_object()) {
    const auto it = body.find(field);
    if (it != body.end() && it->is_array()) return *it;
  }
  return kEmpty;
}

void PrintRawJson(const Console& console, const std::string& body) {
  *console.out << body;
  if (body.empty() || body.back() != '\n') *console.out << '\n';
}

int ReportUsage(const Console& console, std::string_view message) {
  *console.err << "salesflow: " << SanitizeForTerminal(message) << '\n';
  return kExitUsage;
}

std::string ReportPath(std::string_view key, std::string_view suffix) {
  return "/api/reports/" + EncodePathSegment(key) + std::string(suffix);
}

}  // namespace internal
}  // namespace salesflow::cli
