#include "api/server.h"

#include <arpa/inet.h>
#include <httplib.h>
#include <openssl/rand.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <charconv>
#include <cstdio>
#include <ctime>
#include <exception>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "api/assets.h"
#include "api/codec.h"
#include "api/http_error.h"
#include "api/metrics.h"
#include "api/routes.h"
#include "core/object_key.h"

namespace salesflow::api {
namespace {

using Json = nlohmann::json;
using httplib::ContentReader;
using httplib::Request;
using httplib::Response;
using Clock = std::chrono::steady_clock;

// Multipart framing around the file (boundaries, part headers, the key field) on top of
// max_upload_bytes of content, for the early Content-Length check.
constexpr int64_t kMultipartSlack = 64 * 1024;
constexpr size_t kMaxFormKeyBytes = kMaxObjectKeyBytes;
// JSON bodies over the limit but under this are drained before the 413 (see Precheck).
constexpr size_t kJsonDrainBytes = size_t{16} << 20;

// What the server knows about the request being served. cpp-httplib runs one request from
// the Expect/pre-routing handler through the handler to the logger on one thread, so a
// thread_local carries it between those callbacks, which share no other state.
struct RequestContext {
  bool active = false;  // between the first check and the log line
  Clock::time_point start;
  std::string request_id;
  std::string route = "unmatched";
  std::string principal;  // the key's name, never its secret
  // An auth refusal held back until the (small) body has been read: answering before it
  // and closing with unread bytes resets the connection, and the client sees a broken
  // write instead of the 401/403 (Precheck, Dispatch).
  std::optional<HttpError> refusal;
};

// Declared bodies up to this size are read (and dropped) before an auth refusal is sent;
// larger ones are refused at once (a client that sends Expect: 100-continue never sends them).
constexpr uint64_t kDrainBeforeRefusalBytes = uint64_t{8} << 20;
thread_local RequestContext t_context;

std::string RandomRequestId() {
  unsigned char bytes[8];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) {
    static std::atomic<uint64_t> counter{0};
    return "req-" + std::to_string(counter.fetch_add(1));
  }
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string id;
  for (const unsigned char b : bytes) {
    id += kDigits[b >> 4];
    id += kDigits[b & 0x0f];
  }
  return id;
}

// A client-given X-Request-Id is echoed when it is short and plain; anything else could
// forge log lines, so it is replaced.
bool IsAcceptableRequestId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (const char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.' || c == ':';
    if (!ok) return false;
  }
  return true;
}

std::string_view RawPath(const Request& req) {
  std::string_view target = req.target;
  return target.substr(0, target.find('?'));
}

std::string_view RawQuery(const Request& req) {
  std::string_view target = req.target;
  const size_t question = target.find('?');
  return question == std::string_view::npos ? std::string_view() : target.substr(question + 1);
}

void WriteError(Response& res, const HttpError& error) {
  res.status = error.http_status;
  res.set_content(ErrorBody(error), "application/json");
}

void WriteJson(Response& res, int status, const Json& json) {
  res.status = status;
  res.set_content(Dump(json), "application/json");
}

std::string NowUtc() {
  const auto now = std::chrono::system_clock::now();
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm utc{};
  gmtime_r(&t, &utc);
  char stamp[40];
  std::strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &utc);
  char out[48];
  std::snprintf(out, sizeof(out), "%s.%03dZ", stamp, static_cast<int>(millis));
  return out;
}

// The roles that may use a permission, for 403 messages: "operator, admin".
std::string RolesAllowing(Permission permission) {
  std::string out;
  for (const Role role : {Role::kViewer, Role::kUploader, Role::kOperator, Role::kAdmin}) {
    if (!RoleAllows(role, permission)) continue;
    out += out.empty() ? "" : ", ";
    out += RoleName(role);
  }
  return out;
}

// The secret from "Authorization: Bearer <key>" or "X-API-Key: <key>"; "" when none.
std::string PresentedKey(const Request& req) {
  const std::string authorization = req.get_header_value("Authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.size() > kBearer.size() &&
      strncasecmp(authorization.c_str(), kBearer.data(), kBearer.size()) == 0) {
    return authorization.substr(kBearer.size());
  }
  return req.get_header_value("X-API-Key");
}

// "a/b/day 1.csv" -> "day_1.csv.rejects.csv": a header-safe download name.
std::string RejectsFileName(std::string_view key) {
  const size_t slash = key.rfind('/');
  std::string name;
  for (const char c : key.substr(slash == std::string_view::npos ? 0 : slash + 1)) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '.';
    name += ok ? c : '_';
  }
  return name + ".rejects.csv";
}

}  // namespace

// ---------------------------------------------------------------------------------------

