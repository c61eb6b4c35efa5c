#include "storage/object_store.h"

#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <filesystem>

#include "core/object_key.h"
#include "storage/backends_impl.h"

namespace salesflow::storage {
namespace {

std::string Getenv(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

}  // namespace

Status ListAll(ObjectStore& store, std::string_view prefix,
               const std::function<Status(const ObjectInfo&)>& visit) {
  std::string token;
  do {
    SF_ASSIGN_OR_RETURN(ListPage page, store.List(prefix, token, 1000));
    for (const ObjectInfo& info : page.objects) SF_RETURN_IF_ERROR(visit(info));
    token = std::move(page.next_token);
  } while (!token.empty());
  return Status::Ok();
}

Result<ObjectInfo> Put(ObjectStore& store, std::string_view key, std::string_view bytes,
                       const WriteOptions& options) {
  SF_ASSIGN_OR_RETURN(std::unique_ptr<ObjectWriter> writer, store.OpenWriter(key, options));
  SF_RETURN_IF_ERROR(writer->Write(bytes));
  return writer->Commit();
}

Result<std::string> GetAll(ObjectStore& store, std::string_view key, const GetOptions& options) {
  std::string out;
  SF_RETURN_IF_ERROR(store.Get(key, options, [&](std::string_view chunk) {
    out.append(chunk);
    return Status::Ok();
  }));
  return out;
}

StorageEnv StorageEnv::FromEnvironment() {
  StorageEnv env;
  env.endpoint = Getenv("AWS_ENDPOINT_URL_S3");
  if (env.endpoint.empty()) env.endpoint = Getenv("AWS_ENDPOINT_URL");
  env.access_key_id = Getenv("AWS_ACCESS_KEY_ID");
  env.secret_access_key = Getenv("AWS_SECRET_ACCESS_KEY");
  env.session_token = Getenv("AWS_SESSION_TOKEN");
  env.region = Getenv("AWS_REGION");
  if (env.region.empty()) env.region = Getenv("AWS_DEFAULT_REGION");
  if (env.region.empty()) env.region = "us-east-1";
  return env;
}

std::string DefaultStorageUrl() {
  std::error_code error;
  std::filesystem::path cwd = std::filesystem::current_path(error);
  if (error) cwd = ".";
  return "file://" + (cwd / "data" / "reports").lexically_normal().string();
}

Status ValidateWriteOptions(const WriteOptions& options) {
  if (options.part_size < kMinPartSize) {
    return Status::InvalidArgument("WriteOptions::part_size is " +
                                   std::to_string(options.part_size) +
                                   " bytes; S3 needs at least " + std::to_string(kMinPartSize));
  }
  return Status::Ok();
}

Result<StorageLocation> ParseStorageUrl(std::string_view url) {
  StorageLocation location;
  const auto invalid = [](const std::string& why) {
    return Status::InvalidArgument("SALESFLOW_STORAGE: " + why +
                                   " (expected s3://bucket[/prefix] or file:///absolute/dir)");
  };
  if (url.starts_with("s3://")) {
    std::string_view rest = url.substr(5);
    const std::size_t slash = rest.find('/');
    location.kind = StorageLocation::Kind::kS3;
    location.bucket = std::string(rest.substr(0, slash));
    // S3 bucket naming rules: 3-63 of [a-z0-9.-], starting and ending alphanumeric.
    const bool bucket_ok = location.bucket.size() >= 3 && location.bucket.size() <= 63 &&
                           location.bucket.find_first_not_of(
                               "abcdefghijklmnopqrstuvwxyz0123456789.-") == std::string::npos &&
                           std::isalnum(static_cast<unsigned char>(location.bucket.front())) &&
                           std::isalnum(static_cast<unsigned char>(location.bucket.back()));
    if (!bucket_ok) {
      return invalid(Quote(location.bucket) + " is not a valid bucket name");
    }
    if (slash != std::string_view::npos) {
      std::string_view prefix = rest.substr(slash + 1);
      while (prefix.ends_with('/')) prefix.remove_suffix(1);
      if (!prefix.empty()) {
        const Status status = ValidateObjectKey(prefix);
        if (!status.ok()) return invalid("bad prefix: " + status.message());
        location.prefix = std::string(prefix) + "/";
      }
    }
    return location;
  }
  if (url.starts_with("file://")) {
    std::string_view path = url.substr(7);
    if (!path.starts_with('/')) {
      return invalid(Quote(url) + " needs an absolute path (three slashes: file:///dir)");
    }
    if (path.find('\0') != std::string_view::npos || path.find('?') != std::string_view::npos ||
        path.find('#') != std::string_view::npos) {
      return invalid("the file:// path holds '?', '#' or NUL");
    }
    std::string normal = std::filesystem::path(path).lexically_normal().string();
    while (normal.size() > 1 && normal.ends_with('/')) normal.pop_back();
    location.kind = StorageLocation::Kind::kLocal;
    location.path = normal;
    return location;
  }
  const std::size_t scheme_end = url.find("://");
  if (url.empty()) return invalid("empty URL");
  if (scheme_end == std::string_view::npos) return invalid(Quote(url) + " has no scheme");
  return invalid("unknown scheme " + Quote(url.substr(0, scheme_end)));
}

std::string Endpoint::HostHeader() const {
  const bool default_port = (scheme == "http" && port == 80) || (scheme == "https" && port == 443);
  const std::string bracketed = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return default_port ? bracketed : bracketed + ":" + std::to_string(port);
}

std::string Endpoint::SchemeHostPort() const { return scheme + "://" + HostHeader(); }

Result<Endpoint> ParseEndpoint(std::string_view url) {
  const auto invalid = [&](const std::string& why) {
    // The endpoint holds no secret, but it may hold junk: show it quoted.
    return Status::InvalidArgument("AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL: " + Quote(url) + " " +
                                   why + " (expected http://host:port or https://host)");
  };
  Endpoint endpoint;
  std::string_view rest;
  if (url.starts_with("http://")) {
    endpoint.scheme = "http", endpoint.port = 80, rest = url.substr(7);
  } else if (url.starts_with("https://")) {
    endpoint.scheme = "https", endpoint.port = 443, rest = url.substr(8);
  } else {
    return invalid("is not an http:// or https:// URL");
  }
  while (rest.ends_with('/')) rest.remove_suffix(1);
  if (rest.find_first_of("/?#@ ") != std::string_view::npos) {
    return invalid("must be scheme://host[:port] without a path, query or user");
  }
  std::string_view port_text;
  if (rest.starts_with('[')) {  // [::1]:9000
    const std::size_t close = rest.find(']');
    if (close == std::string_view::npos) return invalid("has an unclosed '['");
    endpoint.host = std::string(rest.substr(1, close - 1));
    if (rest.size() > close + 1) {
      if (rest[close + 1] != ':') return invalid("has junk after ']'");
      port_text = rest.substr(close + 2);
    }
  } else {
    const std::size_t colon = rest.find(':');
    endpoint.host = std::string(rest.substr(0, colon));
    if (colon != std::string_view::npos) port_text = rest.substr(colon + 1);
  }
  if (endpoint.host.empty()) return invalid("has no host");
  if (!port_text.empty() || rest.ends_with(':')) {
    int port = 0;
    const auto [end, error] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (error != std::errc() || end != port_text.data() + port_text.size() || port < 1 ||
        port > 65535) {
      return invalid("has an invalid port");
    }
    endpoint.port = port;
  }
  return endpoint;
}

Result<std::unique_ptr<ObjectStore>> OpenObjectStore(std::string_view url, const StorageEnv& env) {
  SF_ASSIGN_OR_RETURN(StorageLocation location, ParseStorageUrl(url));
  if (location.kind == StorageLocation::Kind::kLocal) return OpenLocalStore(location.path);
  return OpenS3Store(location, env);
}

}  // namespace salesflow::storage
