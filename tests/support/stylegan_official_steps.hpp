#pragma once
// One training step of each phase (Gmain, Greg, Dmain, Dreg) of StyleGAN2 against the official
// stylegan2-ada-pytorch on the same weights and inputs, on either device (fixtures from
// tools/stylegan2_official_gradients.py in tests/fixtures/stylegan2/NAME). Each phase's parameter
// gradients, in float, must agree with the official ones to a relative L2 error of 1e-4: both
// sides compute in float32, in different orders, so about 1e-6 is expected on the first-order
// phases; the second-order phases chain two backward passes over the same rounding and stay within
// a few 1e-6 when exact (a finite difference of gradients, as this library used before, was off by
// 4 to 16 here).
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "acne/models/stylegan2/discriminator.hpp"
#include "acne/models/stylegan2/weights.hpp"
#include "acne/train/stylegan2_regularizers.hpp"

namespace acne_test {

using namespace acne;
using namespace acne::stylegan2;

template <class D>
struct fixture_step {
  io::safetensors_file steps;
  config cfg;
  network<generator<float, D>> g;
  network<discriminator<float, D>> d;

  explicit fixture_step(const std::string& name)
      : steps(io::load_safetensors(folder(name) / "steps.safetensors")),
        cfg(config::from_json(steps.metadata_json("config"))),
        g(generator<float, D>(cfg, {.style_mixing_prob = 0.0, .noise = noise_mode::constant})),
        d(discriminator<float, D>(cfg)) {
    g.setup({1, cfg.z_dim, 1, 1}, 0);
    d.setup({1, cfg.img_channels, cfg.resolution, cfg.resolution}, 0);
    load_weights(g, folder(name) / "G.safetensors", cfg);
    load_weights(d, folder(name) / "D.safetensors", cfg);
    g.train(), d.train();
  }
  static std::filesystem::path folder(const std::string& name) {
    return std::filesystem::path(ACNE_TEST_SOURCE_DIR) / "tests/fixtures/stylegan2" / name;
  }

  tensor<float, D> input(const std::string& key, shape4 s) const {
    const auto values = steps.at(key).as<float>();
    BOOST_TEST_REQUIRE(values.size() == s.size(), key << ": " << values.size() << " values for " << s);
    tensor<float, D> t(s);
    memory<D>::from_host(t.data(), values.data(), t.bytes());
    return t;
  }
  tensor<float, D> z() const { return input("z", {batch(), cfg.z_dim, 1, 1}); }
  tensor<float, D> real() const { return input("real", {batch(), cfg.img_channels, cfg.resolution, cfg.resolution}); }
  std::size_t batch() const { return steps.at("z").shape[0]; }
  double number(const std::string& key) const { return std::stod(steps.metadata.at(key)); }

  // Relative L2 distance of the network's trainable gradients from the official ones of `phase`.
  template <class L>
  double error(network<L>& net, const std::string& phase) const {
    double num = 0, den = 0;
    std::size_t count = 0;
    for (const auto& s : net.slots()) {
      if (!s.trainable()) continue;
      const auto theirs = steps.at(phase + "/" + s.name).template as<float>();
      BOOST_TEST_REQUIRE(theirs.size() == s.shape.size(), phase << "/" << s.name);
      std::vector<float> ours(theirs.size());
      memory<D>::to_host(ours.data(), s.grad->data(), ours.size() * sizeof(float));
      for (std::size_t i = 0; i < theirs.size(); ++i) {
        num += std::pow(double(ours[i]) - double(theirs[i]), 2);
        den += std::pow(double(theirs[i]), 2);
      }
      ++count;
    }
    BOOST_TEST_REQUIRE(den > 0, phase << ": the official gradients are all zero");
    const double e = std::sqrt(num / den);
    BOOST_TEST_MESSAGE("  " << phase << ": " << count << " tensors, relative L2 error " << e << " (norm " << std::sqrt(den) << ")");
    return e;
  }
};

// The logistic loss's gradient: -sigmoid(-x) / N (real) or sigmoid(x) / N (fake), times gain.
template <class D>
tensor<float, D> logistic_gradient(const tensor<float, D>& logits, bool real, double gain) {
  std::vector<float> x(logits.size());
  memory<D>::to_host(x.data(), logits.data(), logits.bytes());
  const double n = double(x.size());
  for (auto& v : x) v = float((real ? -1 / (1 + std::exp(double(v))) : 1 / (1 + std::exp(-double(v)))) / n * gain);
  tensor<float, D> g(logits.shape());
  memory<D>::from_host(g.data(), x.data(), g.bytes());
  return g;
}

template <class D = cpu>
void check_official_phases(const std::string& name) {
  fixture_step<D> f(name);
  const auto z = f.z(), real = f.real();
  constexpr double bound = 1e-4;

  f.g.zero_grad(), f.d.zero_grad();
  const auto& fake_logits = f.d.forward(f.g.forward(z));
  f.g.backward(f.d.backward_input(logistic_gradient(fake_logits, true, f.number("gain.Gmain"))), false);
  BOOST_TEST(f.error(f.g, "Gmain") < bound);

  f.g.zero_grad();
  const std::size_t half = f.batch() / std::size_t(f.number("pl_batch_shrink"));
  const auto noise = f.input("pl_noise", {half, f.cfg.img_channels, f.cfg.resolution, f.cfg.resolution});
  path_length_state pl;
  path_length_penalty(f.g, z.samples(0, half), pl,
                      {.weight = f.number("pl_weight"), .decay = f.number("pl_decay"), .gain = f.number("gain.Greg")},
                      &noise);
  BOOST_TEST(f.error(f.g, "Greg") < bound);
  BOOST_TEST(pl.pl_mean == f.number("pl_mean_after"), boost::test_tools::tolerance(1e-5));

  f.d.zero_grad();
  const tensor<float, D> fake = f.g.forward(z);
  f.d.backward(logistic_gradient(f.d.forward(fake), false, f.number("gain.Dmain")), false);
  f.d.backward(logistic_gradient(f.d.forward(real), true, f.number("gain.Dmain")), false);
  BOOST_TEST(f.error(f.d, "Dmain") < bound);

  f.d.zero_grad();
  r1_penalty(f.d, real, {.gamma = f.number("r1_gamma"), .gain = f.number("gain.Dreg")});
  BOOST_TEST(f.error(f.d, "Dreg") < bound);
}

}  // namespace acne_test
