#pragma once
// Helpers shared by the io tests: a scratch directory per test case, and error-message checks.
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "acne/error.hpp"

namespace acne_io_test {

struct temp_dir {
  std::filesystem::path path;
  temp_dir() {
    static std::atomic<int> counter{0};
    path = std::filesystem::temp_directory_path() /
           ("acne-io-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::permissions(path, std::filesystem::perms::owner_all, ec);
    std::filesystem::remove_all(path, ec);
  }
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(path)) names.push_back(e.path().filename().string());
    return names;
  }
};

// A predicate for BOOST_CHECK_EXCEPTION: the acne::error message must mention `text`.
inline auto mentions(std::string text) {
  return [text](const acne::error& e) {
    const bool found = std::string_view(e.what()).find(text) != std::string_view::npos;
    if (!found) BOOST_TEST_MESSAGE("message lacks '" << text << "': " << e.what());
    return found;
  };
}

}  // namespace acne_io_test
