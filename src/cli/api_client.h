// ApiClient: the one way client commands talk to a salesflow server — HTTP(S) and JSON per
// DESIGN.md's "HTTP API", never SQL or storage.
//
// Every call returns the response of a 2xx answer, or a Status whose message is one line a
// user can act on:
//   - an API error body {"error":{"code","message"}} -> "404 not_found: no report 'x.csv'"
//     (StatusCode from the HTTP status: 400 InvalidArgument, 401 Unauthenticated, 403
//     PermissionDenied, 404 NotFound, 409 Conflict, 413 ResourceExhausted, 503 Unavailable,
//     other 5xx Internal);
//   - a transport failure -> Unavailable / DeadlineExceeded naming the URL and SALESFLOW_URL.
// The API key is sent as "Authorization: Bearer" and never appears in any message.
//
// Thread-safety: one ApiClient per thread (it owns an httplib::Client).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "cli/url.h"
#include "core/status.h"

namespace httplib {
class Client;
class Result;
}  // namespace httplib

namespace salesflow::cli {

struct ClientConfig {
  std::string url = "http://127.0.0.1:8080";  // SALESFLOW_URL
  std::string api_key;                        // SALESFLOW_API_KEY; empty: no Authorization
  std::string ca_cert_file;                   // SALESFLOW_CA_CERT; empty: system CAs
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds read_timeout{120'000};  // per read: a large process request lists
  std::chrono::milliseconds write_timeout{120'000};
};

// The client's configuration from SALESFLOW_URL, SALESFLOW_API_KEY and SALESFLOW_CA_CERT.
ClientConfig ClientConfigFromEnv();

struct ApiResponse {
  int status = 0;
  std::string body;
  std::string content_type;
};

// A non-2xx answer as a Status (see the header comment). `body` may be anything: an API
// error object, an HTML page from a proxy, nothing. Exposed for tests.
Status ErrorFromResponse(int http_status, std::string_view body);

// Called with bytes of the file sent so far and the file's size.
using UploadProgress = std::function<void(uint64_t sent, uint64_t total)>;

class ApiClient {
 public:
  // InvalidArgument when config.url is not an http(s) URL.
  static Result<std::unique_ptr<ApiClient>> Create(ClientConfig config);
  ~ApiClient();
  ApiClient(const ApiClient&) = delete;
  ApiClient& operator=(const ApiClient&) = delete;

  // `path` starts with "/" and is already encoded (EncodePathSegment, BuildQuery).
  Result<ApiResponse> Get(const std::string& path);
  // JSON body; an empty `json_body` sends none.
  Result<ApiResponse> Post(const std::string& path, const std::string& json_body);
  Result<ApiResponse> Put(const std::string& path, const std::string& json_body);
  Result<ApiResponse> Delete(const std::string& path);

  // GET whose 2xx body is handed to `sink` piece by piece as it arrives (a rejects CSV may
  // be large); `sink` returns false to abort. A non-2xx body is collected for the error.
  Status Download(const std::string& path,
                  const std::function<bool(const char* data, size_t size)>& sink);

  // POST /api/upload as multipart/form-data: field "key" (when non-empty), then field
  // "file" streamed from `file_path` with pread in fixed-size pieces. Memory use does not
  // depend on the file's size. Content-Length is exact, so a server can refuse an oversized
  // upload before it reads the body. NotFound / InvalidArgument for an unreadable file;
  // DataLoss when the file shrinks while being sent.
  Result<ApiResponse> UploadFile(const std::string& file_path, const std::string& key,
                                 const UploadProgress& progress);

  // "http://127.0.0.1:8080" as configured, for messages.
  const std::string& url() const { return config_.url; }

 private:
  ApiClient(ClientConfig config, BaseUrl base);

  // Turns an httplib result into an ApiResponse or Status (see header comment).
  Result<ApiResponse> Finish(const char* method, const std::string& path,
                             httplib::Result& result) const;
  Status TransportError(const char* method, const std::string& path,
                        const httplib::Result& result) const;
  std::string Redact(std::string message) const;

  ClientConfig config_;
  BaseUrl base_;
  std::unique_ptr<httplib::Client> http_;
};

}  // namespace salesflow::cli
