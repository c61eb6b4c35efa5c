#include "ingest/worker_command.h"

#include <pthread.h>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <cstdio>

namespace salesflow::ingest {

void AddWorkerOptions(CLI::App* worker, WorkerOptions* options) {
  options->engine.workers = 1;
  AddEngineOptions(worker, &options->engine);
  // `salesflow worker` runs its own count, not serve's SALESFLOW_WORKERS.
  if (CLI::Option* workers = worker->get_option_no_throw("--workers")) workers->envname("");
  worker
      ->add_option_function<int64_t>(
          "--grace-period",
          [options](int64_t seconds) { options->grace_period = std::chrono::seconds(seconds); },
          "seconds running jobs get to finish on SIGTERM before their leases are released "
          "(default 30)")
      ->check(CLI::Range(0, 3600));
}

int RunWorkerCommand(const WorkerOptions& options) {
  // Block the stop signals before any thread starts, so every thread inherits the mask and
  // this thread alone receives them through sigwait.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  sigset_t previous;
  pthread_sigmask(SIG_BLOCK, &stop_signals, &previous);

  EngineOptions engine_options = options.engine;
  if (engine_options.workers < 1) engine_options.workers = 1;
  auto engine = Engine::Open(engine_options);
  if (!engine.ok()) {
    std::fprintf(stderr, "salesflow worker: %s\n", engine.status().message().c_str());
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    return 1;
  }
  int signal_number = 0;
  while (sigwait(&stop_signals, &signal_number) != 0) {
  }
  spdlog::info("worker: received signal {}: finishing running jobs (grace {} s)", signal_number,
               options.grace_period.count());
  (*engine)->Shutdown(std::chrono::duration_cast<std::chrono::milliseconds>(options.grace_period));
  engine->reset();
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  return 0;
}

}  // namespace salesflow::ingest
