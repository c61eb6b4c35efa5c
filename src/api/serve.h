// `salesflow serve`: the entry points main() wires (see docs/api.md "Wiring").
//
//   api::ServeOptions serve_options;
//   CLI::App* serve = app.add_subcommand("serve", "...");
//   api::AddServeOptions(serve, &serve_options);
//   ... build the Backend (ingest) ...
//   return api::RunServe(serve_options, backend);
#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <functional>
#include <string>

#include "api/backend.h"
#include "api/server.h"

namespace salesflow::api {

struct ServeOptions {
  ServerOptions server;
  std::string api_keys_file;              // SALESFLOW_API_KEYS_FILE; "" = no auth, loopback
  std::chrono::seconds grace_period{30};  // for running jobs on SIGTERM
  // Called once the server accepts connections (tests use it to learn the port).
  std::function<void(const Server&)> on_listening;
};

// Adds --listen, --api-keys-file, --tls-cert, --tls-key, --max-upload-bytes,
// --http-threads, --read-timeout, --grace-period to `serve`, each defaulting to its
// environment variable (SALESFLOW_LISTEN, SALESFLOW_API_KEYS_FILE, SALESFLOW_TLS_CERT,
// SALESFLOW_TLS_KEY, SALESFLOW_MAX_UPLOAD_BYTES).
void AddServeOptions(CLI::App* serve, ServeOptions* options);

// Loads the keys, starts the server, blocks until SIGTERM or SIGINT, then: stops accepting,
// calls backend->Shutdown(grace_period) (running jobs finish or release their leases;
// waiters wake), waits for requests in flight, and returns 0. Returns 2 with a one-line
// reason on stderr for a configuration error (bad keys file, non-loopback without keys,
// bad TLS files), 1 when the address cannot be bound.
int RunServe(const ServeOptions& options, Backend* backend);

}  // namespace salesflow::api
