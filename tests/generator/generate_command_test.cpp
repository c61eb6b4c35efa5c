#include "generator/generate_command.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "generator/manifest.h"
#include "test_util.h"
#ifdef SALESFLOW_TEST_GENERATOR_UPLOAD
#include "storage/object_store.h"
#endif

namespace salesflow::generator {
namespace {

namespace fs = std::filesystem;

struct CommandResult {
  int exit_code = 0;
  std::string out;
  std::string err;
};

std::string ReadAll(std::FILE* file) {
  std::rewind(file);
  std::string text;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), file)) > 0) text.append(buffer, n);
  std::fclose(file);
  return text;
}

// Parses argv as main would, then runs the command.
CommandResult RunCli(std::vector<std::string> args) {
  CLI::App app;
  CLI::App* sub = app.add_subcommand("generate");
  GenerateOptions options;
  AddGenerateOptions(sub, &options);
  args.insert(args.begin(), {"salesflow", "generate"});
  std::vector<const char*> argv;
  for (const std::string& a : args) argv.push_back(a.c_str());
  CommandResult result;
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::ParseError& e) {
    result.exit_code = e.get_exit_code();
    result.err = e.what();
    return result;
  }
  std::FILE* out = std::tmpfile();
  std::FILE* err = std::tmpfile();
  result.exit_code = RunGenerateCommand(options, out, err);
  result.out = ReadAll(out);
  result.err = ReadAll(err);
  return result;
}

class GenerateCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / salesflow::testing::UniqueName("generate");
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(GenerateCommandTest, WritesReportsAndManifest) {
  const CommandResult r = RunCli({"--out", dir_.string(), "--days", "3", "--rows-per-day", "100",
                                  "--start-date", "2026-10-01", "--seed", "9", "--gzip",
                                  "--dirty-rate", "0.05", "--currencies", "usd,EUR"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_NE(r.out.find("wrote 3 reports, 300 lines"), std::string::npos) << r.out;
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir_)) names.insert(entry.path().filename());
  EXPECT_EQ(names, (std::set<std::string>{"2026-10-01.csv.gz", "2026-10-02.csv.gz",
                                          "2026-10-03.csv.gz", "manifest.json"}));
  std::ifstream in(dir_ / "manifest.json");
  std::stringstream json;
  json << in.rdbuf();
  Result<Manifest> manifest = ParseManifest(json.str());
  ASSERT_OK(manifest.status());
  EXPECT_EQ(manifest->lines, 300);
  EXPECT_EQ(manifest->currencies, (std::vector<std::string>{"USD", "EUR"}));
  EXPECT_EQ(manifest->files[0].bytes,
            static_cast<int64_t>(fs::file_size(dir_ / "2026-10-01.csv.gz")));
}

TEST_F(GenerateCommandTest, RerunReplacesFilesWithIdenticalBytes) {
  const std::vector<std::string> args = {"--out", dir_.string(),    "--days",
                                         "1",     "--rows-per-day", "500"};
  ASSERT_EQ(RunCli(args).exit_code, 0);
  std::ifstream first_in(dir_ / "2026-10-01.csv");
  std::stringstream first;
  first << first_in.rdbuf();
  ASSERT_EQ(RunCli(args).exit_code, 0);
  std::ifstream second_in(dir_ / "2026-10-01.csv");
  std::stringstream second;
  second << second_in.rdbuf();
  EXPECT_EQ(first.str(), second.str());
  // No temporary files are left behind.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 2);
}