Result<ListenAddress> ParseListenAddress(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument("SALESFLOW_LISTEN '" + std::string(text) + "' " +
                                   std::string(why) +
                                   " (expected host:port, e.g. 127.0.0.1:8080 or [::1]:8080)");
  };
  ListenAddress address;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return bad("is malformed");
    }
    address.host = std::string(text.substr(1, close - 1));
    port_text = text.substr(close + 2);
  } else {
    const size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return bad("has no port");
    address.host = std::string(text.substr(0, colon));
    port_text = text.substr(colon + 1);
    if (address.host.find(':') != std::string::npos) return bad("needs brackets around IPv6");
  }
  if (address.host.empty()) return bad("has no host");
  int port = 0;
  const auto [end, error] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || error != std::errc() || end != port_text.data() + port_text.size() ||
      port < 0 || port > 65535) {
    return bad("has a bad port");
  }
  address.port = port;
  return address;
}

bool IsLoopbackHost(std::string_view host) {
  if (host == "localhost") return true;
  const std::string text(host);
  in_addr v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) {
    return (ntohl(v4.s_addr) >> 24) == 127;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, text.c_str(), &v6) == 1) {
    return IN6_IS_ADDR_LOOPBACK(&v6);
  }
  return false;
}

// ---------------------------------------------------------------------------------------

struct Server::Impl {
  ServerOptions options;
  Backend* backend;
  const KeyStore* keys;
  std::unique_ptr<httplib::Server> http;
  std::thread listener;
  int port = 0;
  bool tls = false;
  std::atomic<bool> listen_returned{false};
  HttpMetrics metrics;

  Impl(ServerOptions o, Backend* b, const KeyStore* k)
      : options(std::move(o)), backend(b), keys(k) {}

  Status Configure();

  // Route, auth and limit checks before any body is read. Returns true when it wrote an
  // error response (the request is then finished).
  // `body_may_follow`: false when called for Expect: 100-continue (the client waits).
  bool Precheck(const Request& req, Response& res, bool body_may_follow);
  // The refusal of a request whose key is missing, invalid or of a role the route does not
  // allow; nullopt when it may proceed (ctx.principal is then set).
  std::optional<HttpError> Authorize(const Request& req, Response& res, const RouteSpec& route);
  void Dispatch(const Request& req, Response& res, const ContentReader* reader);
  void LogRequest(const Request& req, const Response& res);

  // One handler per route; each parses, calls the backend once, serialises. A non-ok Status
  // becomes the error response in Dispatch (the one boundary).
  Status ListReports(const Request& req, Response& res);
  Status Upload(const Request& req, Response& res, const ContentReader* reader);
  Status Process(const Request& req, Response& res, const ContentReader* reader);
  Status ListJobs(const Request& req, Response& res);
  Status GetJob(const Request& req, Response& res, const RouteMatch& match);
  Status Stats(const Request& req, Response& res);
  Status Rejects(const Request& req, Response& res, const RouteMatch& match);
  Status Unload(const Request& req, Response& res, const RouteMatch& match);
  Status ListMappings(const Request& req, Response& res);
  Status GetMapping(const Request& req, Response& res, const RouteMatch& match);
  Status PutMapping(const Request& req, Response& res, const RouteMatch& match,
                    const ContentReader* reader);
  Status DeleteMapping(const Request& req, Response& res, const RouteMatch& match);
  Status Readyz(const Request& req, Response& res);
  Status Metrics(const Request& req, Response& res);
  Status Asset(const Request& req, Response& res, const RouteMatch& match);

  Result<std::string> ReadJsonBody(const Request& req, const ContentReader* reader) const;
};

