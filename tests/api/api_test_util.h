// Shared helpers of the API tests: a server on a free port over a FakeBackend, keys of each
// role, and a raw socket for requests a well-behaved client would never send.
#pragma once

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api/auth.h"
#include "api/server.h"
#include "fake_backend.h"
#include "test_util.h"

namespace salesflow::api::testing {

// One key per role, hashed into a KeyStore; the secrets stay in the test.
struct TestKeys {
  std::map<Role, std::string> secrets;
  std::unique_ptr<KeyStore> store;

  TestKeys() {
    std::vector<ApiKeyRecord> records;
    for (const Role role : {Role::kViewer, Role::kUploader, Role::kOperator, Role::kAdmin}) {
      const std::string secret = GenerateSecret().value();
      secrets[role] = secret;
      records.push_back(HashNewKey(std::string(RoleName(role)) + "-key", role, secret).value());
    }
    store = std::make_unique<KeyStore>(std::move(records));
  }
};

// A started server over a FakeBackend; request log lines are captured.
struct TestServer {
  FakeBackend backend;
  std::mutex log_mutex;
  std::vector<std::string> log_lines;
  std::unique_ptr<Server> server;

  explicit TestServer(const KeyStore* keys, ServerOptions options = {}) {
    options.listen = "127.0.0.1:0";
    options.threads = 4;
    options.request_log = [this](const std::string& line) {
      std::lock_guard<std::mutex> lock(log_mutex);
      log_lines.push_back(line);
    };
    server = std::make_unique<Server>(std::move(options), &backend, keys);
    const Status started = server->Start();
    EXPECT_TRUE(started.ok()) << started.ToString();
  }

  httplib::Client Client() const {
    httplib::Client client("127.0.0.1", server->port());
    client.set_read_timeout(30, 0);
    return client;
  }

  std::vector<std::string> Logs() {
    std::lock_guard<std::mutex> lock(log_mutex);
    return log_lines;
  }
};

inline httplib::Headers Bearer(const std::string& secret) {
  return {{"Authorization", "Bearer " + secret}};
}

inline nlohmann::json JsonOf(const httplib::Result& result) {
  if (!result) return nullptr;
  return nlohmann::json::parse(result->body, nullptr, false);
}

// The error code of an error response, "" when the body is not our error shape.
inline std::string ErrorCode(const httplib::Result& result) {
  const auto json = JsonOf(result);
  if (!json.is_object() || !json.contains("error") || !json["error"].is_object()) return "";
  const auto& error = json["error"];
  if (!error.contains("code") || !error["code"].is_string() || !error.contains("message") ||
      !error["message"].is_string()) {
    return "";
  }
  return error["code"].get<std::string>();
}

// A blocking loopback TCP connection with a receive timeout as a safety net (a test that
// would hang fails instead).
class RawConnection {
 public:
  explicit RawConnection(int port, int recv_timeout_seconds = 20) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval timeout{recv_timeout_seconds, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  }
  ~RawConnection() { ::close(fd_); }
  bool connected() const { return connected_; }
  bool Send(std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }
  // Reads until the headers and Content-Length body arrived, EOF, or the timeout.
  std::string ReadResponse() {
    std::string data;
    char buffer[4096];
    while (true) {
      const size_t end = data.find("\r\n\r\n");
      if (end != std::string::npos) {
        if (StatusOf(data) / 100 == 1) return data;  // interim response: headers only
        const size_t pos = data.find("Content-Length: ");
        if (pos != std::string::npos && pos < end) {
          const size_t length = std::stoul(data.substr(pos + 16));
          if (data.size() >= end + 4 + length) return data;
        }
      }
      const ssize_t n = ::recv(fd_, buffer, sizeof(buffer), 0);
      if (n <= 0) return data;
      data.append(buffer, static_cast<size_t>(n));
    }
  }
  // The status code of a raw response, 0 when there is none.
  static int StatusOf(const std::string& response) {
    if (response.rfind("HTTP/1.1 ", 0) != 0 || response.size() < 12) return 0;
    return std::stoi(response.substr(9, 3));
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

}  // namespace salesflow::api::testing
