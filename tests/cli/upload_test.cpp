// `salesflow upload` against an in-process server that streams the multipart body
// (HandlerWithContentReader) and hashes what it receives.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <sys/resource.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>

#include "cli/api_client.h"
#include "cli_harness.h"
#include "fake_server.h"
#include "test_util.h"

namespace salesflow::cli {
namespace {

using testing::CliOptions;
using testing::CliRun;
using testing::FakeServer;
using testing::JsonReply;
using testing::RunCli;

// Incremental SHA-256 as lowercase hex.
class Sha256 {
 public:
  Sha256() : context_(EVP_MD_CTX_new(), EVP_MD_CTX_free) {
    EVP_DigestInit_ex(context_.get(), EVP_sha256(), nullptr);
  }
  void Update(const char* data, size_t size) { EVP_DigestUpdate(context_.get(), data, size); }
  std::string Hex() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(context_.get(), digest, &length);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < length; ++i) {
      out.push_back(kHex[digest[i] >> 4]);
      out.push_back(kHex[digest[i] & 0xF]);
    }
    return out;
  }

 private:
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context_;
};

// What the server saw of one upload.
struct Received {
  std::string key;
  std::string filename;
  uint64_t file_bytes = 0;
  std::string sha256;
  std::string content_length;
};

// POST /api/upload that streams the body, as the real API must (TOOLCHAIN.md: only
// HandlerWithContentReader streams).
void ServeUpload(FakeServer& server, std::shared_ptr<std::vector<Received>> uploads,
                 std::shared_ptr<std::mutex> mutex) {
  server.http().set_payload_max_length(std::numeric_limits<size_t>::max());
  server.http().Post("/api/upload",
                     [uploads, mutex](const httplib::Request& request, httplib::Response& response,
                                      const httplib::ContentReader& reader) {
                       Received received;
                       received.content_length = request.get_header_value("Content-Length");
                       Sha256 hash;
                       std::string field;
                       reader(
                           [&](const httplib::MultipartFormData& part) {
                             field = part.name;
                             if (field == "file") received.filename = part.filename;
                             return true;
                           },
                           [&](const char* data, size_t size) {
                             if (field == "key") received.key.append(data, size);
                             if (field == "file") {
                               hash.Update(data, size);
                               received.file_bytes += size;
                             }
                             return true;
                           });
                       received.sha256 = hash.Hex();
                       JsonReply(response, 201,
                                 nlohmann::json{{"key", received.key},
                                                {"size", received.file_bytes},
                                                {"etag", received.sha256.substr(0, 8)}}
                                     .dump());
                       std::lock_guard lock(*mutex);
                       uploads->push_back(std::move(received));
                     });
}

class UploadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / salesflow::testing::UniqueName("upload");
    std::filesystem::create_directories(dir_);
    ServeUpload(server_, uploads_, mutex_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string WriteFile(const std::string& name, const std::string& content) {
    const auto path = dir_ / name;
    std::ofstream(path, std::ios::binary) << content;
    return path.string();
  }
  std::vector<Received> uploads() {
    std::lock_guard lock(*mutex_);
    return *uploads_;
  }

  std::filesystem::path dir_;
  FakeServer server_;
  std::shared_ptr<std::vector<Received>> uploads_ = std::make_shared<std::vector<Received>>();
  std::shared_ptr<std::mutex> mutex_ = std::make_shared<std::mutex>();
};

TEST_F(UploadTest, SendsKeyAndFileFields) {
  const std::string content =
      "order_id,order_date,sku,quantity,unit_price\r\n1,2024-01-01,A,1,2\r\n";
  const std::string file = WriteFile("day 1.csv", content);
  const CliRun run =
      RunCli(CliOptions{server_.url(), "", false}, {"upload", file, "--prefix", "shop/"});
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(run.err, "");  // not a terminal: no progress bar
  ASSERT_EQ(uploads().size(), 1u);
  const Received got = uploads()[0];
  EXPECT_EQ(got.key, "shop/day 1.csv");
  EXPECT_EQ(got.filename, "day 1.csv");
  EXPECT_EQ(got.file_bytes, content.size());
  Sha256 expected;
  expected.Update(content.data(), content.size());
  EXPECT_EQ(got.sha256, expected.Hex());
  EXPECT_NE(run.out.find("uploaded " + file + " as shop/day 1.csv (" +
                         std::to_string(content.size()) + " bytes"),
            std::string::npos)
      << run.out;
}

