// In-process API tests: a real server on a free port, a real httplib client, a fake backend.
#include "api/server.h"

#include <gtest/gtest.h>

#include "api/assets.h"
#include "api/routes.h"
#include "api_test_util.h"

namespace salesflow::api::testing {
namespace {

using Json = nlohmann::json;

// A request that exercises one route with valid input.
struct RouteCall {
  RouteId id;
  std::string method;
  std::string path;
  std::string body;
  std::string content_type;
};

constexpr std::string_view kBoundary = "----salesflowtestboundary";

std::string MultipartBody(std::string_view key, std::string_view filename,
                          std::string_view content) {
  std::string body;
  if (!key.empty()) {
    body += "--" + std::string(kBoundary) +
            "\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\n" + std::string(key) + "\r\n";
  }
  body += "--" + std::string(kBoundary) +
          "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + std::string(filename) +
          "\"\r\nContent-Type: text/csv\r\n\r\n" + std::string(content) + "\r\n--" +
          std::string(kBoundary) + "--\r\n";
  return body;
}

std::string MultipartType() { return "multipart/form-data; boundary=" + std::string(kBoundary); }

std::vector<RouteCall> OneCallPerRoute() {
  return {
      {RouteId::kListReports, "GET", "/api/reports", "", ""},
      {RouteId::kUpload, "POST", "/api/upload", MultipartBody("in/a.csv", "a.csv", "x\n"),
       MultipartType()},
      {RouteId::kProcess, "POST", "/api/process", R"({"key":"a.csv"})", "application/json"},
      {RouteId::kListJobs, "GET", "/api/jobs", "", ""},
      {RouteId::kGetJob, "GET", "/api/jobs/1", "", ""},
      {RouteId::kStats, "GET", "/api/stats?from=2026-10-01&to=2026-10-31", "", ""},
      {RouteId::kRejects, "GET", "/api/reports/a.csv/rejects", "", ""},
      {RouteId::kUnload, "DELETE", "/api/reports/a.csv/rows", "", ""},
      {RouteId::kListMappings, "GET", "/api/mappings", "", ""},
      {RouteId::kGetMapping, "GET", "/api/mappings/shop%2F", "", ""},
      {RouteId::kPutMapping, "PUT", "/api/mappings/shop%2F", R"({"mapping":{"order_id":"Inv"}})",
       "application/json"},
      {RouteId::kDeleteMapping, "DELETE", "/api/mappings/shop%2F", "", ""},
      {RouteId::kHealthz, "GET", "/healthz", "", ""},
      {RouteId::kReadyz, "GET", "/readyz", "", ""},
      {RouteId::kMetrics, "GET", "/metrics", "", ""},
      {RouteId::kOpenApi, "GET", "/api/openapi.json", "", ""},
      {RouteId::kDashboard, "GET", "/", "", ""},
      {RouteId::kAsset, "GET", "/assets/app.js", "", ""},
  };
}

httplib::Result Send(httplib::Client& client, const RouteCall& call,
                     const httplib::Headers& headers) {
  if (call.method == "GET") return client.Get(call.path, headers);
  if (call.method == "DELETE") return client.Delete(call.path, headers);
  if (call.method == "PUT") return client.Put(call.path, headers, call.body, call.content_type);
  return client.Post(call.path, headers, call.body, call.content_type);
}

// Who may call what, written out independently of RoleAllows (docs/api.md "Roles").
std::set<Role> ExpectedRoles(RouteId id) {
  const std::set<Role> everyone = {Role::kViewer, Role::kUploader, Role::kOperator, Role::kAdmin};
  switch (id) {
    case RouteId::kListReports:
    case RouteId::kListJobs:
    case RouteId::kGetJob:
    case RouteId::kMetrics:
    case RouteId::kHealthz:
    case RouteId::kReadyz:
    case RouteId::kOpenApi:
    case RouteId::kDashboard:
    case RouteId::kAsset:
      return everyone;
    case RouteId::kStats:
      return {Role::kViewer, Role::kOperator, Role::kAdmin};
    case RouteId::kUpload:
      return {Role::kUploader, Role::kAdmin};
    case RouteId::kProcess:
    case RouteId::kRejects:
    case RouteId::kUnload:
    case RouteId::kListMappings:
    case RouteId::kGetMapping:
    case RouteId::kPutMapping:
    case RouteId::kDeleteMapping:
      return {Role::kOperator, Role::kAdmin};
  }
  return {};
}

bool IsPublic(RouteId id) {
  return id == RouteId::kHealthz || id == RouteId::kReadyz || id == RouteId::kOpenApi ||
         id == RouteId::kDashboard || id == RouteId::kAsset;
}

void Prepare(FakeBackend& backend) {
  std::lock_guard<std::mutex> lock(backend.mutex);
  backend.jobs[1] = JobInfo{};
  backend.jobs[1].job_id = 1;
  backend.jobs[1].key = "a.csv";
  backend.next_job_id = 2;
  backend.rejects["a.csv"] = {};
  backend.mappings["shop/"] = PrefixMapping{"shop/", {{"order_id", "Inv"}}, {}, std::nullopt};
}

TEST(ServerTest, EveryRouteIsInTheMatrix) {
  std::set<RouteId> covered;
  for (const RouteCall& call : OneCallPerRoute()) covered.insert(call.id);
  EXPECT_EQ(covered.size(), kRoutes.size());
}

TEST(ServerTest, RouteRoleMatrixWithKeys) {
  TestKeys keys;
  TestServer server(keys.store.get());
  auto client = server.Client();
  for (const RouteCall& call : OneCallPerRoute()) {
    Prepare(server.backend);
    SCOPED_TRACE(call.method + " " + call.path);
    const std::set<Role> allowed = ExpectedRoles(call.id);
    auto none = Send(client, call, {});
    ASSERT_TRUE(none);
    auto wrong = Send(client, call, Bearer("sf_not_a_real_key"));
    ASSERT_TRUE(wrong);
    if (IsPublic(call.id)) {
      EXPECT_LT(none->status, 400) << none->body;
    } else {
      EXPECT_EQ(none->status, 401) << none->body;
      EXPECT_EQ(ErrorCode(none), "unauthenticated");
      EXPECT_EQ(none->get_header_value("WWW-Authenticate"), "Bearer");
      EXPECT_EQ(wrong->status, 401) << wrong->body;
      EXPECT_EQ(ErrorCode(wrong), "unauthenticated");
    }
    for (const auto& [role, secret] : keys.secrets) {
      Prepare(server.backend);
      SCOPED_TRACE(std::string(RoleName(role)));
      // X-API-Key works like Authorization: Bearer; alternate between the two.
      const httplib::Headers headers =
          role == Role::kUploader ? httplib::Headers{{"X-API-Key", secret}} : Bearer(secret);
      auto result = Send(client, call, headers);
      ASSERT_TRUE(result);
      if (allowed.count(role) != 0) {
        EXPECT_LT(result->status, 400) << result->body;
      } else {
        EXPECT_EQ(result->status, 403) << result->body;
        EXPECT_EQ(ErrorCode(result), "permission_denied");
      }
    }
  }
}

TEST(ServerTest, WithoutKeysFileEveryRouteIsOpenOnLoopback) {
  TestServer server(nullptr);
  auto client = server.Client();
  for (const RouteCall& call : OneCallPerRoute()) {
    Prepare(server.backend);
    auto result = Send(client, call, {});
    ASSERT_TRUE(result) << call.path;
    EXPECT_LT(result->status, 400) << call.method << " " << call.path << ": " << result->body;
  }
}

TEST(ServerTest, ErrorBodiesForEachStatus) {
  TestKeys keys;
  TestServer server(keys.store.get());
  auto client = server.Client();
  const auto admin = Bearer(keys.secrets[Role::kAdmin]);
  struct Case {
    std::string name;
    std::function<httplib::Result()> send;
    int status;
    std::string code;
  };
  const std::vector<Case> cases = {
      {"bad parameter", [&] { return client.Get("/api/stats?top=0", admin); }, 400,
       "invalid_argument"},
      {"no key", [&] { return client.Get("/api/jobs"); }, 401, "unauthenticated"},
      {"wrong role",
       [&] {
         return client.Post("/api/process", Bearer(keys.secrets[Role::kViewer]),
                            R"({"key":"a.csv"})", "application/json");
       },
       403, "permission_denied"},
      {"unknown route", [&] { return client.Get("/api/nothing", admin); }, 404, "not_found"},
      {"unknown job", [&] { return client.Get("/api/jobs/999", admin); }, 404, "not_found"},
      {"unknown report", [&] { return client.Get("/api/reports/nope.csv/rejects", admin); }, 404,
       "not_found"},
      {"wrong method", [&] { return client.Put("/api/jobs", admin, "{}", "application/json"); },
       405, "method_not_allowed"},
      {"conflict", [&] { return client.Delete("/api/reports/busy.csv/rows", admin); }, 409,
       "conflict"},
      {"json too large",
       [&] {
         return client.Post("/api/process", admin,
                            "{\"key\":\"" + std::string(2 << 20, 'a') + "\"}", "application/json");
       },
       413, "resource_exhausted"},
      {"wrong content type",
       [&] {
         return client.Post("/api/process", admin, "key=a.csv",
                            "application/x-www-form-urlencoded");
       },
       415, "unsupported_media_type"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const auto result = c.send();
    ASSERT_TRUE(result);
    EXPECT_EQ(result->status, c.status) << result->body;
    EXPECT_EQ(ErrorCode(result), c.code) << result->body;
    EXPECT_EQ(result->get_header_value("Content-Type"), "application/json");
    EXPECT_FALSE(result->get_header_value("X-Request-Id").empty());
  }
  auto wrong_method = client.Post("/api/jobs/1", admin, "{}", "application/json");
  EXPECT_EQ(wrong_method->get_header_value("Allow"), "GET");
}

TEST(ServerTest, BackendDownIs503AndRecovers) {
  TestServer server(nullptr);
  auto client = server.Client();
  server.backend.down = true;
  for (const char* path : {"/api/reports", "/api/jobs", "/api/stats", "/readyz"}) {
    auto result = client.Get(path);
    ASSERT_TRUE(result);
    EXPECT_EQ(result->status, 503) << path;
    EXPECT_EQ(ErrorCode(result), "unavailable") << path;
  }
  EXPECT_EQ(client.Get("/healthz")->status, 200);  // liveness does not depend on peers
  server.backend.down = false;
  EXPECT_EQ(client.Get("/readyz")->status, 200);
  EXPECT_EQ(client.Get("/api/jobs")->status, 200);
}

TEST(ServerTest, ExceptionsBecome500WithoutInternals) {
  TestServer server(nullptr);
  auto client = server.Client();
  server.backend.throw_on_list_jobs = true;
  auto result = client.Get("/api/jobs");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 500);
  EXPECT_EQ(ErrorCode(result), "internal");
  EXPECT_EQ(result->body.find("secret internal detail"), std::string::npos) << result->body;
  EXPECT_NE(result->body.find(result->get_header_value("X-Request-Id")), std::string::npos);
  // The server keeps serving.
  server.backend.throw_on_list_jobs = false;
  EXPECT_EQ(client.Get("/api/jobs")->status, 200);
}

TEST(ServerTest, MalformedJsonAndUnknownFieldsAre400) {
  TestServer server(nullptr);
  auto client = server.Client();
  for (const std::string body : {"{", "[]", "{\"key\":\"a.csv\",}", ""}) {
    auto result = client.Post("/api/process", body, "application/json");
    ASSERT_TRUE(result);
    EXPECT_EQ(result->status, 400) << body;
    EXPECT_EQ(ErrorCode(result), "invalid_argument");
  }
  auto typo = client.Post("/api/process", R"({"key":"a.csv","dryrun":true})", "application/json");
  EXPECT_EQ(typo->status, 400);
  EXPECT_NE(JsonOf(typo)["error"]["message"].get<std::string>().find("dryrun"), std::string::npos);
  auto mapping_typo = client.Put("/api/mappings/x", R"({"maping":{}})", "application/json");
  EXPECT_EQ(mapping_typo->status, 400);
  auto query_typo = client.Get("/api/jobs?limt=5");
  EXPECT_EQ(query_typo->status, 400);
  EXPECT_EQ(server.backend.jobs.size(), 0u);  // nothing was enqueued by a bad request
}

TEST(ServerTest, StatsValidationAndShape) {
  TestServer server(nullptr);
  auto client = server.Client();
  for (const char* bad : {"from=2026-1-01", "from=2026-10-05&to=2026-10-01", "group_by=year",
                          "top=0", "currency=dollars", "top=1.5"}) {
    auto result = client.Get(std::string("/api/stats?") + bad);
    EXPECT_EQ(result->status, 400) << bad;
    EXPECT_EQ(ErrorCode(result), "invalid_argument") << bad;
  }
  EXPECT_FALSE(server.backend.last_stats_query.has_value());
  auto result =
      client.Get("/api/stats?from=2026-10-01&to=2026-10-02&group_by=day&top=3&currency=usd");
  ASSERT_EQ(result->status, 200) << result->body;
  const Json json = JsonOf(result);
  EXPECT_EQ(json["currency"], "USD");
  EXPECT_EQ(json["currencies"], Json::array({"EUR", "USD"}));
  EXPECT_EQ(json["totals"]["revenue"], "1234.50");
  EXPECT_EQ(json["totals"]["avg_order_value"], "411.50");
  EXPECT_EQ(json["groups"][0]["key"], "2026-10-01");
  EXPECT_EQ(json["groups"][0]["revenue"], "1000.05");
  EXPECT_EQ(server.backend.last_stats_query->group_by, GroupBy::kDay);
  EXPECT_EQ(server.backend.last_stats_query->top, 3);
}

TEST(ServerTest, ProcessQueuesOrWaits) {
  TestServer server(nullptr);
  auto client = server.Client();
  auto queued = client.Post("/api/process", R"({"keys":["a.csv","b/c.csv"],"dry_run":true})",
                            "application/json");
  ASSERT_EQ(queued->status, 202) << queued->body;
  const Json jobs = JsonOf(queued)["jobs"];
  ASSERT_EQ(jobs.size(), 2u);
  EXPECT_EQ(jobs[1]["key"], "b/c.csv");
  EXPECT_EQ(jobs[1]["status"], "queued");
  EXPECT_TRUE(server.backend.last_process->dry_run);

  auto waited = client.Post("/api/process", R"({"key":"a.csv","wait":true})", "application/json");
  ASSERT_EQ(waited->status, 200) << waited->body;
  const Json job = JsonOf(waited)["jobs"][0];
  EXPECT_EQ(job["status"], "succeeded");
  EXPECT_EQ(job["outcome"], "loaded");
  EXPECT_EQ(job["rows_loaded"], 10);

  server.backend.finish_on_wait = false;  // the wait timed out: 202 with current states
  auto timed_out =
      client.Post("/api/process", R"({"key":"a.csv","wait":true})", "application/json");
  EXPECT_EQ(timed_out->status, 202);

  auto missing = client.Post("/api/process", R"({"key":"missing.csv"})", "application/json");
  EXPECT_EQ(missing->status, 404);
  auto traversal = client.Post("/api/process", R"({"key":"../etc/passwd"})", "application/json");
  EXPECT_EQ(traversal->status, 400);
}

TEST(ServerTest, JobsListAndGet) {
  TestServer server(nullptr);
  auto client = server.Client();
  ASSERT_EQ(
      client.Post("/api/process", R"({"keys":["a.csv","b.csv"]})", "application/json")->status,
      202);
  auto list = client.Get("/api/jobs?limit=1");
  ASSERT_EQ(list->status, 200);
  EXPECT_EQ(JsonOf(list)["jobs"].size(), 1u);
  EXPECT_EQ(JsonOf(list)["jobs"][0]["key"], "b.csv");
  auto one = client.Get("/api/jobs/1");
  ASSERT_EQ(one->status, 200);
  EXPECT_EQ(JsonOf(one)["created_at"], "2026-09-21T14:13:20Z");
  EXPECT_EQ(client.Get("/api/jobs/abc")->status, 400);
  EXPECT_EQ(client.Get("/api/jobs?limit=0")->status, 400);
}

TEST(ServerTest, RejectsAreCsvWithFormulasNeutralised) {
  TestServer server(nullptr);
  {
    std::lock_guard<std::mutex> lock(server.backend.mutex);
    server.backend.rejects["daily/a.csv"] = {
        {3, "quantity", core::RejectReason::kZeroQuantity, "quantity is 0", "=1+2,x,0"},
        {5, "", core::RejectReason::kFieldCount, "3 fields, expected 5", "@SUM(A1)"}};
  }
  auto client = server.Client();
  auto result = client.Get("/api/reports/daily%2Fa.csv/rejects");
  ASSERT_TRUE(result);
  ASSERT_EQ(result->status, 200) << result->body;
  EXPECT_EQ(result->get_header_value("Content-Type"), "text/csv; charset=utf-8");
  EXPECT_NE(result->get_header_value("Content-Disposition").find("a.csv.rejects.csv"),
            std::string::npos);
  EXPECT_EQ(result->body,
            "line,column,reason,message,raw\r\n"
            "3,quantity,zero_quantity,quantity is 0,\"'=1+2,x,0\"\r\n"
            "5,,field_count,\"3 fields, expected 5\",'@SUM(A1)\r\n");
  EXPECT_EQ(client.Get("/api/reports/..%2Fetc%2Fpasswd/rejects")->status, 400);
  EXPECT_EQ(client.Get("/api/reports/never.csv/rejects")->status, 404);
}

TEST(ServerTest, UnloadAndMappings) {
  TestServer server(nullptr);
  auto client = server.Client();
  auto unload = client.Delete("/api/reports/a%2Fb.csv/rows");
  ASSERT_EQ(unload->status, 200);
  EXPECT_EQ(JsonOf(unload)["key"], "a/b.csv");
  EXPECT_EQ(JsonOf(unload)["rows_deleted"], 42);
  EXPECT_EQ(client.Delete("/api/reports/missing.csv/rows")->status, 404);

  EXPECT_EQ(client.Get("/api/mappings/shopify%2F")->status, 404);
  auto put = client.Put("/api/mappings/shopify%2F",
                        R"({"mapping":{"order_id":"Name"},"delimiter":";","max_reject_ratio":0.1})",
                        "application/json");
  ASSERT_EQ(put->status, 200) << put->body;
  auto get = client.Get("/api/mappings/shopify%2F");
  ASSERT_EQ(get->status, 200);
  EXPECT_EQ(JsonOf(get)["prefix"], "shopify/");
  EXPECT_EQ(JsonOf(get)["mapping"]["order_id"], "Name");
  EXPECT_EQ(JsonOf(get)["delimiter"], ";");
  EXPECT_EQ(JsonOf(client.Get("/api/mappings"))["mappings"].size(), 1u);
  EXPECT_EQ(client.Delete("/api/mappings/shopify%2F")->status, 204);
  EXPECT_EQ(client.Delete("/api/mappings/shopify%2F")->status, 404);
  EXPECT_EQ(client.Get("/api/mappings/..%2Fx")->status, 400);
}

TEST(ServerTest, ListReports) {
  TestServer server(nullptr);
  {
    std::lock_guard<std::mutex> lock(server.backend.mutex);
    ReportInfo report;
    report.key = "daily/a.csv";
    report.size = 10;
    report.etag = "e";
    report.status = ReportStatus::kLoaded;
    report.last_job_id = 4;
    server.backend.reports = {report};
  }
  auto client = server.Client();
  auto result = client.Get("/api/reports?prefix=daily%2F&limit=10");
  ASSERT_EQ(result->status, 200) << result->body;
  const Json report = JsonOf(result)["reports"][0];
  for (const char* field : {"key", "size", "etag", "last_modified", "status", "rows_loaded",
                            "rows_rejected", "last_job_id"}) {
    EXPECT_TRUE(report.contains(field)) << field;
  }
  EXPECT_EQ(report["status"], "loaded");
  EXPECT_TRUE(JsonOf(result)["next_page_token"].is_null());
  EXPECT_EQ(client.Get("/api/reports?limit=5000")->status, 400);
  EXPECT_EQ(client.Get("/api/reports?prefix=..%2F")->status, 400);
}

TEST(ServerTest, UploadStoresTheFile) {
  TestServer server(nullptr);
  auto client = server.Client();
  auto result = client.Post("/api/upload", MultipartBody("in/day 1.csv", "x.csv", "a,b\n1,2\n"),
                            MultipartType());
  ASSERT_TRUE(result);
  ASSERT_EQ(result->status, 201) << result->body;
  EXPECT_EQ(JsonOf(result)["key"], "in/day 1.csv");
  EXPECT_EQ(JsonOf(result)["size"], 8);
  ASSERT_EQ(server.backend.uploads.size(), 1u);
  EXPECT_EQ(server.backend.uploads[0].head, "a,b\n1,2\n");
  EXPECT_TRUE(server.backend.uploads[0].committed);

  // Without a key field, the file name is the key.
  auto by_name = client.Post("/api/upload", MultipartBody("", "y.csv", "z"), MultipartType());
  ASSERT_EQ(by_name->status, 201) << by_name->body;
  EXPECT_EQ(JsonOf(by_name)["key"], "y.csv");
}

TEST(ServerTest, UploadRejectsBadForms) {
  TestServer server(nullptr);
  auto client = server.Client();
  const std::string no_file =
      "--" + std::string(kBoundary) +
      "\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\na.csv\r\n--" +
      std::string(kBoundary) + "--\r\n";
  auto missing = client.Post("/api/upload", no_file, MultipartType());
  EXPECT_EQ(missing->status, 400);
  EXPECT_NE(missing->body.find("no field 'file'"), std::string::npos) << missing->body;

  auto wrong_type = client.Post("/api/upload", "a,b\n", "text/csv");
  EXPECT_EQ(wrong_type->status, 415);
  EXPECT_EQ(ErrorCode(wrong_type), "unsupported_media_type");

  for (const char* key : {"../etc/passwd", "a/../../b.csv", "/abs.csv", "a\x01.csv"}) {
    auto bad = client.Post("/api/upload", MultipartBody(key, "f.csv", "x"), MultipartType());
    EXPECT_EQ(bad->status, 400) << key;
  }
  auto truncated = client.Post("/api/upload", MultipartBody("t.csv", "t.csv", "x").substr(0, 120),
                               MultipartType());
  EXPECT_EQ(truncated->status, 400);
  for (const UploadRecord& upload : server.backend.uploads) {
    EXPECT_FALSE(upload.committed) << upload.key;  // nothing half-written became visible
  }
}

TEST(ServerTest, RequestLogsCarryRequestIdAndKeyNameNeverTheSecret) {
  TestKeys keys;
  TestServer server(keys.store.get());
  // One keep-alive connection: the server logs a request before it reads the next one, so
  // after the last response every earlier line is there (no sleeps).
  auto client = server.Client();
  client.set_keep_alive(true);
  httplib::Headers headers = Bearer(keys.secrets[Role::kViewer]);
  headers.emplace("X-Request-Id", "trace-42");
  auto result = client.Get("/api/jobs", headers);
  ASSERT_EQ(result->status, 200);
  EXPECT_EQ(result->get_header_value("X-Request-Id"), "trace-42");
  auto hostile = client.Get("/api/jobs", {{"X-Request-Id", "a\"b"}});
  EXPECT_NE(hostile->get_header_value("X-Request-Id"), "a\"b");  // replaced, not echoed
  ASSERT_EQ(client.Get("/healthz")->status, 200);

  const auto logs = server.Logs();
  ASSERT_GE(logs.size(), 2u);
  const Json line = Json::parse(logs[0]);
  EXPECT_EQ(line["request_id"], "trace-42");
  EXPECT_EQ(line["route"], "/api/jobs");
  EXPECT_EQ(line["status"], 200);
  EXPECT_EQ(line["key_name"], "viewer-key");
  for (const std::string& text : logs) {
    for (const auto& [role, secret] : keys.secrets) {
      EXPECT_EQ(text.find(secret), std::string::npos);
    }
  }
}

TEST(ServerTest, MetricsExposeRequestsAndBackendFigures) {
  TestServer server(nullptr);
  auto client = server.Client();
  client.set_keep_alive(true);  // metrics are recorded before the next request is read
  ASSERT_EQ(client.Get("/api/jobs/77")->status, 404);
  ASSERT_EQ(client.Get("/healthz")->status, 200);
  auto result = client.Get("/metrics");
  ASSERT_EQ(result->status, 200);
  EXPECT_EQ(result->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  const std::string& text = result->body;
  EXPECT_NE(text.find("salesflow_http_requests_total{route=\"/api/jobs/{id}\",method=\"GET\","
                      "status=\"404\"} 1"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("salesflow_http_request_duration_seconds_bucket{route=\"/healthz\","
                      "method=\"GET\",status=\"200\",le=\"+Inf\"} 1"),
            std::string::npos);
  EXPECT_NE(text.find("salesflow_jobs{status=\"queued\"} 2"), std::string::npos);
  EXPECT_NE(text.find("salesflow_rows_loaded_total 1000"), std::string::npos);
  EXPECT_NE(text.find("salesflow_bytes_read_total 4096"), std::string::npos);
  EXPECT_NE(text.find("salesflow_backend_up 1"), std::string::npos);
}

TEST(ServerTest, OpenApiAndDashboardAreServed) {
  TestServer server(nullptr);
  auto client = server.Client();
  auto openapi = client.Get("/api/openapi.json");
  ASSERT_EQ(openapi->status, 200);
  EXPECT_EQ(openapi->body, OpenApiDocument());
  EXPECT_EQ(JsonOf(openapi)["openapi"], "3.1.0");
  auto page = client.Get("/");
  ASSERT_EQ(page->status, 200);
  EXPECT_EQ(page->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(page->body.find("<title>salesflow</title>"), std::string::npos);
}

// The page's files are embedded, revalidated by ETag, and the page may only load its own.
TEST(ServerTest, DashboardAssetsAreEmbeddedWithValidators) {
  TestServer server(nullptr);
  auto client = server.Client();
  auto page = client.Get("/");
  ASSERT_EQ(page->status, 200);
  EXPECT_NE(page->get_header_value("Content-Security-Policy").find("script-src 'self'"),
            std::string::npos);
  EXPECT_EQ(page->get_header_value("Cache-Control"), "no-cache");
  for (const char* name : {"app.js", "app.css", "chart.js"}) {
    SCOPED_TRACE(name);
    const WebAsset* asset = FindWebAsset(name);
    ASSERT_NE(asset, nullptr);
    auto file = client.Get(std::string("/assets/") + name);
    ASSERT_EQ(file->status, 200);
    EXPECT_EQ(file->body, asset->content);
    EXPECT_EQ(file->get_header_value("Content-Type"), asset->content_type);
    const std::string etag = file->get_header_value("ETag");
    EXPECT_EQ(etag, asset->etag);
    auto again = client.Get(std::string("/assets/") + name, {{"If-None-Match", etag}});
    EXPECT_EQ(again->status, 304);
    EXPECT_TRUE(again->body.empty());
  }
  EXPECT_NE(FindWebAsset("chart.js")->content.find("Chart.js v"), std::string::npos);
  auto missing = client.Get("/assets/nope.js");
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(JsonOf(missing)["error"]["code"], "not_found");
  EXPECT_EQ(client.Get("/assets/app.js?v=1")->status, 400);
  EXPECT_EQ(client.Get("/assets/..%2Fapp.js")->status, 404);
}

}  // namespace
}  // namespace salesflow::api::testing
