#pragma once
// acne-fid and acne-stylegan2 run in-process through their commands (the programs' mains), with
// their exit status and what they printed.
#include <string>
#include <vector>

#include "acne/cli/fid.hpp"
#include "acne/cli/stylegan2.hpp"
#include "support/program_run.hpp"

namespace acne::test {

inline command_run run_acne_fid(const std::vector<std::string>& args) {
  return run_program("acne-fid", [](const auto& a, auto& o, auto& e) { return cli::fid_command(a, o, e); }, args);
}

inline command_run run_acne_stylegan2(const std::vector<std::string>& args) {
  return run_program("acne-stylegan2", [](const auto& a, auto& o, auto& e) { return cli::stylegan2_command(a, o, e); },
                     args);
}

}  // namespace acne::test
