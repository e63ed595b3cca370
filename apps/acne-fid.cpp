// acne-fid: FID and KID between two image folders (or a folder and saved statistics), with the
// standard Inception network (converted pytorch-fid weights) or a named weight-free extractor.
// The program lives in acne/cli/fid.hpp; `acne-fid --help` describes it.
#include <iostream>
#include <string>
#include <vector>

#include "acne/cli/fid.hpp"

int main(int argc, char** argv) {
  return acne::cli::fid_command(std::vector<std::string>(argv + 1, argv + argc), std::cout, std::cerr);
}
