// ApiClient against an in-process server with canned responses: parsing, error bodies,
// transport errors, auth header.
#include "cli/api_client.h"

#include <gtest/gtest.h>

#include <future>

#include "fake_server.h"
#include "test_util.h"

namespace salesflow::cli {
namespace {

using testing::ErrorReply;
using testing::FakeServer;
using testing::JsonReply;
using testing::RefusingPort;

std::unique_ptr<ApiClient> Connect(
    const std::string& url, const std::string& api_key = "",
    std::chrono::milliseconds read_timeout = std::chrono::seconds(10)) {
  ClientConfig config;
  config.url = url;
  config.api_key = api_key;
  config.read_timeout = read_timeout;
  auto client = ApiClient::Create(config);
  EXPECT_OK(client.status());
  return client.ok() ? std::move(*client) : nullptr;
}

TEST(ErrorFromResponseTest, ApiErrorBodyBecomesOneLine) {
  const Status status =
      ErrorFromResponse(404, R"({"error":{"code":"not_found","message":"no report 'x.csv'"}})");
  EXPECT_EQ(status.code(), StatusCode::kNotFound);
  EXPECT_EQ(status.message(), "404 not_found: no report 'x.csv'");
}

TEST(ErrorFromResponseTest, StatusCodesMapToStatus) {
  struct Case {
    int http;
    StatusCode code;
  };
  const Case cases[] = {{400, StatusCode::kInvalidArgument},  {401, StatusCode::kUnauthenticated},
                        {403, StatusCode::kPermissionDenied}, {404, StatusCode::kNotFound},
                        {409, StatusCode::kConflict},         {413, StatusCode::kResourceExhausted},
                        {500, StatusCode::kInternal},         {502, StatusCode::kUnavailable},
                        {503, StatusCode::kUnavailable},      {504, StatusCode::kDeadlineExceeded}};
  for (const auto& c : cases) {
    EXPECT_EQ(ErrorFromResponse(c.http, R"({"error":{"code":"x","message":"y"}})").code(), c.code)
        << c.http;
  }
}

TEST(ErrorFromResponseTest, MultiLineMessagesAreJoined) {
  const Status status = ErrorFromResponse(
      400,
      R"({"error":{"code":"invalid_argument","message":"header lacks order_id\nfound: a, b"}})");
  EXPECT_EQ(status.message(), "400 invalid_argument: header lacks order_id found: a, b");
}

TEST(ErrorFromResponseTest, ForeignBodiesAreSummarised) {
  EXPECT_EQ(ErrorFromResponse(502, "<html><body>Bad gateway</body></html>").message(),
            "502 Bad Gateway");
  EXPECT_EQ(ErrorFromResponse(503, "").message(), "503 Service Unavailable");
  EXPECT_EQ(ErrorFromResponse(500, "upstream\nreset").message(),
            "500 Internal Server Error: upstream reset");
  const std::string huge(100'000, 'x');
  EXPECT_LT(ErrorFromResponse(500, huge).message().size(), 300u);
}

TEST(ErrorFromResponseTest, AuthErrorsSayWhatToCheck) {
  const Status status =
      ErrorFromResponse(401, R"({"error":{"code":"unauthenticated","message":"no API key"}})");
  EXPECT_EQ(status.message(), "401 unauthenticated: no API key (check SALESFLOW_API_KEY)");
}

TEST(ApiClientTest, GetReturnsTheBody) {
  FakeServer server;
  server.Get("/api/jobs/7", [](const httplib::Request&, httplib::Response& response) {
    JsonReply(response, 200, R"({"job_id":7})");
  });
  auto client = Connect(server.url());
  auto response = client->Get("/api/jobs/7");
  ASSERT_OK(response.status());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, R"({"job_id":7})");
  EXPECT_EQ(response->content_type, "application/json");
}

TEST(ApiClientTest, ApiErrorIsAStatusWithTheServersCodeAndMessage) {
  FakeServer server;
  server.Get(R"(/api/reports/(.+)/rejects)",
             [](const httplib::Request&, httplib::Response& response) {
               ErrorReply(response, 404, "not_found", "no report 'x.csv'");
             });
  auto client = Connect(server.url());
  auto response = client->Get("/api/reports/x.csv/rejects");
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(response.status().message(), "404 not_found: no report 'x.csv'");
}

TEST(ApiClientTest, SendsBearerKeyOnlyWhenConfigured) {
  FakeServer server;
  server.Get("/api/jobs", [](const httplib::Request&, httplib::Response& response) {
    JsonReply(response, 200, R"({"jobs":[]})");
  });
  ASSERT_OK(Connect(server.url(), "sf_secret_key_123")->Get("/api/jobs").status());
  ASSERT_OK(Connect(server.url())->Get("/api/jobs").status());
  const auto seen = server.seen();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].authorization, "Bearer sf_secret_key_123");
  EXPECT_EQ(seen[1].authorization, "");
}

