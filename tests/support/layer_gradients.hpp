#pragma once
// A layer's backward pass against central finite differences in double precision: the layer in a
// network of its own, parameters drawn from N(0, scale^2) rather than its initialiser (so zero
// biases are exercised too) and an N(0, 1) input.
#include <cstdint>
#include <random>

#include <boost/test/unit_test.hpp>

#include "acne/gradcheck.hpp"
#include "acne/network.hpp"

namespace acne::test {

struct layer_check {
  double param_scale = 1.0;
  std::size_t max_checks = 200;  // per tensor kind
  std::uint64_t seed = 1;
  // false: checked in inference mode, after one training forward (layers whose training forward
  // changes their state, such as spectral norm's power iteration, hold still there).
  bool training = true;
};

inline tensor<double> normal_tensor(shape4 s, std::uint64_t seed) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> d;
  tensor<double> x(s);
  for (auto& v : x) v = d(gen);
  return x;
}

template <class L>
gradcheck_result check_layer_gradients(L layer, shape4 in, const layer_check& o = {}) {
  network<L> net(std::move(layer));
  net.setup(in, o.seed);
  std::mt19937_64 gen(o.seed + 11);
  std::normal_distribution<double> d;
  for (auto& s : net.slots())
    if (s.trainable())
      for (auto& v : *s.value) v = o.param_scale * d(gen);
  const auto x = normal_tensor(in, o.seed + 1);
  if (!o.training) {
    net.forward(x);
    net.eval();
  }
  const auto r = check_gradients(net, x, {.max_checks = o.max_checks});
  BOOST_TEST_MESSAGE("inputs " << r.inputs_checked << " params " << r.params_checked << " worst " << r.worst());
  return r;
}

}  // namespace acne::test
