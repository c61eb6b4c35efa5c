// The local-directory backend (file:///abs/dir).
//
// Layout: an object "a/b.csv" is the regular file <root>/a/b.csv. <root>/.salesflow/ is
// reserved: tmp/ holds uploads in progress (renamed into place on Commit, so readers never see
// a partial file), etags/ holds one sidecar per object with its MD5, keyed by SHA-256 of the
// key and validated against the file's inode, size and mtime, so a file replaced behind our
// back (cp, rsync) gets its ETag recomputed instead of a stale one.
//
// Safety: every path is resolved component by component with openat(O_NOFOLLOW), so neither a
// key (already free of "." and "..") nor a symlink planted inside the root can reach outside
// it. Symlinks are never followed: they are not listed, and reading one is PermissionDenied.
#include <dirent.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "core/object_key.h"
#include "storage/backends_impl.h"
#include "storage/sigv4.h"

namespace salesflow::storage {
namespace {

constexpr std::string_view kReservedDir = ".salesflow";
constexpr auto kStaleTempAge = std::chrono::hours(24);

// Owns a file descriptor.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
      Reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { Reset(); }
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  void Reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

std::string ErrnoText(int error) { return std::strerror(error); }

std::vector<std::string> SplitKey(std::string_view key) {
  std::vector<std::string> segments;
  std::size_t start = 0;
  while (true) {
    const std::size_t slash = key.find('/', start);
    segments.emplace_back(
        key.substr(start, slash == std::string_view::npos ? slash : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return segments;
}

Status CheckKey(std::string_view key) {
  SF_RETURN_IF_ERROR(ValidateObjectKey(key));
  if (key == kReservedDir || key.starts_with(std::string(kReservedDir) + "/")) {
    return Status::InvalidArgument("object key " + Quote(key) +
                                   " is reserved: the local store keeps its own files under '" +
                                   std::string(kReservedDir) + "/'");
  }
  return Status::Ok();
}

std::string RandomHex() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  std::string out;
  for (int i = 0; i < 2; ++i) {
    const uint64_t value = engine();
    for (int shift = 60; shift >= 0; shift -= 4) out += "0123456789abcdef"[(value >> shift) & 0xF];
  }
  return out;
}

// Incremental MD5 (the local ETag, the same as S3's for single-part uploads).
class Md5 {
 public:
  Md5() : ctx_(EVP_MD_CTX_new()) { EVP_DigestInit_ex(ctx_, EVP_md5(), nullptr); }
  ~Md5() { EVP_MD_CTX_free(ctx_); }
  Md5(const Md5&) = delete;
  Md5& operator=(const Md5&) = delete;
  void Update(std::string_view bytes) { EVP_DigestUpdate(ctx_, bytes.data(), bytes.size()); }
  std::string HexDigest() {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    EVP_DigestFinal_ex(ctx_, digest.data(), &length);
    std::string out;
    for (unsigned int i = 0; i < length; ++i) {
      out += "0123456789abcdef"[digest[i] >> 4];
      out += "0123456789abcdef"[digest[i] & 0xF];
    }
    return out;
  }

 private:
  EVP_MD_CTX* ctx_;
};

Status WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t written = ::write(fd, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return Status::Unavailable("writing to the local store failed: " + ErrnoText(errno));
    }
    bytes.remove_prefix(static_cast<std::size_t>(written));
  }
  return Status::Ok();
}

// Reads up to buffer.size() bytes at offset; returns the count (0 at end of file).
Result<std::size_t> ReadAt(int fd, std::string& buffer, uint64_t offset) {
  while (true) {
    const ssize_t got = ::pread(fd, buffer.data(), buffer.size(), static_cast<off_t>(offset));
    if (got >= 0) return static_cast<std::size_t>(got);
    if (errno != EINTR) {
      return Status::Unavailable("reading from the local store failed: " + ErrnoText(errno));
    }
  }
}

// What identifies one version of a file on disk.
struct FileStamp {
  uint64_t inode = 0, size = 0;
  int64_t mtime_sec = 0, mtime_nsec = 0;
  std::string Serialize() const {
    return std::to_string(inode) + ' ' + std::to_string(size) + ' ' + std::to_string(mtime_sec) +
           ' ' + std::to_string(mtime_nsec);
  }
};

FileStamp StampOf(const struct stat& st) {
  return {static_cast<uint64_t>(st.st_ino), static_cast<uint64_t>(st.st_size),
          static_cast<int64_t>(st.st_mtim.tv_sec), static_cast<int64_t>(st.st_mtim.tv_nsec)};
}

class LocalStore final : public ObjectStore {
 public:
  LocalStore(std::string root, UniqueFd root_fd, UniqueFd tmp_fd, UniqueFd etags_fd)
      : root_(std::move(root)),
        root_fd_(std::move(root_fd)),
        tmp_fd_(std::move(tmp_fd)),
        etags_fd_(std::move(etags_fd)) {}