TEST(ApiClientTest, NeverRepeatsTheApiKeyInMessages) {
  FakeServer server;
  server.Get("/api/jobs", [](const httplib::Request& request, httplib::Response& response) {
    // A misbehaving server (or proxy) echoing the credential back.
    ErrorReply(response, 401, "unauthenticated",
               "bad key " + request.get_header_value("Authorization"));
  });
  auto response = Connect(server.url(), "sf_secret_key_123")->Get("/api/jobs");
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().message().find("sf_secret_key_123"), std::string::npos)
      << response.status().message();
  EXPECT_NE(response.status().message().find("[redacted]"), std::string::npos);
}

TEST(ApiClientTest, ConnectionRefusedNamesTheUrlAndSetting) {
  RefusingPort port;
  auto response = Connect(port.url())->Get("/api/reports");
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(response.status().message(),
            "cannot connect to " + port.url() +
                " (SALESFLOW_URL): connection refused or host unreachable; is the server "
                "running?");
}

TEST(ApiClientTest, ReadTimeoutIsReported) {
  FakeServer server;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  server.Get("/api/stats", [released](const httplib::Request&, httplib::Response& response) {
    released.wait();  // answers only after the client gave up
    JsonReply(response, 200, "{}");
  });
  auto response = Connect(server.url(), "", std::chrono::milliseconds(200))->Get("/api/stats");
  release.set_value();
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(response.status().message().find("read timed out"), std::string::npos);
}

TEST(ApiClientTest, BaseUrlPathPrefixIsPrepended) {
  FakeServer server;
  server.Get("/salesflow/api/jobs", [](const httplib::Request&, httplib::Response& response) {
    JsonReply(response, 200, R"({"jobs":[]})");
  });
  ASSERT_OK(Connect(server.url() + "/salesflow/")->Get("/api/jobs").status());
}

TEST(ApiClientTest, DownloadStreamsTheBodyOrReturnsTheError) {
  FakeServer server;
  server.Get("/api/reports/ok.csv/rejects", [](const httplib::Request&, httplib::Response& r) {
    r.set_content("line,column,reason\n2,quantity,not_a_number\n", "text/csv");
  });
  server.Get("/api/reports/missing.csv/rejects", [](const httplib::Request&, httplib::Response& r) {
    ErrorReply(r, 404, "not_found", "report 'missing.csv' was never processed");
  });
  auto client = Connect(server.url());
  std::string received;
  ASSERT_OK(client->Download("/api/reports/ok.csv/rejects", [&](const char* data, size_t size) {
    received.append(data, size);
    return true;
  }));
  EXPECT_EQ(received, "line,column,reason\n2,quantity,not_a_number\n");
  received.clear();
  const Status missing =
      client->Download("/api/reports/missing.csv/rejects", [&](const char* data, size_t size) {
        received.append(data, size);
        return true;
      });
  EXPECT_EQ(missing.message(), "404 not_found: report 'missing.csv' was never processed");
  EXPECT_EQ(received, "");  // the error body never reaches the sink
}

}  // namespace
}  // namespace salesflow::cli
