// The client commands end to end through CLI11 parsing, against an in-process server that
// answers canned DESIGN.md-shaped responses: output, requests sent, exit codes.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli_harness.h"
#include "fake_server.h"
#include "test_util.h"

namespace salesflow::cli {
namespace {

using testing::CliOptions;
using testing::CliRun;
using testing::ErrorReply;
using testing::FakeServer;
using testing::JsonReply;
using testing::RunCli;

using Request = httplib::Request;
using Response = httplib::Response;

size_t Count(const std::string& text, std::string_view what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

class CommandsTest : public ::testing::Test {
 protected:
  CliRun Run(std::vector<std::string> args, bool tty = false) {
    return RunCli(CliOptions{server_.url(), "", tty}, std::move(args));
  }
  FakeServer server_;
};

// ---------------------------------------------------------------------------- reports

TEST_F(CommandsTest, ReportsFollowsPagesIntoOneTable) {
  server_.Get("/api/reports", [](const Request& request, Response& response) {
    if (request.get_param_value("page_token").empty()) {
      JsonReply(response, 200, R"({"reports":[
        {"key":"shop/\u65e5\u672c.csv","size":120,"etag":"e1","last_modified":"2024-01-02T03:04:05Z",
         "status":"loaded","rows_loaded":3,"rows_rejected":1,"last_job_id":7}],
        "next_page_token":"p2"})");
    } else {
      JsonReply(response, 200, R"({"reports":[
        {"key":"shop/b.csv","size":20480,"etag":"e2","last_modified":"2024-01-03T00:00:00Z",
         "status":"new","rows_loaded":0,"rows_rejected":0,"last_job_id":null}],
        "next_page_token":""})");
    }
  });
  const CliRun run = Run({"reports", "--prefix", "shop/"});
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(run.err, "");
  EXPECT_EQ(run.out,
            "KEY                SIZE  STATUS  LOADED  REJECTED  LAST JOB  MODIFIED\n"
            "shop/\u65e5\u672c.csv     120 B  loaded       3         1         7  "
            "2024-01-02T03:04:05Z\n"
            "shop/b.csv     20.0 KiB  new          0         0         -  2024-01-03T00:00:00Z\n");
  const auto seen = server_.seen();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].target, "/api/reports?prefix=shop%2F");
  EXPECT_EQ(seen[1].target, "/api/reports?prefix=shop%2F&page_token=p2");
}

TEST_F(CommandsTest, ReportsJsonPrintsTheServersBody) {
  const std::string body = R"({"reports":[{"key":"a.csv","status":"new"}]})";
  server_.Get("/api/reports",
              [&](const Request&, Response& response) { JsonReply(response, 200, body); });
  const CliRun run = Run({"reports", "--json"});
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(run.out, body + "\n");
}

TEST_F(CommandsTest, ServerErrorIsOneLineOnStderrWithExitCode) {
  server_.Get("/api/reports", [](const Request&, Response& response) {
    ErrorReply(response, 503, "unavailable", "database is not reachable");
  });
  const CliRun run = Run({"reports"});
  EXPECT_EQ(run.code, kExitUnavailable);
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(run.err, "salesflow: 503 unavailable: database is not reachable\n");
}

TEST_F(CommandsTest, ForbiddenIsExitOne) {
  server_.Get("/api/reports", [](const Request&, Response& response) {
    ErrorReply(response, 403, "permission_denied", "role viewer cannot list reports");
  });
  const CliRun run = Run({"reports"});
  EXPECT_EQ(run.code, kExitFailed);
  EXPECT_EQ(Count(run.err, "\n"), 1u);
  EXPECT_NE(run.err.find("403 permission_denied: role viewer cannot list reports"),
            std::string::npos);
}

TEST(CommandsNoServerTest, ConnectionRefusedNamesSalesflowUrl) {
  testing::RefusingPort port;
  const std::string url = port.url();
  const CliRun run = RunCli(CliOptions{url, "", false}, {"jobs"});
  EXPECT_EQ(run.code, kExitUnavailable);
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(Count(run.err, "\n"), 1u);
  EXPECT_NE(run.err.find("salesflow: cannot connect to " + url + " (SALESFLOW_URL)"),
            std::string::npos)
      << run.err;
}

