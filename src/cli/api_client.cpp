#include "cli/api_client.h"

#include <fcntl.h>
#include <httplib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>

namespace salesflow::cli {
namespace {

constexpr size_t kUploadPiece = 256 * 1024;
constexpr size_t kMaxErrorBody = 64 * 1024;

std::string EnvOr(const char* name, std::string fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::string(value) : std::move(fallback);
}

StatusCode CodeForHttpStatus(int status) {
  switch (status) {
    case 400:
    case 422:
      return StatusCode::kInvalidArgument;
    case 401:
      return StatusCode::kUnauthenticated;
    case 403:
      return StatusCode::kPermissionDenied;
    case 404:
      return StatusCode::kNotFound;
    case 409:
      return StatusCode::kConflict;
    case 413:
    case 429:
      return StatusCode::kResourceExhausted;
    case 502:
    case 503:
      return StatusCode::kUnavailable;
    case 504:
      return StatusCode::kDeadlineExceeded;
    default:
      return status >= 500 ? StatusCode::kInternal : StatusCode::kFailedPrecondition;
  }
}

const char* ReasonPhrase(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 409:
      return "Conflict";
    case 413:
      return "Payload Too Large";
    case 415:
      return "Unsupported Media Type";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "HTTP error";
  }
}

// Newlines and tabs become spaces and runs of blanks collapse: an error is one line.
std::string OneLine(std::string_view text, size_t max_size) {
  std::string out;
  for (const char c : text) {
    const bool blank = c == '\n' || c == '\r' || c == '\t' || c == ' ';
    if (blank) {
      if (!out.empty() && out.back() != ' ') out.push_back(' ');
    } else {
      out.push_back(c);
    }
    if (out.size() >= max_size) {
      out += "...";
      break;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// A file descriptor closed on scope exit.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

std::string RandomBoundary() {
  std::random_device device;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string boundary = "salesflow-";
  for (int i = 0; i < 4; ++i) {
    unsigned int word = device();
    for (int k = 0; k < 8; ++k, word >>= 4) boundary.push_back(kHex[word & 0xF]);
  }
  return boundary;
}

// A quoted-string for Content-Disposition: '"' and '\' escaped, line breaks dropped.
std::string QuoteHeaderValue(std::string_view value) {
  std::string out = "\"";
  for (const char c : value) {
    if (c == '\r' || c == '\n') continue;
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

// The multipart body as three parts: text before the file, the file, text after it.
struct MultipartLayout {
  std::string boundary;
  std::string head;
  std::string tail;
};

MultipartLayout LayoutUpload(const std::string& key, const std::string& filename) {
  MultipartLayout layout;
  layout.boundary = RandomBoundary();
  const std::string dash = "--" + layout.boundary + "\r\n";
  if (!key.empty()) {
    layout.head += dash + "Content-Disposition: form-data; name=\"key\"\r\n\r\n" + key + "\r\n";
  }
  layout.head += dash + "Content-Disposition: form-data; name=\"file\"; filename=" +
                 QuoteHeaderValue(filename) + "\r\nContent-Type: application/octet-stream\r\n\r\n";
  layout.tail = "\r\n--" + layout.boundary + "--\r\n";
  return layout;
}

// Streams head, file bytes, tail for httplib's ContentProvider, pread()ing the file into one
// reused buffer. Shared by copies of the provider std::function.
struct UploadStream {
  MultipartLayout layout;
  int fd = -1;
  uint64_t file_size = 0;
  std::vector<char> buffer;
  UploadProgress progress;
  Status failure;                // set when reading the file fails
  bool connection_lost = false;  // a write to the socket failed

  bool Write(httplib::DataSink& sink, const char* data, size_t size) {
    if (sink.write(data, size)) return true;
    connection_lost = true;
    return false;
  }

  bool Provide(size_t offset, size_t length, httplib::DataSink& sink) {
    const uint64_t head_end = layout.head.size();
    const uint64_t file_end = head_end + file_size;
    if (offset < head_end) {
      const size_t n = std::min<size_t>(length, layout.head.size() - offset);
      return Write(sink, layout.head.data() + offset, n);
    }
    if (offset < file_end) {
      const uint64_t file_offset = offset - head_end;
      const size_t want =
          static_cast<size_t>(std::min<uint64_t>({length, buffer.size(), file_size - file_offset}));
      ssize_t got;
      do {
        got = ::pread(fd, buffer.data(), want, static_cast<off_t>(file_offset));
      } while (got < 0 && errno == EINTR);
      if (got < 0) {
        failure = Status::DataLoss(std::string("reading the file failed: ") + std::strerror(errno));
        return false;
      }
      if (got == 0) {
        failure = Status::DataLoss("the file shrank while it was being uploaded");
        return false;
      }
      const auto n = static_cast<size_t>(got);
      if (!Write(sink, buffer.data(), n)) return false;
      if (progress) progress(file_offset + n, file_size);
      return true;
    }
    const size_t tail_offset = static_cast<size_t>(offset - file_end);
    const size_t n = std::min<size_t>(length, layout.tail.size() - tail_offset);
    return Write(sink, layout.tail.data() + tail_offset, n);
  }
};

}  // namespace

ClientConfig ClientConfigFromEnv() {
  ClientConfig config;
  config.url = EnvOr("SALESFLOW_URL", config.url);
  config.api_key = EnvOr("SALESFLOW_API_KEY", "");
  config.ca_cert_file = EnvOr("SALESFLOW_CA_CERT", "");
  return config;
}

Status ErrorFromResponse(int http_status, std::string_view body) {
  std::string message = std::to_string(http_status) + " ";
  const nlohmann::json parsed = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  const nlohmann::json* error = nullptr;
  if (parsed.is_object() && parsed.contains("error") && parsed["error"].is_object()) {
    error = &parsed["error"];
  }
  if (error != nullptr && error->contains("code") && (*error)["code"].is_string()) {
    message += (*error)["code"].get<std::string>();
    if (error->contains("message") && (*error)["message"].is_string()) {
      message += ": " + (*error)["message"].get<std::string>();
    }
  } else {
    // Not our API's error shape: a proxy's page, an empty body. Show its start, briefly.
    message += ReasonPhrase(http_status);
    const std::string snippet = OneLine(body, 200);
    if (!snippet.empty() && !snippet.starts_with("<")) message += ": " + snippet;
  }
  if (http_status == 401) message += " (check SALESFLOW_API_KEY)";
  if (http_status == 403) message += " (the API key's role does not allow this)";
  return {CodeForHttpStatus(http_status), OneLine(message, 1000)};
}

Result<std::unique_ptr<ApiClient>> ApiClient::Create(ClientConfig config) {
  SF_ASSIGN_OR_RETURN(BaseUrl base, ParseBaseUrl(config.url));
  return std::unique_ptr<ApiClient>(new ApiClient(std::move(config), std::move(base)));
}

ApiClient::ApiClient(ClientConfig config, BaseUrl base)
    : config_(std::move(config)),
      base_(std::move(base)),
      http_(std::make_unique<httplib::Client>(base_.origin)) {
  http_->set_connection_timeout(config_.connect_timeout);
  http_->set_read_timeout(config_.read_timeout);
  http_->set_write_timeout(config_.write_timeout);
  http_->enable_server_certificate_verification(true);
  if (!config_.ca_cert_file.empty()) http_->set_ca_cert_path(config_.ca_cert_file);
  if (!config_.api_key.empty()) http_->set_bearer_token_auth(config_.api_key);
}

ApiClient::~ApiClient() = default;

std::string ApiClient::Redact(std::string message) const {
  // The server should never echo a key; if one ever does, the client still does not print it.
  if (config_.api_key.size() < 4) return message;
  for (size_t at = message.find(config_.api_key); at != std::string::npos;
       at = message.find(config_.api_key, at)) {
    message.replace(at, config_.api_key.size(), "[redacted]");
  }
  return message;
}

Status ApiClient::TransportError(const char* method, const std::string& path,
                                 const httplib::Result& result) const {
  const std::string where = config_.url + " (SALESFLOW_URL)";
  const std::string request = std::string(method) + " " + path;
  switch (result.error()) {
    case httplib::Error::Connection:
      return Status::Unavailable("cannot connect to " + where +
                                 ": connection refused or host unreachable; is the server "
                                 "running?");
    case httplib::Error::ConnectionTimeout:
      return Status::DeadlineExceeded("timed out connecting to " + where);
    case httplib::Error::Read:
      return Status::Unavailable(request + ": no complete response from " + where +
                                 " (connection closed or read timed out)");
    case httplib::Error::Write:
      return Status::Unavailable(request + ": the connection to " + where +
                                 " broke while sending the request");
    case httplib::Error::SSLConnection:
      return Status::Unavailable("TLS handshake with " + where +
                                 " failed; is it an https:// server?");
    case httplib::Error::SSLServerVerification:
      return Status::Unavailable("the TLS certificate of " + where +
                                 " is not trusted; set SALESFLOW_CA_CERT to its CA file");
    case httplib::Error::SSLLoadingCerts:
      return Status::InvalidArgument(
          "cannot load CA certificates" +
          std::string(config_.ca_cert_file.empty() ? "" : " from SALESFLOW_CA_CERT"));
    default:
      return Status::Unavailable(request + " to " + where +
                                 " failed: " + httplib::to_string(result.error()));
  }
}

Result<ApiResponse> ApiClient::Finish(const char* method, const std::string& path,
                                      httplib::Result& result) const {
  if (!result) return TransportError(method, path, result);
  ApiResponse response{result->status, std::move(result->body),
                       result->get_header_value("Content-Type")};
  if (response.status < 200 || response.status > 299) {
    const Status error = ErrorFromResponse(response.status, response.body);
    return Status(error.code(), Redact(error.message()));
  }
  return response;
}

Result<ApiResponse> ApiClient::Get(const std::string& path) {
  auto result = http_->Get(base_.path_prefix + path);
  return Finish("GET", path, result);
}

Result<ApiResponse> ApiClient::Post(const std::string& path, const std::string& json_body) {
  auto result = http_->Post(base_.path_prefix + path, json_body, "application/json");
  return Finish("POST", path, result);
}

Result<ApiResponse> ApiClient::Put(const std::string& path, const std::string& json_body) {
  auto result = http_->Put(base_.path_prefix + path, json_body, "application/json");
  return Finish("PUT", path, result);
}

Result<ApiResponse> ApiClient::Delete(const std::string& path) {
  auto result = http_->Delete(base_.path_prefix + path);
  return Finish("DELETE", path, result);
}

Status ApiClient::Download(const std::string& path,
                           const std::function<bool(const char* data, size_t size)>& sink) {
  int status = 0;
  std::string error_body;
  bool sink_refused = false;
  auto result = http_->Get(
      base_.path_prefix + path, httplib::Headers{},
      [&](const httplib::Response& response) {
        status = response.status;
        return true;
      },
      [&](const char* data, size_t size) {
        if (status < 200 || status > 299) {
          error_body.append(
              data, std::min(size, kMaxErrorBody - std::min(kMaxErrorBody, error_body.size())));
          return true;
        }
        if (!sink(data, size)) {
          sink_refused = true;
          return false;
        }
        return true;
      });
  if (sink_refused) return Status::Cancelled("download of " + path + " stopped");
  if (!result) return TransportError("GET", path, result);
  if (status < 200 || status > 299) {
    const Status error = ErrorFromResponse(status, error_body);
    return Status(error.code(), Redact(error.message()));
  }
  return Status::Ok();
}

Result<ApiResponse> ApiClient::UploadFile(const std::string& file_path, const std::string& key,
                                          const UploadProgress& progress) {
  Fd fd(::open(file_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    const int err = errno;
    const std::string reason = std::strerror(err);
    if (err == ENOENT) return Status::NotFound("cannot open '" + file_path + "': " + reason);
    return Status::InvalidArgument("cannot open '" + file_path + "': " + reason);
  }
  struct stat info {};
  if (::fstat(fd.get(), &info) != 0 || !S_ISREG(info.st_mode)) {
    return Status::InvalidArgument("'" + file_path + "' is not a regular file");
  }
  auto stream = std::make_shared<UploadStream>();
  stream->layout = LayoutUpload(key, std::filesystem::path(file_path).filename().string());
  stream->fd = fd.get();
  stream->file_size = static_cast<uint64_t>(info.st_size);
  stream->buffer.resize(kUploadPiece);
  stream->progress = progress;
  const uint64_t content_length =
      stream->layout.head.size() + stream->file_size + stream->layout.tail.size();

  auto result = http_->Post(
      base_.path_prefix + "/api/upload", httplib::Headers{}, static_cast<size_t>(content_length),
      [stream](size_t offset, size_t length, httplib::DataSink& sink) {
        return stream->Provide(offset, length, sink);
      },
      "multipart/form-data; boundary=" + stream->layout.boundary);
  if (!stream->failure.ok()) return stream->failure.WithContext("uploading '" + file_path + "'");
  if (!result && (stream->connection_lost || result.error() == httplib::Error::Write)) {
    // A server that refuses an upload from its headers (413: over SALESFLOW_MAX_UPLOAD_BYTES)
    // answers and closes before the body is sent; httplib then reports only the broken write.
    return Status::Unavailable("uploading '" + file_path + "': " + config_.url +
                               " closed the connection before the file was sent (a size limit, "
                               "SALESFLOW_MAX_UPLOAD_BYTES on the server, is the usual cause)");
  }
  return Finish("POST", "/api/upload", result);
}

}  // namespace salesflow::cli
