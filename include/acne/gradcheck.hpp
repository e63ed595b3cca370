#pragma once
// Gradient checking by central finite differences, shipped as a library function so users can
// check their own layers. The scalar checked is L = sum(y * r) for a fixed random r, whose exact
// gradient is backward(dy = r).
#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include "acne/network.hpp"

namespace acne {

struct gradcheck_result {
  double max_input_error = 0;   // max (|analytic - numeric| - rounding) / (tol_floor + |numeric|) over checked inputs
  double max_param_error = 0;   // same over checked parameters
  std::size_t inputs_checked = 0, params_checked = 0;
  double worst() const { return std::max(max_input_error, max_param_error); }
};

struct gradcheck_options {
  double eps = 1e-5;
  double tol_floor = 1e-4;
  std::size_t max_checks = 200;  // per tensor kind; sampled uniformly when there are more
  std::uint64_t seed = 7;
  bool check_inputs = true;  // false: a network that does not differentiate its input
};

template <class Layer>
gradcheck_result check_gradients(network<Layer>& net, const tensor<double, cpu>& x, const gradcheck_options& opt = {}) {
  static_assert(std::is_same_v<typename Layer::value_type, double>, "gradient checks run in double precision");
  std::mt19937_64 gen(opt.seed);
  std::normal_distribution<double> normal;
  tensor<double, cpu> r(net.forward(x).shape());
  for (auto& v : r) v = normal(gen);

  auto loss = [&](const tensor<double, cpu>& input) { return dot(net.forward(input), r); };

  net.forward(x);
  net.zero_grad();
  const tensor<double, cpu> dx = net.backward(r, opt.check_inputs);
  const tensor<double, cpu> dparams = net.gradients();

  auto pick = [&](std::size_t n) {
    std::vector<std::size_t> idx(n);
    for (std::size_t i = 0; i < n; ++i) idx[i] = i;
    std::shuffle(idx.begin(), idx.end(), gen);
    idx.resize(std::min(n, opt.max_checks));
    return idx;
  };
  // A central difference cannot resolve less than the rounding of the two losses it subtracts
  // (a few ulps of |L| over 2 eps: 3e-9 for L = 100), so that much of the difference is forgiven;
  // without it a gradient that is exactly zero fails whenever |L| is large.
  auto error = [&](double analytic, double numeric, double up, double down) {
    const double ulps = 4 * std::numeric_limits<double>::epsilon();
    const double resolution = ulps * (std::fabs(up) + std::fabs(down)) / (2 * opt.eps);
    return std::max(0.0, std::fabs(analytic - numeric) - resolution) / (opt.tol_floor + std::fabs(numeric));
  };

  gradcheck_result res;
  tensor<double, cpu> probe = x;
  for (std::size_t i : pick(opt.check_inputs ? x.size() : 0)) {
    const double saved = probe[i];
    probe[i] = saved + opt.eps;
    const double up = loss(probe);
    probe[i] = saved - opt.eps;
    const double down = loss(probe);
    probe[i] = saved;
    res.max_input_error = std::max(res.max_input_error, error(dx[i], (up - down) / (2 * opt.eps), up, down));
    ++res.inputs_checked;
  }
  auto& params = net.parameters();
  std::vector<std::size_t> trainable;
  for (const auto& s : net.slots())
    if (s.trainable() && !s.frozen)  // a frozen parameter gets no gradient by design
      for (std::size_t k = 0; k < s.shape.size(); ++k) trainable.push_back(s.offset + k);
  for (std::size_t j : pick(trainable.size())) {
    const std::size_t i = trainable[j];
    const double saved = params[i];
    params[i] = saved + opt.eps;
    const double up = loss(x);
    params[i] = saved - opt.eps;
    const double down = loss(x);
    params[i] = saved;
    res.max_param_error = std::max(res.max_param_error, error(dparams[i], (up - down) / (2 * opt.eps), up, down));
    ++res.params_checked;
  }
  return res;
}

}  // namespace acne
