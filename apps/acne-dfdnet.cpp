// acne-dfdnet: DFDNet's dictionaries and training on one's own faces. The program lives in
// acne/cli/dfdnet.hpp; `acne-dfdnet --help` describes it and docs/face.md the method.
#include <iostream>
#include <string>
#include <vector>

#include "acne/cli/dfdnet.hpp"

int main(int argc, char** argv) {
  return acne::cli::dfdnet_command(std::vector<std::string>(argv + 1, argv + argc), std::cout, std::cerr);
}
