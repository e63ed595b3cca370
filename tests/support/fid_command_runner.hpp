#pragma once
// acne-fid run in-process through fid_command (the program's main), with what it printed.
#include <boost/test/unit_test.hpp>

#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "acne/cli/fid.hpp"

namespace acne::test {

struct fid_run {
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

inline fid_run run_acne_fid(const std::vector<std::string>& args) {
  std::ostringstream out, err;
  fid_run r;
  r.rc = cli::fid_command(args, out, err);
  r.out = out.str();
  r.err = err.str();
  BOOST_TEST_MESSAGE("acne-fid rc " << r.rc << "\n" << r.out << r.err);
  return r;
}

}  // namespace acne::test