bool Server::Impl::Precheck(const Request& req, Response& res, bool body_may_follow) {
  // Runs twice for a request with "Expect: 100-continue" (before the 100, then before
  // routing), on the same Response: the second run keeps the id and start time but checks
  // everything again, so nothing rests on state left over from another request.
  RequestContext& ctx = t_context;
  const bool second_run = res.has_header("X-Request-Id") && ctx.active &&
                          ctx.request_id == res.get_header_value("X-Request-Id");
  const Clock::time_point start = second_run ? ctx.start : Clock::now();
  std::string request_id = res.get_header_value("X-Request-Id");
  if (request_id.empty()) {
    const std::string given_id = req.get_header_value("X-Request-Id");
    request_id = IsAcceptableRequestId(given_id) ? given_id : RandomRequestId();
    res.set_header("X-Request-Id", request_id);
  }
  ctx = RequestContext{};
  ctx.active = true;
  ctx.start = start;
  ctx.request_id = std::move(request_id);

  size_t header_bytes = 0;
  for (const auto& [name, value] : req.headers) header_bytes += name.size() + value.size();
  if (req.headers.size() > options.max_header_count || header_bytes > options.max_header_bytes) {
    WriteError(res, MakeHttpError(431, "headers_too_large",
                                  "request headers exceed " +
                                      std::to_string(options.max_header_count) + " fields or " +
                                      std::to_string(options.max_header_bytes) + " bytes"));
    return true;
  }

  auto matched = MatchRoute(req.method, RawPath(req));
  if (!matched.ok()) {
    const Status& status = matched.status();
    if (status.code() == StatusCode::kFailedPrecondition) {
      res.set_header("Allow", AllowedMethods(RawPath(req)));
      WriteError(res, MakeHttpError(405, "method_not_allowed", status.message()));
    } else {
      WriteError(res, HttpErrorFromStatus(status, ctx.request_id));
    }
    return true;
  }
  const RouteSpec& route = *matched->route;
  ctx.route = std::string(route.path);

  if (keys != nullptr && route.permission != Permission::kPublic) {
    if (std::optional<HttpError> refused = Authorize(req, res, route)) {
      uint64_t declared = 0;
      const std::string text = req.get_header_value("Content-Length");
      std::from_chars(text.data(), text.data() + text.size(), declared);
      if (body_may_follow && declared > 0 && declared <= kDrainBeforeRefusalBytes &&
          !req.has_header("Transfer-Encoding")) {
        ctx.refusal = std::move(refused);  // Dispatch reads the body, then answers
        return false;
      }
      WriteError(res, *refused);
      return true;
    }
  }

  const bool has_length = req.has_header("Content-Length");
  uint64_t length = 0;
  if (has_length) {
    const std::string text = req.get_header_value("Content-Length");
    std::from_chars(text.data(), text.data() + text.size(), length);
  }
  const bool has_body = length > 0 || req.has_header("Transfer-Encoding");
  const std::string content_type = req.get_header_value("Content-Type");
  switch (route.body) {
    case BodyKind::kNone:
      if (has_body) {
        WriteError(res, HttpErrorFromStatus(Status::InvalidArgument(std::string(route.method) +
                                                                    " " + std::string(route.path) +
                                                                    " takes no request body"),
                                            ctx.request_id));
        return true;
      }
      break;
    case BodyKind::kJson:
      if (has_body && content_type.rfind("application/json", 0) != 0) {
        WriteError(res, MakeHttpError(415, "unsupported_media_type",
                                      "send the body as JSON with Content-Type: application/json"));
        return true;
      }
      // A slightly too large body is read and discarded by the handler (then 413), so the
      // client, still sending, reliably sees the answer; only a hopeless one is cut here.
      if (length > kJsonDrainBytes) {
        WriteError(res, HttpErrorFromStatus(
                            Status::ResourceExhausted("the JSON body exceeds " +
                                                      std::to_string(options.max_json_body_bytes) +
                                                      " bytes"),
                            ctx.request_id));
        return true;
      }
      break;
    case BodyKind::kMultipart:
      if (content_type.rfind("multipart/form-data", 0) != 0) {
        WriteError(res, MakeHttpError(415, "unsupported_media_type",
                                      "upload with Content-Type: multipart/form-data and the "
                                      "file in the form field 'file'"));
        return true;
      }
      if (length > static_cast<uint64_t>(options.max_upload_bytes + kMultipartSlack)) {
        WriteError(res, HttpErrorFromStatus(
                            Status::ResourceExhausted("the upload exceeds the limit of " +
                                                      std::to_string(options.max_upload_bytes) +
                                                      " bytes (SALESFLOW_MAX_UPLOAD_BYTES)"),
                            ctx.request_id));
        return true;
      }
      break;
  }
  return false;
}

std::optional<HttpError> Server::Impl::Authorize(const Request& req, Response& res,
                                                 const RouteSpec& route) {
  RequestContext& ctx = t_context;
  const std::string secret = PresentedKey(req);
  if (secret.empty()) {
    res.set_header("WWW-Authenticate", "Bearer");
    return HttpErrorFromStatus(
        Status::Unauthenticated("an API key is required: send 'Authorization: Bearer <key>'"),
        ctx.request_id);
  }
  const auto principal = keys->Authenticate(secret);
  if (!principal) {
    res.set_header("WWW-Authenticate", "Bearer");
    return HttpErrorFromStatus(Status::Unauthenticated("the API key is not valid"), ctx.request_id);
  }
  ctx.principal = principal->name;
  if (!RoleAllows(principal->role, route.permission)) {
    return HttpErrorFromStatus(
        Status::PermissionDenied("the key '" + principal->name + "' has role " +
                                 std::string(RoleName(principal->role)) + "; " +
                                 std::string(route.method) + " " + std::string(route.path) +
                                 " needs one of: " + RolesAllowing(route.permission)),
        ctx.request_id);
  }
  return std::nullopt;
}

