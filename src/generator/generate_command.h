// `salesflow generate`: the subcommand's options and entry point, wired by src/app/main.cpp:
//
//   salesflow::generator::GenerateOptions generate_options;
//   CLI::App* generate = app.add_subcommand("generate", "Write realistic sample reports ...");
//   salesflow::generator::AddGenerateOptions(generate, &generate_options);
//   ...
//   if (generate->parsed()) return salesflow::generator::RunGenerateCommand(generate_options);
#pragma once

#include <CLI/CLI.hpp>
#include <cstdio>

#include "generator/generate_options.h"

namespace salesflow::generator {

// Registers --out, --days, --rows-per-day, --start-date, --seed, --dirty-rate, --gzip,
// --upload, --prefix, --currencies and --format on `sub`, storing into *options.
// REQUIRES: options outlives the parse.
void AddGenerateOptions(CLI::App* sub, GenerateOptions* options);

// Validates the options, writes the reports and manifest.json to --out and/or (with
// --upload) the store named by SALESFLOW_STORAGE, and prints a one-line summary to `out`.
// Returns 0 on success; otherwise prints one line "salesflow generate: <reason>" to `err`
// and returns 2 for invalid options, 1 for a failure while writing.
int RunGenerateCommand(const GenerateOptions& options, std::FILE* out = stdout,
                       std::FILE* err = stderr);

}  // namespace salesflow::generator
