#pragma once
// The mapping network z -> w: normalize_2nd_moment, then `mapping_layers` equalised-lr FC layers
// with leaky ReLU and lr multiplier 0.01, and a tracked average w (w_avg, saved with the weights,
// not trained) for the truncation trick. Parameter names: fc{i}.weight, fc{i}.bias, w_avg.
#include <string>
#include <vector>

#include "acne/layers/sequential.hpp"
#include "acne/layers/stylegan/equalized_dense.hpp"
#include "acne/layers/stylegan/normalize.hpp"
#include "acne/models/stylegan2/config.hpp"

namespace acne::stylegan2 {

template <class T, class D = cpu>
using mapping_layers = sequential<normalize_2nd_moment<T, D>, inlined<repeated<equalized_dense<T, D>>>>;

template <class T, class D = cpu>
class mapping_network : public mapping_layers<T, D> {
  using base = mapping_layers<T, D>;

public:
  // track_w_avg: update w_avg in every training-mode forward. The generator turns it off and
  // tracks only the w of its own latents (not those drawn for style mixing).
  explicit mapping_network(const config& c = {}, bool track_w_avg = true)
      : base(layers(c)), cfg_(c), track_(track_w_avg) {}

  shape4 setup(const shape4& in, parameter_registry<T, D>& reg) {
    ACNE_CHECK(in.sample_size() == cfg_.z_dim, "mapping network: input " << in << " for z_dim " << cfg_.z_dim);
    const shape4 out = base::setup({in.n, cfg_.z_dim, 1, 1}, reg);
    reg.add_state("w_avg", {cfg_.w_dim, 1, 1, 1}, initializer::zeros(), &w_avg_);
    return out;
  }

  void forward(const tensor<T, D>& z, tensor<T, D>& w, context& ctx) {
    base::forward(z, w, ctx);
    if (ctx.training && track_) update_w_avg(w);
  }

  // w_avg = lerp(mean of the rows of w, w_avg, beta), as the reference does per training step.
  void update_w_avg(const tensor<T, D>& w) {
    const std::size_t n = w.shape().n;
    ones_.resize({1, n, 1, 1});
    fill(ones_, T(1));
    mean_.resize({1, cfg_.w_dim, 1, 1});
    matmul(ones_, false, w.reshaped({n, cfg_.w_dim, 1, 1}), false, mean_, T(1.0 / double(n)), T(0));
    axpby(T(1 - cfg_.w_avg_beta), mean_, T(cfg_.w_avg_beta), w_avg_);
  }

  tensor<T, D>& w_avg() { return w_avg_; }
  const config& cfg() const { return cfg_; }

private:
  static base layers(const config& c) {
    std::vector<equalized_dense<T, D>> fc;
    for (std::size_t i = 0; i < c.mapping_layers; ++i)
      fc.emplace_back(equalized_dense_options{.units = c.w_dim, .lr_mult = c.mapping_lr_mult, .act = activation::lrelu(),
                                              .name = "fc" + std::to_string(i)});
    return base(normalize_2nd_moment<T, D>(), inlined(repeated(std::move(fc))));
  }

  config cfg_;
  bool track_;
  tensor<T, D> w_avg_, ones_, mean_;
};

}  // namespace acne::stylegan2
