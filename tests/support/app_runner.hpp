#pragma once
// A built program run as a user runs it (a child process, stdout and stderr together), for the
// tests of whole programs; they are skipped when the program was not built (ACNE_BUILD_APPS=OFF).
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <filesystem>
#include <string>

#include <sys/wait.h>

#include "acne/io/report.hpp"

namespace acne::test {

inline std::filesystem::path app_path(const std::string& name) {
  return std::filesystem::path(ACNE_TEST_BINARY_DIR) / "apps" / name;
}

// A precondition: the program exists.
struct app_built {
  std::string name;
  boost::test_tools::assertion_result operator()(boost::unit_test::test_unit_id) const {
    boost::test_tools::assertion_result r(std::filesystem::exists(app_path(name)));
    r.message() << app_path(name).string() << " was not built; app tests skipped";
    return r;
  }
};

struct app_outcome {
  int status = -1;
  std::string output;
  bool says(const std::string& part) const { return output.find(part) != std::string::npos; }
};

// Runs `name args`, its output kept in dir/log.txt.
inline app_outcome run_app(const std::string& name, const std::string& args, const std::filesystem::path& dir) {
  const auto log = dir / "log.txt";
  const int raw = std::system((app_path(name).string() + " " + args + " >" + log.string() + " 2>&1").c_str());
  return {WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, io::read_text_file(log)};
}

}  // namespace acne::test
