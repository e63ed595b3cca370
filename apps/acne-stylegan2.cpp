// acne-stylegan2: train a StyleGAN2, generate images from seeds, draw sample grids.
// The program lives in acne/cli/stylegan2.hpp; `acne-stylegan2 --help` describes it.
#include <csignal>
#include <iostream>
#include <string>
#include <vector>

#include "acne/cli/stylegan2.hpp"

namespace {
volatile std::sig_atomic_t stop_requested = 0;

// The first Ctrl-C (or SIGTERM) asks training to stop after its minibatch with a snapshot; a second
// one kills the process the default way.
extern "C" void request_stop(int sig) {
  stop_requested = 1;
  std::signal(sig, SIG_DFL);
}
}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGINT, request_stop);
  std::signal(SIGTERM, request_stop);
  return acne::cli::stylegan2_command(std::vector<std::string>(argv + 1, argv + argc), std::cout, std::cerr,
                                      [] { return stop_requested != 0; });
}
