#pragma once
// The acne-stylegan2 program as a function (apps/acne-stylegan2.cpp is its main), so that tests run
// it in-process: `train`, `generate` and `grid`. Exit status 0 done, 1 failed, 2 bad usage.
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "acne/cli/program.hpp"
#include "acne/cli/stylegan2_images.hpp"
#include "acne/cli/stylegan2_train.hpp"

namespace acne::cli {

// `abort` is polled during training (e.g. set by a SIGINT handler): the run then stops after the
// current minibatch and writes a snapshot.
inline int stylegan2_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
                             const std::function<bool()>& abort = {}) {
  const auto as = [](const char* name, auto body) {
    return [name, body](const std::vector<std::string>& a, std::ostream& o, std::ostream& e) {
      return run_program(std::string("acne-stylegan2 ") + name, e, [&] { return body(a, o); });
    };
  };
  return run_commands(
      "acne-stylegan2", "Trains StyleGAN2 models and draws images from them.",
      {{"train", "train a StyleGAN2 (the paper's Table 1 settings by default)",
        as("train", [&abort](const auto& a, std::ostream& o) { return stylegan2_train(a, abort, o); })},
       {"generate", "images of given seeds, one PNG per seed", as("generate", stylegan2_generate)},
       {"grid", "a grid of samples, a style-mixing figure or an interpolation, as one PNG", as("grid", stylegan2_grid)}},
      args, out, err);
}

}  // namespace acne::cli
