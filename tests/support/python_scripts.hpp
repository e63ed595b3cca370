#pragma once
// Running the project's Python scripts (tools/, test helpers) from a test: the interpreter found
// (ACNE_PYTHON, python3 or /usr/bin/python3, the first with numpy), a precondition that skips a test
// without one, and a command run with its output logged to a file and to the test log.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

namespace acne::test {

inline std::string python() {
  static const std::string found = [] {
    std::vector<std::string> candidates;
    if (const char* env = std::getenv("ACNE_PYTHON")) candidates.push_back(env);
    candidates.push_back("python3");
    candidates.push_back("/usr/bin/python3");
    for (const auto& p : candidates)
      if (std::system((p + " -c 'import numpy' >/dev/null 2>&1").c_str()) == 0) return p;
    return std::string();
  }();
  return found;
}

struct python_with_numpy {
  boost::test_tools::assertion_result operator()(boost::unit_test::test_unit_id) const {
    boost::test_tools::assertion_result r(!python().empty());
    r.message() << "skipped: no python3 with numpy (set ACNE_PYTHON)";
    return r;
  }
};

inline int run(const std::string& command, const std::filesystem::path& log) {
  const int rc = std::system((command + " > '" + log.string() + "' 2>&1").c_str());
  std::ifstream in(log);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  BOOST_TEST_MESSAGE("$ " << command << "\n" << text);
  return rc;
}

}  // namespace acne::test
