// acne-restore: DFDNet face restoration of a folder of photographs. The program lives in
// acne/cli/restore.hpp; `acne-restore --help` describes it and docs/face.md the method.
#include <iostream>
#include <string>
#include <vector>

#include "acne/cli/restore.hpp"

int main(int argc, char** argv) {
  return acne::cli::restore_command(std::vector<std::string>(argv + 1, argv + argc), std::cout, std::cerr);
}
