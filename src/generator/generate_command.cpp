#include "generator/generate_command.h"

#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "generator/generator.h"
#include "generator/report_sink.h"
#ifdef SALESFLOW_GENERATOR_HAS_STORAGE
#include "generator/object_store_sink.h"
#include "storage/object_store.h"
#endif

namespace salesflow::generator {
namespace {

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

int Fail(std::FILE* err, int code, const Status& status) {
  std::fprintf(err, "salesflow generate: %s\n", status.message().c_str());
  return code;
}

// Owns what the sinks point into (the object store) alongside the sinks.
struct Destination {
#ifdef SALESFLOW_GENERATOR_HAS_STORAGE
  std::unique_ptr<storage::ObjectStore> store;
#endif
  std::unique_ptr<ReportSink> sink;
};

Result<Destination> OpenDestination(const GenerateOptions& options) {
  Destination destination;
  std::vector<std::unique_ptr<ReportSink>> sinks;
  if (!options.out_dir.empty()) {
    SF_ASSIGN_OR_RETURN(std::unique_ptr<ReportSink> local, OpenLocalDirectorySink(options.out_dir));
    sinks.push_back(std::move(local));
  }
  if (options.upload) {
#ifdef SALESFLOW_GENERATOR_HAS_STORAGE
    const char* env_url = std::getenv("SALESFLOW_STORAGE");
    const std::string url =
        env_url != nullptr && *env_url != '\0' ? env_url : storage::DefaultStorageUrl();
    SF_ASSIGN_OR_RETURN(destination.store,
                        storage::OpenObjectStore(url, storage::StorageEnv::FromEnvironment()));
    std::string prefix = options.upload_prefix;
    if (!prefix.empty() && prefix.back() != '/') prefix += '/';
    sinks.push_back(MakeObjectStoreSink(destination.store.get(), std::move(prefix)));
#else
    return Status::FailedPrecondition("--upload: this build has no storage module");
#endif
  }
  if (sinks.empty()) return Status::InvalidArgument("--out DIR or --upload is required");
  destination.sink = sinks.size() == 1 ? std::move(sinks.front()) : MakeTeeSink(std::move(sinks));
  return destination;
}

}  // namespace

void AddGenerateOptions(CLI::App* sub, GenerateOptions* options) {
  sub->add_option("--out", options->out_dir, "Directory for the reports and manifest.json");
  sub->add_option("--days", options->days, "Number of daily reports")->required();
  sub->add_option("--rows-per-day", options->rows_per_day,
                  "Mean data records per report (weekdays and seasons vary it)")
      ->required();
  sub->add_option("--start-date", options->start_date, "Date of the first report, YYYY-MM-DD")
      ->capture_default_str();
  sub->add_option("--seed", options->seed, "Seed: the same seed writes the same bytes")
      ->capture_default_str();
  sub->add_option("--dirty-rate", options->dirty_rate,
                  "Share of bad records (0..1), each with a reject reason in the manifest")
      ->capture_default_str();
  sub->add_flag("--gzip", options->gzip, "Write gzip-compressed reports (.csv.gz)");
  sub->add_flag("--upload", options->upload,
                "Also put the files into SALESFLOW_STORAGE (instead of --out when it is absent)");
  sub->add_option("--prefix", options->upload_prefix, "Key prefix for --upload, e.g. daily/");
  sub->add_option("--currencies", options->currencies,
                  "Comma-separated ISO 4217 codes; the first is the most common")
      ->capture_default_str();
  sub->add_option("--format", options->format, "csv or jsonl")->capture_default_str();
}

int RunGenerateCommand(const GenerateOptions& options, std::FILE* out, std::FILE* err) {
  Result<GenerateConfig> config = MakeGenerateConfig(options);
  if (!config.ok()) return Fail(err, kExitUsage, config.status());
  Result<Destination> destination = OpenDestination(options);
  if (!destination.ok()) {
    const bool usage = destination.status().code() == StatusCode::kInvalidArgument;
    return Fail(err, usage ? kExitUsage : kExitFailure, destination.status());
  }
  const auto started = std::chrono::steady_clock::now();
  Result<Manifest> manifest = GenerateReports(*config, *destination->sink);
  if (!manifest.ok()) return Fail(err, kExitFailure, manifest.status());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::fprintf(out, "wrote %zu reports, %lld lines (%lld bad) and %s to %s in %.2f s\n",
               manifest->files.size(), static_cast<long long>(manifest->lines),
               static_cast<long long>(manifest->bad_lines), kManifestName,
               destination->sink->Describe().c_str(), seconds);
  return 0;
}

}  // namespace salesflow::generator
