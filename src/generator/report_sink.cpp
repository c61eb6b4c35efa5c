#include "generator/report_sink.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <utility>

namespace salesflow::generator {
namespace {

std::string ErrnoText(int error) { return std::strerror(error); }

bool IsBareFileName(std::string_view name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string_view::npos &&
         name.find('\0') == std::string_view::npos;
}

// Writes to "<dir>/.<name>.tmp-<pid>" and renames over "<dir>/<name>" on Commit.
class LocalDirectorySink final : public ReportSink {
 public:
  explicit LocalDirectorySink(std::string dir) : dir_(std::move(dir)) {}
  ~LocalDirectorySink() override { Abort(); }

  Status Begin(std::string_view name) override {
    if (fd_ >= 0) return Status::Internal("LocalDirectorySink::Begin with a file still open");
    if (!IsBareFileName(name)) {
      return Status::InvalidArgument("invalid report file name '" + std::string(name) + "'");
    }
    final_path_ = dir_ + "/" + std::string(name);
    temp_path_ = dir_ + "/." + std::string(name) + ".tmp-" + std::to_string(getpid());
    fd_ = ::open(temp_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0)
      return Status::PermissionDenied("cannot create " + temp_path_ + ": " + ErrnoText(errno));
    return Status::Ok();
  }

  Status Write(std::string_view chunk) override {
    if (fd_ < 0) return Status::Internal("LocalDirectorySink::Write without an open file");
    while (!chunk.empty()) {
      const ssize_t n = ::write(fd_, chunk.data(), chunk.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        const int error = errno;
        Abort();
        return Status::Unavailable("cannot write " + final_path_ + ": " + ErrnoText(error));
      }
      chunk.remove_prefix(static_cast<size_t>(n));
    }
    return Status::Ok();
  }

  Status Commit() override {
    if (fd_ < 0) return Status::Internal("LocalDirectorySink::Commit without an open file");
    const int fd = std::exchange(fd_, -1);
    if (::close(fd) != 0) {
      const int error = errno;
      ::unlink(temp_path_.c_str());
      return Status::Unavailable("cannot write " + final_path_ + ": " + ErrnoText(error));
    }
    if (::rename(temp_path_.c_str(), final_path_.c_str()) != 0) {
      const int error = errno;
      ::unlink(temp_path_.c_str());
      return Status::Unavailable("cannot rename " + temp_path_ + " to " + final_path_ + ": " +
                                 ErrnoText(error));
    }
    return Status::Ok();
  }

  void Abort() override {
    if (fd_ < 0) return;
    ::close(std::exchange(fd_, -1));
    ::unlink(temp_path_.c_str());
  }

  std::string Describe() const override { return dir_; }

 private:
  std::string dir_;
  std::string final_path_;
  std::string temp_path_;
  int fd_ = -1;
};

class TeeSink final : public ReportSink {
 public:
  explicit TeeSink(std::vector<std::unique_ptr<ReportSink>> sinks) : sinks_(std::move(sinks)) {}

  Status Begin(std::string_view name) override {
    return ForEach([&](ReportSink& sink) { return sink.Begin(name); });
  }
  Status Write(std::string_view chunk) override {
    return ForEach([&](ReportSink& sink) { return sink.Write(chunk); });
  }
  Status Commit() override {
    return ForEach([&](ReportSink& sink) { return sink.Commit(); });
  }
  void Abort() override {
    for (auto& sink : sinks_) sink->Abort();
  }
  std::string Describe() const override {
    std::string out;
    for (const auto& sink : sinks_) out += (out.empty() ? "" : " and ") + sink->Describe();
    return out;
  }

 private:
  template <typename Fn>
  Status ForEach(Fn&& fn) {
    for (auto& sink : sinks_) {
      Status status = fn(*sink);
      if (!status.ok()) {
        Abort();
        return status;
      }
    }
    return Status::Ok();
  }

  std::vector<std::unique_ptr<ReportSink>> sinks_;
};

}  // namespace

Result<std::unique_ptr<ReportSink>> OpenLocalDirectorySink(const std::string& dir) {
  if (dir.empty()) return Status::InvalidArgument("--out: the output directory is empty");
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) {
    return Status::InvalidArgument("--out " + dir +
                                   ": cannot create directory: " + error.message());
  }
  if (!std::filesystem::is_directory(dir, error)) {
    return Status::InvalidArgument("--out " + dir + ": not a directory");
  }
  if (::access(dir.c_str(), W_OK | X_OK) != 0) {
    return Status::InvalidArgument("--out " + dir +
                                   ": directory is not writable: " + ErrnoText(errno));
  }
  std::unique_ptr<ReportSink> sink = std::make_unique<LocalDirectorySink>(dir);
  return sink;
}

std::unique_ptr<ReportSink> MakeTeeSink(std::vector<std::unique_ptr<ReportSink>> sinks) {
  return std::make_unique<TeeSink>(std::move(sinks));
}

}  // namespace salesflow::generator
