#pragma once
// A program's command function (cli/*.hpp) run in-process, with its exit status and what it printed.
#include <boost/test/unit_test.hpp>

#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace acne::test {

struct command_run {
  int rc = 0;
  std::string out, err;

  // The number printed after "<label>: ", which must be there.
  double value(const std::string& label) const {
    std::smatch m;
    const std::regex re(label + ": (-?[0-9.e+-]+)");
    BOOST_TEST_REQUIRE(std::regex_search(out, m, re), "no '" << label << "' in:\n" << out << err);
    return std::stod(m[1]);
  }
  bool says(const std::string& text) const { return (out + err).find(text) != std::string::npos; }
};

template <class Program>
command_run run_program(const char* name, Program program, const std::vector<std::string>& args) {
  std::ostringstream out, err;
  command_run r;
  r.rc = program(args, out, err);
  r.out = out.str();
  r.err = err.str();
  BOOST_TEST_MESSAGE(name << " rc " << r.rc << "\n" << r.out << r.err);
  return r;
}

}  // namespace acne::test
