// Whole-model checks at a tiny configuration: gradients of the mapping, synthesis, generator (with
// style mixing and truncation) and discriminator in double precision; the semantics of w_avg,
// mixing, truncation and noise; and a few optimizer steps that do reduce a loss.
#include <boost/test/unit_test.hpp>

#include <cmath>

#include "acne/layers/stylegan/equalized_conv2d.hpp"
#include "acne/layers/stylegan/minibatch_stddev.hpp"
#include "acne/layers/stylegan/normalize.hpp"
#include "acne/models/stylegan2/discriminator.hpp"
#include "acne/models/stylegan2/generator.hpp"
#include "acne/models/stylegan2/latent.hpp"
#include "acne/optim/adam.hpp"
#include "support/stylegan_test_util.hpp"

namespace test_models_stylegan2_models {

using namespace acne;
using namespace acne::stylegan2;
using namespace acne_stylegan_test;

namespace {
// Channels 5 at 4x4, 3 at 8x8, 1 at 16x16: every block changes the width.
config tiny(std::size_t resolution) {
  config c;
  c.resolution = resolution;
  c.z_dim = 6, c.w_dim = 5, c.mapping_layers = 2;
  c.channel_base = 24, c.channel_max = 5;
  c.mbstd_group = 2;
  return c;
}
// The mapping keeps its initialisation (N(0, 1/0.01^2) weights used with gain 0.01/sqrt(fan_in));
// everything else is drawn from N(0, 0.7), so noise strengths and biases are not zero.
template <class Net>
void randomize_except_mapping(Net& net, std::uint64_t seed) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<double> d(0.0, 0.7);
  for (auto& s : net.slots())
    if (s.trainable() && s.name.rfind("mapping.", 0) != 0)
      for (auto& v : *s.value) v = d(gen);
}
double max_abs_diff(const tensor<T>& a, const tensor<T>& b) {
  double m = 0;
  for (std::size_t i = 0; i < a.size(); ++i) m = std::max(m, std::fabs(a[i] - b[i]));
  return m;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(stylegan_models)

BOOST_AUTO_TEST_CASE(building_block_gradients) {
  {
    network<equalized_dense<T>> net{equalized_dense<T>({.units = 4, .bias_init = 1.0, .lr_mult = 0.01, .act = activation::lrelu()})};
    net.setup({3, 5, 1, 1}, 1);
    BOOST_TEST(gradcheck(net, random_tensor({3, 5, 1, 1}, 2)).worst() < tol);
  }
  for (std::size_t down : {1, 2})
    for (std::size_t k : {1, 3}) {
      network<equalized_conv2d<T>> net{equalized_conv2d<T>(
          {.filters = 3, .kernel = k, .down = down, .act = activation::lrelu(), .gain = std::sqrt(0.5)})};
      net.setup({2, 2, 6, 6}, 3);
      randomize_parameters(net, 4);
      BOOST_TEST(gradcheck(net, random_tensor({2, 2, 6, 6}, 5)).worst() < tol, "down " << down << " kernel " << k);
    }
  {
    network<normalize_2nd_moment<T>> net;
    net.setup({3, 7, 1, 1});
    const auto z = random_tensor({3, 7, 1, 1}, 6, 3.0);
    const auto& y = net.forward(z);
    for (std::size_t n = 0; n < 3; ++n) {
      const auto s = y.sample(n);
      BOOST_TEST(dot(s, s) / 7.0 == 1.0, boost::test_tools::tolerance(1e-7));
    }
    BOOST_TEST(gradcheck(net, z).worst() < tol);
  }
}

BOOST_AUTO_TEST_CASE(minibatch_stddev_values_and_gradients) {
  // N = 4, group 2: samples {0, 2} and {1, 3} form the groups (sample n = g * M + m).
  tensor<T> x({4, 2, 1, 1});
  const double v[] = {1, 2, 3, 5, 4, 6, 9, 7};
  for (int i = 0; i < 8; ++i) x[i] = v[i];
  network<minibatch_stddev<T>> net{minibatch_stddev<T>(2, 1)};
  net.setup(x.shape());
  const auto& y = net.forward(x);
  BOOST_TEST_REQUIRE(y.shape() == (shape4{4, 3, 1, 1}));
  // group {0, 2}: channel 0 values 1, 4 (sd 1.5), channel 1 values 2, 6 (sd 2): mean 1.75
  // group {1, 3}: channel 0 values 3, 9 (sd 3), channel 1 values 5, 7 (sd 1): mean 2
  const double expected[] = {1.75, 2.0, 1.75, 2.0};
  for (std::size_t n = 0; n < 4; ++n) {
    BOOST_TEST(y(n, 2, 0, 0) == expected[n], boost::test_tools::tolerance(1e-7));
    BOOST_TEST(y(n, 0, 0, 0) == x(n, 0, 0, 0));
  }
  for (auto [group, features] : {std::pair<std::size_t, std::size_t>{4, 1}, {2, 2}, {8, 1}}) {
    network<minibatch_stddev<T>> g{minibatch_stddev<T>(group, features)};
    g.setup({4, 4, 3, 2});
    BOOST_TEST(gradcheck(g, random_tensor({4, 4, 3, 2}, 7)).worst() < tol);
  }
  network<minibatch_stddev<T>> bad{minibatch_stddev<T>(4, 1)};
  bad.setup({6, 2, 2, 2});
  BOOST_CHECK_THROW(bad.forward(random_tensor({6, 2, 2, 2}, 8)), acne::error);
}

BOOST_AUTO_TEST_CASE(mapping_gradients_and_w_avg) {
  const auto cfg = tiny(8);
  network<mapping_network<T>> net{mapping_network<T>(cfg)};
  net.setup({3, cfg.z_dim, 1, 1}, 1);
  const auto z = random_tensor({3, cfg.z_dim, 1, 1}, 2);
  const tensor<T> w = net.forward(z);
  auto& avg = net.layer().w_avg();
  for (std::size_t k = 0; k < cfg.w_dim; ++k) {
    const double mean = (w(0, k, 0, 0) + w(1, k, 0, 0) + w(2, k, 0, 0)) / 3;
    BOOST_TEST(avg[k] == (1 - cfg.w_avg_beta) * mean, boost::test_tools::tolerance(1e-10));
  }
  // Scaling z does not change w (normalize_2nd_moment).
  tensor<T> z3 = z;
  scale(z3, 3.0);
  net.eval();
  BOOST_TEST(max_abs_diff(net.forward(z3), w) < 1e-6);  // up to the 1e-8 inside the normalisation
  BOOST_TEST(gradcheck(net, z).worst() < tol);
}

BOOST_AUTO_TEST_CASE(synthesis_gradients) {
  const auto cfg = tiny(8);
  network<synthesis_network<T>> net{synthesis_network<T>(cfg)};
  const shape4 in{2, cfg.num_ws(), cfg.w_dim, 1};
  BOOST_TEST(net.setup(in, 3) == (shape4{2, 3, 8, 8}));
  randomize_parameters(net, 4, 0.7);
  BOOST_TEST(gradcheck(net, random_tensor(in, 5), 250).worst() < tol);
}

BOOST_AUTO_TEST_CASE(generator_gradients_plain_mixed_truncated) {
  const auto cfg = tiny(8);
  const auto z = random_tensor({2, cfg.z_dim, 1, 1}, 6);
  {
    network<generator<T>> net{generator<T>(cfg)};
    net.setup(z.shape(), 7);
    randomize_except_mapping(net, 8);
    BOOST_TEST(gradcheck(net, z, 300).worst() < tol);
  }
  {
    network<generator<T>> net{generator<T>(cfg, {.style_mixing_prob = 1.0})};
    net.setup(z.shape(), 7);
    randomize_except_mapping(net, 8);
    net.forward(z);
    BOOST_TEST_REQUIRE(net.layer().mixed());
    BOOST_TEST(gradcheck(net, z, 300).worst() < tol);
  }
  {
    network<generator<T>> net{generator<T>(cfg, {.truncation_psi = 0.6, .truncation_cutoff = 2, .noise = noise_mode::constant})};
    net.setup(z.shape(), 7);
    randomize_except_mapping(net, 8);
    net.layer().mapping().w_avg().fill(0.3);
    net.eval();
    BOOST_TEST(gradcheck(net, z, 300).worst() < tol);
  }
}

BOOST_AUTO_TEST_CASE(discriminator_gradients) {
  for (double clamp : {0.0, 1.5}) {
    auto cfg = tiny(16);
    cfg.conv_clamp = clamp;
    network<discriminator<T>> net{discriminator<T>(cfg)};
    const shape4 in{2, 3, 16, 16};
    BOOST_TEST(net.setup(in, 9) == (shape4{2, 1, 1, 1}));
    randomize_parameters(net, 10, 0.7);
    BOOST_TEST(gradcheck(net, random_tensor(in, 11), 250).worst() < tol, "conv_clamp " << clamp);
  }
}

BOOST_AUTO_TEST_CASE(mixing_truncation_and_noise_semantics) {
  const auto cfg = tiny(8);
  const auto z = random_tensor({2, cfg.z_dim, 1, 1}, 12);
  network<generator<T>> plain{generator<T>(cfg)};
  plain.setup(z.shape(), 13);
  network<generator<T>> mixed{generator<T>(cfg, {.style_mixing_prob = 1.0})};
  mixed.setup(z.shape(), 13);
  plain.forward(z);
  mixed.forward(z);
  const auto& a = plain.layer().ws();
  const auto& b = mixed.layer().ws();
  const std::size_t cut = mixed.layer().mixing_cutoff();
  BOOST_TEST_REQUIRE((cut >= 1 && cut < cfg.num_ws()));
  for (std::size_t n = 0; n < 2; ++n)
    for (std::size_t i = 0; i < cfg.num_ws(); ++i) {
      double diff = 0;
      for (std::size_t k = 0; k < cfg.w_dim; ++k) diff = std::max(diff, std::fabs(a(n, i, k, 0) - b(n, i, k, 0)));
      if (i < cut) BOOST_TEST(diff == 0.0);
      else BOOST_TEST(diff > 1e-6);
    }
  // Evaluation mode never mixes.
  mixed.eval();
  mixed.forward(z);
  BOOST_TEST(!mixed.layer().mixed());

  // psi = 0 gives w_avg at the truncated layers.
  network<generator<T>> trunc{generator<T>(cfg, {.truncation_psi = 0.0, .truncation_cutoff = 3})};
  trunc.setup(z.shape(), 13);
  trunc.layer().mapping().w_avg().fill(0.25);
  trunc.eval();
  trunc.forward(z);
  const auto& t = trunc.layer().ws();
  for (std::size_t i = 0; i < cfg.num_ws(); ++i)
    BOOST_TEST((std::fabs(t(1, i, 2, 0) - 0.25) < 1e-15) == (i < 3), "layer " << i);

  // Noise: the same context repeats it, another step changes it, constant noise ignores the step.
  network<generator<T>> g{generator<T>(cfg)};
  g.setup(z.shape(), 14);
  randomize_except_mapping(g, 15);
  g.eval();
  const tensor<T> y0 = g.forward(z);
  BOOST_TEST(max_abs_diff(g.forward(z), y0) == 0.0);
  g.ctx().step = 1;
  BOOST_TEST(max_abs_diff(g.forward(z), y0) > 1e-6);
  g.layer().options().noise = noise_mode::constant;
  const tensor<T> c0 = g.forward(z);
  g.ctx().step = 2;
  BOOST_TEST(max_abs_diff(g.forward(z), c0) == 0.0);
  g.layer().options().noise = noise_mode::none;
  BOOST_TEST(max_abs_diff(g.forward(z), c0) > 1e-6);
}

BOOST_AUTO_TEST_CASE(latent_helpers) {
  const auto w = random_tensor({2, 5, 1, 1}, 16);
  tensor<T> ws, other, mid, mixed;
  broadcast_w(w, 4, ws);
  BOOST_TEST_REQUIRE(ws.shape() == (shape4{2, 4, 5, 1}));
  for (std::size_t i = 0; i < 4; ++i) BOOST_TEST(ws(1, i, 3, 0) == w(1, 3, 0, 0));
  other = random_tensor(ws.shape(), 17);
  interpolate_ws(ws, other, 0.25, mid);
  BOOST_TEST(mid(0, 2, 1, 0) == 0.75 * ws(0, 2, 1, 0) + 0.25 * other(0, 2, 1, 0), boost::test_tools::tolerance(1e-14));
  mix_styles(ws, other, 3, mixed);
  BOOST_TEST(mixed(1, 2, 4, 0) == ws(1, 2, 4, 0));
  BOOST_TEST(mixed(1, 3, 4, 0) == other(1, 3, 4, 0));
}

BOOST_AUTO_TEST_CASE(adam_steps_fit_a_target_image) {
  // Float G and D with the reference's Adam settings; the fitted losses must fall.
  const auto cfg = tiny(8);
  tensor<float> z({2, cfg.z_dim, 1, 1}), target({2, 3, 8, 8});
  for (std::size_t i = 0; i < z.size(); ++i) z[i] = float(std::sin(1.0 + double(i)));
  for (std::size_t i = 0; i < target.size(); ++i) target[i] = float(0.5 * std::cos(0.3 * double(i)));
  network<generator<float>> g{generator<float>(cfg)};
  g.setup(z.shape(), 18);
  adam<float> opt(0.01, 0.0, 0.99, 1e-8);
  auto loss = [&](bool step) {
    const auto& img = g.forward(z);
    tensor<float> d = img;
    axpy(-1.0f, target, d);
    const double l = dot(d, d) / double(d.size());
    if (step) {
      g.zero_grad();
      scale(d, float(2.0 / double(d.size())));
      g.backward(d, false);
      opt.step(g);
    }
    return l;
  };
  const double before = loss(false);
  for (int i = 0; i < 60; ++i) loss(true);
  const double after = loss(false);
  BOOST_TEST_MESSAGE("generator MSE " << before << " -> " << after);
  BOOST_TEST(after < 0.3 * before);

  // D learns to score target images above generated ones (logistic loss).
  network<discriminator<float>> d{discriminator<float>(cfg)};
  d.setup(target.shape(), 19);
  adam<float> dopt(0.01, 0.0, 0.99, 1e-8);
  const tensor<float> fake = g.forward(z);
  auto margin = [&]() { return sum(d.forward(target)) - sum(d.forward(fake)); };
  const double m0 = margin();
  for (int i = 0; i < 30; ++i) {
    d.zero_grad();
    tensor<float> up({2, 1, 1, 1}, -0.5f), down({2, 1, 1, 1}, 0.5f);  // gradient of -sum D(real) + sum D(fake)
    d.forward(target);
    d.backward(up, false);
    d.forward(fake);
    d.backward(down, false);
    dopt.step(d);
  }
  BOOST_TEST(margin() > m0 + 1.0);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_models_stylegan2_models
