#pragma once
// StyleGAN2's regularisers, R1 (discriminator) and path length (generator), for a core that has
// first-order backward passes only. Both penalties are functions of a first-order gradient
// (g = dD/dx, resp. dws of <G(ws), y>), so their parameter gradients are Hessian-vector products.
// Each one is taken as a central difference of first-order gradients along the vector v = dP/dg:
//   dP/dtheta = [grad_theta F(u + eps v) - grad_theta F(u - eps v)] / (2 eps)
// (F = sum of logits with u = x for R1; F = <img, y> with u = ws for path length), plus for path
// length the same difference of dF/dws, back-propagated through the mapping network.
// Step rule: eps = h * max(1, rms(u)) / rms(v), i.e. the perturbation's RMS is h relative to the
// input's scale. The error has three parts: truncation, O(h^2); rounding of the two gradients,
// O(machine epsilon / h); and leaky-ReLU kinks crossed inside the step, which grow with h and limit
// large steps (on the path-length test network h = 3e-3 already crosses one: 12% error).
// Defaults and their errors on the networks of tests/stylegan/test_regularizers.cpp: h = 1e-5 in double,
// 5e-10 from the h -> 0 limit, and 1e-9 to 2e-7 (relative to the largest derivative) from a
// direct central difference of the penalty value; h = 1e-3 in float, 3e-5 (path length) and
// 2e-4 (R1) from the double result in norm.
// Each call adds gain * dP/dtheta to the network's gradients (gain = the lazy-regularisation
// interval, as the reference scales its loss) and returns the penalty. The network's caches are
// left at a perturbed point: run forward again before another backward.
#include <cmath>
#include <type_traits>
#include <vector>

#include "acne/backend/cpu/noise.hpp"
#include "acne/models/stylegan2/generator.hpp"
#include "acne/network.hpp"

