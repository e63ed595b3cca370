#pragma once
// StyleGAN2's regularisers, R1 (discriminator) and path length (generator), with exact gradients.
// Both penalties are functions of a first-order gradient (g = dD/dx, resp. dws of <G(ws), y>), so
// their parameter gradients are mixed second derivatives times v = dP/dg:
//   dP/dtheta = d/de [grad_theta F(u + e v)] at e = 0
// (F = sum of logits with u = x for R1; F = <img, y> with u = ws for path length), plus for path
// length the same derivative of dF/dws, back-propagated through the mapping network. That
// derivative is taken exactly, in forward mode on the backward pass (layers/layer.hpp's tangent
// contract): the same numbers as automatic differentiation's double backward, which holds every
// activation mask fixed, and no step size.
// Each call adds gain * dP/dtheta to the network's gradients (gain = the lazy-regularisation
// interval, as the reference scales its loss) and returns the penalty. The tangent is linear in v,
// so gain and the penalty's constants scale v, and the results add to the gradients directly.
#include <cmath>
#include <vector>

#include "acne/backend.hpp"
#include "acne/models/stylegan2/generator.hpp"
#include "acne/network.hpp"

namespace acne::stylegan2 {

struct regularizer_result {
  double penalty = 0;  // before gain
};

// ---- R1: P = gamma/2 * mean over samples of |dD/dx|^2, on real images -------------------------

struct r1_options {
  double gamma = 10;
  double gain = 1;  // the lazy interval (16) when applied every 16 discriminator steps
};

// The penalty alone, and g = d(sum of logits)/dx in `grad`; parameter gradients are left as they are.
template <class L>
double r1_value(network<L>& d, const tensor<typename L::value_type, typename L::device_type>& real, double gamma,
                tensor<typename L::value_type, typename L::device_type>& grad) {
  using T = typename L::value_type;
  const auto& logits = d.forward(real);
  tensor<T, typename L::device_type> ones(logits.shape());
  fill(ones, T(1));
  grad = d.backward_input(ones);
  return gamma / 2 * dot(grad, grad) / double(real.shape().n);
}

// dP/dtheta = gamma/N * H_{theta x} g: the tangent of D's backward pass (output gradient 1, whose
// own derivative is 0) along x' = g.
template <class L>
regularizer_result r1_penalty(network<L>& d, const tensor<typename L::value_type, typename L::device_type>& real,
                              const r1_options& opt = {}) {
  using T = typename L::value_type;
  using D = typename L::device_type;
  tensor<T, D> g;
  const regularizer_result res{r1_value(d, real, opt.gamma, g)};
  if (opt.gamma == 0) return res;
  scale(g, T(opt.gain * opt.gamma / double(real.shape().n)));
  tensor<T, D> ones(d.output().shape()), zeros(d.output().shape());
  fill(ones, T(1));
  zeros.zero();
  d.forward_tangent(g);
  d.backward_tangent(ones, zeros);
  return res;
}

// ---- Path length: P = weight * mean over samples of (|J^T y|_w - pl_mean)^2 -------------------
// with J = d img / d ws, y = randn / sqrt(H W), |g|_w = sqrt(mean over ws of sum over w_dim g^2),
// and pl_mean = lerp(previous pl_mean, mean length, decay), itself a function of the lengths (as
// in the reference, which does not detach it inside the penalty).

struct path_length_options {
  double weight = 2;
  double decay = 0.01;
  double gain = 1;  // the lazy interval (4)
  std::uint64_t seed = 0;  // of the noise y, mixed with the context's step
};

struct path_length_state {
  double pl_mean = 0;
};

namespace detail {
struct pl_terms {
  double penalty = 0, mean = 0;
  std::vector<double> lengths, coef;  // coef[n] = dP/dg_n / g_n
};

template <class T, class D>
pl_terms pl_evaluate(const tensor<T, D>& g, std::size_t num_ws, double pl_mean, const path_length_options& opt) {
  const std::size_t n = g.shape().n;
  pl_terms t;
  double mean_len = 0;
  for (std::size_t b = 0; b < n; ++b) {
    const auto gb = g.sample(b);
    t.lengths.push_back(std::sqrt(dot(gb, gb) / double(num_ws)));
    mean_len += t.lengths.back() / double(n);
  }
  t.mean = pl_mean + opt.decay * (mean_len - pl_mean);
  double sum_dev = 0;
  for (double len : t.lengths) {
    t.penalty += opt.weight * (len - t.mean) * (len - t.mean) / double(n);
    sum_dev += len - t.mean;
  }
  for (double len : t.lengths) {
    const double dlen = opt.weight / double(n) * (2 * (len - t.mean) - opt.decay * 2 * sum_dev / double(n));
    t.coef.push_back(len > 0 ? dlen / (double(num_ws) * len) : 0.0);
  }
  return t;
}

// Forward of the generator and g = d<img, y>/dws, parameter gradients left as they are. y is
// drawn here unless `noise` gives it.
template <class T, class D>
tensor<T, D> pl_gradient(network<generator<T, D>>& net, const tensor<T, D>& z, const path_length_options& opt,
                         tensor<T, D>& y, const tensor<T, D>* noise) {
  auto& gen = net.layer();
  const auto& img = net.forward(z);
  const auto& s = img.shape();
  if (noise) {
    check_shape("path length noise", s, noise->shape());
    y = *noise;
  } else {
    y.resize(s);
    fill_normal(y, mix_seed(opt.seed, net.ctx().step, name_stream("pl_noise")), T(1.0 / std::sqrt(double(s.h * s.w))));
  }
  tensor<T, D> g;
  parameter_gradients_off off(net.ctx());
  gen.synthesis().backward(gen.ws(), img, y, &g, net.ctx());
  return g;
}
}  // namespace detail

// The penalty alone (pl_mean as given, not updated).
template <class T, class D>
double path_length_value(network<generator<T, D>>& net, const tensor<T, D>& z, double pl_mean,
                         const path_length_options& opt = {}, const tensor<T, D>* noise = nullptr) {
  tensor<T, D> y;
  const auto g = detail::pl_gradient(net, z, opt, y, noise);
  return detail::pl_evaluate(g, net.layer().cfg().num_ws(), pl_mean, opt).penalty;
}

// Adds gain * dP/dtheta (synthesis and mapping parameters) and updates state.pl_mean. `noise`, when
// given, is y (shaped like the images); otherwise y is drawn from opt.seed and the context's step.
template <class T, class D>
regularizer_result path_length_penalty(network<generator<T, D>>& net, const tensor<T, D>& z, path_length_state& state,
                                       const path_length_options& opt = {}, const tensor<T, D>* noise = nullptr) {
  auto& gen = net.layer();
  auto& ctx = net.ctx();
  tensor<T, D> y;
  tensor<T, D> v = detail::pl_gradient(net, z, opt, y, noise);
  const auto terms = detail::pl_evaluate(v, gen.cfg().num_ws(), state.pl_mean, opt);
  state.pl_mean = terms.mean;
  const regularizer_result res{terms.penalty};
  for (std::size_t b = 0; b < v.shape().n; ++b) {
    auto vb = v.sample(b);
    scale(vb, T(opt.gain * terms.coef[b]));
  }
  // Tangent of the synthesis backward (image gradient y, whose derivative is 0) along ws' = v.
  const tensor<T, D>& img = net.output();
  tensor<T, D> timg, zeros(img.shape()), tdws;
  zeros.zero();
  gen.synthesis().forward_tangent(gen.ws(), img, v, timg, ctx);
  gen.synthesis().backward_tangent(gen.ws(), img, y, zeros, tdws, ctx);
  gen.backward_from_ws(tdws, nullptr, ctx);  // the mapping's share, through the ws of the forward
  return res;
}

}  // namespace acne::stylegan2