TEST(CommandsNoServerTest, BadUrlIsAUsageError) {
  const CliRun run = RunCli(CliOptions{"localhost:8080", "", false}, {"jobs"});
  EXPECT_EQ(run.code, kExitUsage);
  EXPECT_NE(run.err.find("SALESFLOW_URL must start with http:// or https://"), std::string::npos);
}

// ---------------------------------------------------------------------------- process

TEST_F(CommandsTest, ProcessKeysQueuesAndPrintsJobs) {
  server_.Post("/api/process", [](const Request&, Response& response) {
    JsonReply(response, 202, R"({"jobs":[{"job_id":11,"key":"a.csv","status":"queued"},
                                        {"job_id":12,"key":"b.csv","status":"queued"}]})");
  });
  const CliRun run = Run({"process", "a.csv", "b.csv", "--dry-run", "--map", "order_id=InvoiceNo",
                          "sku=StockCode", "--delimiter", ";"});
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_NE(run.out.find("11  a.csv  queued"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("12  b.csv  queued"), std::string::npos) << run.out;
  const auto seen = server_.seen();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(seen[0].body),
            nlohmann::json({{"keys", {"a.csv", "b.csv"}},
                            {"dry_run", true},
                            {"mapping", {{"order_id", "InvoiceNo"}, {"sku", "StockCode"}}},
                            {"delimiter", ";"}}));
}

TEST_F(CommandsTest, ProcessUsageErrorsSendNothing) {
  server_.Post("/api/process", [](const Request&, Response& response) {
    JsonReply(response, 202, R"({"jobs":[]})");
  });
  const std::vector<std::vector<std::string>> bad = {
      {"process"},
      {"process", "a.csv", "--pending"},
      {"process", "a.csv", "--map", "order_id"},
      {"process", "a.csv", "--map", "colour=Farbe"},
      {"process", "a.csv", "--prefix", "x/"},
      {"process", "a.csv", "--delimiter", "::"},
  };
  for (const auto& args : bad) {
    const CliRun run = Run(args);
    EXPECT_EQ(run.code, kExitUsage) << args.back() << ": " << run.err;
    EXPECT_EQ(Count(run.err, "\n"), 1u) << run.err;
    EXPECT_EQ(run.err.rfind("salesflow: ", 0), 0u) << run.err;
  }
  EXPECT_TRUE(server_.seen().empty());
}

TEST_F(CommandsTest, ProcessRatioOutOfRangeIsRejectedByTheParser) {
  const CliRun run = Run({"process", "a.csv", "--max-reject-ratio", "2"});
  EXPECT_NE(run.code, 0);
  EXPECT_TRUE(server_.seen().empty());
}

// A job that runs for `polls_until_done` polls, then ends with `final_json`.
void ServeJob(FakeServer& server, int polls_until_done, std::string final_json,
              std::shared_ptr<std::atomic<int>> polls) {
  server.Get(R"(/api/jobs/(\d+))", [=](const Request& request, Response& response) {
    const int n = ++*polls;
    if (n < polls_until_done) {
      JsonReply(response, 200,
                R"({"job_id":)" + std::string(request.matches[1]) +
                    R"(,"key":"big.csv","status":"running","bytes_read":)" +
                    std::to_string(n * 1000) + R"(,"bytes_total":4000})");
    } else {
      JsonReply(response, 200, final_json);
    }
  });
}

TEST_F(CommandsTest, ProcessWaitPollsUntilDoneWithProgressOnATerminal) {
  server_.Post("/api/process", [](const Request&, Response& response) {
    JsonReply(response, 202, R"({"jobs":[{"job_id":5,"key":"big.csv","status":"queued"}]})");
  });
  auto polls = std::make_shared<std::atomic<int>>(0);
  ServeJob(server_, 4,
           R"({"job_id":5,"key":"big.csv","status":"succeeded","outcome":"duplicate",
               "duplicate_of":"day.csv","rows_read":10,"rows_loaded":0,"rows_updated":0,
               "rows_rejected":0,"bytes_read":4000,"bytes_total":4000,"error":null,
               "created_at":"2024-01-01T00:00:00Z"})",
           polls);
  const CliRun run = Run({"process", "--pending", "--wait"}, /*tty=*/true);
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(polls->load(), 4);
  EXPECT_NE(run.out.find("succeeded  duplicate of day.csv"), std::string::npos) << run.out;
  // Progress drawn in place on stderr, ending at 100%.
  EXPECT_GE(Count(run.err, "\r"), 2u);
  EXPECT_NE(run.err.find("100%"), std::string::npos) << run.err;
  EXPECT_EQ(nlohmann::json::parse(server_.seen()[0].body), nlohmann::json({{"pending", true}}));
}