namespace acne::stylegan2 {

template <class T>
constexpr double default_hvp_step() { return std::is_same_v<T, double> ? 1e-5 : 1e-3; }

struct regularizer_result {
  double penalty = 0;  // before gain
  double epsilon = 0;  // the finite-difference step used
};

namespace detail {
template <class T, class D>
double rms(const tensor<T, D>& t) { return std::sqrt(dot(t, t) / double(t.size())); }

// grads = saved + c * (plus - grads): the central difference, added to what was there before.
template <class T, class D>
void combine(tensor<T, D>& grads, const tensor<T, D>& plus, const tensor<T, D>& saved, double c) {
  axpby(T(c), plus, T(-c), grads);
  axpy(T(1), saved, grads);
}
}  // namespace detail

// ---- R1: P = gamma/2 * mean over samples of |dD/dx|^2, on real images -------------------------

struct r1_options {
  double gamma = 10;
  double gain = 1;  // the lazy interval (16) when applied every 16 discriminator steps
  double step = 0;  // h of the step rule; 0: default_hvp_step<T>()
};

// The penalty alone, and g = d(sum of logits)/dx in `grad`.
template <class L>
double r1_value(network<L>& d, const tensor<typename L::value_type, typename L::device_type>& real, double gamma,
                tensor<typename L::value_type, typename L::device_type>& grad) {
  using T = typename L::value_type;
  const auto& logits = d.forward(real);
  tensor<T, typename L::device_type> ones(logits.shape());
  fill(ones, T(1));
  grad = d.backward(ones, true);
  return gamma / 2 * dot(grad, grad) / double(real.shape().n);
}

template <class L>
regularizer_result r1_penalty(network<L>& d, const tensor<typename L::value_type, typename L::device_type>& real,
                              const r1_options& opt = {}) {
  using T = typename L::value_type;
  using D = typename L::device_type;
  const tensor<T, D> saved = d.gradients();
  tensor<T, D> g;
  const double penalty = r1_value(d, real, opt.gamma, g);
  regularizer_result res{penalty, 0};
  const double rg = detail::rms(g);
  if (rg == 0 || opt.gamma == 0) {
    d.gradients() = saved;
    return res;
  }
  const double h = opt.step > 0 ? opt.step : default_hvp_step<T>();
  res.epsilon = h * std::max(1.0, detail::rms(real)) / rg;
  tensor<T, D> ones({real.shape().n, 1, 1, 1}), x;
  fill(ones, T(1));
  const auto gradient_at = [&](double e) {
    x = real;
    axpy(T(e), g, x);
    d.zero_grad();
    ones.resize(d.forward(x).shape());
    d.backward(ones, false);
  };
  gradient_at(res.epsilon);
  const tensor<T, D> plus = d.gradients();
  gradient_at(-res.epsilon);
  // dP/dtheta = gamma/N * H_{theta x} g.
  detail::combine(d.gradients(), plus, saved, opt.gain * opt.gamma / (double(real.shape().n) * 2 * res.epsilon));
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
  double step = 0;  // h of the step rule; 0: default_hvp_step<T>()
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

// Forward of the generator and g = d<img, y>/dws (y drawn here); gradients are left dirty.
template <class T, class D>
tensor<T, D> pl_gradient(network<generator<T, D>>& net, const tensor<T, D>& z, const path_length_options& opt,
                         tensor<T, D>& y) {
  auto& gen = net.layer();
  const auto& img = net.forward(z);
  const auto& s = img.shape();
  y.resize(s);
  fill_normal(y, mix_seed(opt.seed, net.ctx().step, name_stream("pl_noise")), T(1.0 / std::sqrt(double(s.h * s.w))));
  tensor<T, D> g;
  gen.synthesis().backward(gen.ws(), img, y, &g, net.ctx());
  return g;
}
}  // namespace detail

// The penalty alone (pl_mean as given, not updated).
template <class T, class D>
double path_length_value(network<generator<T, D>>& net, const tensor<T, D>& z, double pl_mean,
                         const path_length_options& opt = {}) {
  const tensor<T, D> saved = net.gradients();
  tensor<T, D> y;
  const auto g = detail::pl_gradient(net, z, opt, y);
  net.gradients() = saved;
  return detail::pl_evaluate(g, net.layer().cfg().num_ws(), pl_mean, opt).penalty;
}

// Adds gain * dP/dtheta (synthesis and mapping parameters) and updates state.pl_mean.
template <class T, class D>
regularizer_result path_length_penalty(network<generator<T, D>>& net, const tensor<T, D>& z, path_length_state& state,
                                       const path_length_options& opt = {}) {
  auto& gen = net.layer();
  auto& ctx = net.ctx();
  const tensor<T, D> saved = net.gradients();
  tensor<T, D> y;
  tensor<T, D> v = detail::pl_gradient(net, z, opt, y);
  const auto terms = detail::pl_evaluate(v, gen.cfg().num_ws(), state.pl_mean, opt);
  state.pl_mean = terms.mean;
  regularizer_result res{terms.penalty, 0};
  for (std::size_t b = 0; b < v.shape().n; ++b) {
    auto vb = v.sample(b);
    scale(vb, T(terms.coef[b]));
  }
  const double rv = detail::rms(v);
  if (rv == 0) {
    net.gradients() = saved;
    return res;
  }
  const tensor<T, D> ws = gen.ws();
  const double h = opt.step > 0 ? opt.step : default_hvp_step<T>();
  res.epsilon = h * std::max(1.0, detail::rms(ws)) / rv;
  tensor<T, D> wp, img, dws_plus, dws;
  const auto gradient_at = [&](double e, tensor<T, D>& dws_out) {
    wp = ws;
    axpy(T(e), v, wp);
    net.zero_grad();
    gen.synthesis().forward(wp, img, ctx);
    gen.synthesis().backward(wp, img, y, &dws_out, ctx);
  };
  gradient_at(res.epsilon, dws_plus);
  const tensor<T, D> plus = net.gradients();
  gradient_at(-res.epsilon, dws);
  const double c = opt.gain / (2 * res.epsilon);
  detail::combine(net.gradients(), plus, saved, c);
  axpby(T(c), dws_plus, T(-c), dws);
  gen.backward_from_ws(dws, nullptr, ctx);  // the mapping's share, through the ws of the first pass
  return res;
}

}  // namespace acne::stylegan2
