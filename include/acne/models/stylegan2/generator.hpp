#pragma once
// The generator z -> image: mapping ("mapping.*") then synthesis ("synthesis.*"), with the
// reference's training-time style mixing and inference-time truncation between them.
// Style mixing (training mode only, probability style_mixing_prob): a second latent drawn from the
// context's (seed, step) is mapped too, and the ws from a cutoff drawn uniformly in [1, num_ws)
// come from it, one cutoff for the whole batch as in the reference.
// Truncation (psi != 1): w = w_avg + psi (w - w_avg) for the first truncation_cutoff ws (0: all).
#include <algorithm>
#include <cmath>

#include "acne/instances.hpp"
#include "acne/models/stylegan2/mapping.hpp"
#include "acne/models/stylegan2/synthesis.hpp"
#include "acne/network.hpp"

namespace acne::stylegan2 {

struct generator_options {
  double truncation_psi = 1.0;
  std::size_t truncation_cutoff = 0;  // 0: every w
  double style_mixing_prob = 0.0;     // the reference trains with 0.9
  noise_mode noise = noise_mode::random;
};

template <class T, class D = cpu>
class generator : public layer_base<T, D> {
public:
  explicit generator(const config& c = {}, const generator_options& o = {})
      : cfg_(c), opt_(o), mapping_(c, false), synthesis_(c) {}

  shape4 setup(const shape4& in, parameter_registry<T, D>& reg) {
    using scope = typename parameter_registry<T, D>::scope;
    {
      scope s(reg, "mapping");
      mapping_.setup(in, reg);
    }
    scope s(reg, "synthesis");
    return synthesis_.setup({in.n, cfg_.num_ws(), cfg_.w_dim, 1}, reg);
  }

  void forward(const tensor<T, D>& z, tensor<T, D>& img, context& ctx) {
    map(z, ctx);
    synthesis_.set_noise_mode(opt_.noise);
    synthesis_.forward(ws_, img, ctx);
  }

  void backward(const tensor<T, D>& z, const tensor<T, D>& img, const tensor<T, D>& dimg, tensor<T, D>* dz,
                context& ctx) {
    synthesis_.backward(ws_, img, dimg, &dws_, ctx);
    backward_from_ws(dws_, dz, ctx);
  }

  // z -> ws (mapping, w_avg tracking in training mode, mixing, truncation); the result is ws().
  void map(const tensor<T, D>& z, context& ctx) {
    const std::size_t n = z.shape().n, num_ws = cfg_.num_ws(), wd = cfg_.w_dim;
    const std::uint64_t seed = mix_seed(ctx.seed, ctx.step, name_stream("style_mixing"));
    mixing_ = ctx.training && opt_.style_mixing_prob > 0 && num_ws > 1 && hash_uniform(seed, 0) < opt_.style_mixing_prob;
    cutoff_ = mixing_ ? 1 + std::min<std::size_t>(num_ws - 2, std::size_t(hash_uniform(seed, 1) * double(num_ws - 1)))
                      : num_ws;
    z_ = &z;
    if (mixing_) {
      zz_.resize({2 * n, cfg_.z_dim, 1, 1});
      auto first = zz_.samples(0, n), second = zz_.samples(n, n);
      copy(z, first);
      fill_normal(second, mix_seed(seed, 1));
      z_ = &zz_;
    }
    mapping_.forward(*z_, ww_, ctx);
    if (ctx.training) mapping_.update_w_avg(ww_.samples(0, n));
    ws_.resize({n, num_ws, wd, 1});
    for (std::size_t i = 0; i < num_ws; ++i) copy_channels(ww_.view({n, 1, wd, 1}, (i < cutoff_ ? 0 : n) * wd), ws_, i);
    if (opt_.truncation_psi == 1.0) return;
    for (std::size_t b = 0; b < n; ++b)
      for (std::size_t i = 0; i < truncated(); ++i) {
        auto w = ws_.view({1, wd, 1, 1}, (b * num_ws + i) * wd);
        axpby(T(1 - opt_.truncation_psi), mapping_.w_avg(), T(opt_.truncation_psi), w);
      }
  }

  // Back-propagates dL/dws (e.g. from synthesis().backward) through truncation, mixing and the
  // mapping network, to the mapping's parameters and, if dz is not null, to z. Uses the state of
  // the last map().
  void backward_from_ws(const tensor<T, D>& dws, tensor<T, D>* dz, context& ctx) {
    const std::size_t n = dws.shape().n, wd = cfg_.w_dim;
    dww_.resize(ww_.shape());
    dww_.zero();
    for (std::size_t i = 0; i < cfg_.num_ws(); ++i) {
      slice_.resize({n, 1, wd, 1});
      slice_channels(dws, slice_, i);
      auto dst = dww_.view({n, 1, wd, 1}, (i < cutoff_ ? 0 : n) * wd);
      axpy(T(i < truncated() ? opt_.truncation_psi : 1.0), slice_, dst);
    }
    if (!mixing_) return mapping_.backward(*z_, ww_, dww_, dz, ctx);
    mapping_.backward(*z_, ww_, dww_, dz ? &dzz_ : nullptr, ctx);
    if (!dz) return;
    dz->resize({n, cfg_.z_dim, 1, 1});
    copy(dzz_.samples(0, n), *dz);
  }

  const tensor<T, D>& ws() const { return ws_; }
  const tensor<T, D>& ws_grad() const { return dws_; }
  mapping_network<T, D>& mapping() { return mapping_; }
  synthesis_network<T, D>& synthesis() { return synthesis_; }
  generator_options& options() { return opt_; }
  const config& cfg() const { return cfg_; }
  bool mixed() const { return mixing_; }
  std::size_t mixing_cutoff() const { return cutoff_; }

private:
  std::size_t truncated() const {
    if (opt_.truncation_psi == 1.0) return 0;
    return opt_.truncation_cutoff == 0 ? cfg_.num_ws() : std::min(opt_.truncation_cutoff, cfg_.num_ws());
  }

  config cfg_;
  generator_options opt_;
  mapping_network<T, D> mapping_;
  synthesis_network<T, D> synthesis_;
  const tensor<T, D>* z_ = nullptr;
  bool mixing_ = false;
  std::size_t cutoff_ = 0;
  tensor<T, D> zz_, dzz_, ww_, dww_, ws_, dws_, slice_;
};

}  // namespace acne::stylegan2

// Its network, compiled once for the project's programs and tests (acne/instances.hpp).
#define ACNE_STYLEGAN2_GENERATOR_NETWORK(D) class acne::network<acne::stylegan2::generator<float, D>>
ACNE_EXTERN_INSTANCES(ACNE_STYLEGAN2_GENERATOR_NETWORK)
