#include "api/serve.h"

#include <fcntl.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <optional>

#include "api/auth.h"

namespace salesflow::api {
namespace {

// Self-pipe: the signal handler only writes a byte; RunServe's thread reads it. Works
// whatever threads the backend already started (no need to block signals in all of them).
int g_signal_pipe[2] = {-1, -1};

extern "C" void OnStopSignal(int signal_number) {
  const int saved_errno = errno;
  const char byte = static_cast<char>(signal_number);
  [[maybe_unused]] const ssize_t n = ::write(g_signal_pipe[1], &byte, 1);
  errno = saved_errno;
}

class StopSignals {
 public:
  StopSignals() {
    if (::pipe2(g_signal_pipe, O_CLOEXEC) != 0) return;
    struct sigaction action {};
    action.sa_handler = OnStopSignal;
    sigemptyset(&action.sa_mask);
    ::sigaction(SIGTERM, &action, &old_term_);
    ::sigaction(SIGINT, &action, &old_int_);
    installed_ = true;
  }
  ~StopSignals() {
    if (!installed_) return;
    ::sigaction(SIGTERM, &old_term_, nullptr);
    ::sigaction(SIGINT, &old_int_, nullptr);
    ::close(g_signal_pipe[0]);
    ::close(g_signal_pipe[1]);
    g_signal_pipe[0] = g_signal_pipe[1] = -1;
  }
  bool installed() const { return installed_; }
  // Blocks until a stop signal arrives; returns its number.
  int Wait() {
    char byte = 0;
    while (true) {
      const ssize_t n = ::read(g_signal_pipe[0], &byte, 1);
      if (n == 1) return byte;
      if (n < 0 && errno == EINTR) continue;
      return 0;
    }
  }

 private:
  bool installed_ = false;
  struct sigaction old_term_ {};
  struct sigaction old_int_ {};
};

}  // namespace

void AddServeOptions(CLI::App* serve, ServeOptions* options) {
  ServerOptions& server = options->server;
  serve->add_option("--listen", server.listen, "API listen address host:port (0 = any port)")
      ->envname("SALESFLOW_LISTEN")
      ->capture_default_str();
  serve
      ->add_option("--api-keys-file", options->api_keys_file,
                   "API keys file (`salesflow keys add`); none = loopback only, no auth")
      ->envname("SALESFLOW_API_KEYS_FILE");
  serve->add_option("--tls-cert", server.tls_cert_file, "PEM certificate: serve HTTPS")
      ->envname("SALESFLOW_TLS_CERT");
  serve->add_option("--tls-key", server.tls_key_file, "PEM private key for --tls-cert")
      ->envname("SALESFLOW_TLS_KEY");
  serve->add_option("--max-upload-bytes", server.max_upload_bytes, "upload size limit")
      ->envname("SALESFLOW_MAX_UPLOAD_BYTES")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  serve->add_option("--http-threads", server.threads, "threads serving HTTP connections")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  serve
      ->add_option_function<int64_t>(
          "--read-timeout",
          [&server](int64_t seconds) { server.read_timeout = std::chrono::seconds(seconds); },
          "seconds a request may stall while sending (default 30)")
      ->check(CLI::Range(1, 3600));
  serve
      ->add_option_function<int64_t>(
          "--grace-period",
          [options](int64_t seconds) { options->grace_period = std::chrono::seconds(seconds); },
          "seconds running jobs get to finish on SIGTERM (default 30)")
      ->check(CLI::Range(0, 3600));
}

int RunServe(const ServeOptions& options, Backend* backend) {
  std::optional<KeyStore> keys;
  if (!options.api_keys_file.empty()) {
    auto loaded = KeyStore::LoadFile(options.api_keys_file);
    if (!loaded.ok()) {
      std::fprintf(stderr, "salesflow serve: %s\n", loaded.status().message().c_str());
      return 2;
    }
    keys.emplace(std::move(loaded).value());
  }
  StopSignals signals;
  if (!signals.installed()) {
    std::fprintf(stderr, "salesflow serve: cannot install signal handlers\n");
    return 1;
  }
  Server server(options.server, backend, keys ? &*keys : nullptr);
  const Status started = server.Start();
  if (!started.ok()) {
    std::fprintf(stderr, "salesflow serve: %s\n", started.message().c_str());
    return started.code() == StatusCode::kUnavailable ? 1 : 2;
  }
  spdlog::info("listening on {} ({})", server.url(),
               keys ? std::to_string(keys->size()) + " API keys" : "no API keys: loopback only");
  if (options.on_listening) options.on_listening(server);

  const int signal_number = signals.Wait();
  spdlog::info("received signal {}: stopping (grace period {} s)", signal_number,
               options.grace_period.count());
  server.StopAccepting();
  backend->Shutdown(std::chrono::duration_cast<std::chrono::milliseconds>(options.grace_period));
  server.Stop();
  spdlog::info("stopped");
  return 0;
}

}  // namespace salesflow::api
