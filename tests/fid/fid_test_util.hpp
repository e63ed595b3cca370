#pragma once
// Shared by the FID tests: a scratch folder removed when the test ends, and small phantom datasets
// written once per test run (rendering is the slow part, so each set is cached by its parameters).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <system_error>

#include "acne/data/phantom_dataset.hpp"

namespace acne::test {

class scratch_dir {
public:
  explicit scratch_dir(const std::string& tag) {
    static std::atomic<int> counter{0};
    const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
    path_ = std::filesystem::path(ACNE_TEST_BINARY_DIR) / "test-scratch" /
            ("fid-" + tag + "-" + std::to_string(stamp) + "-" + std::to_string(counter++));
    std::filesystem::create_directories(path_);
  }
  ~scratch_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  scratch_dir(const scratch_dir&) = delete;
  scratch_dir& operator=(const scratch_dir&) = delete;
  const std::filesystem::path& path() const { return path_; }

private:
  std::filesystem::path path_;
};

// `count` phantom faces of one class at `size` px under a folder that lives for the whole test run.
inline std::filesystem::path phantom_folder(data::acne_class c, std::size_t count, int size, std::uint64_t seed) {
  static const scratch_dir root("phantoms");
  const auto dir = root.path() / (std::string(data::class_name(c)) + "-" + std::to_string(count) + "-" +
                                  std::to_string(size) + "-" + std::to_string(seed));
  if (!std::filesystem::exists(dir)) data::write_phantom_dataset(dir, {{c, count}}, size, seed);
  return dir;
}

}  // namespace acne::test