void Server::Impl::Dispatch(const Request& req, Response& res, const ContentReader* reader) {
  if (t_context.refusal) {
    if (reader != nullptr) {  // read and drop (httplib has one reader per body kind)
      const auto drop = [](const char*, size_t) { return true; };
      if (req.is_multipart_form_data()) {
        (*reader)([](const httplib::MultipartFormData&) { return true; }, drop);
      } else {
        (*reader)(drop);
      }
    }
    WriteError(res, *t_context.refusal);
    return;
  }
  auto matched = MatchRoute(req.method, RawPath(req));
  Status status;
  if (!matched.ok()) {
    status = matched.status();  // unreachable after Precheck; kept as a safety net
  } else {
    const RouteMatch& match = *matched;
    switch (match.route->id) {
      case RouteId::kListReports:
        status = ListReports(req, res);
        break;
      case RouteId::kUpload:
        status = Upload(req, res, reader);
        break;
      case RouteId::kProcess:
        status = Process(req, res, reader);
        break;
      case RouteId::kListJobs:
        status = ListJobs(req, res);
        break;
      case RouteId::kGetJob:
        status = GetJob(req, res, match);
        break;
      case RouteId::kStats:
        status = Stats(req, res);
        break;
      case RouteId::kRejects:
        status = Rejects(req, res, match);
        break;
      case RouteId::kUnload:
        status = Unload(req, res, match);
        break;
      case RouteId::kListMappings:
        status = ListMappings(req, res);
        break;
      case RouteId::kGetMapping:
        status = GetMapping(req, res, match);
        break;
      case RouteId::kPutMapping:
        status = PutMapping(req, res, match, reader);
        break;
      case RouteId::kDeleteMapping:
        status = DeleteMapping(req, res, match);
        break;
      case RouteId::kHealthz:
        WriteJson(res, 200, {{"status", "ok"}});
        break;
      case RouteId::kReadyz:
        status = Readyz(req, res);
        break;
      case RouteId::kMetrics:
        status = Metrics(req, res);
        break;
      case RouteId::kOpenApi:
        res.set_content(std::string(OpenApiDocument()), "application/json");
        break;
      case RouteId::kDashboard:
        WriteWebAsset(req, res, DashboardPage());
        break;
      case RouteId::kAsset:
        status = Asset(req, res, match);
        break;
    }
  }
  if (!status.ok()) {
    const HttpError error = HttpErrorFromStatus(status, t_context.request_id);
    if (error.http_status >= 500) {
      spdlog::warn("request {} failed: {}", t_context.request_id, status.ToString());
    }
    WriteError(res, error);
  }
}

void Server::Impl::LogRequest(const Request& req, const Response& res) {
  RequestContext& ctx = t_context;
  // Requests the library refused before Precheck (bad request line, huge header) have no
  // context; a context left by a request whose response could not be written is stale.
  if (ctx.active && ctx.request_id != res.get_header_value("X-Request-Id")) ctx = RequestContext{};
  const double seconds =
      ctx.active ? std::chrono::duration<double>(Clock::now() - ctx.start).count() : 0.0;
  const std::string route = ctx.active ? ctx.route : "unmatched";
  metrics.Record(route, req.method, res.status, seconds);
  Json line = {{"ts", NowUtc()},
               {"level", res.status >= 500 ? "error" : "info"},
               {"msg", "http_request"},
               {"request_id", res.get_header_value("X-Request-Id")},
               {"method", req.method},
               {"route", route},
               {"path", std::string(RawPath(req))},
               {"status", res.status},
               {"duration_ms", seconds * 1000.0},
               {"remote_addr", req.remote_addr}};
  if (!ctx.principal.empty()) line["key_name"] = ctx.principal;
  const std::string text = Dump(line);
  if (options.request_log) {
    options.request_log(text);
  } else {
    const std::string with_newline = text + "\n";
    std::fwrite(with_newline.data(), 1, with_newline.size(), stderr);
  }
  ctx = RequestContext{};
}

Result<std::string> Server::Impl::ReadJsonBody(const Request& req,
                                               const ContentReader* reader) const {
  if (reader == nullptr) {
    if (req.body.size() > options.max_json_body_bytes) {
      return Status::ResourceExhausted("the JSON body exceeds " +
                                       std::to_string(options.max_json_body_bytes) + " bytes");
    }
    return req.body;
  }
  std::string body;
  size_t received = 0;
  const bool complete = (*reader)([&](const char* data, size_t size) {
    received += size;
    if (received <= options.max_json_body_bytes) body.append(data, size);
    return received <= std::max(kJsonDrainBytes, options.max_json_body_bytes);
  });
  const bool too_large = received > options.max_json_body_bytes;
  if (too_large) {
    return Status::ResourceExhausted("the JSON body exceeds " +
                                     std::to_string(options.max_json_body_bytes) + " bytes");
  }
  if (!complete) {
    return Status::InvalidArgument(
        "the request body could not be read: malformed chunked encoding, or the client "
        "stopped sending for longer than the read timeout");
  }
  return body;
}

