#pragma once
// The generator's exponential moving average (G_ema): a second copy of G's parameters that follows
// them with a half-life measured in images, so that its samples average out the optimizer's noise.
// After every minibatch: ema = lerp(p, ema, beta) for trained parameters, and saved state (w_avg,
// the constant noise images) copied as is, since it is not a parameter that moves by gradient.
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "acne/error.hpp"
#include "acne/network.hpp"

namespace acne::train {

// beta = 0.5 ^ (batch / ema_nimg): after ema_kimg thousand images an old value weighs one half.
// With rampup > 0 the half-life is at most cur_nimg * rampup, so early training is not averaged
// with the random initialisation for long.
inline double ema_beta(std::size_t batch, double ema_kimg, std::uint64_t cur_nimg = 0, double rampup = 0) {
  double ema_nimg = ema_kimg * 1000;
  if (rampup > 0) ema_nimg = std::min(ema_nimg, double(cur_nimg) * rampup);
  return std::pow(0.5, double(batch) / std::max(ema_nimg, 1e-8));
}

template <class Layer>
void update_ema(network<Layer>& ema, const network<Layer>& net, double beta) {
  using T = typename network<Layer>::T;
  ACNE_CHECK(ema.parameters().size() == net.parameters().size() && ema.slots().size() == net.slots().size(),
             "update_ema: the average and the network have different parameters");
  auto& avg = ema.parameters();
  const auto& src = net.parameters();
  axpby(T(1 - beta), src, T(beta), avg);
  for (const auto& s : net.slots()) {
    if (s.trainable()) continue;
    auto dst = avg.view(s.shape, s.offset);
    copy(src.view(s.shape, s.offset), dst);
  }
}

}  // namespace acne::train
