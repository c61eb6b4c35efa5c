// `salesflow serve` and `salesflow demo`: compose the engine, the HTTP API and (for the demo)
// the generator and the client commands. Wiring only; the work lives in the modules.
#pragma once

#include <CLI/CLI.hpp>

#include "api/serve.h"
#include "ingest/engine.h"

namespace salesflow::app {

struct ServeCommand {
  api::ServeOptions serve;
  ingest::EngineOptions engine;
  std::string log_level = "info";
};

void AddServeCommandOptions(CLI::App* command, ServeCommand* options);

// Opens the engine (migrating the schema), then serves until SIGTERM/SIGINT.
int RunServeCommand(const ServeCommand& options);

struct DemoCommand {
  ServeCommand serve;
  int64_t days = 30;
  int64_t rows_per_day = 2000;
  // Below the default max_reject_ratio (0.01) so most reports load with a few rejects to
  // download, while an unlucky day can still show a failed job with its reasons.
  double dirty_rate = 0.006;
  bool keep_serving = false;  // --serve: keep the server up after the walk-through
};

void AddDemoCommandOptions(CLI::App* command, DemoCommand* options);

// The whole system on one machine: migrate, generate sample reports into the configured
// storage, serve the API and dashboard with workers, process every pending report through
// the HTTP API, print reports and stats with the client commands.
int RunDemoCommand(const DemoCommand& options);

}  // namespace salesflow::app
