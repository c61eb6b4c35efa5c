// A `salesflow worker` for tests that need worker PROCESSES (SIGKILL mid-load, several
// workers draining a queue): exactly what main() wires for the subcommand.
#include <CLI/CLI.hpp>

#include "core/log.h"
#include "ingest/worker_command.h"

int main(int argc, char** argv) {
  salesflow::core::InitLogging(salesflow::core::LogFormat::kText, "info");
  CLI::App app{"ingest test worker"};
  salesflow::ingest::WorkerOptions options;
  salesflow::ingest::AddWorkerOptions(&app, &options);
  CLI11_PARSE(app, argc, argv);
  return salesflow::ingest::RunWorkerCommand(options);
}