Status Server::Impl::ListReports(const Request& req, Response& res) {
  SF_ASSIGN_OR_RETURN(auto query, ParseQuery(RawQuery(req), {"prefix", "limit", "page_token"}));
  SF_ASSIGN_OR_RETURN(auto request, ParseListReportsQuery(query));
  SF_ASSIGN_OR_RETURN(auto page, backend->ListReports(request));
  Json reports = Json::array();
  for (const ReportInfo& report : page.reports) reports.push_back(ReportToJson(report));
  WriteJson(res, 200,
            {{"reports", std::move(reports)},
             {"next_page_token",
              page.next_page_token.empty() ? Json(nullptr) : Json(page.next_page_token)}});
  return Status::Ok();
}

// Streams the multipart body: the optional field "key" (which must come before "file"),
// then the field "file" straight into the backend's writer, chunk by chunk. The object is
// committed only after the whole body parsed; any failure aborts it.
Status Server::Impl::Upload(const Request& req, Response& res, const ContentReader* reader) {
  SF_ASSIGN_OR_RETURN(auto query, ParseQuery(RawQuery(req), {}));
  (void)query;
  if (reader == nullptr) return Status::InvalidArgument("the upload has no body");
  enum class Field { kNone, kKey, kFile, kDone };
  Field field = Field::kNone;
  std::string key_field;
  bool key_seen = false;
  bool file_seen = false;
  std::string key;
  std::unique_ptr<storage::ObjectWriter> writer;
  int64_t size = 0;
  Status failure;  // why the upload stopped, when it was our decision

  auto on_part = [&](const httplib::MultipartFormData& part) {
    if (field == Field::kFile) field = Field::kDone;
    if (part.name == "key") {
      if (file_seen) {
        failure = Status::InvalidArgument("the form field 'key' must come before 'file'");
        return false;
      }
      if (key_seen) {
        failure = Status::InvalidArgument("the form field 'key' is given twice");
        return false;
      }
      key_seen = true;
      field = Field::kKey;
      return true;
    }
    if (part.name != "file") {
      failure = Status::InvalidArgument("unknown form field '" + part.name +
                                        "' (expected 'key' and 'file')");
      return false;
    }
    if (file_seen) {
      failure = Status::InvalidArgument("upload one file per request (field 'file' repeated)");
      return false;
    }
    file_seen = true;
    key = key_seen ? key_field : part.filename;
    if (key.empty()) {
      failure = Status::InvalidArgument(
          "no object key: give the form field 'key' or a file name in the 'file' part");
      return false;
    }
    failure = ValidateObjectKey(key);
    if (!failure.ok()) return false;
    auto opened = backend->OpenUpload(key, std::nullopt);
    if (!opened.ok()) {
      failure = opened.status();
      return false;
    }
    writer = std::move(opened).value();
    field = Field::kFile;
    return true;
  };
  auto on_data = [&](const char* data, size_t length) {
    switch (field) {
      case Field::kKey:
        if (key_field.size() + length > kMaxFormKeyBytes) {
          failure = Status::InvalidArgument("the form field 'key' exceeds " +
                                            std::to_string(kMaxFormKeyBytes) + " bytes");
          return false;
        }
        key_field.append(data, length);
        return true;
      case Field::kFile:
        size += static_cast<int64_t>(length);
        if (size > options.max_upload_bytes) {
          failure = Status::ResourceExhausted("the file exceeds the upload limit of " +
                                              std::to_string(options.max_upload_bytes) +
                                              " bytes (SALESFLOW_MAX_UPLOAD_BYTES)");
          return false;
        }
        failure = writer->Write(std::string_view(data, length));
        return failure.ok();
      case Field::kNone:
      case Field::kDone:
        return true;
    }
    return true;
  };
  const bool complete = (*reader)(on_part, on_data);
  if (!failure.ok() || !complete) {
    if (writer) writer->Abort();
    if (!failure.ok()) return failure;
    return Status::InvalidArgument(
        "the multipart body could not be read: malformed, or the client stopped sending "
        "for longer than the read timeout");
  }
  if (!file_seen) {
    return Status::InvalidArgument("the multipart form has no field 'file'");
  }
  SF_ASSIGN_OR_RETURN(auto info, writer->Commit());
  WriteJson(res, 201,
            {{"key", info.key}, {"size", static_cast<int64_t>(info.size)}, {"etag", info.etag}});
  return Status::Ok();
}

