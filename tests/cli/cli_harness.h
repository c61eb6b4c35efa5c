// Runs client commands the way main() does (CLI11 parse, RegisterClientCommands) against a
// FakeServer, capturing stdout, stderr and the exit code.
#pragma once

#include <CLI/CLI.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli/client_commands.h"

namespace salesflow::cli::testing {

struct CliRun {
  int code = -1;
  std::string out;
  std::string err;
};

struct CliOptions {
  std::string url;
  std::string api_key;
  bool tty = false;
  std::chrono::milliseconds read_timeout{10'000};
};

inline CliRun RunCli(const CliOptions& options, std::vector<std::string> args) {
  std::ostringstream out;
  std::ostringstream err;
  CommandContext context;
  context.console.out = &out;
  context.console.err = &err;
  context.console.progress = options.tty;
  context.console.unicode = true;
  context.console.width = 80;
  context.poll.interval = std::chrono::milliseconds(0);
  context.connect = [options] {
    ClientConfig config;
    config.url = options.url;
    config.api_key = options.api_key;
    config.read_timeout = options.read_timeout;
    return ApiClient::Create(config);
  };
  CLI::App app{"salesflow test"};
  app.require_subcommand(0, 1);
  RegisterClientCommands(app, std::move(context));

  args.insert(args.begin(), "salesflow");
  std::vector<const char*> argv;
  for (const auto& arg : args) argv.push_back(arg.c_str());
  CliRun run;
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
    run.code = 0;
  } catch (const CLI::ParseError& e) {
    // What CLI11_PARSE in main() does: RuntimeError returns its code silently.
    run.code = app.exit(e, out, err);
  }
  run.out = out.str();
  run.err = err.str();
  return run;
}

}  // namespace salesflow::cli::testing
