// main(): subcommand wiring only. Each module exposes Add*Options / Run*Command; the work
// lives there.
#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include "api/auth.h"
#include "app/serve_command.h"
#include "app/version.h"
#include "cli/client_commands.h"
#include "generator/generate_command.h"
#include "ingest/worker_command.h"
#include "warehouse/db_config.h"
#include "warehouse/migrations.h"

namespace {

int RunMigrate(bool print_sql) {
  auto config = salesflow::warehouse::DbConfigFromEnv();
  if (!config.ok()) {
    std::fprintf(stderr, "salesflow migrate: %s\n", config.status().message().c_str());
    return 2;
  }
  return salesflow::warehouse::RunMigrateCommand(*config, print_sql);
}

std::string EnvOr(const char* name, const char* fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : fallback;
}

}  // namespace

int main(int argc, char** argv) {
  // A peer that closes a socket mid-write (a server refusing an upload early, a client
  // going away) must surface as a write error on that request, not kill the process.
  std::signal(SIGPIPE, SIG_IGN);
  try {
    CLI::App app{"salesflow: sales reports from S3 into a MySQL warehouse, exactly once"};
    app.require_subcommand(0, 1);
    bool show_version = false;
    app.add_flag("--version", show_version, "Print the version and exit");

    bool print_sql = false;
    CLI::App* migrate = app.add_subcommand("migrate", "Create or upgrade the warehouse schema");
    migrate->add_flag("--print-sql", print_sql, "Print the schema as SQL instead of applying it");

    std::string key_name;
    std::string key_role;
    std::string keys_file = EnvOr("SALESFLOW_API_KEYS_FILE", "");
    CLI::App* keys = app.add_subcommand("keys", "Manage API keys");
    keys->require_subcommand(1);
    CLI::App* keys_add = keys->add_subcommand("add", "Create an API key (prints the secret once)");
    keys_add->add_option("name", key_name, "Key name")->required();
    keys_add->add_option("--role", key_role, "viewer, uploader, operator or admin")->required();
    keys_add->add_option("--file", keys_file, "Keys file (default: $SALESFLOW_API_KEYS_FILE)");

    salesflow::generator::GenerateOptions generate_options;
    CLI::App* generate = app.add_subcommand("generate", "Write realistic sample reports");
    salesflow::generator::AddGenerateOptions(generate, &generate_options);

    salesflow::app::ServeCommand serve_options;
    CLI::App* serve =
        app.add_subcommand("serve", "Serve the HTTP API and dashboard, with in-process workers");
    salesflow::app::AddServeCommandOptions(serve, &serve_options);

    salesflow::ingest::WorkerOptions worker_options;
    CLI::App* worker = app.add_subcommand("worker", "Process queued jobs (run any number)");
    salesflow::ingest::AddWorkerOptions(worker, &worker_options);

    salesflow::app::DemoCommand demo_options;
    CLI::App* demo =
        app.add_subcommand("demo", "The whole system on one machine, with sample data");
    salesflow::app::AddDemoCommandOptions(demo, &demo_options);

    salesflow::cli::RegisterClientCommands(app);

    CLI11_PARSE(app, argc, argv);
    if (show_version) {
      std::printf("salesflow %s\n", SALESFLOW_VERSION);
      return 0;
    }
    if (migrate->parsed()) return RunMigrate(print_sql);
    if (keys_add->parsed()) {
      if (keys_file.empty()) {
        std::fprintf(stderr,
                     "salesflow keys add: no keys file: set SALESFLOW_API_KEYS_FILE or --file\n");
        return 2;
      }
      return salesflow::api::RunKeysAddCommand(key_name, key_role, keys_file);
    }
    if (generate->parsed()) return salesflow::generator::RunGenerateCommand(generate_options);
    if (serve->parsed()) return salesflow::app::RunServeCommand(serve_options);
    if (worker->parsed()) return salesflow::ingest::RunWorkerCommand(worker_options);
    if (demo->parsed()) return salesflow::app::RunDemoCommand(demo_options);
    if (app.get_subcommands().empty()) {
      std::fputs(app.help().c_str(), stdout);
      return 0;
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "salesflow: internal error: %s\n", e.what());
    return 70;
  }
}
