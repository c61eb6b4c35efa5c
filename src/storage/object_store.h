// ObjectStore: where reports live. Read this header first; docs/storage.md has the decisions.
//
// One interface, two backends with the same semantics:
//   s3://bucket[/prefix]   any S3 API (AWS, MinIO, s3rver), path-style, SigV4 (s3_store.cpp)
//   file:///abs/dir        a local directory, the embedded default (local_store.cpp)
//
// Keys are relative to the store's root (the bucket prefix or the directory) and are checked
// by ValidateObjectKey (core/object_key.h) in every operation: an invalid key is
// InvalidArgument before any I/O.
//
// Errors (Status codes every backend uses the same way):
//   NotFound          missing key (Head, Get), missing bucket or directory
//   InvalidArgument   bad key/prefix/options, a range that starts past the end
//   Unauthenticated   unknown access key or bad signature (message says which variable to check)
//   PermissionDenied  S3 AccessDenied, a local file the process may not read, a symlink
//   FailedPrecondition  GetOptions::if_match given and the object's ETag differs
//   Unavailable       endpoint down or still failing after the bounded retries
//   DeadlineExceeded  a connect or read timeout on the last attempt
//   DataLoss          a transfer that ended early
// Messages name the key, bucket or endpoint; they never contain a secret.
//
// Thread-safety: an ObjectStore is safe for concurrent calls from any number of threads.
// An ObjectWriter is used by one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace salesflow::storage {

struct ObjectInfo {
  std::string key;            // relative to the store's root
  uint64_t size = 0;          // bytes of the whole object (also for a range Get)
  std::string etag;           // unquoted; S3: as the server says (never parse it), local: hex MD5
  int64_t last_modified = 0;  // unix seconds
};

struct ListPage {
  std::vector<ObjectInfo> objects;  // sorted by key (byte order)
  std::string next_token;           // empty on the last page; otherwise opaque, pass it back
};

// Receives the object's bytes in order. A non-ok return aborts the transfer and is returned by
// Get unchanged.
using ChunkSink = std::function<Status(std::string_view chunk)>;

struct GetOptions {
  // Byte range [offset, offset + length). No range when offset == 0 and !length.
  // REQUIRES: length, when set, > 0. A range starting at or past the end is InvalidArgument.
  uint64_t offset = 0;
  std::optional<uint64_t> length;
  // Upper bound on the size of each chunk passed to the sink; memory use is O(chunk_size).
  std::size_t chunk_size = 256 * 1024;
  // When non-empty, the Get fails with FailedPrecondition (before any chunk) if the object's
  // ETag differs: the loader reads exactly the version it decided to load.
  std::string if_match;
  // Called once with the object's metadata (whole-object size and ETag) before the first
  // chunk, also for an empty object. A non-ok return aborts the Get and is returned.
  std::function<Status(const ObjectInfo&)> on_info;
};

struct WriteOptions {
  std::string content_type = "application/octet-stream";
  // S3: an upload whose total stays <= multipart_threshold is one PutObject; beyond it, the
  // writer switches to a multipart upload of part_size parts (aborted on failure or Abort).
  // REQUIRES: part_size >= 5 MiB (S3's minimum for all parts but the last).
  // Memory use is O(max(multipart_threshold, part_size)). Ignored by the local backend.
  std::size_t multipart_threshold = 8 * 1024 * 1024;
  std::size_t part_size = 8 * 1024 * 1024;
};

inline constexpr std::size_t kMinPartSize = 5 * 1024 * 1024;

// A push-style upload of unknown length. Nothing is visible under the key until Commit
// succeeds; then the whole object is (atomic replace of any previous object).
// Destroying a writer that was not committed aborts it (temp file / multipart upload removed).
// Not thread-safe: one thread at a time.
class ObjectWriter {
 public:
  virtual ~ObjectWriter() = default;
  // Appends bytes. After an error the writer is aborted; later calls return the same error.
  virtual Status Write(std::string_view bytes) = 0;
  // Publishes the object and returns its metadata (last_modified is the local clock for S3).
  // REQUIRES: called at most once, not after Abort.
  virtual Result<ObjectInfo> Commit() = 0;
  // Discards everything written. Idempotent; best effort (errors are logged, not returned).
  virtual void Abort() = 0;
};

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;

  // One page of the objects whose key starts with `prefix` (plain string prefix, not a
  // directory: "daily/2026-1" matches "daily/2026-10-01.csv"). Start with an empty token.
  // max_keys is clamped to 1..1000.
  virtual Result<ListPage> List(std::string_view prefix, std::string_view continuation_token,
                                int max_keys) = 0;

  // NotFound when the key does not exist.
  virtual Result<ObjectInfo> Head(std::string_view key) = 0;

  // Streams the object (or a range of it) to `sink` in chunks of at most options.chunk_size.
  virtual Status Get(std::string_view key, const GetOptions& options, const ChunkSink& sink) = 0;

  virtual Result<std::unique_ptr<ObjectWriter>> OpenWriter(std::string_view key,
                                                           const WriteOptions& options) = 0;

  // Deleting a missing key is not an error (S3 semantics).
  virtual Status Delete(std::string_view key) = 0;

  // For logs and /readyz: "s3://reports/prefix at http://127.0.0.1:9000" or
  // "file:///srv/reports". Never contains a secret.
  virtual std::string Describe() const = 0;
};

// Calls `visit` for every object under `prefix`, page by page, in key order. Stops at and
// returns the first error (from the store or from `visit`).
Status ListAll(ObjectStore& store, std::string_view prefix,
               const std::function<Status(const ObjectInfo&)>& visit);

// Uploads `bytes` as one object through a writer.
Result<ObjectInfo> Put(ObjectStore& store, std::string_view key, std::string_view bytes,
                       const WriteOptions& options = {});

// Reads a whole object into memory. For tests and small objects only.
Result<std::string> GetAll(ObjectStore& store, std::string_view key,
                           const GetOptions& options = {});

// Where the S3 backend gets its endpoint and credentials. FromEnvironment reads the
// variables the AWS CLI reads; tests build their own.
struct StorageEnv {
  std::string endpoint;  // "" = AWS: https://s3.<region>.amazonaws.com
  std::string access_key_id;
  std::string secret_access_key;  // never logged, never in messages
  std::string session_token;
  std::string region = "us-east-1";
  // Transport tuning; tests shorten these.
  int max_attempts = 4;          // per request, including the first
  int initial_backoff_ms = 100;  // doubled per retry, with jitter, capped at 5 s
  int connect_timeout_ms = 5000;
  int read_timeout_ms = 60000;

  // AWS_ENDPOINT_URL_S3 (else AWS_ENDPOINT_URL), AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
  // AWS_SESSION_TOKEN, AWS_REGION (else AWS_DEFAULT_REGION, else us-east-1).
  static StorageEnv FromEnvironment();
};

// "file://" + the absolute path of ./data/reports: SALESFLOW_STORAGE's default.
std::string DefaultStorageUrl();

// Opens the store named by `url` (the value of SALESFLOW_STORAGE):
//   s3://bucket[/prefix]   needs env.access_key_id and env.secret_access_key
//   file:///abs/dir        created (with parents) when missing
// Unknown scheme, malformed URL or missing credentials: InvalidArgument naming the setting
// (SALESFLOW_STORAGE, AWS_ACCESS_KEY_ID, ...). Does no network I/O.
Result<std::unique_ptr<ObjectStore>> OpenObjectStore(std::string_view url, const StorageEnv& env);

}  // namespace salesflow::storage