  Result<ListPage> List(std::string_view prefix, std::string_view continuation_token,
                        int max_keys) override;
  Result<ObjectInfo> Head(std::string_view key) override;
  Status Get(std::string_view key, const GetOptions& options, const ChunkSink& sink) override;
  Result<std::unique_ptr<ObjectWriter>> OpenWriter(std::string_view key,
                                                   const WriteOptions& options) override;
  Status Delete(std::string_view key) override;
  std::string Describe() const override { return "file://" + root_; }

  // Used by LocalWriter::Commit.
  Result<UniqueFd> OpenParent(std::string_view key, const std::vector<std::string>& segments,
                              bool create) const;
  int tmp_fd() const { return tmp_fd_.get(); }
  void StoreEtag(std::string_view key, const FileStamp& stamp, const std::string& etag) const;
  void ForgetEtag(std::string_view key) const;

 private:
  // Opens the object's file for reading (no symlinks); NotFound when missing.
  Result<UniqueFd> OpenObject(std::string_view key, struct stat& st) const;
  Result<std::string> EtagOf(std::string_view key, int fd, const struct stat& st) const;
  Status Walk(int dir_fd, const std::string& dir_key, std::vector<std::string>& keys) const;

  std::string root_;
  UniqueFd root_fd_, tmp_fd_, etags_fd_;
};

class LocalWriter final : public ObjectWriter {
 public:
  LocalWriter(const LocalStore& store, std::string key, std::string temp_name, UniqueFd fd)
      : store_(store), key_(std::move(key)), temp_name_(std::move(temp_name)), fd_(std::move(fd)) {}
  ~LocalWriter() override { Abort(); }

  Status Write(std::string_view bytes) override {
    if (!error_.ok()) return error_;
    if (!fd_.valid()) return Status::FailedPrecondition("writer for " + Quote(key_) + " is closed");
    const Status status = WriteAll(fd_.get(), bytes);
    if (!status.ok()) return Fail(status);
    md5_.Update(bytes);
    size_ += bytes.size();
    return Status::Ok();
  }

  Result<ObjectInfo> Commit() override {
    if (!error_.ok()) return error_;
    if (!fd_.valid()) return Status::FailedPrecondition("writer for " + Quote(key_) + " is closed");
    if (::fsync(fd_.get()) != 0) {
      return Fail(Status::Unavailable("fsync of the upload failed: " + ErrnoText(errno)));
    }
    struct stat st {};
    if (::fstat(fd_.get(), &st) != 0) {
      return Fail(Status::Internal("fstat of the upload failed: " + ErrnoText(errno)));
    }
    const std::vector<std::string> segments = SplitKey(key_);
    auto parent = store_.OpenParent(key_, segments, /*create=*/true);
    if (!parent.ok()) return Fail(parent.status());
    ObjectInfo info{key_, size_, md5_.HexDigest(), static_cast<int64_t>(st.st_mtim.tv_sec)};
    // The sidecar goes first: a crash between the two renames leaves a sidecar whose stamp
    // matches no file, which is ignored and recomputed.
    store_.StoreEtag(key_, StampOf(st), info.etag);
    if (::renameat(store_.tmp_fd(), temp_name_.c_str(), parent->get(), segments.back().c_str()) !=
        0) {
      const int error = errno;
      if (error == EISDIR || error == ENOTEMPTY || error == EEXIST) {
        return Fail(Status::FailedPrecondition("cannot store " + Quote(key_) +
                                               ": objects exist under '" + key_ +
                                               "/' in the local store"));
      }
      return Fail(
          Status::Unavailable("publishing " + Quote(key_) + " failed: " + ErrnoText(error)));
    }
    fd_.Reset();
    ::fsync(parent->get());  // the rename itself survives a power cut
    return info;
  }

