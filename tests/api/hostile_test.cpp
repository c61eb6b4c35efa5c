// Hostile and operational cases: huge uploads, size limits, slow bodies, oversized headers,
// listen-address policy, HTTPS, and SIGTERM handling of `salesflow serve`.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <signal.h>
#include <sys/resource.h>

#include <cstdio>
#include <filesystem>
#include <future>
#include <thread>

#include "api/serve.h"
#include "api_test_util.h"

namespace salesflow::api::testing {
namespace {

constexpr std::string_view kBoundary = "----hostileboundary";

long PeakRssKiB() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

std::string UploadHead(std::string_view key) {
  return "--" + std::string(kBoundary) +
         "\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\n" + std::string(key) + "\r\n--" +
         std::string(kBoundary) +
         "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.csv\"\r\n"
         "Content-Type: text/csv\r\n\r\n";
}
std::string UploadTail() { return "\r\n--" + std::string(kBoundary) + "--\r\n"; }
std::string MultipartType() { return "multipart/form-data; boundary=" + std::string(kBoundary); }

// 200 MB through the upload route: streamed in bounded chunks, never held in memory.
TEST(HostileTest, LargeUploadIsStreamedInBoundedChunks) {
  TestServer server(nullptr);
  constexpr size_t kFileBytes = size_t{200} << 20;
  const std::string head = UploadHead("big/200mb.csv");
  const std::string tail = UploadTail();
  const std::string block(64 * 1024, 'x');
  const long rss_before = PeakRssKiB();

  auto client = server.Client();
  auto result = client.Post(
      "/api/upload", head.size() + kFileBytes + tail.size(),
      [&](size_t offset, size_t, httplib::DataSink& sink) {
        if (offset < head.size()) return sink.write(head.data() + offset, head.size() - offset);
        const size_t file_offset = offset - head.size();
        if (file_offset < kFileBytes) {
          return sink.write(block.data(), std::min(block.size(), kFileBytes - file_offset));
        }
        const size_t tail_offset = file_offset - kFileBytes;
        return sink.write(tail.data() + tail_offset, tail.size() - tail_offset);
      },
      MultipartType());
  ASSERT_TRUE(result) << httplib::to_string(result.error());
  ASSERT_EQ(result->status, 201) << result->body;
  EXPECT_EQ(JsonOf(result)["size"], kFileBytes);

  const UploadRecord& upload = server.backend.uploads.at(0);
  EXPECT_EQ(upload.bytes, static_cast<int64_t>(kFileBytes));
  EXPECT_TRUE(upload.committed);
  EXPECT_GT(upload.chunks, 100u);
  EXPECT_LE(upload.max_chunk, size_t{1} << 20);
  const long growth_mib = (PeakRssKiB() - rss_before) / 1024;
  std::printf("200 MB upload: %zu chunks, max chunk %zu bytes, peak RSS growth %ld MiB\n",
              upload.chunks, upload.max_chunk, growth_mib);
  EXPECT_LT(growth_mib, 64);
}

TEST(HostileTest, DeclaredTooLargeUploadIs413BeforeTheBody) {
  ServerOptions options;
  options.max_upload_bytes = 1 << 20;
  TestServer server(nullptr, options);
  for (const bool expect_continue : {false, true}) {
    RawConnection connection(server.server->port());
    ASSERT_TRUE(connection.connected());
    std::string request =
        "POST /api/upload HTTP/1.1\r\nHost: x\r\nContent-Type: " + MultipartType() +
        "\r\nContent-Length: " + std::to_string(size_t{5} << 30) + "\r\n";
    if (expect_continue) request += "Expect: 100-continue\r\n";
    request += "\r\n";
    ASSERT_TRUE(connection.Send(request));  // and not one byte of the 5 GiB body
    const std::string response = connection.ReadResponse();
    EXPECT_EQ(RawConnection::StatusOf(response), 413) << response;
    EXPECT_NE(response.find("\"resource_exhausted\""), std::string::npos) << response;
    EXPECT_EQ(response.find("100 Continue"), std::string::npos);
  }
  EXPECT_TRUE(server.backend.uploads.empty());
}

TEST(HostileTest, ExpectContinueIsAnsweredAfterAuthAndLimits) {
  TestKeys keys;
  TestServer server(keys.store.get());
  const std::string body = UploadHead("e/c.csv") + "a,b\n" + UploadTail();
  auto request = [&](const std::string& secret) {
    std::string text = "POST /api/upload HTTP/1.1\r\nHost: x\r\nContent-Type: " + MultipartType() +
                       "\r\nContent-Length: " + std::to_string(body.size()) +
                       "\r\nExpect: 100-continue\r\n";
    if (!secret.empty()) text += "Authorization: Bearer " + secret + "\r\n";
    return text + "\r\n";
  };
  {
    RawConnection connection(server.server->port());
    ASSERT_TRUE(connection.Send(request("")));
    const std::string response = connection.ReadResponse();
    EXPECT_EQ(RawConnection::StatusOf(response), 401) << response;  // no 100: body never sent
  }
  {
    RawConnection connection(server.server->port());
    ASSERT_TRUE(connection.Send(request(keys.secrets[Role::kUploader])));
    const std::string interim = connection.ReadResponse();
    ASSERT_EQ(RawConnection::StatusOf(interim), 100) << interim;
    ASSERT_TRUE(connection.Send(body));
    std::string response = interim.substr(interim.find("\r\n\r\n") + 4);
    if (response.empty()) response = connection.ReadResponse();
    EXPECT_EQ(RawConnection::StatusOf(response), 201) << response;
  }
  ASSERT_EQ(server.backend.uploads.size(), 1u);
  EXPECT_TRUE(server.backend.uploads[0].committed);
}

TEST(HostileTest, HopelesslyLargeJsonIs413BeforeTheBody) {
  TestServer server(nullptr);
  RawConnection connection(server.server->port());
  ASSERT_TRUE(
      connection.Send("POST /api/process HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      "Content-Length: 1000000000\r\n\r\n{"));
  const std::string response = connection.ReadResponse();
  EXPECT_EQ(RawConnection::StatusOf(response), 413) << response;
}

TEST(HostileTest, UndeclaredTooLargeUploadIs413WhileStreaming) {
  ServerOptions options;
  options.max_upload_bytes = 256 * 1024;
  TestServer server(nullptr, options);
  RawConnection connection(server.server->port());
  ASSERT_TRUE(connection.connected());
  ASSERT_TRUE(connection.Send("POST /api/upload HTTP/1.1\r\nHost: x\r\nContent-Type: " +
                              MultipartType() + "\r\nTransfer-Encoding: chunked\r\n\r\n"));
  auto chunk = [](std::string_view data) {
    char size[32];
    std::snprintf(size, sizeof(size), "%zx\r\n", data.size());
    return std::string(size) + std::string(data) + "\r\n";
  };
  ASSERT_TRUE(connection.Send(chunk(UploadHead("too/big.csv"))));
  const std::string block(32 * 1024, 'y');
  for (int i = 0; i < 16; ++i) ASSERT_TRUE(connection.Send(chunk(block)));  // 512 KiB
  const std::string response = connection.ReadResponse();
  EXPECT_EQ(RawConnection::StatusOf(response), 413) << response.substr(0, 300);
  ASSERT_EQ(server.backend.uploads.size(), 1u);
  EXPECT_TRUE(server.backend.uploads[0].aborted);
  EXPECT_FALSE(server.backend.uploads[0].committed);
  EXPECT_LE(server.backend.uploads[0].bytes, 256 * 1024);
}

TEST(HostileTest, SlowBodyTimesOutInsteadOfHanging) {
  ServerOptions options;
  options.read_timeout = std::chrono::seconds(1);
  TestServer server(nullptr, options);
  RawConnection connection(server.server->port(), /*recv_timeout_seconds=*/20);
  ASSERT_TRUE(connection.connected());
  ASSERT_TRUE(
      connection.Send("POST /api/process HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      "Content-Length: 100\r\n\r\n{\"key\":"));  // ... and nothing more
  const auto start = std::chrono::steady_clock::now();
  const std::string response = connection.ReadResponse();
  const auto waited = std::chrono::steady_clock::now() - start;
  // Either a 400 or a closed connection, well before the 20 s safety net.
  EXPECT_LT(waited, std::chrono::seconds(10));
  if (!response.empty()) {
    EXPECT_EQ(RawConnection::StatusOf(response), 400) << response;
  }
  EXPECT_TRUE(server.backend.jobs.empty());
  // The server still answers others.
  EXPECT_EQ(server.Client().Get("/healthz")->status, 200);
}

TEST(HostileTest, HugeHeadersAreRejectedNotFatal) {
  TestServer server(nullptr);
  auto client = server.Client();
  auto one_huge = client.Get("/healthz", {{"X-Big", std::string(100000, 'a')}});
  ASSERT_TRUE(one_huge);
  EXPECT_TRUE(one_huge->status == 400 || one_huge->status == 431) << one_huge->status;
  EXPECT_FALSE(ErrorCode(one_huge).empty()) << one_huge->body;

  httplib::Headers many;
  for (int i = 0; i < 500; ++i) many.emplace("X-H" + std::to_string(i), std::string(100, 'b'));
  auto too_many = client.Get("/healthz", many);
  ASSERT_TRUE(too_many);
  EXPECT_EQ(too_many->status, 431);
  EXPECT_EQ(ErrorCode(too_many), "headers_too_large");

  auto long_uri = client.Get("/api/reports?prefix=" + std::string(20000, 'a'));
  ASSERT_TRUE(long_uri);
  EXPECT_EQ(long_uri->status, 414);
  EXPECT_FALSE(ErrorCode(long_uri).empty());
  EXPECT_EQ(client.Get("/healthz")->status, 200);
}

TEST(HostileTest, GarbageRequestLineGetsJsonError) {
  TestServer server(nullptr);
  RawConnection connection(server.server->port());
  ASSERT_TRUE(connection.Send("BLAH /x\r\n\r\n"));
  const std::string response = connection.ReadResponse();
  EXPECT_EQ(RawConnection::StatusOf(response), 400) << response;
  EXPECT_NE(response.find("{\"error\":"), std::string::npos) << response;
}

TEST(HostileTest, BodyOnAGetIsRejected) {
  TestServer server(nullptr);
  auto client = server.Client();
  httplib::Request request;
  request.method = "DELETE";
  request.path = "/api/reports/a.csv/rows";
  request.body = "x";
  request.set_header("Content-Type", "text/plain");
  auto result = client.send(request);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 400);
}

TEST(HostileTest, NonLoopbackListenNeedsKeys) {
  FakeBackend backend;
  ServerOptions options;
  options.listen = "0.0.0.0:0";
  Server open(options, &backend, nullptr);
  const Status refused = open.Start();
  EXPECT_EQ(refused.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.message().find("SALESFLOW_API_KEYS_FILE"), std::string::npos);

  TestKeys keys;
  Server guarded(options, &backend, keys.store.get());
  EXPECT_OK(guarded.Start());
  EXPECT_GT(guarded.port(), 0);
}

TEST(HostileTest, ListenAddressParsing) {
  EXPECT_EQ(ParseListenAddress("127.0.0.1:8080")->port, 8080);
  EXPECT_EQ(ParseListenAddress("[::1]:0")->host, "::1");
  for (const char* bad : {"", "8080", "host:", ":80", "h:99999", "h:8a", "::1:80", "[::1]80"}) {
    EXPECT_FALSE(ParseListenAddress(bad).ok()) << bad;
  }
  EXPECT_TRUE(IsLoopbackHost("127.0.0.1"));
  EXPECT_TRUE(IsLoopbackHost("127.8.9.1"));
  EXPECT_TRUE(IsLoopbackHost("::1"));
  EXPECT_TRUE(IsLoopbackHost("localhost"));
  EXPECT_FALSE(IsLoopbackHost("0.0.0.0"));
  EXPECT_FALSE(IsLoopbackHost("::"));
  EXPECT_FALSE(IsLoopbackHost("10.0.0.1"));
  EXPECT_FALSE(IsLoopbackHost("example.com"));
}

// A self-signed certificate made at test time with the OpenSSL API.
void WriteSelfSignedCertificate(const std::string& cert_path, const std::string& key_path) {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  ASSERT_NE(key, nullptr);
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  ASSERT_GT(X509_sign(cert, key, EVP_sha256()), 0);
  FILE* out = std::fopen(cert_path.c_str(), "w");
  PEM_write_X509(out, cert);
  std::fclose(out);
  out = std::fopen(key_path.c_str(), "w");
  PEM_write_PrivateKey(out, key, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(out);
  X509_free(cert);
  EVP_PKEY_free(key);
}

TEST(HostileTest, HttpsWithASelfSignedCertificate) {
  const auto dir =
      std::filesystem::temp_directory_path() / salesflow::testing::UniqueName("api_tls");
  std::filesystem::create_directories(dir);
  ServerOptions options;
  options.tls_cert_file = (dir / "cert.pem").string();
  options.tls_key_file = (dir / "key.pem").string();
  WriteSelfSignedCertificate(options.tls_cert_file, options.tls_key_file);
  TestServer server(nullptr, options);
  EXPECT_EQ(server.server->url().rfind("https://127.0.0.1:", 0), 0u);

  httplib::SSLClient client("127.0.0.1", server.server->port());
  client.enable_server_certificate_verification(false);
  auto result = client.Get("/healthz");
  ASSERT_TRUE(result) << httplib::to_string(result.error());
  EXPECT_EQ(result->status, 200);

  httplib::SSLClient verifying("127.0.0.1", server.server->port());
  verifying.enable_server_certificate_verification(true);
  EXPECT_FALSE(verifying.Get("/healthz"));  // self-signed: rejected by a verifying client

  httplib::Client plain("127.0.0.1", server.server->port());
  plain.set_read_timeout(5, 0);
  auto cleartext = plain.Get("/healthz");
  EXPECT_TRUE(!cleartext || cleartext->status != 200);

  ServerOptions broken;
  broken.tls_cert_file = (dir / "missing.pem").string();
  broken.tls_key_file = options.tls_key_file;
  broken.listen = "127.0.0.1:0";
  FakeBackend backend;
  Server bad(broken, &backend, nullptr);
  EXPECT_EQ(bad.Start().code(), StatusCode::kInvalidArgument);
  ServerOptions half;
  half.listen = "127.0.0.1:0";
  half.tls_cert_file = options.tls_cert_file;
  Server half_server(half, &backend, nullptr);
  EXPECT_EQ(half_server.Start().code(), StatusCode::kInvalidArgument);
}

TEST(HostileTest, RunServeStopsOnSigtermAndDrainsTheBackend) {
  FakeBackend backend;
  ServeOptions options;
  options.server.listen = "127.0.0.1:0";
  options.server.request_log = [](const std::string&) {};
  options.grace_period = std::chrono::seconds(7);
  std::promise<int> port;
  options.on_listening = [&](const Server& server) { port.set_value(server.port()); };
  auto rc = std::async(std::launch::async, [&] { return RunServe(options, &backend); });
  const int bound = port.get_future().get();
  httplib::Client client("127.0.0.1", bound);
  ASSERT_EQ(client.Get("/healthz")->status, 200);
  ASSERT_EQ(::kill(::getpid(), SIGTERM), 0);
  EXPECT_EQ(rc.get(), 0);
  ASSERT_TRUE(backend.shutdown_grace.has_value());
  EXPECT_EQ(*backend.shutdown_grace, std::chrono::seconds(7));
  EXPECT_FALSE(client.Get("/healthz"));  // no longer accepting
}

TEST(HostileTest, RunServeRefusesBadConfiguration) {
  FakeBackend backend;
  ServeOptions options;
  options.server.listen = "0.0.0.0:0";
  EXPECT_EQ(RunServe(options, &backend), 2);  // non-loopback without keys
  options.server.listen = "127.0.0.1:0";
  options.api_keys_file = "/nonexistent/keys.jsonl";
  EXPECT_EQ(RunServe(options, &backend), 2);
}

}  // namespace
}  // namespace salesflow::api::testing