TEST_F(GenerateCommandTest, InvalidOptionsFailWithOneLine) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::string out = dir_.string();
  const std::vector<Case> cases = {
      {{"--out", out, "--days", "0", "--rows-per-day", "10"}, "--days must be between 1"},
      {{"--out", out, "--days", "-3", "--rows-per-day", "10"}, "--days must be between 1"},
      {{"--out", out, "--days", "2", "--rows-per-day", "0"}, "--rows-per-day must be at least 1"},
      {{"--out", out, "--days", "2", "--rows-per-day", "10", "--dirty-rate", "1.5"},
       "--dirty-rate must be between 0 and 1"},
      {{"--out", out, "--days", "2", "--rows-per-day", "10", "--dirty-rate", "-0.1"},
       "--dirty-rate must be between 0 and 1"},
      {{"--out", out, "--days", "2", "--rows-per-day", "10", "--start-date", "2026-02-30"},
       "--start-date must be a date"},
      {{"--out", out, "--days", "2", "--rows-per-day", "10", "--start-date", "tomorrow"},
       "--start-date must be a date"},
      {{"--out", out, "--days", "2", "--rows-per-day", "10", "--start-date", "9999-12-31"},
       "past the year 9999"},
      {{"--out", out, "--days", "2", "--rows-per-day", "10", "--format", "xml"},
       "--format must be csv or jsonl"},
      {{"--out", out, "--days", "2", "--rows-per-day", "10", "--currencies", "USD,EU"},
       "'EU' is not a 3-letter ISO 4217 code"},
      {{"--out", out, "--days", "2", "--rows-per-day", "10", "--currencies", "USD,usd"},
       "USD is listed twice"},
      {{"--days", "2", "--rows-per-day", "10"}, "--out DIR or --upload is required"},
  };
  for (const Case& c : cases) {
    const CommandResult r = RunCli(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.message;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << r.err;
    EXPECT_EQ(r.err.rfind("salesflow generate: ", 0), 0u) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_FALSE(fs::exists(dir_)) << "nothing is written for invalid options";
  }
}

TEST_F(GenerateCommandTest, UnwritableOutFails) {
  fs::create_directories(dir_);
  std::ofstream(dir_ / "a-file") << "x";
  // Root may write anywhere, so unwritable means: a path through a regular file.
  for (const fs::path& out : {dir_ / "a-file", dir_ / "a-file" / "sub"}) {
    const CommandResult r = RunCli({"--out", out.string(), "--days", "1", "--rows-per-day", "10"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("--out " + out.string()), std::string::npos) << r.err;
  }
}

TEST_F(GenerateCommandTest, MissingRequiredOptionsAreParseErrors) {
  EXPECT_NE(RunCli({"--out", dir_.string(), "--rows-per-day", "10"}).exit_code, 0);
  EXPECT_NE(RunCli({"--out", dir_.string(), "--days", "x", "--rows-per-day", "10"}).exit_code, 0);
}

#ifdef SALESFLOW_TEST_GENERATOR_UPLOAD
std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// --upload with --out writes both; the local backend stands in for S3 here (the s3-labelled
// generator_upload_tests use s3rver).
TEST_F(GenerateCommandTest, UploadToFileStoreAndOut) {
  const fs::path store_dir = dir_ / "store";
  ASSERT_EQ(setenv("SALESFLOW_STORAGE", ("file://" + store_dir.string()).c_str(), 1), 0);
  const CommandResult r = RunCli({"--out", (dir_ / "out").string(), "--upload", "--prefix", "daily",
                                  "--days", "2", "--rows-per-day", "300", "--gzip"});
  unsetenv("SALESFLOW_STORAGE");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* name : {"2026-10-01.csv.gz", "2026-10-02.csv.gz", "manifest.json"}) {
    EXPECT_EQ(ReadFile(store_dir / "daily" / name), ReadFile(dir_ / "out" / name)) << name;
    EXPECT_FALSE(ReadFile(dir_ / "out" / name).empty());
  }
}

TEST_F(GenerateCommandTest, UploadToBadStorageUrlFails) {
  ASSERT_EQ(setenv("SALESFLOW_STORAGE", "ftp://nowhere", 1), 0);
  const CommandResult r = RunCli({"--upload", "--days", "1", "--rows-per-day", "10"});
  unsetenv("SALESFLOW_STORAGE");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("SALESFLOW_STORAGE"), std::string::npos) << r.err;
}
#endif

}  // namespace
}  // namespace salesflow::generator