TEST_F(CommandsTest, ProcessWaitDrawsNoProgressWhenNotATerminal) {
  server_.Post("/api/process", [](const Request&, Response& response) {
    JsonReply(response, 202, R"({"jobs":[{"job_id":5,"key":"big.csv","status":"queued"}]})");
  });
  auto polls = std::make_shared<std::atomic<int>>(0);
  ServeJob(server_, 3, R"({"job_id":5,"key":"big.csv","status":"succeeded","outcome":"loaded"})",
           polls);
  const CliRun run = Run({"process", "big.csv", "--wait"}, /*tty=*/false);
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(run.err, "");
  EXPECT_NE(run.out.find("succeeded  loaded"), std::string::npos) << run.out;
}

TEST_F(CommandsTest, ProcessWaitExitsFourWithTheJobsError) {
  server_.Post("/api/process", [](const Request&, Response& response) {
    JsonReply(response, 202, R"({"jobs":[{"job_id":9,"key":"bad.csv","status":"queued"}]})");
  });
  auto polls = std::make_shared<std::atomic<int>>(0);
  ServeJob(server_, 2,
           R"j({"job_id":9,"key":"bad.csv","status":"failed","outcome":null,
               "error":"header lacks required columns: order_id (found: Invoice, Date)"})j",
           polls);
  const CliRun run = Run({"process", "bad.csv", "--wait"});
  EXPECT_EQ(run.code, kExitJobFailed);
  EXPECT_EQ(run.err,
            "salesflow: job 9 (bad.csv) failed: header lacks required columns: order_id "
            "(found: Invoice, Date)\n");
}

TEST_F(CommandsTest, ProcessWaitJsonPrintsFinalJobs) {
  server_.Post("/api/process", [](const Request&, Response& response) {
    JsonReply(response, 202, R"({"jobs":[{"job_id":5,"key":"a.csv","status":"queued"}]})");
  });
  auto polls = std::make_shared<std::atomic<int>>(0);
  ServeJob(server_, 1, R"({"job_id":5,"key":"a.csv","status":"succeeded","outcome":"loaded"})",
           polls);
  const CliRun run = Run({"process", "a.csv", "--wait", "--json"});
  ASSERT_EQ(run.code, 0) << run.err;
  const auto printed = nlohmann::json::parse(run.out);
  EXPECT_EQ(printed["jobs"][0]["outcome"], "loaded");
}

TEST_F(CommandsTest, ProcessNotFoundKey) {
  server_.Post("/api/process", [](const Request&, Response& response) {
    ErrorReply(response, 404, "not_found", "no report 'nope.csv' in storage");
  });
  const CliRun run = Run({"process", "nope.csv"});
  EXPECT_EQ(run.code, kExitFailed);
  EXPECT_EQ(run.err, "salesflow: 404 not_found: no report 'nope.csv' in storage\n");
}

// ---------------------------------------------------------------------------- jobs

TEST_F(CommandsTest, JobsListsAndShowsOne) {
  server_.Get("/api/jobs", [](const Request&, Response& response) {
    JsonReply(response, 200, R"({"jobs":[{"job_id":3,"key":"a.csv","status":"running"}]})");
  });
  const std::string one = R"({"job_id":3,"key":"a.csv","status":"running","custom":1})";
  server_.Get("/api/jobs/3",
              [&](const Request&, Response& response) { JsonReply(response, 200, one); });
  const CliRun list = Run({"jobs"});
  ASSERT_EQ(list.code, 0) << list.err;
  EXPECT_NE(list.out.find("  3  a.csv  running"), std::string::npos) << list.out;
  const CliRun single = Run({"jobs", "3"});
  ASSERT_EQ(single.code, 0) << single.err;
  EXPECT_EQ(single.out,
            "FIELD   VALUE\n"
            "job_id  3\n"
            "key     a.csv\n"
            "status  running\n"
            "custom  1\n");
  const CliRun json = Run({"jobs", "3", "--json"});
  EXPECT_EQ(json.out, one + "\n");
}

// ---------------------------------------------------------------------------- stats

