#pragma once
// The StyleGAN2 loss as the reference's training/loss.py computes it, one accumulate(phase, ...) per
// round of a phase, adding its gradients into G's or D's: non-saturating logistic losses (softplus),
// path length on batch_gpu / pl_batch_shrink latents (Greg), R1 on reals, gamma / 2 |dD/dx|^2
// (Dreg); with negative data augmentation, negative_weight * softplus(D(negative)) joins Dmain.
// The means the tick log shows are summed on the way.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>

#include "acne/backend.hpp"
#include "acne/models/stylegan2/discriminator.hpp"
#include "acne/models/stylegan2/generator.hpp"
#include "acne/network.hpp"
#include "acne/train/gan_options.hpp"
#include "acne/train/gan_phase.hpp"
#include "acne/train/stylegan2_regularizers.hpp"
#include "acne/train/tick_log.hpp"

namespace acne::train {

// A loss, penalty or gradient that is not finite: the trainer stops the run, naming it.
struct non_finite_value {
  const char* what;
  double value;
};

// Sums of the tick's losses; finish() gives their means and starts over.
struct loss_sums {
  double g = 0, d = 0, r1 = 0, pl = 0, real = 0, fake = 0;
  std::size_t ng = 0, nd = 0, nr1 = 0, npl = 0, nreal = 0, nfake = 0;
  tick_record finish() {
    tick_record r;
    const auto mean = [](double s, std::size_t n) { return n ? s / double(n) : tick_record::none; };
    r.loss_g = mean(g, ng), r.loss_d = mean(d, nd), r.r1 = mean(r1, nr1), r.pl = mean(pl, npl);
    r.score_real = mean(real, nreal), r.score_fake = mean(fake, nfake);
    *this = {};
    return r;
  }
};

template <class T, class D>
class stylegan2_loss {
public:
  using generator_net = network<stylegan2::generator<T, D>>;
  using discriminator_net = network<stylegan2::discriminator<T, D>>;

  stylegan2_loss(generator_net& g, discriminator_net& d, const gan_options& o) : g_(g), d_(d), o_(o) {}

  // One round of `ph` on latents z and reals (and negatives, when the options use them);
  // `minibatch` and `round` key the generator's noise and style mixing, drawn afresh for each of its
  // passes as the reference does in every run of G.
  void accumulate(const gan_phase& ph, std::uint64_t minibatch, std::size_t round, const tensor<T, D>& z,
                  const tensor<T, D>& real, const tensor<T, D>* negative = nullptr) {
    const auto key = [&](std::uint64_t pass) { g_.ctx().step = acne::mix_seed(minibatch, 2 * ph.stream + pass, round); };
    key(0);
    if (ph.generator && ph.main) {
      const auto r = logistic_loss(d_.forward(g_.forward(z)), true, ph.gain, dlogits_);
      check("G loss", r.loss);
      g_.backward(d_.backward_input(dlogits_), false);
      sums.g += r.loss, ++sums.ng, sums.fake += r.mean_logit, ++sums.nfake;
    }
    if (ph.generator && ph.reg) {
      key(1);
      const std::size_t n = std::max<std::size_t>(1, z.shape().n / o_.pl_batch_shrink);
      const auto r = stylegan2::path_length_penalty(
          g_, z.samples(0, n), pl,
          {.weight = o_.pl_weight, .decay = o_.pl_decay, .gain = ph.gain, .seed = acne::mix_seed(o_.seed, 0x504C /* PL */)});
      check("path length penalty", r.penalty);
      sums.pl += r.penalty / o_.pl_weight, ++sums.npl;
    }
    if (!ph.generator && ph.main) {
      const auto fake = logistic_loss(d_.forward(g_.forward(z)), false, ph.gain, dlogits_);
      d_.backward(dlogits_, false);
      const auto genuine = logistic_loss(d_.forward(real), true, ph.gain, dlogits_);
      check("D loss", fake.loss + genuine.loss);
      d_.backward(dlogits_, false);
      double loss = fake.loss + genuine.loss;
      if (negative) {
        const auto neg = logistic_loss(d_.forward(*negative), false, ph.gain * o_.negative_weight, dlogits_);
        check("D loss on negatives", neg.loss);
        d_.backward(dlogits_, false);
        loss += o_.negative_weight * neg.loss;
      }
      sums.d += loss, ++sums.nd;
      sums.real += genuine.mean_logit, ++sums.nreal;
    }
    if (!ph.generator && ph.reg) {
      const auto r = stylegan2::r1_penalty(d_, real, {.gamma = o_.r1_gamma, .gain = ph.gain});
      check("R1 penalty", r.penalty);
      sums.r1 += r.penalty * 2 / o_.r1_gamma, ++sums.nr1;
    }
  }

  stylegan2::path_length_state pl;  // the running mean of path lengths, saved with snapshots
  loss_sums sums;

private:
  static void check(const char* what, double value) {
    if (!std::isfinite(value)) throw non_finite_value{what, value};
  }

  generator_net& g_;
  discriminator_net& d_;
  const gan_options& o_;
  tensor<T, D> dlogits_;
};

}  // namespace acne::train
