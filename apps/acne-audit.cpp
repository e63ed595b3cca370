// acne-audit: does a synthetic image set copy the real faces its generator saw? The program lives in
// acne/cli/audit.hpp; `acne-audit --help` describes it and docs/audit.md the criteria.
#include <iostream>
#include <string>
#include <vector>

#include "acne/cli/audit.hpp"

int main(int argc, char** argv) {
  return acne::cli::audit_command(std::vector<std::string>(argv + 1, argv + argc), std::cout, std::cerr);
}
