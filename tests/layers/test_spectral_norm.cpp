// Spectral normalisation (layers/spectral_norm.hpp) on conv2d: names and shapes as PyTorch stores
// them, the power-iteration step of a training forward against the formulas written out here, the
// limit sigma -> the largest singular value, inference leaving u and v alone, and the backward
// pass (u and v held, as PyTorch holds them) against finite differences.
#include <cmath>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "acne/layers/conv2d.hpp"
#include "acne/network.hpp"
#include "support/layer_gradients.hpp"

namespace test_layers_spectral_norm {

using namespace acne;

namespace {
conv2d<double> sn_conv(std::size_t filters, std::size_t dilation = 1) {
  return conv2d<double>({.filters = filters, .kernel = 3, .padding = padding_mode::explicit_, .pad = dilation,
                         .dilation = dilation, .spectral = spectral_norm{}});
}
tensor<double>& slot(network<conv2d<double>>& net, const std::string& name) {
  for (auto& s : net.slots())
    if (s.name == name) return *s.value;
  BOOST_FAIL("no parameter " << name);
  throw;
}
std::vector<double> normalized(std::vector<double> v) {
  double n = 0;
  for (double x : v) n += x * x;
  for (double& x : v) x /= std::sqrt(n);
  return v;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(spectral_norm_conv)

BOOST_AUTO_TEST_CASE(stored_as_pytorch_names_it) {
  network<conv2d<double>> net(sn_conv(4));
  net.setup({1, 3, 5, 5});
  std::vector<std::string> names;
  for (const auto& s : net.slots()) names.push_back(s.name + (s.trainable() ? "" : " (state)"));
  BOOST_TEST((names == std::vector<std::string>{"weight_orig", "bias", "weight_u (state)", "weight_v (state)"}));
  BOOST_TEST((net.slots()[2].shape == shape4{4, 1, 1, 1}));
  BOOST_TEST((net.slots()[3].shape == shape4{27, 1, 1, 1}));
  BOOST_CHECK_THROW(
      network<conv2d<double>>(conv2d<double>({.filters = 2, .equalized = equalized_lr{}, .spectral = spectral_norm{}}))
          .setup({1, 1, 3, 3}),
      acne::error);
}

BOOST_AUTO_TEST_CASE(one_power_iteration_per_training_forward) {
  network<conv2d<double>> net(sn_conv(3));
  net.setup({1, 2, 4, 4}, 5);
  auto& w = slot(net, "weight_orig");
  const auto u0 = std::vector<double>(slot(net, "weight_u").begin(), slot(net, "weight_u").end());
  net.forward(tensor<double>({1, 2, 4, 4}, 0.5));
  // v = normalise(W^T u0), u = normalise(W v), W as [3, 18].
  std::vector<double> v(18, 0.0), u(3, 0.0);
  for (std::size_t o = 0; o < 3; ++o)
    for (std::size_t j = 0; j < 18; ++j) v[j] += w[o * 18 + j] * u0[o];
  v = normalized(v);
  for (std::size_t o = 0; o < 3; ++o)
    for (std::size_t j = 0; j < 18; ++j) u[o] += w[o * 18 + j] * v[j];
  u = normalized(u);
  for (std::size_t j = 0; j < 18; ++j) BOOST_TEST(slot(net, "weight_v")[j] == v[j], boost::test_tools::tolerance(1e-12));
  for (std::size_t o = 0; o < 3; ++o) BOOST_TEST(slot(net, "weight_u")[o] == u[o], boost::test_tools::tolerance(1e-12));
  // Inference reads u and v and leaves them.
  net.eval();
  net.forward(tensor<double>({1, 2, 4, 4}, 0.5));
  for (std::size_t o = 0; o < 3; ++o) BOOST_TEST(slot(net, "weight_u")[o] == u[o], boost::test_tools::tolerance(1e-15));
}

BOOST_AUTO_TEST_CASE(sigma_converges_to_the_largest_singular_value) {
  // W [2, 1 x 3 x 3] with rows 3 e_0 and 2 e_4: singular values 3 and 2, so the layer converges
  // to the plain convolution divided by 3.
  network<conv2d<double>> net(conv2d<double>({.filters = 2, .kernel = 3, .bias = false, .spectral = spectral_norm{}}));
  net.setup({1, 1, 5, 5}, 3);
  auto& w = slot(net, "weight_orig");
  w.zero();
  w[0] = 3, w[9 + 4] = 2;
  tensor<double> x({1, 1, 5, 5});
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = std::sin(0.7 * double(i));
  for (int i = 0; i < 60; ++i) net.forward(x);
  network<conv2d<double>> plain(conv2d<double>({.filters = 2, .kernel = 3, .bias = false}));
  plain.setup({1, 1, 5, 5});
  for (std::size_t i = 0; i < 18; ++i) plain.parameters()[i] = w[i];
  const auto& y = net.forward(x);
  const auto& p = plain.forward(x);
  for (std::size_t i = 0; i < y.size(); ++i) BOOST_TEST(y[i] == p[i] / 3, boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(backward_matches_finite_differences) {
  const auto check = [](conv2d<double> c, shape4 in) {
    return acne::test::check_layer_gradients(std::move(c), in, {.seed = 4, .training = false}).worst();
  };
  BOOST_TEST(check(sn_conv(4), {2, 3, 6, 5}) < 1e-5);
  BOOST_TEST(check(sn_conv(3, 2), {1, 2, 7, 7}) < 1e-5);  // dilated, as DFDNet's MSDilate block
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_layers_spectral_norm