Status Server::Impl::Process(const Request& req, Response& res, const ContentReader* reader) {
  SF_ASSIGN_OR_RETURN(auto query, ParseQuery(RawQuery(req), {}));
  (void)query;
  SF_ASSIGN_OR_RETURN(const std::string body, ReadJsonBody(req, reader));
  SF_ASSIGN_OR_RETURN(const Json json, ParseJsonObject(body));
  SF_ASSIGN_OR_RETURN(const ProcessCommand command, ParseProcessCommand(json));
  SF_ASSIGN_OR_RETURN(auto jobs, backend->EnqueueProcess(command.request));
  if (command.wait && !jobs.empty()) {
    std::vector<JobId> ids;
    for (const JobInfo& job : jobs) ids.push_back(job.job_id);
    SF_ASSIGN_OR_RETURN(jobs, backend->WaitForJobs(ids, options.max_process_wait));
  }
  bool all_final = true;
  for (const JobInfo& job : jobs) all_final = all_final && IsFinal(job.status);
  const bool finished = command.wait && all_final;
  Json list = Json::array();
  for (const JobInfo& job : jobs) list.push_back(finished ? JobToJson(job) : JobSummaryToJson(job));
  WriteJson(res, finished ? 200 : 202, {{"jobs", std::move(list)}});
  return Status::Ok();
}

Status Server::Impl::ListJobs(const Request& req, Response& res) {
  SF_ASSIGN_OR_RETURN(auto query, ParseQuery(RawQuery(req), {"limit"}));
  SF_ASSIGN_OR_RETURN(const int limit, ParseJobsLimit(query));
  SF_ASSIGN_OR_RETURN(auto jobs, backend->ListJobs(limit));
  Json list = Json::array();
  for (const JobInfo& job : jobs) list.push_back(JobToJson(job));
  WriteJson(res, 200, {{"jobs", std::move(list)}});
  return Status::Ok();
}

Status Server::Impl::GetJob(const Request& req, Response& res, const RouteMatch& match) {
  SF_ASSIGN_OR_RETURN(auto query, ParseQuery(RawQuery(req), {}));
  (void)query;
  SF_ASSIGN_OR_RETURN(const JobId id, ParseJobId(match.params[0]));
  SF_ASSIGN_OR_RETURN(auto job, backend->GetJob(id));
  WriteJson(res, 200, JobToJson(job));
  return Status::Ok();
}

Status Server::Impl::Stats(const Request& req, Response& res) {
  SF_ASSIGN_OR_RETURN(auto query,
                      ParseQuery(RawQuery(req), {"from", "to", "group_by", "top", "currency"}));
  SF_ASSIGN_OR_RETURN(auto stats_query, ParseStatsQuery(query));
  SF_ASSIGN_OR_RETURN(auto stats, backend->QueryStats(stats_query));
  WriteJson(res, 200, StatsToJson(stats));
  return Status::Ok();
}

// Streams the rejects as CSV in chunks of about 64 KiB; a failure mid-stream closes the
// connection without the final chunk, so a client never mistakes a truncated file for
// a complete one.
Status Server::Impl::Rejects(const Request& req, Response& res, const RouteMatch& match) {
  SF_ASSIGN_OR_RETURN(auto query, ParseQuery(RawQuery(req), {}));
  (void)query;
  const std::string& key = match.params[0];
  SF_RETURN_IF_ERROR(ValidateObjectKey(key));
  SF_ASSIGN_OR_RETURN(std::unique_ptr<RejectCursor> opened, backend->OpenRejects(key));
  std::shared_ptr<RejectCursor> cursor = std::move(opened);
  res.status = 200;
  res.set_header("Content-Disposition", "attachment; filename=\"" + RejectsFileName(key) + "\"");
  auto header_sent = std::make_shared<bool>(false);
  const std::string request_id = t_context.request_id;
  res.set_chunked_content_provider("text/csv; charset=utf-8", [cursor, header_sent, request_id](
                                                                  size_t, httplib::DataSink& sink) {
    std::string chunk;
    if (!*header_sent) {
      chunk = kRejectsCsvHeader;
      *header_sent = true;
    }
    core::RejectedRow row;
    while (chunk.size() < 64 * 1024) {
      auto next = cursor->Next(&row);
      if (!next.ok()) {
        spdlog::warn("request {}: rejects stream failed: {}", request_id, next.status().ToString());
        return false;
      }
      if (!*next) {
        if (!chunk.empty() && !sink.write(chunk.data(), chunk.size())) return false;
        sink.done();
        return true;
      }
      AppendRejectCsv(row, &chunk);
    }
    return sink.write(chunk.data(), chunk.size());
  });
  return Status::Ok();
}

Status Server::Impl::Unload(const Request& req, Response& res, const RouteMatch& match) {
  SF_ASSIGN_OR_RETURN(auto query, ParseQuery(RawQuery(req), {}));
  (void)query;
  const std::string& key = match.params[0];
  SF_RETURN_IF_ERROR(ValidateObjectKey(key));
  SF_ASSIGN_OR_RETURN(auto result, backend->UnloadReport(key));
  WriteJson(res, 200, {{"key", result.key}, {"rows_deleted", result.rows_deleted}});
  return Status::Ok();
}

