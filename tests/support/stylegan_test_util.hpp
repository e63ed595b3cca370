#pragma once
// Helpers shared by the StyleGAN2 tests: seeded random tensors, randomised parameters and a
// gradient check that reports its worst error.
#include <random>

#include <boost/test/unit_test.hpp>

#include "acne/gradcheck.hpp"

namespace acne_stylegan_test {

using T = double;

inline acne::tensor<T> random_tensor(acne::shape4 s, std::uint64_t seed, double stddev = 1.0) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> d(0.0, stddev);
  acne::tensor<T> x(s);
  for (auto& v : x) v = d(gen);
  return x;
}

// Trainable parameters drawn from N(0, stddev) rather than their initialisers, so that zero-initialised
// values (biases, noise strengths) are exercised too.
template <class Net>
void randomize_parameters(Net& net, std::uint64_t seed, double stddev = 1.0) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> d(0.0, stddev);
  for (auto& s : net.slots())
    if (s.trainable())
      for (auto& v : *s.value) v = typename Net::T(d(gen));
}

template <class Net>
acne::gradcheck_result gradcheck(Net& net, const acne::tensor<T>& x, std::size_t max_checks = 200) {
  acne::gradcheck_options opt;
  opt.max_checks = max_checks;
  const auto r = acne::check_gradients(net, x, opt);
  BOOST_TEST_MESSAGE("  gradcheck: " << r.inputs_checked << " inputs (worst " << r.max_input_error << "), "
                                     << r.params_checked << " parameters (worst " << r.max_param_error << ")");
  return r;
}

constexpr double tol = 1e-5;

}  // namespace acne_stylegan_test
