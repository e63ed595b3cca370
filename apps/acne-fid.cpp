// acne-fid: FID and KID between two image folders (or a folder and saved statistics), with the
// standard Inception network (converted pytorch-fid weights) or a named weight-free extractor.
// The command line lives in acne/metrics/fid_command.hpp; `acne-fid --help` describes it.
#include <iostream>
#include <string>
#include <vector>

#include "acne/metrics/fid_command.hpp"

int main(int argc, char** argv) {
  return acne::metrics::fid_command(std::vector<std::string>(argv + 1, argv + argc), std::cout, std::cerr);
}
