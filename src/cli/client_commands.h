// Wiring of the client commands into the salesflow binary.
//
// main() calls RegisterClientCommands(app) before parsing. Each subcommand's callback runs
// the command and, when it fails, throws CLI::RuntimeError(exit_code) after printing its
// one-line reason; CLI11_PARSE turns that into `return exit_code` without printing anything
// more. So main needs no other change:
//
//   salesflow::cli::RegisterClientCommands(app);
//   CLI11_PARSE(app, argc, argv);
//
// Subcommands: reports, upload, process, jobs, stats, rejects, unload, mapping
// {set,get,delete,list}. Exit codes: cli/commands.h (ExitCode), docs/cli.md.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>

#include "cli/api_client.h"
#include "cli/commands.h"
#include "core/status.h"

namespace salesflow::cli {

// Where the commands write and how they reach the server. Tests pass string streams and a
// client for an in-process server.
struct CommandContext {
  Console console;
  // Called once per command run; an error (bad SALESFLOW_URL) exits with kExitUsage.
  std::function<Result<std::unique_ptr<ApiClient>>()> connect;
  PollOptions poll;
};

// ProcessConsole() and a client from ClientConfigFromEnv().
CommandContext DefaultCommandContext();

// Adds the client subcommands to `app` using DefaultCommandContext().
void RegisterClientCommands(CLI::App& app);
void RegisterClientCommands(CLI::App& app, CommandContext context);

}  // namespace salesflow::cli