Status Server::Impl::ListMappings(const Request& req, Response& res) {
  SF_ASSIGN_OR_RETURN(auto query, ParseQuery(RawQuery(req), {}));
  (void)query;
  SF_ASSIGN_OR_RETURN(auto mappings, backend->ListMappings());
  Json list = Json::array();
  for (const PrefixMapping& mapping : mappings) list.push_back(MappingToJson(mapping));
  WriteJson(res, 200, {{"mappings", std::move(list)}});
  return Status::Ok();
}

Status Server::Impl::GetMapping(const Request& req, Response& res, const RouteMatch& match) {
  SF_ASSIGN_OR_RETURN(auto query, ParseQuery(RawQuery(req), {}));
  (void)query;
  SF_RETURN_IF_ERROR(ValidateKeyPrefix(match.params[0]));
  SF_ASSIGN_OR_RETURN(auto mapping, backend->GetMapping(match.params[0]));
  WriteJson(res, 200, MappingToJson(mapping));
  return Status::Ok();
}

Status Server::Impl::PutMapping(const Request& req, Response& res, const RouteMatch& match,
                                const ContentReader* reader) {
  SF_ASSIGN_OR_RETURN(auto query, ParseQuery(RawQuery(req), {}));
  (void)query;
  SF_RETURN_IF_ERROR(ValidateKeyPrefix(match.params[0]));
  SF_ASSIGN_OR_RETURN(const std::string body, ReadJsonBody(req, reader));
  SF_ASSIGN_OR_RETURN(const Json json, ParseJsonObject(body));
  SF_ASSIGN_OR_RETURN(auto mapping, ParseMappingBody(json, match.params[0]));
  SF_RETURN_IF_ERROR(backend->PutMapping(mapping));
  WriteJson(res, 200, MappingToJson(mapping));
  return Status::Ok();
}

Status Server::Impl::DeleteMapping(const Request& req, Response& res, const RouteMatch& match) {
  SF_ASSIGN_OR_RETURN(auto query, ParseQuery(RawQuery(req), {}));
  (void)query;
  SF_RETURN_IF_ERROR(ValidateKeyPrefix(match.params[0]));
  SF_RETURN_IF_ERROR(backend->DeleteMapping(match.params[0]));
  res.status = 204;
  return Status::Ok();
}

// The dashboard's embedded files (assets.h); an unknown name is a JSON 404 like any other.
Status Server::Impl::Asset(const Request& req, Response& res, const RouteMatch& match) {
  SF_ASSIGN_OR_RETURN(auto query, ParseQuery(RawQuery(req), {}));
  (void)query;
  const WebAsset* asset = FindWebAsset(match.params[0]);
  if (asset == nullptr) return Status::NotFound("no dashboard asset '" + match.params[0] + "'");
  WriteWebAsset(req, res, *asset);
  return Status::Ok();
}

Status Server::Impl::Readyz(const Request& req, Response& res) {
  SF_ASSIGN_OR_RETURN(auto query, ParseQuery(RawQuery(req), {}));
  (void)query;
  const Readiness ready = backend->CheckReady();
  if (!ready.ready()) {
    auto describe = [](const Status& s) { return s.ok() ? std::string("ok") : s.message(); };
    return Status::Unavailable("not ready: database: " + describe(ready.database) +
                               "; storage: " + describe(ready.storage));
  }
  WriteJson(res, 200, {{"status", "ready"}, {"database", "ok"}, {"storage", "ok"}});
  return Status::Ok();
}

Status Server::Impl::Metrics(const Request& req, Response& res) {
  SF_ASSIGN_OR_RETURN(auto query, ParseQuery(RawQuery(req), {}));
  (void)query;
  res.set_content(metrics.Render(backend->CollectMetrics()),
                  "text/plain; version=0.0.4; charset=utf-8");
  return Status::Ok();
}

