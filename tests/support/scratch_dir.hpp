#pragma once
// A fresh folder for one test under the build tree (test-scratch/), removed when the test ends.
#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>
#include <system_error>

namespace acne::test {

class scratch_dir {
public:
  explicit scratch_dir(const std::string& tag = "scratch") {
    static std::atomic<int> counter{0};
    const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
    path_ = std::filesystem::path(ACNE_TEST_BINARY_DIR) / "test-scratch" /
            (tag + "-" + std::to_string(stamp) + "-" + std::to_string(counter++));
    std::filesystem::create_directories(path_);
  }
  ~scratch_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  scratch_dir(const scratch_dir&) = delete;
  scratch_dir& operator=(const scratch_dir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

private:
  std::filesystem::path path_;
};

}  // namespace acne::test
