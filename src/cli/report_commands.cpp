// salesflow reports | upload | rejects | unload
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "cli/commands.h"
#include "cli/commands_impl.h"
#include "cli/progress.h"
#include "cli/table.h"
#include "cli/url.h"
#include "core/object_key.h"

namespace salesflow::cli {

using internal::FieldText;
using internal::ParseJson;

namespace {

// Sizes in the reports table: exact bytes under 10 KiB, binary units above.
std::string SizeText(const nlohmann::json& report) {
  const auto it = report.find("size");
  if (it == report.end() || !it->is_number_unsigned()) return FieldText(report, "size");
  const auto bytes = it->get<uint64_t>();
  return bytes < 10 * 1024 ? std::to_string(bytes) + " B" : FormatBytes(bytes);
}

}  // namespace

int RunReports(const ReportsArgs& args, ApiClient& client, const Console& console) {
  // Pages are followed until next_page_token is empty, so a listing is complete.
  nlohmann::json all = nlohmann::json::array();
  std::string first_body;
  std::string token;
  int pages = 0;
  do {
    const std::string path =
        "/api/reports" + BuildQuery({{"prefix", args.prefix}, {"page_token", token}});
    auto response = client.Get(path);
    if (!response.ok()) return ReportFailure(console, response.status());
    auto body = ParseJson(*response, "GET /api/reports");
    if (!body.ok()) return ReportFailure(console, body.status());
    for (const auto& report : internal::ArrayField(*body, "reports")) all.push_back(report);
    if (pages++ == 0) first_body = std::move(response->body);
    const std::string next = FieldText(*body, "next_page_token", "");
    if (next == token && !next.empty()) {
      return ReportFailure(console, Status::Internal("the server repeated page token '" + next +
                                                     "' in GET /api/reports"));
    }
    token = next;
  } while (!token.empty());

  if (args.json) {
    // One page: the server's JSON as is. Several: one document with every report.
    internal::PrintRawJson(console,
                           pages == 1 ? first_body : nlohmann::json{{"reports", all}}.dump());
    return kExitOk;
  }
  Table table({{"KEY"},
               {"SIZE", Align::kRight},
               {"STATUS"},
               {"LOADED", Align::kRight},
               {"REJECTED", Align::kRight},
               {"LAST JOB", Align::kRight},
               {"MODIFIED"}});
  for (const auto& report : all) {
    table.AddRow({FieldText(report, "key"), SizeText(report), FieldText(report, "status"),
                  FieldText(report, "rows_loaded"), FieldText(report, "rows_rejected"),
                  FieldText(report, "last_job_id"), FieldText(report, "last_modified")});
  }
  if (table.row_count() == 0) {
    *console.out << (args.prefix.empty() ? "no reports\n"
                                         : "no reports under '" + args.prefix + "'\n");
    return kExitOk;
  }
  table.Render(*console.out);
  return kExitOk;
}

Result<std::vector<std::string>> UploadKeys(const UploadArgs& args) {
  if (args.files.empty()) return Status::InvalidArgument("upload: name at least one FILE");
  if (!args.key.empty() && args.files.size() > 1) {
    return Status::InvalidArgument("upload: --key names one object; use --prefix for " +
                                   std::to_string(args.files.size()) + " files");
  }
  if (!args.key.empty() && !args.prefix.empty()) {
    return Status::InvalidArgument("upload: give --key or --prefix, not both");
  }
  std::vector<std::string> keys;
  for (const auto& file : args.files) {
    std::string key = args.key.empty()
                          ? args.prefix + std::filesystem::path(file).filename().string()
                          : args.key;
    // The server checks keys too, but it refuses from the headers and closes while a large
    // body is still being sent, so its reason may never arrive: check before sending.
    if (Status valid = ValidateObjectKey(key); !valid.ok()) {
      return Status::InvalidArgument("upload: " + valid.message());
    }
    keys.push_back(std::move(key));
  }
  return keys;
}

int RunUpload(const UploadArgs& args, ApiClient& client, const Console& console) {
  auto keys = UploadKeys(args);
  if (!keys.ok()) return internal::ReportUsage(console, keys.status().message());
  // Check every file first, so a typo in the last name does not leave a half-done batch.
  for (const auto& file : args.files) {
    struct stat info {};
    if (::stat(file.c_str(), &info) != 0) {
      return ReportFailure(console, Status::NotFound("cannot read '" + file + "'"));
    }
    if (!S_ISREG(info.st_mode)) {
      return ReportFailure(console,
                           Status::InvalidArgument("'" + file + "' is not a regular file"));
    }
  }
  for (size_t i = 0; i < args.files.size(); ++i) {
    const std::string& file = args.files[i];
    Result<ApiResponse> response = Status::Internal("not sent");
    {
      ProgressBar bar(*console.err, console.progress, file, console.width, console.unicode);
      response = client.UploadFile(
          file, (*keys)[i], [&bar](uint64_t sent, uint64_t total) { bar.Update(sent, total); });
    }
    if (!response.ok()) return ReportFailure(console, response.status());
    auto body = ParseJson(*response, "POST /api/upload");
    if (!body.ok()) return ReportFailure(console, body.status());
    *console.out << "uploaded " << SanitizeForTerminal(file) << " as "
                 << SanitizeForTerminal(FieldText(*body, "key", (*keys)[i])) << " ("
                 << FieldText(*body, "size") << " bytes, etag " << FieldText(*body, "etag")
                 << ")\n";
  }
  return kExitOk;
}

int RunRejects(const RejectsArgs& args, ApiClient& client, const Console& console) {
  if (args.key.empty()) return internal::ReportUsage(console, "rejects: name a report KEY");
  const std::string path = internal::ReportPath(args.key, "/rejects");
  if (args.out.empty()) {
    Status status = client.Download(path, [&](const char* data, size_t size) {
      console.out->write(data, static_cast<std::streamsize>(size));
      return static_cast<bool>(*console.out);
    });
    console.out->flush();
    if (!status.ok()) return ReportFailure(console, status);
    return kExitOk;
  }
  // The file is created only once the server answers 2xx, and removed if the stream breaks,
  // so a failed download never leaves a plausible-looking partial CSV behind.
  std::ofstream file;
  bool opened = false;
  bool write_failed = false;
  uint64_t bytes = 0;
  auto open_once = [&]() {
    if (!opened) {
      file.open(args.out, std::ios::binary | std::ios::trunc);
      opened = file.is_open();
    }
    return opened;
  };
  Status status = client.Download(path, [&](const char* data, size_t size) {
    if (!open_once() || !file.write(data, static_cast<std::streamsize>(size))) {
      write_failed = true;
      return false;
    }
    bytes += size;
    return true;
  });
  if (status.ok() && (!open_once() || !file.flush())) write_failed = true;
  if (opened) file.close();
  if (write_failed) status = Status::InvalidArgument("cannot write '" + args.out + "'");
  if (!status.ok()) {
    if (opened) std::remove(args.out.c_str());
    return ReportFailure(console, status);
  }
  *console.err << "rejects of " << SanitizeForTerminal(args.key) << " written to "
               << SanitizeForTerminal(args.out) << " (" << bytes << " bytes)\n";
  return kExitOk;
}

int RunUnload(const UnloadArgs& args, ApiClient& client, const Console& console) {
  if (args.key.empty()) return internal::ReportUsage(console, "unload: name a report KEY");
  auto response = client.Delete(internal::ReportPath(args.key, "/rows"));
  if (!response.ok()) return ReportFailure(console, response.status());
  auto body = ParseJson(*response, "DELETE /api/reports/{key}/rows");
  const std::string deleted = body.ok() ? FieldText(*body, "rows_deleted", "") : "";
  *console.out << "unloaded " << SanitizeForTerminal(args.key);
  if (!deleted.empty()) *console.out << ": " << deleted << " rows deleted";
  *console.out << '\n';
  return kExitOk;
}

}  // namespace salesflow::cli
