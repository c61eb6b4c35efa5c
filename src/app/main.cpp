// main(): subcommand wiring only. Each module exposes a Register*Commands(CLI::App&) or a
// Run* function; the work lives there.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>
#include <string>

#include "app/version.h"

int main(int argc, char** argv) {
  try {
    CLI::App app{"salesflow: sales reports from S3 into a MySQL warehouse, exactly once"};
    app.require_subcommand(0, 1);
    bool show_version = false;
    app.add_flag("--version", show_version, "Print the version and exit");

    CLI11_PARSE(app, argc, argv);
    if (show_version) {
      std::printf("salesflow %s\n", SALESFLOW_VERSION);
      return 0;
    }
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
