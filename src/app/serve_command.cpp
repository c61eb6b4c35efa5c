#include "app/serve_command.h"

#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

#include "api/engine_backend.h"
#include "api/server.h"
#include "cli/api_client.h"
#include "cli/commands.h"
#include "core/log.h"
#include "generator/generate_command.h"

namespace salesflow::app {
namespace {

Result<std::unique_ptr<ingest::Engine>> OpenEngine(const ServeCommand& options) {
  core::InitLogging(isatty(STDERR_FILENO) ? core::LogFormat::kText : core::LogFormat::kJson,
                    options.log_level);
  return ingest::Engine::Open(options.engine);
}

// Blocks until SIGINT or SIGTERM arrives.
void WaitForSignal() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  int received = 0;
  sigwait(&signals, &received);
}

// Starts the API on the configured address, or on any free loopback port when that one is
// taken (a developer's machine often has something on 8080).
Result<std::unique_ptr<api::Server>> StartDemoServer(api::ServerOptions options,
                                                     api::Backend* backend) {
  auto server = std::make_unique<api::Server>(options, backend, nullptr);
  const Status started = server->Start();
  if (started.ok()) return server;
  std::fprintf(stderr, "salesflow demo: %s; using a free port\n", started.message().c_str());
  options.listen = "127.0.0.1:0";
  server = std::make_unique<api::Server>(options, backend, nullptr);
  SF_RETURN_IF_ERROR(server->Start());
  return server;
}

int DemoWalkThrough(const std::string& url) {
  cli::ClientConfig config;
  config.url = url;
  auto client = cli::ApiClient::Create(config);
  if (!client.ok()) {
    std::fprintf(stderr, "salesflow demo: %s\n", client.status().message().c_str());
    return 1;
  }
  cli::Console console = cli::ProcessConsole();
  std::cout << "\n== processing every pending report through " << url << " ==\n";
  cli::ProcessArgs process;
  process.pending = true;
  process.wait = true;
  int rc = cli::RunProcess(process, **client, console, cli::PollOptions{});
  // A dirty sample can fail a report on purpose; the walk-through goes on to show it.
  std::cout << "\n== reports ==\n";
  if (int r = cli::RunReports(cli::ReportsArgs{}, **client, console); r != 0) return r;
  std::cout << "\n== revenue by day ==\n";
  cli::StatsArgs by_day;
  by_day.by = "day";
  if (int r = cli::RunStats(by_day, **client, console); r != 0) return r;
  std::cout << "\n== top categories ==\n";
  cli::StatsArgs by_category;
  by_category.by = "category";
  by_category.top = 10;
  if (int r = cli::RunStats(by_category, **client, console); r != 0) return r;
  return rc == 4 ? 0 : rc;
}

}  // namespace

void AddServeCommandOptions(CLI::App* command, ServeCommand* options) {
  api::AddServeOptions(command, &options->serve);
  ingest::AddEngineOptions(command, &options->engine);
  if (const char* level = std::getenv("SALESFLOW_LOG_LEVEL"); level != nullptr) {
    options->log_level = level;
  }
  command->add_option("--log-level", options->log_level,
                      "trace, debug, info, warn or error (SALESFLOW_LOG_LEVEL)");
}

int RunServeCommand(const ServeCommand& options) {
  auto engine = OpenEngine(options);
  if (!engine.ok()) {
    std::fprintf(stderr, "salesflow serve: %s\n", engine.status().message().c_str());
    return 1;
  }
  api::EngineBackend backend(engine->get());
  return api::RunServe(options.serve, &backend);
}

void AddDemoCommandOptions(CLI::App* command, DemoCommand* options) {
  AddServeCommandOptions(command, &options->serve);
  command->add_option("--days", options->days, "Days of sample reports")->check(CLI::Range(1, 366));
  command->add_option("--rows-per-day", options->rows_per_day, "Mean lines per daily report")
      ->check(CLI::Range(1, 1'000'000));
  command->add_option("--dirty-rate", options->dirty_rate, "Share of bad rows to inject")
      ->check(CLI::Range(0.0, 1.0));
  command->add_flag("--serve", options->keep_serving,
                    "Keep serving the API and dashboard until Ctrl-C (default on a terminal)");
}

int RunDemoCommand(const DemoCommand& options) {
  // The walk-through prints tables; keep the log to warnings so they stay readable.
  ServeCommand quiet = options.serve;
  if (std::getenv("SALESFLOW_LOG_LEVEL") == nullptr) quiet.log_level = "warn";
  auto engine = OpenEngine(quiet);
  if (!engine.ok()) {
    std::fprintf(stderr, "salesflow demo: %s\n", engine.status().message().c_str());
    return 1;
  }
  generator::GenerateOptions generate;
  generate.days = options.days;
  generate.rows_per_day = options.rows_per_day;
  generate.dirty_rate = options.dirty_rate;
  generate.upload = true;
  generate.upload_prefix = "demo/";
  std::cout << "== generating " << options.days << " daily sample reports into storage ==\n";
  if (int rc = generator::RunGenerateCommand(generate); rc != 0) return rc;

  api::EngineBackend backend(engine->get());
  api::ServerOptions server_options = options.serve.serve.server;
  if (quiet.log_level == "warn") server_options.request_log = [](const std::string&) {};
  auto server = StartDemoServer(server_options, &backend);
  if (!server.ok()) {
    std::fprintf(stderr, "salesflow demo: %s\n", server.status().message().c_str());
    return 1;
  }
  const int rc = DemoWalkThrough((*server)->url());
  if (rc == 0 && (options.keep_serving || isatty(STDIN_FILENO))) {
    std::cout << "\nDashboard: " << (*server)->url() << "/  (Ctrl-C to stop)\n" << std::flush;
    WaitForSignal();
  }
  (*server)->StopAccepting();
  backend.Shutdown(std::chrono::seconds(10));
  (*server)->Stop();
  return rc;
}

}  // namespace salesflow::app