TEST_F(CommandsTest, StatsGroupedTableWithBarsAndExactMoney) {
  server_.Get("/api/stats", [](const Request&, Response& response) {
    JsonReply(response, 200, R"({"currency":"USD","currencies":["EUR","USD"],
      "totals":{"revenue":"90071992547409.93","orders":3,"lines":4,"units":9,"customers":2,
                "avg_order_value":"30023997515803.31"},
      "groups":[
        {"key":"toys","revenue":"90071992547409.92","orders":2,"lines":2,"units":5,
         "customers":1,"avg_order_value":"45035996273704.96"},
        {"key":"","revenue":"0.01","orders":1,"lines":2,"units":4,"customers":1,
         "avg_order_value":"0.01"}]})");
  });
  const CliRun run = Run({"stats", "--by", "category", "--from", "2024-01-01", "--top", "2"});
  ASSERT_EQ(run.code, 0) << run.err;
  // Money is the server's decimal text (beyond double precision here), right-aligned.
  EXPECT_EQ(
      run.out,
      "currency: USD  (also in range: EUR; see them with --currency)\n"
      "\n"
      "CATEGORY            REVENUE  ORDERS  LINES  UNITS  CUSTOMERS          AVG ORDER\n"
      "toys      90071992547409.92       2      2      5          1  45035996273704.96  " +
          [] {
            std::string bar;
            for (int i = 0; i < 30; ++i) bar += "\u2588";
            return bar;
          }() +
          "\n"
          "(none)                 0.01       1      2      4          1               0.01\n"
          "TOTAL     90071992547409.93       3      4      9          2  30023997515803.31\n");
  EXPECT_EQ(server_.seen()[0].target, "/api/stats?from=2024-01-01&group_by=category&top=2");
}

TEST_F(CommandsTest, StatsTotalsOnly) {
  server_.Get("/api/stats", [](const Request&, Response& response) {
    JsonReply(response, 200, R"({"currency":"EUR","currencies":["EUR"],
      "totals":{"revenue":"10.50","orders":1,"lines":1,"units":1,"customers":0,
                "avg_order_value":"10.50"},"groups":[]})");
  });
  const CliRun run = Run({"stats", "--currency", "EUR"});
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(run.out,
            "currency: EUR\n\n"
            "       REVENUE  ORDERS  LINES  UNITS  CUSTOMERS  AVG ORDER\n"
            "total    10.50       1      1      1          0      10.50\n");
}

TEST_F(CommandsTest, StatsBadArgumentsAreUsageErrors) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"stats", "--by", "week"}, {"stats", "--from", "01/02/2024"}, {"stats", "--top", "0"}}) {
    const CliRun run = Run(args);
    EXPECT_EQ(run.code, kExitUsage) << run.err;
  }
  EXPECT_TRUE(server_.seen().empty());
}

// ---------------------------------------------------------------------------- rejects, unload

TEST_F(CommandsTest, RejectsEncodesTheKeyAndStreamsCsv) {
  const std::string csv = "line,column,reason,message,raw\n3,quantity,not_a_number,x,'=1+2\n";
  server_.Get(R"(/api/reports/(.+)/rejects)",
              [&](const Request&, Response& response) { response.set_content(csv, "text/csv"); });
  const CliRun run = Run({"rejects", "shop/day (1).csv"});
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(run.out, csv);
  EXPECT_EQ(server_.seen()[0].target, "/api/reports/shop%2Fday%20%281%29.csv/rejects");
}

TEST_F(CommandsTest, RejectsToFileAndNoFileOnError) {
  server_.Get("/api/reports/ok.csv/rejects", [](const Request&, Response& response) {
    response.set_content("line,column\n", "text/csv");
  });
  server_.Get("/api/reports/gone.csv/rejects", [](const Request&, Response& response) {
    ErrorReply(response, 404, "not_found", "no report 'gone.csv'");
  });
  const auto dir = std::filesystem::temp_directory_path() / salesflow::testing::UniqueName("rej");
  std::filesystem::create_directories(dir);
  const std::string good = (dir / "ok.csv").string();
  const CliRun ok = Run({"rejects", "ok.csv", "--out", good});
  ASSERT_EQ(ok.code, 0) << ok.err;
  std::ifstream in(good);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "line,column\n");

  const std::string bad = (dir / "gone.csv").string();
  const CliRun gone = Run({"rejects", "gone.csv", "--out", bad});
  EXPECT_EQ(gone.code, kExitFailed);
  EXPECT_EQ(gone.err, "salesflow: 404 not_found: no report 'gone.csv'\n");
  EXPECT_FALSE(std::filesystem::exists(bad));

  const CliRun unwritable =
      Run({"rejects", "ok.csv", "--out", (dir / "no/such/dir/x.csv").string()});
  EXPECT_EQ(unwritable.code, kExitFailed);
  EXPECT_NE(unwritable.err.find("cannot write"), std::string::npos) << unwritable.err;
  std::filesystem::remove_all(dir);
}