  void Abort() override {
    if (!fd_.valid()) return;
    fd_.Reset();
    ::unlinkat(store_.tmp_fd(), temp_name_.c_str(), 0);
  }

 private:
  Status Fail(Status status) {
    Abort();
    error_ = status;
    return status;
  }

  const LocalStore& store_;
  std::string key_;
  std::string temp_name_;
  UniqueFd fd_;
  Md5 md5_;
  uint64_t size_ = 0;
  Status error_;
};

Result<UniqueFd> LocalStore::OpenParent(std::string_view key,
                                        const std::vector<std::string>& segments,
                                        bool create) const {
  UniqueFd current(::dup(root_fd_.get()));
  for (std::size_t i = 0; i + 1 < segments.size(); ++i) {
    const char* name = segments[i].c_str();
    int fd = ::openat(current.get(), name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT && create) {
      if (::mkdirat(current.get(), name, 0755) != 0 && errno != EEXIST) {
        return Status::Unavailable("cannot create a directory for " + Quote(key) + ": " +
                                   ErrnoText(errno));
      }
      fd = ::openat(current.get(), name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    }
    if (fd < 0) {
      const int error = errno;
      if (error == ENOENT) return Status::NotFound("no object " + Quote(key) + " in " + Describe());
      struct stat st {};
      const bool is_link =
          ::fstatat(current.get(), name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode);
      if (error == ELOOP || is_link) {
        return Status::PermissionDenied(
            "a path component of " + Quote(key) +
            " is a symbolic link; the local store does not follow links");
      }
      if (error == ENOTDIR) {
        if (create) {
          return Status::FailedPrecondition("cannot store " + Quote(key) + ": '" + segments[i] +
                                            "' is an object, not a folder, in the local store");
        }
        return Status::NotFound("no object " + Quote(key) + " in " + Describe());
      }
      return Status::Unavailable("cannot open a directory of " + Quote(key) + ": " +
                                 ErrnoText(error));
    }
    current = UniqueFd(fd);
  }
  return current;
}

Result<UniqueFd> LocalStore::OpenObject(std::string_view key, struct stat& st) const {
  SF_RETURN_IF_ERROR(CheckKey(key));
  const std::vector<std::string> segments = SplitKey(key);
  SF_ASSIGN_OR_RETURN(UniqueFd parent, OpenParent(key, segments, /*create=*/false));
  UniqueFd fd(::openat(parent.get(), segments.back().c_str(),
                       O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
  if (!fd.valid()) {
    const int error = errno;
    if (error == ENOENT) return Status::NotFound("no object " + Quote(key) + " in " + Describe());
    if (error == ELOOP) {
      return Status::PermissionDenied(Quote(key) +
                                      " is a symbolic link; the local store does not follow links");
    }
    if (error == EACCES)
      return Status::PermissionDenied("cannot read " + Quote(key) + ": " + ErrnoText(error));
    return Status::Unavailable("cannot open " + Quote(key) + ": " + ErrnoText(error));
  }
  if (::fstat(fd.get(), &st) != 0) return Status::Internal("fstat failed: " + ErrnoText(errno));
  // A directory ("a/" holding objects) or a device is not an object.
  if (!S_ISREG(st.st_mode))
    return Status::NotFound("no object " + Quote(key) + " in " + Describe());
  return fd;
}

void LocalStore::StoreEtag(std::string_view key, const FileStamp& stamp,
                           const std::string& etag) const {
  const std::string name = sigv4::HexSha256(key);
  const std::string temp = "etag-" + RandomHex();
  UniqueFd fd(::openat(tmp_fd_.get(), temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (!fd.valid()) return;  // best effort: the ETag is recomputed when missing
  const Status written = WriteAll(fd.get(), stamp.Serialize() + ' ' + etag + '\n');
  fd.Reset();
  if (!written.ok() ||
      ::renameat(tmp_fd_.get(), temp.c_str(), etags_fd_.get(), name.c_str()) != 0) {
    ::unlinkat(tmp_fd_.get(), temp.c_str(), 0);
  }
}

void LocalStore::ForgetEtag(std::string_view key) const {
  ::unlinkat(etags_fd_.get(), sigv4::HexSha256(key).c_str(), 0);
}

Result<std::string> LocalStore::EtagOf(std::string_view key, int fd, const struct stat& st) const {
  const FileStamp stamp = StampOf(st);
  const std::string expected_prefix = stamp.Serialize() + ' ';
  {
    UniqueFd sidecar(::openat(etags_fd_.get(), sigv4::HexSha256(key).c_str(),
                              O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (sidecar.valid()) {
      std::string text(256, '\0');
      auto got = ReadAt(sidecar.get(), text, 0);
      if (got.ok()) {
        text.resize(*got);
        if (text.starts_with(expected_prefix) && text.size() == expected_prefix.size() + 33 &&
            text.back() == '\n') {
          return text.substr(expected_prefix.size(), 32);
        }
      }
    }
  }
  // Missing or stale: hash the file as it is now (through our descriptor) and remember it.
  Md5 md5;
  std::string buffer(1 << 20, '\0');
  for (uint64_t offset = 0;;) {
    SF_ASSIGN_OR_RETURN(const std::size_t got, ReadAt(fd, buffer, offset));
    if (got == 0) break;
    md5.Update(std::string_view(buffer).substr(0, got));
    offset += got;
  }
  std::string etag = md5.HexDigest();
  StoreEtag(key, stamp, etag);
  return etag;
}

Result<ObjectInfo> LocalStore::Head(std::string_view key) {
  struct stat st {};
  SF_ASSIGN_OR_RETURN(UniqueFd fd, OpenObject(key, st));
  SF_ASSIGN_OR_RETURN(std::string etag, EtagOf(key, fd.get(), st));
  return ObjectInfo{std::string(key), static_cast<uint64_t>(st.st_size), std::move(etag),
                    static_cast<int64_t>(st.st_mtim.tv_sec)};
}

Status LocalStore::Get(std::string_view key, const GetOptions& options, const ChunkSink& sink) {
  if (options.length && *options.length == 0) {
    return Status::InvalidArgument("a range Get needs a length > 0");
  }
  struct stat st {};
  SF_ASSIGN_OR_RETURN(UniqueFd fd, OpenObject(key, st));
  SF_ASSIGN_OR_RETURN(std::string etag, EtagOf(key, fd.get(), st));
  const auto size = static_cast<uint64_t>(st.st_size);
  if (!options.if_match.empty() && options.if_match != etag) {
    return Status::FailedPrecondition(Quote(key) + " changed: its ETag is " + etag + ", expected " +
                                      options.if_match);
  }
  const bool ranged = options.offset > 0 || options.length.has_value();
  if (ranged && options.offset >= size) {
    return Status::InvalidArgument("range starts at byte " + std::to_string(options.offset) +
                                   " but " + Quote(key) + " has " + std::to_string(size) +
                                   " bytes");
  }
  if (options.on_info) {
    SF_RETURN_IF_ERROR(options.on_info(
        ObjectInfo{std::string(key), size, etag, static_cast<int64_t>(st.st_mtim.tv_sec)}));
  }
  const uint64_t end = options.length ? std::min(size, options.offset + *options.length) : size;
  std::string buffer(std::max<std::size_t>(1, options.chunk_size), '\0');
  for (uint64_t offset = options.offset; offset < end;) {
    if (end - offset < buffer.size()) buffer.resize(static_cast<std::size_t>(end - offset));
    SF_ASSIGN_OR_RETURN(const std::size_t got, ReadAt(fd.get(), buffer, offset));
    if (got == 0) {
      return Status::DataLoss(Quote(key) + " shrank while it was read (at byte " +
                              std::to_string(offset) + " of " + std::to_string(end) + ")");
    }
    SF_RETURN_IF_ERROR(sink(std::string_view(buffer).substr(0, got)));
    offset += got;
  }
  return Status::Ok();
}

Result<std::unique_ptr<ObjectWriter>> LocalStore::OpenWriter(std::string_view key,
                                                             const WriteOptions& options) {
  SF_RETURN_IF_ERROR(CheckKey(key));
  SF_RETURN_IF_ERROR(ValidateWriteOptions(options));
  const std::string temp = "upload-" + RandomHex();
  UniqueFd fd(::openat(tmp_fd_.get(), temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (!fd.valid()) {
    return Status::Unavailable("cannot create a temporary file in " + root_ +
                               "/.salesflow/tmp: " + ErrnoText(errno));
  }
  return std::unique_ptr<ObjectWriter>(
      std::make_unique<LocalWriter>(*this, std::string(key), temp, std::move(fd)));
}

Status LocalStore::Delete(std::string_view key) {
  SF_RETURN_IF_ERROR(CheckKey(key));
  const std::vector<std::string> segments = SplitKey(key);
  auto parent = OpenParent(key, segments, /*create=*/false);
  if (!parent.ok()) {
    return parent.status().code() == StatusCode::kNotFound ? Status::Ok() : parent.status();
  }
  // Empty directories are left in place: removing them would race with a concurrent writer
  // creating a sibling, and listings ignore them anyway.
  if (::unlinkat(parent->get(), segments.back().c_str(), 0) != 0 && errno != ENOENT &&
      errno != EISDIR) {
    return Status::Unavailable("cannot delete " + Quote(key) + ": " + ErrnoText(errno));
  }
  ForgetEtag(key);
  return Status::Ok();
}

Status LocalStore::Walk(int dir_fd, const std::string& dir_key,
                        std::vector<std::string>& keys) const {
  const int own_fd = ::dup(dir_fd);
  DIR* dir = own_fd < 0 ? nullptr : ::fdopendir(own_fd);
  if (dir == nullptr) {
    if (own_fd >= 0) ::close(own_fd);
    return Status::Unavailable("cannot list " + Describe() + ": " + ErrnoText(errno));
  }
  std::vector<std::pair<std::string, bool>> entries;  // name, is directory
  while (const dirent* entry = ::readdir(dir)) {
    const std::string_view name = entry->d_name;
    if (name == "." || name == "..") continue;
    if (dir_key.empty() && name == kReservedDir) continue;
    struct stat st {};
    if (::fstatat(dir_fd, entry->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    if (S_ISDIR(st.st_mode)) entries.emplace_back(name, true);
    if (S_ISREG(st.st_mode)) entries.emplace_back(name, false);
    // Symlinks, sockets, devices: never objects.
  }
  ::closedir(dir);
  for (const auto& [name, is_dir] : entries) {
    const std::string key = dir_key.empty() ? name : dir_key + "/" + name;
    if (!is_dir) {
      // Files whose names are not valid keys (dropped in by other tools) cannot be read
      // through the store, so they are not listed either.
      if (ValidateObjectKey(key).ok()) keys.push_back(key);
      continue;
    }
    UniqueFd child(::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (child.valid()) SF_RETURN_IF_ERROR(Walk(child.get(), key, keys));
  }
  return Status::Ok();
}

Result<ListPage> LocalStore::List(std::string_view prefix, std::string_view continuation_token,
                                  int max_keys) {
  SF_RETURN_IF_ERROR(ValidateKeyPrefix(prefix));
  const auto limit = static_cast<std::size_t>(std::clamp(max_keys <= 0 ? 1000 : max_keys, 1, 1000));
  // Walk only the deepest folder the prefix names completely.
  const std::size_t slash = prefix.rfind('/');
  const std::string dir_key(slash == std::string_view::npos ? "" : prefix.substr(0, slash));
  ListPage page;
  UniqueFd dir_fd;
  if (dir_key.empty()) {
    dir_fd = UniqueFd(::dup(root_fd_.get()));
  } else {
    auto parent = OpenParent(dir_key, SplitKey(dir_key + "/x"), /*create=*/false);
    if (!parent.ok()) {
      // A missing folder, or one reached through a symlink, holds no objects.
      if (parent.status().code() == StatusCode::kNotFound ||
          parent.status().code() == StatusCode::kPermissionDenied) {
        return page;
      }
      return parent.status();
    }
    dir_fd = std::move(*parent);
  }
  std::vector<std::string> keys;
  SF_RETURN_IF_ERROR(Walk(dir_fd.get(), dir_key, keys));
  std::erase_if(keys, [&](const std::string& key) {
    return !key.starts_with(prefix) || key <= continuation_token;
  });
  std::sort(keys.begin(), keys.end());
  for (const std::string& key : keys) {
    if (page.objects.size() == limit) {
      page.next_token = page.objects.back().key;
      break;
    }
    auto info = Head(key);
    if (info.ok()) {
      page.objects.push_back(std::move(*info));
    } else if (info.status().code() != StatusCode::kNotFound) {  // deleted meanwhile: skip
      return info.status();
    }
  }
  return page;
}

// Removes uploads left behind by a crashed process (older than a day, so never a live one).
void RemoveStaleTemps(int tmp_fd) {
  const int own_fd = ::dup(tmp_fd);
  DIR* dir = own_fd < 0 ? nullptr : ::fdopendir(own_fd);
  if (dir == nullptr) {
    if (own_fd >= 0) ::close(own_fd);
    return;
  }
  const auto cutoff = std::chrono::system_clock::now() - kStaleTempAge;
  while (const dirent* entry = ::readdir(dir)) {
    struct stat st {};
    if (entry->d_name[0] == '.' ||
        ::fstatat(tmp_fd, entry->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
      continue;
    }
    if (std::chrono::system_clock::from_time_t(st.st_mtim.tv_sec) < cutoff) {
      ::unlinkat(tmp_fd, entry->d_name, 0);
    }
  }
  ::closedir(dir);
}

Result<UniqueFd> OpenOrMakeDir(int parent_fd, const char* name, const std::string& what) {
  if (::mkdirat(parent_fd, name, 0755) != 0 && errno != EEXIST) {
    return Status::Unavailable("cannot create " + what + ": " + ErrnoText(errno));
  }
  UniqueFd fd(::openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) return Status::Unavailable("cannot open " + what + ": " + ErrnoText(errno));
  return fd;
}

}  // namespace

Result<std::unique_ptr<ObjectStore>> OpenLocalStore(const std::string& directory) {
  // Create the root with its parents, like `mkdir -p` (the default ./data/reports).
  std::string partial;
  for (const std::string& segment : SplitKey(directory.substr(1))) {
    partial += "/" + segment;
    if (::mkdir(partial.c_str(), 0755) != 0 && errno != EEXIST) {
      return Status::InvalidArgument("SALESFLOW_STORAGE: cannot create the directory " + directory +
                                     ": " + ErrnoText(errno));
    }
  }
  UniqueFd root_fd(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!root_fd.valid()) {
    return Status::InvalidArgument("SALESFLOW_STORAGE: " + directory +
                                   " is not a usable directory: " + ErrnoText(errno));
  }
  SF_ASSIGN_OR_RETURN(UniqueFd reserved,
                      OpenOrMakeDir(root_fd.get(), ".salesflow", directory + "/.salesflow"));
  SF_ASSIGN_OR_RETURN(UniqueFd tmp_fd,
                      OpenOrMakeDir(reserved.get(), "tmp", directory + "/.salesflow/tmp"));
  SF_ASSIGN_OR_RETURN(UniqueFd etags_fd,
                      OpenOrMakeDir(reserved.get(), "etags", directory + "/.salesflow/etags"));
  RemoveStaleTemps(tmp_fd.get());
  return std::unique_ptr<ObjectStore>(std::make_unique<LocalStore>(
      directory, std::move(root_fd), std::move(tmp_fd), std::move(etags_fd)));
}

}  // namespace salesflow::storage
