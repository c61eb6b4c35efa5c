// The HTTP API server: routes from api/routes.h over a Backend, with auth, one error
// boundary, request logs, metrics and limits against hostile requests. docs/api.md has the
// routes, error codes and limits.
//
// Lifecycle: construct, Start() (binds and listens; returns once connections are accepted),
// then Stop() (or StopAccepting() first, to drain the backend while requests finish).
// Thread-safety: Start/StopAccepting/Stop from one controlling thread; requests are served
// on an internal thread pool.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "api/auth.h"
#include "api/backend.h"
#include "core/status.h"

namespace salesflow::api {

struct ServerOptions {
  std::string listen = "127.0.0.1:8080";         // SALESFLOW_LISTEN; port 0 = any free port
  std::string tls_cert_file;                     // SALESFLOW_TLS_CERT (PEM); both or neither
  std::string tls_key_file;                      // SALESFLOW_TLS_KEY (PEM)
  int64_t max_upload_bytes = int64_t{10} << 30;  // SALESFLOW_MAX_UPLOAD_BYTES (file content)
  size_t max_json_body_bytes = size_t{1} << 20;  // request bodies of JSON routes
  size_t max_header_count = 100;
  size_t max_header_bytes = 64 * 1024;    // sum of header names and values
  std::chrono::seconds read_timeout{30};  // per socket read: a stalled body fails after this
  std::chrono::seconds write_timeout{30};
  size_t threads = 16;  // worker threads serving connections
  // Longest time POST /api/process with "wait": true blocks before answering 202.
  std::chrono::milliseconds max_process_wait{std::chrono::minutes(5)};
  // Receives each structured request log line (a JSON object, no newline).
  // Empty: written to stderr.
  std::function<void(const std::string&)> request_log;
};

struct ListenAddress {
  std::string host;  // without brackets for IPv6
  int port = 0;
};
// "127.0.0.1:8080", "localhost:0", "[::1]:8443". InvalidArgument naming SALESFLOW_LISTEN.
Result<ListenAddress> ParseListenAddress(std::string_view text);
// localhost, 127.0.0.0/8, ::1.
bool IsLoopbackHost(std::string_view host);

class Server {
 public:
  // `backend` must outlive the server. `keys` may be null: then no request needs a key and
  // Start() refuses a non-loopback listen address; otherwise it must outlive the server.
  Server(ServerOptions options, Backend* backend, const KeyStore* keys);
  ~Server();  // Stop()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Validates the options, binds and starts serving on a background thread. Once it returns
  // ok, connections to port() are accepted. InvalidArgument for a bad listen address or TLS
  // files, FailedPrecondition for a non-loopback address without keys, Unavailable when the
  // address cannot be bound.
  Status Start();
  // Closes the listening socket; requests in flight continue. Idempotent.
  void StopAccepting();
  // StopAccepting(), then waits for requests in flight to finish. Idempotent.
  void Stop();

  int port() const;         // the bound port (the chosen one when listen said port 0)
  std::string url() const;  // "http://127.0.0.1:8080" or "https://..."

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace salesflow::api