TEST_F(CommandsTest, UnloadDeletesRows) {
  server_.Delete(R"(/api/reports/(.+)/rows)", [](const Request&, Response& response) {
    JsonReply(response, 200, R"({"key":"a/b.csv","rows_deleted":42})");
  });
  const CliRun run = Run({"unload", "a/b.csv"});
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(run.out, "unloaded a/b.csv: 42 rows deleted\n");
  EXPECT_EQ(server_.seen()[0].method, "DELETE");
  EXPECT_EQ(server_.seen()[0].target, "/api/reports/a%2Fb.csv/rows");
}

// ---------------------------------------------------------------------------- mappings

TEST_F(CommandsTest, MappingSetGetListDelete) {
  server_.Put(R"(/api/mappings/(.+))", [](const Request&, Response& response) {
    JsonReply(response, 200, R"({"prefix":"uk shop/"})");
  });
  server_.Get(R"(/api/mappings/(.+))", [](const Request&, Response& response) {
    JsonReply(response, 200, R"({"prefix":"uk shop/","mapping":{"order_id":"InvoiceNo"},
                                 "date_format":"%d/%m/%Y","delimiter":"\t"})");
  });
  server_.Get("/api/mappings", [](const Request&, Response& response) {
    JsonReply(response, 200, R"({"mappings":[{"prefix":"uk shop/",
      "mapping":{"order_id":"InvoiceNo","sku":"StockCode"},"delimiter":"\t"}]})");
  });
  server_.Delete(R"(/api/mappings/(.+))",
                 [](const Request&, Response& response) { response.status = 204; });

  const CliRun set = Run({"mapping", "set", "uk shop/", "--map", "order_id=InvoiceNo",
                          "--date-format", "%d/%m/%Y", "--delimiter", "tab"});
  ASSERT_EQ(set.code, 0) << set.err;
  EXPECT_EQ(set.out, "mapping for prefix uk shop/ saved\n");
  const auto put = server_.seen().back();
  EXPECT_EQ(put.method, "PUT");
  EXPECT_EQ(put.target, "/api/mappings/uk%20shop%2F");
  EXPECT_EQ(nlohmann::json::parse(put.body),
            nlohmann::json({{"mapping", {{"order_id", "InvoiceNo"}}},
                            {"date_format", "%d/%m/%Y"},
                            {"delimiter", "\t"}}));

  const CliRun get = Run({"mapping", "get", "uk shop/"});
  ASSERT_EQ(get.code, 0) << get.err;
  EXPECT_EQ(get.out,
            "prefix: uk shop/\n"
            "date_format: %d/%m/%Y\n"
            "delimiter: \\t\n"
            "\n"
            "COLUMN    HEADER\n"
            "order_id  InvoiceNo\n");

  const CliRun list = Run({"mapping", "list"});
  ASSERT_EQ(list.code, 0) << list.err;
  EXPECT_EQ(list.out,
            "PREFIX    MAPPING                            OPTIONS\n"
            "uk shop/  order_id=InvoiceNo, sku=StockCode  delimiter=\\t\n");

  const CliRun del = Run({"mapping", "delete", "uk shop/"});
  ASSERT_EQ(del.code, 0) << del.err;
  EXPECT_EQ(server_.seen().back().method, "DELETE");
}

TEST_F(CommandsTest, MappingSetNeedsSomethingToStore) {
  const CliRun run = Run({"mapping", "set", "shop/"});
  EXPECT_EQ(run.code, kExitUsage);
  const CliRun bad = Run({"mapping", "set", "shop/", "--map", "bogus=X"});
  EXPECT_EQ(bad.code, kExitUsage);
  EXPECT_NE(bad.err.find("'bogus' is not a report column"), std::string::npos);
  EXPECT_TRUE(server_.seen().empty());
}

}  // namespace
}  // namespace salesflow::cli
