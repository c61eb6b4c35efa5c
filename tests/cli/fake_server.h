// An in-process httplib::Server on a free port that answers canned DESIGN.md-shaped
// responses, for unit tests of the client's parsing and error handling. Not the real API:
// end-to-end tests prove that.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace salesflow::cli::testing {

struct SeenRequest {
  std::string method;
  std::string target;  // as sent on the wire: path and query, still percent-encoded
  std::string path;    // decoded by httplib
  std::string body;
  std::string authorization;
};

class FakeServer {
 public:
  FakeServer() {
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~FakeServer() {
    // stop() is a no-op before the accept loop runs; wait for it so join() cannot hang.
    while (!server_.is_running()) std::this_thread::yield();
    server_.stop();
    thread_.join();
  }
  FakeServer(const FakeServer&) = delete;
  FakeServer& operator=(const FakeServer&) = delete;

  // Routes whose requests are recorded (before the handler answers, so a test that got its
  // response always sees the request in seen()).
  void Get(const std::string& pattern, httplib::Server::Handler handler) {
    server_.Get(pattern, Recorded(std::move(handler)));
  }
  void Post(const std::string& pattern, httplib::Server::Handler handler) {
    server_.Post(pattern, Recorded(std::move(handler)));
  }
  void Put(const std::string& pattern, httplib::Server::Handler handler) {
    server_.Put(pattern, Recorded(std::move(handler)));
  }
  void Delete(const std::string& pattern, httplib::Server::Handler handler) {
    server_.Delete(pattern, Recorded(std::move(handler)));
  }

  httplib::Server& http() { return server_; }
  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  std::vector<SeenRequest> seen() {
    std::lock_guard lock(mutex_);
    return seen_;
  }

 private:
  httplib::Server::Handler Recorded(httplib::Server::Handler handler) {
    return [this, handler = std::move(handler)](const httplib::Request& request,
                                                httplib::Response& response) {
      {
        std::lock_guard lock(mutex_);
        seen_.push_back({request.method, request.target, request.path, request.body,
                         request.get_header_value("Authorization")});
      }
      handler(request, response);
    };
  }

  httplib::Server server_;
  int port_ = -1;
  std::thread thread_;
  std::mutex mutex_;
  std::vector<SeenRequest> seen_;
};

// A port that refuses connections: bound by us (so nobody else takes it) but not listening.
// (An httplib::Server that bound a port but never listened keeps accepting into its backlog
// until the process ends, so it cannot serve as a "closed" port.)
class RefusingPort {
 public:
  RefusingPort() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
    socklen_t length = sizeof(address);
    EXPECT_EQ(::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length), 0);
    port_ = ntohs(address.sin_port);
  }
  ~RefusingPort() { ::close(fd_); }
  RefusingPort(const RefusingPort&) = delete;
  RefusingPort& operator=(const RefusingPort&) = delete;
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  int fd_ = -1;
  int port_ = 0;
};

inline void JsonReply(httplib::Response& response, int status, const std::string& body) {
  response.status = status;
  response.set_content(body, "application/json");
}

inline void ErrorReply(httplib::Response& response, int status, const std::string& code,
                       const std::string& message) {
  JsonReply(response, status,
            R"({"error":{"code":")" + code + R"(","message":")" + message + R"("}})");
}

}  // namespace salesflow::cli::testing