Status Server::Impl::Configure() {
  SF_ASSIGN_OR_RETURN(const ListenAddress address, ParseListenAddress(options.listen));
  if (keys == nullptr && !IsLoopbackHost(address.host)) {
    return Status::FailedPrecondition(
        "refusing to listen on " + options.listen +
        " without API keys: a non-loopback address needs SALESFLOW_API_KEYS_FILE (create keys "
        "with `salesflow keys add NAME --role ROLE`), or listen on 127.0.0.1");
  }
  if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
    return Status::InvalidArgument(
        "HTTPS needs both SALESFLOW_TLS_CERT and SALESFLOW_TLS_KEY (only one is set)");
  }
  if (options.max_upload_bytes <= 0 || options.threads == 0) {
    return Status::InvalidArgument(
        "SALESFLOW_MAX_UPLOAD_BYTES and the thread count must be positive");
  }
  if (!options.tls_cert_file.empty()) {
    auto server = std::make_unique<httplib::SSLServer>(options.tls_cert_file.c_str(),
                                                       options.tls_key_file.c_str());
    if (!server->is_valid()) {
      return Status::InvalidArgument(
          "cannot load the TLS certificate and key from SALESFLOW_TLS_CERT=" +
          options.tls_cert_file + " and SALESFLOW_TLS_KEY=" + options.tls_key_file +
          " (PEM files, readable, key matching the certificate)");
    }
    http = std::move(server);
    tls = true;
  } else {
    http = std::make_unique<httplib::Server>();
  }

  const size_t threads = options.threads;
  http->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  http->set_read_timeout(options.read_timeout);
  http->set_write_timeout(options.write_timeout);
  http->set_keep_alive_timeout(5);
  http->set_tcp_nodelay(true);
  // The library rejects larger declared bodies itself; each route enforces its own limit.
  http->set_payload_max_length(static_cast<size_t>(options.max_upload_bytes + kMultipartSlack));
  http->set_default_headers({{"X-Content-Type-Options", "nosniff"}, {"Cache-Control", "no-store"}});

  http->set_expect_100_continue_handler([this](const Request& req, Response& res) {
    return Precheck(req, res, false) ? res.status : 100;
  });
  http->set_pre_routing_handler([this](const Request& req, Response& res) {
    return Precheck(req, res, true) ? httplib::Server::HandlerResponse::Handled
                                    : httplib::Server::HandlerResponse::Unhandled;
  });
  const auto plain = [this](const Request& req, Response& res) { Dispatch(req, res, nullptr); };
  const auto streaming = [this](const Request& req, Response& res, const ContentReader& reader) {
    Dispatch(req, res, &reader);
  };
  // Every request goes through the one route table (Precheck + Dispatch); httplib's own
  // pattern routing only hands requests over.
  http->Get(".*", plain);
  http->Post(".*", plain);
  http->Post(".*", streaming);
  http->Put(".*", plain);
  http->Put(".*", streaming);
  http->Delete(".*", plain);
  http->Delete(".*", streaming);
  http->set_error_handler(httplib::Server::HandlerWithResponse([](const Request&, Response& res) {
    // Errors the library produced itself (bad request line, oversized header, URI too
    // long ...) get the same JSON shape as ours.
    if (!res.has_header("X-Request-Id")) res.set_header("X-Request-Id", RandomRequestId());
    if (res.body.empty() && !res.content_provider_) {
      WriteError(res, HttpErrorForLibraryStatus(res.status));
    }
    return httplib::Server::HandlerResponse::Handled;
  }));
  http->set_exception_handler([](const Request&, Response& res, std::exception_ptr error) {
    std::string what = "unknown exception";
    try {
      if (error) std::rethrow_exception(error);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    spdlog::error("request {} threw: {}", t_context.request_id, what);
    WriteError(res, HttpErrorFromStatus(Status::Internal(what), t_context.request_id));
  });
  http->set_logger([this](const Request& req, const Response& res) { LogRequest(req, res); });

  if (address.port == 0) {
    port = http->bind_to_any_port(address.host);
    if (port < 0) port = 0;
  } else if (http->bind_to_port(address.host, address.port)) {
    port = address.port;
  }
  if (port == 0) {
    return Status::Unavailable("cannot listen on " + options.listen +
                               ": the address is in use, not local, or not permitted");
  }
  return Status::Ok();
}

Server::Server(ServerOptions options, Backend* backend, const KeyStore* keys)
    : impl_(std::make_unique<Impl>(std::move(options), backend, keys)) {}

Server::~Server() { Stop(); }

Status Server::Start() {
  if (impl_->http) return Status::FailedPrecondition("the server was already started");
  SF_RETURN_IF_ERROR(impl_->Configure());
  // The socket is bound and listening (backlog) already, so clients can connect as soon
  // as this returns; the thread only runs the accept loop.
  auto* impl = impl_.get();
  impl->listener = std::thread([impl] {
    impl->http->listen_after_bind();
    impl->listen_returned = true;
  });
  // httplib::Server::stop() is a no-op until the accept loop has marked itself running, so
  // wait for that (microseconds; a condition, not a timed sleep) to make Stop() reliable.
  while (!impl->http->is_running() && !impl->listen_returned) std::this_thread::yield();
  return Status::Ok();
}

void Server::StopAccepting() {
  if (impl_->http) impl_->http->stop();
}

void Server::Stop() {
  StopAccepting();
  if (impl_->listener.joinable()) impl_->listener.join();
}

int Server::port() const { return impl_->port; }

std::string Server::url() const {
  const ListenAddress address = ParseListenAddress(impl_->options.listen).value();
  const std::string host =
      address.host.find(':') != std::string::npos ? "[" + address.host + "]" : address.host;
  return std::string(impl_->tls ? "https" : "http") + "://" + host + ":" +
         std::to_string(impl_->port);
}

}  // namespace salesflow::api
