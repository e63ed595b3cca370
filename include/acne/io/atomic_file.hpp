#pragma once
// Whole-file writes that either replace the target completely or leave it untouched. The bytes go
// to "<name>.tmp-<pid>-<random>" in the target's directory (rename is atomic only within one file
// system), are fsynced, and are renamed over the target. A crash or kill can leave a stray temp
// file behind, never a torn target. POSIX only.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <filesystem>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

#include "acne/error.hpp"

namespace acne::io {

class atomic_file {
public:
  explicit atomic_file(std::filesystem::path target) : target_(std::move(target)) {
    const auto name = target_.filename().string();
    ACNE_CHECK(!name.empty() && name != "." && name != "..",
               "cannot write '" << target_.string() << "': the path does not name a file");
    std::random_device random;
    for (int attempt = 0; fd_ < 0; ++attempt) {
      const auto suffix = ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(random());
      temp_ = target_;
      temp_.replace_filename(name + suffix);
      // 0666 so the process umask decides the final permissions, as for any newly created file.
      fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
      const int err = errno;
      ACNE_CHECK(fd_ >= 0 || (err == EEXIST && attempt < 16),
                 "cannot create temporary file '" << temp_.string() << "' for '" << target_.string()
                                                  << "': " << std::strerror(err));
    }
  }
  atomic_file(const atomic_file&) = delete;
  atomic_file& operator=(const atomic_file&) = delete;

  // Not committed (an exception unwound past us, or commit failed): the target was never touched.
  ~atomic_file() {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) ::unlink(temp_.c_str());
  }

  void write(std::span<const std::byte> bytes) {
    const auto* p = reinterpret_cast<const char*>(bytes.data());
    std::size_t left = bytes.size();
    while (left > 0) {
      const ::ssize_t n = ::write(fd_, p, std::min<std::size_t>(left, std::size_t{1} << 30));
      if (n < 0 && errno == EINTR) continue;
      ACNE_CHECK(n > 0, "cannot write '" << temp_.string() << "': " << std::strerror(errno));
      p += n;
      left -= static_cast<std::size_t>(n);
    }
  }
  void write(std::string_view text) { write(std::as_bytes(std::span(text.data(), text.size()))); }

  void commit() {
    ACNE_CHECK(::fsync(fd_) == 0, "cannot flush '" << temp_.string() << "': " << std::strerror(errno));
    const int closed = ::close(fd_);
    fd_ = -1;
    ACNE_CHECK(closed == 0, "cannot close '" << temp_.string() << "': " << std::strerror(errno));
    std::error_code ec;
    std::filesystem::rename(temp_, target_, ec);
    ACNE_CHECK(!ec, "cannot rename '" << temp_.string() << "' to '" << target_.string()
                                      << "': " << ec.message());
    committed_ = true;
    sync_directory();
  }

  const std::filesystem::path& temp_path() const { return temp_; }

private:
  // Makes the rename itself durable; best effort, the data is already safe.
  void sync_directory() const {
    const auto dir = target_.has_parent_path() ? target_.parent_path() : std::filesystem::path(".");
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
      ::fsync(fd);
      ::close(fd);
    }
  }

  std::filesystem::path target_;
  std::filesystem::path temp_;
  int fd_ = -1;
  bool committed_ = false;
};

inline void write_file_atomically(const std::filesystem::path& target, std::span<const std::byte> bytes) {
  atomic_file file(target);
  file.write(bytes);
  file.commit();
}

inline void write_file_atomically(const std::filesystem::path& target, std::string_view text) {
  write_file_atomically(target, std::as_bytes(std::span(text.data(), text.size())));
}

}  // namespace acne::io
