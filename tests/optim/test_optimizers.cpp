// Optimizer steps against values computed by hand from the update formulas, plus freezing and
// learning-rate multipliers.
#include <boost/test/unit_test.hpp>

#include <cmath>

#include "acne/layers/dense.hpp"
#include "acne/optim/adam.hpp"
#include "acne/optim/sgd.hpp"

namespace test_optim_optimizers {

using namespace acne;

namespace {
using model = dense<double>;
network<model> make_net() {
  network<model> net(model({.units = 1, .name = "fc"}));
  net.setup({1, 2, 1, 1}, 3);
  auto& p = net.parameters();
  p[0] = 1.0, p[1] = -2.0, p[2] = 0.5;  // weight [1, 2], bias [1]
  return net;
}
void set_grads(network<model>& net, double a, double b, double c) {
  auto& g = net.gradients();
  g[0] = a, g[1] = b, g[2] = c;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(optimizers)

BOOST_AUTO_TEST_CASE(adam_two_steps_match_the_formula) {
  auto net = make_net();
  adam<double> opt(0.1, 0.9, 0.999, 1e-8);
  // Step 1, g = 0.2: m = 0.02, v = 4e-5, m_hat = 0.2, v_hat = 0.04 -> p -= 0.1 * 0.2 / (0.2 + 1e-8).
  set_grads(net, 0.2, -0.4, 0.0);
  opt.step(net);
  BOOST_TEST(net.parameters()[0] == 1.0 - 0.1 * 0.2 / (0.2 + 1e-8), boost::test_tools::tolerance(1e-12));
  BOOST_TEST(net.parameters()[1] == -2.0 + 0.1 * 0.4 / (0.4 + 1e-8), boost::test_tools::tolerance(1e-12));
  BOOST_TEST(net.parameters()[2] == 0.5);  // zero gradient, zero moments: no move
  // Step 2, g = 0.1 on the first weight.
  set_grads(net, 0.1, 0.0, 0.0);
  opt.step(net);
  const double m = 0.9 * 0.02 + 0.1 * 0.1, v = 0.999 * 4e-5 + 0.001 * 0.01;
  const double m_hat = m / (1 - 0.81), v_hat = v / (1 - 0.999 * 0.999);
  const double p1 = 1.0 - 0.1 * 0.2 / (0.2 + 1e-8);
  BOOST_TEST(net.parameters()[0] == p1 - 0.1 * m_hat / (std::sqrt(v_hat) + 1e-8), boost::test_tools::tolerance(1e-12));
  BOOST_TEST(opt.steps() == 2u);
}

BOOST_AUTO_TEST_CASE(adam_with_stylegan_betas_has_no_first_moment_correction) {
  auto net = make_net();
  adam<double> opt(0.002, 0.0, 0.99, 1e-8);
  set_grads(net, 0.3, 0.0, 0.0);
  opt.step(net);
  // beta1 = 0: m = g; v = 0.01 g^2, v_hat = g^2 -> step = lr * g / (|g| + eps).
  BOOST_TEST(net.parameters()[0] == 1.0 - 0.002 * 0.3 / (0.3 + 1e-8), boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(sgd_momentum_and_nesterov) {
  auto net = make_net();
  sgd<double> opt(0.5, 0.9);
  set_grads(net, 1.0, 0.0, 0.0);
  opt.step(net);  // b = 1, p = 1 - 0.5
  opt.step(net);  // b = 0.9 + 1 = 1.9, p = 0.5 - 0.95
  BOOST_TEST(net.parameters()[0] == -0.45, boost::test_tools::tolerance(1e-12));

  auto net2 = make_net();
  sgd<double> nesterov(0.5, 0.9, true);
  set_grads(net2, 1.0, 0.0, 0.0);
  nesterov.step(net2);  // b = 1, p -= 0.5 * (1 + 0.9)
  BOOST_TEST(net2.parameters()[0] == 1.0 - 0.95, boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(freezing_and_lr_multipliers) {
  auto net = make_net();
  BOOST_TEST(net.freeze("fc.bias") == 1u);
  BOOST_TEST(net.set_lr_mult("fc.weight", 0.01) == 1u);
  BOOST_TEST(net.trainable_parameter_count() == 2u);
  sgd<double> opt(1.0);
  set_grads(net, 1.0, 1.0, 1.0);
  opt.step(net);
  BOOST_TEST(net.parameters()[0] == 1.0 - 0.01, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(net.parameters()[2] == 0.5);  // frozen
  BOOST_TEST(net.freeze("nothing.matches") == 0u);
}

BOOST_AUTO_TEST_CASE(training_reduces_a_least_squares_loss) {
  // y = 3 a - b + 1 learned from 64 samples: the composed layer + optimizer loop must converge.
  network<model> net(model({.units = 1}));
  net.setup({1, 2, 1, 1}, 1);
  tensor<double> x({64, 2, 1, 1}), target({64, 1, 1, 1}), dy({64, 1, 1, 1});
  rng gen(5);
  std::normal_distribution<double> d;
  for (std::size_t i = 0; i < 64; ++i) {
    x[2 * i] = d(gen), x[2 * i + 1] = d(gen);
    target[i] = 3 * x[2 * i] - x[2 * i + 1] + 1;
  }
  adam<double> opt(0.05);
  double loss = 0;
  for (int it = 0; it < 400; ++it) {
    const auto& y = net.forward(x);
    loss = 0;
    for (std::size_t i = 0; i < 64; ++i) {
      dy[i] = (y[i] - target[i]) / 64;
      loss += 0.5 * (y[i] - target[i]) * (y[i] - target[i]) / 64;
    }
    net.zero_grad();
    net.backward(dy, false);
    opt.step(net);
  }
  BOOST_TEST(loss < 1e-4);
  BOOST_TEST(net.parameters()[0] == 3.0, boost::test_tools::tolerance(1e-2));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_optim_optimizers
