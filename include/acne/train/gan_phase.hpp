#pragma once
// The phases of a StyleGAN2 minibatch, as the reference's training loop lists them: Gmain, Greg,
// Dmain, Dreg (Greg every g_reg_interval minibatches, Dreg every d_reg_interval, their losses scaled
// by the interval); with interval 0 a "both" phase regularises in every step.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "acne/train/gan_options.hpp"

namespace acne::train {

struct gan_phase {
  std::string name;          // Gmain, Greg, Gboth, Dmain, Dreg, Dboth
  bool generator = true;     // the network it trains
  bool main = true, reg = false;
  std::size_t interval = 1;  // runs when minibatch % interval == 0
  double gain = 1;           // loss scale: the interval, so a lazy regulariser keeps its weight per image
  std::uint64_t stream = 0;  // keys its latents
};

// A regularisation phase whose weight is 0 is left out (it would step the optimizer with no gradient).
inline std::vector<gan_phase> make_phases(const gan_options& o) {
  std::vector<gan_phase> phases;
  const auto add = [&](bool gen, std::size_t interval, bool reg_on, std::uint64_t stream) {
    const std::string n = gen ? "G" : "D";
    if (interval == 0) {
      phases.push_back({n + "both", gen, true, reg_on, 1, 1.0, stream});
      return;
    }
    phases.push_back({n + "main", gen, true, false, 1, 1.0, stream});
    if (reg_on) phases.push_back({n + "reg", gen, false, true, interval, double(interval), stream + 1});
  };
  add(true, o.g_reg_interval, o.pl_weight != 0, 0);
  add(false, o.d_reg_interval, o.r1_gamma != 0, 2);
  return phases;
}

}  // namespace acne::train