TEST_F(UploadTest, ProgressBarOnlyOnATerminal) {
  const std::string file = WriteFile("a.csv", std::string(300'000, 'x'));
  const CliRun tty = RunCli(CliOptions{server_.url(), "", /*tty=*/true}, {"upload", file});
  ASSERT_EQ(tty.code, 0) << tty.err;
  EXPECT_NE(tty.err.find('\r'), std::string::npos);
  EXPECT_NE(tty.err.find("100%"), std::string::npos) << tty.err;
  const CliRun pipe = RunCli(CliOptions{server_.url(), "", /*tty=*/false}, {"upload", file});
  ASSERT_EQ(pipe.code, 0) << pipe.err;
  EXPECT_EQ(pipe.err, "");
}

TEST_F(UploadTest, EmptyFileUploads) {
  const std::string file = WriteFile("empty.csv", "");
  const CliRun run =
      RunCli(CliOptions{server_.url(), "", false}, {"upload", file, "--key", "in/e.csv"});
  ASSERT_EQ(run.code, 0) << run.err;
  ASSERT_EQ(uploads().size(), 1u);
  EXPECT_EQ(uploads()[0].key, "in/e.csv");
  EXPECT_EQ(uploads()[0].file_bytes, 0u);
}

TEST_F(UploadTest, MissingFileFailsBeforeAnyUpload) {
  const std::string good = WriteFile("good.csv", "x");
  const CliRun run = RunCli(CliOptions{server_.url(), "", false},
                            {"upload", good, (dir_ / "missing.csv").string()});
  EXPECT_EQ(run.code, kExitFailed);
  EXPECT_NE(run.err.find("cannot read '" + (dir_ / "missing.csv").string() + "'"),
            std::string::npos)
      << run.err;
  EXPECT_TRUE(uploads().empty());
  const CliRun directory = RunCli(CliOptions{server_.url(), "", false}, {"upload", dir_.string()});
  EXPECT_EQ(directory.code, kExitFailed);
  EXPECT_NE(directory.err.find("is not a regular file"), std::string::npos);
}

TEST_F(UploadTest, KeyWithSeveralFilesIsAUsageError) {
  const std::string a = WriteFile("a.csv", "x");
  const std::string b = WriteFile("b.csv", "y");
  const CliRun run =
      RunCli(CliOptions{server_.url(), "", false}, {"upload", a, b, "--key", "k.csv"});
  EXPECT_EQ(run.code, kExitUsage);
  EXPECT_TRUE(uploads().empty());
}

TEST_F(UploadTest, ServerRefusalIsReported) {
  FakeServer refusing;
  refusing.Post("/api/upload", [](const httplib::Request&, httplib::Response& response) {
    testing::ErrorReply(response, 409, "conflict", "a job is running on 'x.csv'");
  });
  const std::string file = WriteFile("x.csv", "x");
  const CliRun run =
      RunCli(CliOptions{refusing.url(), "", false}, {"upload", file, "--key", "x.csv"});
  EXPECT_EQ(run.code, kExitFailed);
  EXPECT_EQ(run.err, "salesflow: 409 conflict: a job is running on 'x.csv'\n");
}

TEST_F(UploadTest, InvalidKeyIsRefusedBeforeSending) {
  // The server would refuse it from the headers while the body is still being written, so
  // its reason could be lost: the client checks the key rules itself first.
  const std::string file = WriteFile("x.csv", "x");
  const CliRun run =
      RunCli(CliOptions{server_.url(), "", false}, {"upload", file, "--key", "../x.csv"});
  EXPECT_EQ(run.code, kExitUsage);
  EXPECT_EQ(run.err, "salesflow: upload: object key has a '..' path segment\n");
  EXPECT_TRUE(uploads().empty());
}

TEST_F(UploadTest, EarlyRefusalOfALargeUploadIsExplained) {
  FakeServer limited;
  limited.http().Post("/api/upload", [](const httplib::Request&, httplib::Response& response,
                                        const httplib::ContentReader&) {
    // Refuses from the headers alone, never reading the body (as a size limit does).
    testing::ErrorReply(response, 413, "resource_exhausted", "upload larger than 1 MiB");
  });
  const std::string file = WriteFile("big.csv", std::string(8u << 20, 'x'));
  const CliRun run = RunCli(CliOptions{limited.url(), "", false}, {"upload", file});
  EXPECT_NE(run.code, 0);
  EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << run.err;
  const bool explained = run.err.find("413 resource_exhausted") != std::string::npos ||
                         run.err.find("SALESFLOW_MAX_UPLOAD_BYTES") != std::string::npos;
  EXPECT_TRUE(explained) << run.err;
}

long PeakRssKib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

// The client streams the file from disk: a 100 MiB upload does not grow the process's peak
// RSS by more than a few MiB (the server in this same process streams too), and the server
// receives exactly the file's bytes.
TEST_F(UploadTest, HundredMebibytesStreamWithSmallMemory) {
  constexpr size_t kBlock = 1 << 20;
  constexpr size_t kBlocks = 100;
  const std::string path = (dir_ / "big.csv").string();
  Sha256 expected;
  {
    std::ofstream out(path, std::ios::binary);
    std::string block(kBlock, '\0');
    uint64_t state = 0x9E3779B97F4A7C15ull;
    for (size_t b = 0; b < kBlocks; ++b) {
      for (size_t i = 0; i < kBlock; i += sizeof(state)) {  // xorshift: no two blocks alike
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        std::memcpy(block.data() + i, &state, sizeof(state));
      }
      out.write(block.data(), static_cast<std::streamsize>(block.size()));
      expected.Update(block.data(), block.size());
    }
  }
  ASSERT_EQ(std::filesystem::file_size(path), kBlock * kBlocks);

  ClientConfig config;
  config.url = server_.url();
  auto client = ApiClient::Create(config);
  ASSERT_OK(client.status());
  uint64_t last_progress = 0;
  const long before = PeakRssKib();
  const auto started = std::chrono::steady_clock::now();
  auto response = (*client)->UploadFile(path, "big.csv", [&](uint64_t sent, uint64_t total) {
    EXPECT_GE(sent, last_progress);
    EXPECT_EQ(total, kBlock * kBlocks);
    last_progress = sent;
  });
  const long growth_kib = PeakRssKib() - before;
  const auto elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::steady_clock::now() - started)
                              .count();
  ASSERT_OK(response.status());
  EXPECT_EQ(response->status, 201);
  EXPECT_EQ(last_progress, kBlock * kBlocks);
  ASSERT_EQ(uploads().size(), 1u);
  EXPECT_EQ(uploads()[0].file_bytes, kBlock * kBlocks);
  EXPECT_EQ(uploads()[0].sha256, expected.Hex());
  EXPECT_EQ(uploads()[0].key, "big.csv");
  // Exact Content-Length (no chunked encoding), so a server can refuse a too-large upload
  // before reading it.
  EXPECT_GT(std::stoull(uploads()[0].content_length), kBlock * kBlocks);
  EXPECT_LT(growth_kib, 16 * 1024) << "peak RSS grew by " << growth_kib << " KiB";
  std::cout << "[ measure ] 100 MiB upload: " << elapsed_ms << " ms, peak RSS growth " << growth_kib
            << " KiB\n";

  // The instrument itself: touching 64 MiB more than the earlier peak shows up in the peak.
  // (ctest runs each test in its own process; run by hand, earlier tests raised the peak.)
  std::string ballast(static_cast<size_t>(before) * 1024 + (64u << 20), 'x');
  EXPECT_GT(PeakRssKib() - before, 60 * 1024) << ballast.back();
}

}  // namespace
}  // namespace salesflow::cli
