// The S3 backend: path-style requests (https://host/bucket/key, what MinIO and s3rver need),
// signed with our SigV4 signer (sigv4.h) and sent with cpp-httplib. See docs/storage.md for
// why this and not libcurl.
//
// Every request body is in memory (PutObject below the multipart threshold, one part above
// it), so every request signs its payload's SHA-256, as botocore does over plain HTTP.
// Retries: connection errors, 429 and 5xx, up to env.max_attempts with exponential backoff and
// jitter. A Get that breaks mid-body resumes with a Range from the last byte delivered and
// If-Match on the ETag it started with, so the sink sees every byte exactly once.
#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <ctime>
#include <mutex>
#include <pugixml.hpp>
#include <random>
#include <thread>

#include "core/object_key.h"
#include "storage/backends_impl.h"
#include "storage/s3_xml.h"
#include "storage/sigv4.h"

namespace salesflow::storage {
namespace {

constexpr std::size_t kMaxErrorBody = 64 * 1024;
constexpr std::size_t kMaxIdleClients = 8;

bool IsRetryableStatus(int status) { return status == 429 || (status >= 500 && status <= 599); }

std::string Unquote(std::string etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
    etag = etag.substr(1, etag.size() - 2);
  }
  return etag;
}

int64_t ParseHttpDate(const std::string& text) {
  std::tm tm{};
  if (text.empty() || ::strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S", &tm) == nullptr) return 0;
  return static_cast<int64_t>(::timegm(&tm));
}

// "bytes 0-9/100" -> 100.
std::optional<uint64_t> TotalFromContentRange(const std::string& value) {
  const std::size_t slash = value.rfind('/');
  if (slash == std::string::npos || slash + 1 >= value.size()) return std::nullopt;
  try {
    return std::stoull(value.substr(slash + 1));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// "bytes 5-9/10" -> 5.
std::optional<uint64_t> StartFromContentRange(const std::string& value) {
  const std::size_t space = value.find(' ');
  const std::size_t dash = value.find('-');
  if (space == std::string::npos || dash == std::string::npos || dash < space) return std::nullopt;
  try {
    return std::stoull(value.substr(space + 1, dash - space - 1));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

uint64_t ParseLength(const std::string& value) {
  try {
    return value.empty() ? 0 : std::stoull(value);
  } catch (const std::exception&) {
    return 0;
  }
}

// One S3 request. The body, when any, is signed by its hash.
struct Call {
  std::string method;
  std::string key;  // full key (store prefix included); empty for bucket-level requests
  sigv4::Pairs query;
  sigv4::Pairs headers;  // signed and sent
  std::string body;
};

// What came back: status, headers and (for non-streaming calls, or errors) the body.
struct Reply {
  int status = 0;
  httplib::Headers headers;
  std::string body;
  std::string Header(const char* name) const {
    const auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

class S3Store;

class S3Writer final : public ObjectWriter {
 public:
  S3Writer(S3Store& store, std::string key, std::string full_key, WriteOptions options)
      : store_(store),
        key_(std::move(key)),
        full_key_(std::move(full_key)),
        options_(std::move(options)) {}
  ~S3Writer() override { Abort(); }
  Status Write(std::string_view bytes) override;
  Result<ObjectInfo> Commit() override;
  void Abort() override;

 private:
  Status Fail(Status status) {
    Abort();
    error_ = status;
    return status;
  }
  Status UploadPart(std::string body);

  S3Store& store_;
  std::string key_, full_key_;
  WriteOptions options_;
  std::string buffer_;
  std::string upload_id_;
  std::vector<std::string> part_etags_;
  uint64_t size_ = 0;
  bool finished_ = false;
  Status error_;
};

class S3Store final : public ObjectStore {
 public:
  S3Store(StorageLocation location, Endpoint endpoint, StorageEnv env)
      : location_(std::move(location)), endpoint_(std::move(endpoint)), env_(std::move(env)) {}

  Result<ListPage> List(std::string_view prefix, std::string_view continuation_token,
                        int max_keys) override;
  Result<ObjectInfo> Head(std::string_view key) override;
  Status Get(std::string_view key, const GetOptions& options, const ChunkSink& sink) override;
  Result<std::unique_ptr<ObjectWriter>> OpenWriter(std::string_view key,
                                                   const WriteOptions& options) override;
  Status Delete(std::string_view key) override;
  std::string Describe() const override {
    std::string out = "s3://" + location_.bucket;
    if (!location_.prefix.empty()) {
      out += '/';
      out.append(location_.prefix, 0, location_.prefix.size() - 1);  // without its trailing '/'
    }
    out += " at ";
    out += endpoint_.SchemeHostPort();
    return out;
  }

  // Sends a buffered call with retries. The reply may be any HTTP status.
  Result<Reply> Send(const Call& call);
  // Turns a non-2xx reply into a Status naming `key` (relative) when given.
  Status ErrorFromReply(const Reply& reply, std::string_view key) const;
  std::string FullKey(std::string_view key) const { return location_.prefix + std::string(key); }

 private:
  using HeadersHandler = std::function<bool(const httplib::Response&)>;
  using BodyHandler = std::function<bool(const char*, std::size_t)>;

  std::unique_ptr<httplib::Client> AcquireClient();
  void ReleaseClient(std::unique_ptr<httplib::Client> client);
  // One attempt. With handlers, a 2xx body streams to on_body; other bodies are kept (bounded)
  // in the reply. Returns the transport error, if any.
  httplib::Error SendOnce(const Call& call, Reply& reply, const HeadersHandler& on_headers,
                          const BodyHandler& on_body);
  void Backoff(int attempt) const;
  Status TransportError(httplib::Error error) const;

  StorageLocation location_;
  Endpoint endpoint_;
  StorageEnv env_;
  std::mutex pool_mutex_;
  std::vector<std::unique_ptr<httplib::Client>> idle_;
};

std::unique_ptr<httplib::Client> S3Store::AcquireClient() {
  {
    std::lock_guard lock(pool_mutex_);
    if (!idle_.empty()) {
      auto client = std::move(idle_.back());
      idle_.pop_back();
      return client;
    }
  }
  auto client = std::make_unique<httplib::Client>(endpoint_.SchemeHostPort());
  const auto set_ms = [](int ms, auto setter) { setter(ms / 1000, (ms % 1000) * 1000); };
  set_ms(env_.connect_timeout_ms,
         [&](time_t s, time_t us) { client->set_connection_timeout(s, us); });
  set_ms(env_.read_timeout_ms, [&](time_t s, time_t us) { client->set_read_timeout(s, us); });
  set_ms(env_.read_timeout_ms, [&](time_t s, time_t us) { client->set_write_timeout(s, us); });
  client->set_keep_alive(true);
  // Bytes must arrive exactly as stored: a .csv.gz uploaded with Content-Encoding: gzip must
  // not be inflated on the way (ETag and size describe the stored bytes).
  client->set_decompress(false);
  if (endpoint_.scheme == "https") client->enable_server_certificate_verification(true);
  return client;
}

void S3Store::ReleaseClient(std::unique_ptr<httplib::Client> client) {
  std::lock_guard lock(pool_mutex_);
  if (idle_.size() < kMaxIdleClients) idle_.push_back(std::move(client));
}

httplib::Error S3Store::SendOnce(const Call& call, Reply& reply, const HeadersHandler& on_headers,
                                 const BodyHandler& on_body) {
  const std::string path =
      "/" + location_.bucket + (call.key.empty() ? "" : "/" + sigv4::UriEncode(call.key, true));
  sigv4::SigningInput input;
  input.method = call.method;
  input.host = endpoint_.HostHeader();
  input.encoded_path = path;
  input.query = call.query;
  input.headers = call.headers;
  input.payload_hash = sigv4::HexSha256(call.body);
  input.amz_date = sigv4::AmzDate(std::chrono::duration_cast<std::chrono::seconds>(
                                      std::chrono::system_clock::now().time_since_epoch())
                                      .count());
  input.region = env_.region;
  const sigv4::Signature signature =
      sigv4::Sign(input, {env_.access_key_id, env_.secret_access_key, env_.session_token});

  httplib::Request request;
  request.method = call.method;
  request.path = signature.canonical_query.empty() ? path : path + "?" + signature.canonical_query;
  request.set_header("Host", input.host);
  for (const auto& [name, value] : call.headers) request.set_header(name, value);
  for (const auto& [name, value] : signature.headers_to_send) request.set_header(name, value);
  request.body = call.body;
  bool streaming_body = false;
  request.response_handler = [&](const httplib::Response& response) {
    reply.status = response.status;
    reply.headers = response.headers;
    streaming_body = on_body && response.status / 100 == 2;
    return on_headers ? on_headers(response) : true;
  };
  request.content_receiver = [&](const char* data, std::size_t size, uint64_t, uint64_t) {
    if (streaming_body) return on_body(data, size);
    if (reply.body.size() < kMaxErrorBody || !on_body) reply.body.append(data, size);
    return true;
  };
  // A HEAD response announces a Content-Length but has no body: give httplib no receiver so
  // it does not wait for one.
  if (call.method == "HEAD") request.content_receiver = nullptr;

  auto client = AcquireClient();
  httplib::Response response;
  httplib::Error error = httplib::Error::Success;
  client->send(request, response, error);
  // httplib calls no response handler for HEAD and 204 replies: take status and headers here.
  if (error == httplib::Error::Success && reply.status == 0) {
    reply.status = response.status;
    reply.headers = response.headers;
  }
  if (error == httplib::Error::Success) ReleaseClient(std::move(client));
  return error;
}

void S3Store::Backoff(int attempt) const {
  thread_local std::mt19937 engine{std::random_device{}()};
  const int base = std::min(5000, env_.initial_backoff_ms << std::min(attempt, 10));
  std::uniform_int_distribution<int> jitter(base / 2, base);
  std::this_thread::sleep_for(std::chrono::milliseconds(jitter(engine)));
}

Status S3Store::TransportError(httplib::Error error) const {
  const std::string where =
      "S3 endpoint " + endpoint_.SchemeHostPort() + " (AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL)";
  switch (error) {
    case httplib::Error::Connection:
      return Status::Unavailable("cannot connect to " + where +
                                 ": connection refused or host unreachable");
    case httplib::Error::ConnectionTimeout:
      return Status::DeadlineExceeded("connecting to " + where + " timed out");
    case httplib::Error::SSLConnection:
    case httplib::Error::SSLLoadingCerts:
    case httplib::Error::SSLServerVerification:
      return Status::Unavailable("TLS with " + where + " failed: " + httplib::to_string(error));
    case httplib::Error::Read:
    case httplib::Error::Write:
      return Status::Unavailable("connection to " + where + " failed while transferring (" +
                                 httplib::to_string(error) + ", or a read timeout)");
    default:
      return Status::Unavailable("request to " + where + " failed: " + httplib::to_string(error));
  }
}

Result<Reply> S3Store::Send(const Call& call) {
  Status last;
  for (int attempt = 0; attempt < std::max(1, env_.max_attempts); ++attempt) {
    if (attempt > 0) Backoff(attempt - 1);
    Reply reply;
    const httplib::Error error = SendOnce(call, reply, nullptr, nullptr);
    if (error != httplib::Error::Success) {
      last = TransportError(error);
      continue;
    }
    if (IsRetryableStatus(reply.status)) {
      last = ErrorFromReply(reply, call.key);
      continue;
    }
    return reply;
  }
  return last.WithContext("after " + std::to_string(std::max(1, env_.max_attempts)) + " attempts");
}

Status S3Store::ErrorFromReply(const Reply& reply, std::string_view key) const {
  const S3Error error = ParseS3Error(reply.body);
  const std::string object = key.empty() ? Describe() : Quote(key) + " in " + Describe();
  const std::string detail = error.code.empty()
                                 ? "HTTP " + std::to_string(reply.status)
                                 : error.code + (error.message.empty() ? "" : ": " + error.message);
  const std::string credentials_hint =
      "; check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN)";
  if (error.code == "NoSuchKey") return Status::NotFound("no object " + object);
  if (error.code == "NoSuchBucket") {
    return Status::NotFound("bucket '" + location_.bucket + "' does not exist at " +
                            endpoint_.SchemeHostPort() + " (SALESFLOW_STORAGE)");
  }
  if (error.code == "NoSuchUpload") return Status::NotFound("multipart upload vanished: " + detail);
  if (error.code == "InvalidAccessKeyId" || error.code == "SignatureDoesNotMatch" ||
      error.code == "ExpiredToken" || error.code == "InvalidToken" || reply.status == 401) {
    return Status::Unauthenticated("S3 refused the credentials for " + Describe() + " (" + detail +
                                   ")" + credentials_hint);
  }
  if (error.code == "AccessDenied" || reply.status == 403) {
    return Status::PermissionDenied("access denied to " + object + " (" + detail + ")" +
                                    (error.code.empty() ? credentials_hint : ""));
  }
  if (error.code == "InvalidRange" || reply.status == 416) {
    return Status::InvalidArgument("range is outside " + object + " (" + detail + ")");
  }
  if (error.code == "PreconditionFailed" || reply.status == 412) {
    return Status::FailedPrecondition(object + " changed while it was read (" + detail + ")");
  }
  if (reply.status == 404) return Status::NotFound("no object " + object + " (" + detail + ")");
  if (reply.status == 400)
    return Status::InvalidArgument("S3 rejected a request on " + object + " (" + detail + ")");
  if (IsRetryableStatus(reply.status)) {
    return Status::Unavailable("S3 at " + endpoint_.SchemeHostPort() + " is failing (" + detail +
                               ")");
  }
  return Status::Internal("unexpected S3 reply on " + object + " (" + detail + ")");
}

Result<ListPage> S3Store::List(std::string_view prefix, std::string_view continuation_token,
                               int max_keys) {
  SF_RETURN_IF_ERROR(ValidateKeyPrefix(prefix));
  Call call{"GET", "", {{"list-type", "2"}}, {}, {}};
  call.query.emplace_back("max-keys",
                          std::to_string(std::clamp(max_keys <= 0 ? 1000 : max_keys, 1, 1000)));
  const std::string full_prefix = location_.prefix + std::string(prefix);
  if (!full_prefix.empty()) call.query.emplace_back("prefix", full_prefix);
  if (!continuation_token.empty()) {
    call.query.emplace_back("continuation-token", std::string(continuation_token));
  }
  SF_ASSIGN_OR_RETURN(Reply reply, Send(call));
  if (reply.status / 100 != 2) return ErrorFromReply(reply, "");
  SF_ASSIGN_OR_RETURN(ListPage page, ParseListObjectsV2(reply.body, location_.prefix));
  std::sort(page.objects.begin(), page.objects.end(),
            [](const ObjectInfo& a, const ObjectInfo& b) { return a.key < b.key; });
  return page;
}

Result<ObjectInfo> S3Store::Head(std::string_view key) {
  SF_RETURN_IF_ERROR(ValidateObjectKey(key));
  SF_ASSIGN_OR_RETURN(Reply reply, Send(Call{"HEAD", FullKey(key), {}, {}, {}}));
  if (reply.status / 100 != 2) return ErrorFromReply(reply, key);
  return ObjectInfo{std::string(key), ParseLength(reply.Header("Content-Length")),
                    Unquote(reply.Header("ETag")), ParseHttpDate(reply.Header("Last-Modified"))};
}

Status S3Store::Get(std::string_view key, const GetOptions& options, const ChunkSink& sink) {
  SF_RETURN_IF_ERROR(ValidateObjectKey(key));
  if (options.length && *options.length == 0) {
    return Status::InvalidArgument("a range Get needs a length > 0");
  }
  const std::size_t chunk_size = std::max<std::size_t>(1, options.chunk_size);
  const bool ranged = options.offset > 0 || options.length.has_value();
  uint64_t delivered = 0;  // bytes handed to the sink so far
  std::string etag = options.if_match;
  bool info_sent = false;
  Status stop;  // why a handler cancelled the transfer
  Status last;
  std::string chunk;
  chunk.reserve(chunk_size);

  const auto flush = [&]() -> bool {
    if (chunk.empty()) return true;
    stop = sink(chunk);
    delivered += chunk.size();
    chunk.clear();
    return stop.ok();
  };

  for (int attempt = 0; attempt < std::max(1, env_.max_attempts); ++attempt) {
    if (attempt > 0) Backoff(attempt - 1);
    Call call{"GET", FullKey(key), {}, {}, {}};
    const uint64_t start = options.offset + delivered;
    // Bytes still wanted on this attempt (unbounded without a length).
    std::optional<uint64_t> wanted;
    if (options.length) wanted = *options.length - delivered;
    if (ranged || delivered > 0) {
      std::string range = "bytes=" + std::to_string(start) + "-";
      if (wanted) range += std::to_string(start + *wanted - 1);
      call.headers.emplace_back("Range", range);
    }
    if (!etag.empty()) call.headers.emplace_back("If-Match", "\"" + etag + "\"");

    // Servers are not trusted to honour the range exactly (s3rver answers "bytes=0-0" with
    // the whole object; others ignore Range and send 200): skip what precedes `start` and
    // stop after `wanted`.
    uint64_t skip = 0;
    Reply reply;
    const auto on_headers = [&](const httplib::Response& response) {
      if (response.status / 100 != 2) return true;  // the error body is read into reply
      const std::string got_etag = Unquote(response.get_header_value("ETag"));
      // If-Match is also checked here: not every S3 implementation honours it.
      if (!etag.empty() && got_etag != etag) {
        stop = Status::FailedPrecondition(Quote(key) + " changed: its ETag is " + got_etag +
                                          ", expected " + etag);
        return false;
      }
      etag = got_etag;
      uint64_t size = ParseLength(response.get_header_value("Content-Length"));
      uint64_t served_from = 0;
      if (response.status == 206) {
        const std::string content_range = response.get_header_value("Content-Range");
        size = TotalFromContentRange(content_range).value_or(size);
        served_from = StartFromContentRange(content_range).value_or(0);
      }
      if (served_from > start) {
        stop = Status::DataLoss("S3 served " + Quote(key) + " from byte " +
                                std::to_string(served_from) + ", not " + std::to_string(start));
        return false;
      }
      skip = start - served_from;
      if (info_sent) return true;
      info_sent = true;
      if (options.on_info) {
        stop =
            options.on_info(ObjectInfo{std::string(key), size, got_etag,
                                       ParseHttpDate(response.get_header_value("Last-Modified"))});
        return stop.ok();
      }
      return true;
    };
    const auto on_body = [&](const char* data, std::size_t size) {
      std::string_view bytes(data, size);
      const auto skipped = static_cast<std::size_t>(std::min<uint64_t>(skip, bytes.size()));
      bytes.remove_prefix(skipped);
      skip -= skipped;
      while (!bytes.empty()) {
        if (wanted && *wanted == 0) return false;  // all we asked for: stop reading
        std::size_t take = std::min(bytes.size(), chunk_size - chunk.size());
        if (wanted) take = static_cast<std::size_t>(std::min<uint64_t>(take, *wanted));
        chunk.append(bytes.substr(0, take));
        bytes.remove_prefix(take);
        if (wanted) *wanted -= take;
        if (chunk.size() == chunk_size && !flush()) return false;
      }
      return true;
    };
    const httplib::Error error = SendOnce(call, reply, on_headers, on_body);
    if (!stop.ok()) return stop;
    // Keep the bytes already received: the next attempt resumes after them.
    if (!flush()) return stop;
    const bool complete = wanted && *wanted == 0;
    if (complete || (error == httplib::Error::Success && reply.status / 100 == 2)) {
      return Status::Ok();
    }
    if (error != httplib::Error::Success) {
      last = TransportError(error);
      continue;
    }
    last = ErrorFromReply(reply, key);
    if (!IsRetryableStatus(reply.status)) return last;
  }
  return last.WithContext("after " + std::to_string(std::max(1, env_.max_attempts)) + " attempts");
}

Status S3Store::Delete(std::string_view key) {
  SF_RETURN_IF_ERROR(ValidateObjectKey(key));
  SF_ASSIGN_OR_RETURN(Reply reply, Send(Call{"DELETE", FullKey(key), {}, {}, {}}));
  if (reply.status / 100 == 2 || reply.status == 404) return Status::Ok();
  return ErrorFromReply(reply, key);
}

Result<std::unique_ptr<ObjectWriter>> S3Store::OpenWriter(std::string_view key,
                                                          const WriteOptions& options) {
  SF_RETURN_IF_ERROR(ValidateObjectKey(key));
  SF_RETURN_IF_ERROR(ValidateWriteOptions(options));
  return std::unique_ptr<ObjectWriter>(
      std::make_unique<S3Writer>(*this, std::string(key), FullKey(key), options));
}

Status S3Writer::UploadPart(std::string body) {
  const std::string part_number = std::to_string(part_etags_.size() + 1);
  Call call{"PUT",
            full_key_,
            {{"partNumber", part_number}, {"uploadId", upload_id_}},
            {},
            std::move(body)};
  SF_ASSIGN_OR_RETURN(Reply reply, store_.Send(call));
  if (reply.status / 100 != 2) return store_.ErrorFromReply(reply, key_);
  part_etags_.push_back(reply.Header("ETag"));
  return Status::Ok();
}

Status S3Writer::Write(std::string_view bytes) {
  if (!error_.ok()) return error_;
  if (finished_) return Status::FailedPrecondition("writer for " + Quote(key_) + " is closed");
  buffer_.append(bytes);
  size_ += bytes.size();
  if (upload_id_.empty() && buffer_.size() > options_.multipart_threshold) {
    Call call{"POST", full_key_, {{"uploads", ""}}, {{"Content-Type", options_.content_type}}, {}};
    auto reply = store_.Send(call);
    if (!reply.ok()) return Fail(reply.status());
    if (reply->status / 100 != 2) return Fail(store_.ErrorFromReply(*reply, key_));
    auto upload_id = ParseUploadId(reply->body);
    if (!upload_id.ok()) return Fail(upload_id.status());
    upload_id_ = std::move(*upload_id);
  }
  // Strictly more than a part: the last part is sent by Commit, never empty.
  while (!upload_id_.empty() && buffer_.size() > options_.part_size) {
    std::string part = buffer_.substr(0, options_.part_size);
    buffer_.erase(0, options_.part_size);
    const Status status = UploadPart(std::move(part));
    if (!status.ok()) return Fail(status);
  }
  return Status::Ok();
}

Result<ObjectInfo> S3Writer::Commit() {
  if (!error_.ok()) return error_;
  if (finished_) return Status::FailedPrecondition("writer for " + Quote(key_) + " is closed");
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  if (upload_id_.empty()) {
    Call call{"PUT", full_key_, {}, {{"Content-Type", options_.content_type}}, std::move(buffer_)};
    auto reply = store_.Send(call);
    if (!reply.ok()) return Fail(reply.status());
    if (reply->status / 100 != 2) return Fail(store_.ErrorFromReply(*reply, key_));
    finished_ = true;
    return ObjectInfo{key_, size_, Unquote(reply->Header("ETag")), now};
  }
  if (const Status status = UploadPart(std::move(buffer_)); !status.ok()) return Fail(status);
  Call call{"POST",
            full_key_,
            {{"uploadId", upload_id_}},
            {{"Content-Type", "application/xml"}},
            CompleteMultipartBody(part_etags_)};
  auto reply = store_.Send(call);
  if (!reply.ok()) return Fail(reply.status());
  // S3 may answer 200 with an <Error> body when completion fails late.
  auto etag = reply->status / 100 == 2 ? ParseCompleteMultipart(reply->body)
                                       : Result<std::string>(store_.ErrorFromReply(*reply, key_));
  if (!etag.ok()) return Fail(etag.status());
  finished_ = true;
  return ObjectInfo{key_, size_, Unquote(*etag), now};
}

void S3Writer::Abort() {
  if (finished_) return;
  finished_ = true;
  buffer_.clear();
  buffer_.shrink_to_fit();
  if (upload_id_.empty()) return;
  // Best effort: an upload left behind is invisible and expires by bucket lifecycle rules.
  (void)store_.Send(Call{"DELETE", full_key_, {{"uploadId", upload_id_}}, {}, {}});
}

}  // namespace

Result<std::unique_ptr<ObjectStore>> OpenS3Store(const StorageLocation& location,
                                                 const StorageEnv& env) {
  if (env.access_key_id.empty()) {
    return Status::InvalidArgument("AWS_ACCESS_KEY_ID is not set: SALESFLOW_STORAGE is s3://" +
                                   location.bucket + " and S3 needs credentials");
  }
  if (env.secret_access_key.empty()) {
    return Status::InvalidArgument("AWS_SECRET_ACCESS_KEY is not set: SALESFLOW_STORAGE is s3://" +
                                   location.bucket + " and S3 needs credentials");
  }
  if (env.region.empty() || env.region.find_first_of("/ \n") != std::string::npos) {
    return Status::InvalidArgument("AWS_REGION '" + env.region + "' is not a region name");
  }
  const std::string endpoint_url =
      env.endpoint.empty() ? "https://s3." + env.region + ".amazonaws.com" : env.endpoint;
  SF_ASSIGN_OR_RETURN(Endpoint endpoint, ParseEndpoint(endpoint_url));
  return std::unique_ptr<ObjectStore>(std::make_unique<S3Store>(location, endpoint, env));
}

}  // namespace salesflow::storage
