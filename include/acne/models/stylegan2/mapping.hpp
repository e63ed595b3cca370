#pragma once
// The mapping network z -> w: normalize_2nd_moment, then `mapping_layers` equalised-lr FC layers
// with leaky ReLU and lr multiplier 0.01, and a tracked average w (w_avg, saved with the weights,
// not trained) for the truncation trick. Parameter names: fc{i}.weight, fc{i}.bias, w_avg.
#include <string>
#include <vector>

#include "acne/backend/cpu/normalize.hpp"
#include "acne/layers/stylegan/equalized_dense.hpp"
#include "acne/models/stylegan2/config.hpp"

namespace acne::stylegan2 {

template <class T, class D = cpu>
class mapping_network : public layer_base<T, D> {
public:
  // track_w_avg: update w_avg in every training-mode forward. The generator turns it off and
  // tracks only the w of its own latents (not those drawn for style mixing).
  explicit mapping_network(const config& c = {}, bool track_w_avg = true) : cfg_(c), track_(track_w_avg) {}

  shape4 setup(const shape4& in, parameter_registry<T, D>& reg) {
    ACNE_CHECK(in.sample_size() == cfg_.z_dim, "mapping network: input " << in << " for z_dim " << cfg_.z_dim);
    layers_.assign(cfg_.mapping_layers, equalized_dense<T, D>({.units = cfg_.w_dim, .lr_mult = cfg_.mapping_lr_mult,
                                                              .act = activation::lrelu()}));
    acts_.resize(cfg_.mapping_layers);
    grads_.resize(cfg_.mapping_layers + 1);
    shape4 s{in.n, cfg_.z_dim, 1, 1};
    for (std::size_t i = 0; i < layers_.size(); ++i) {
      typename parameter_registry<T, D>::scope scope(reg, "fc" + std::to_string(i));
      s = layers_[i].setup(s, reg);
    }
    reg.add_state("w_avg", {cfg_.w_dim, 1, 1, 1}, initializer::zeros(), &w_avg_);
    return s;
  }

  void forward(const tensor<T, D>& z, tensor<T, D>& w, context& ctx) {
    const std::size_t n = z.shape().n, last = layers_.size() - 1;
    acts_[0].resize({n, cfg_.z_dim, 1, 1});
    norm_.resize({n, 1, 1, 1});
    normalize_2nd_moment_forward(z.reshaped({n, cfg_.z_dim, 1, 1}), acts_[0], norm_, 1e-8);
    for (std::size_t i = 0; i <= last; ++i) layers_[i].forward(acts_[i], i == last ? w : acts_[i + 1], ctx);
    if (ctx.training && track_) update_w_avg(w);
  }

  void backward(const tensor<T, D>& z, const tensor<T, D>& w, const tensor<T, D>& dw, tensor<T, D>* dz, context& ctx) {
    const std::size_t last = layers_.size() - 1;
    for (std::size_t i = last + 1; i-- > 0;)
      layers_[i].backward(acts_[i], i == last ? w : acts_[i + 1], i == last ? dw : grads_[i + 1],
                          i == 0 && !dz ? nullptr : &grads_[i], ctx);
    if (!dz) return;
    dz->resize(z.shape());
    auto flat = dz->reshaped(acts_[0].shape());
    normalize_2nd_moment_backward(z.reshaped(acts_[0].shape()), norm_, grads_[0], flat);
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
  config cfg_;
  bool track_;
  std::vector<equalized_dense<T, D>> layers_;
  std::vector<tensor<T, D>> acts_, grads_;  // acts_[i]: input of layer i
  tensor<T, D> norm_, w_avg_, ones_, mean_;
};

}  // namespace acne::stylegan2
