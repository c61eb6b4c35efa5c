// `salesflow worker`: a process that only processes jobs (any number, on any machine).
//
// Wiring in main():
//   ingest::WorkerOptions worker_options;
//   CLI::App* worker = app.add_subcommand("worker", "process queued jobs");
//   ingest::AddWorkerOptions(worker, &worker_options);
//   ... if (worker->parsed()) return ingest::RunWorkerCommand(worker_options);
#pragma once

#include <CLI/CLI.hpp>
#include <chrono>

#include "ingest/engine.h"

namespace salesflow::ingest {

struct WorkerOptions {
  EngineOptions engine;                   // workers defaults to 1 here, not SALESFLOW_WORKERS
  std::chrono::seconds grace_period{30};  // on SIGTERM: running jobs finish, else are released
};

// Adds --workers (default 1), --watch PREFIX, --watch-interval, --lease, --grace-period.
void AddWorkerOptions(CLI::App* worker, WorkerOptions* options);

// Opens the engine from the environment (SALESFLOW_DB, SALESFLOW_STORAGE, SALESFLOW_CURRENCY,
// AWS_*), migrates, runs the workers until SIGTERM or SIGINT, then lets running jobs finish
// within the grace period and releases the leases of the others. Returns 0 after a clean
// stop, 1 with a one-line reason on stderr when the engine cannot start.
int RunWorkerCommand(const WorkerOptions& options);

}  // namespace salesflow::ingest
