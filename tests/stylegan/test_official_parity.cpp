// One training step of each phase (Gmain, Greg, Dmain, Dreg) against the official
// stylegan2-ada-pytorch on the same weights and inputs (fixtures from
// tools/stylegan2_official_gradients.py: 32 px with 2 mapping layers; 64 px with 8 mapping layers,
// conv_clamp 1 and minibatch-stddev groups of 2). Each phase's parameter gradients, in float, must
// agree with the official ones to a relative L2 error of 1e-4: both sides compute in float32, in
// different orders, so about 1e-6 is expected on the first-order phases; the second-order phases
// chain two backward passes over the same rounding and stay within a few 1e-6 when exact (a finite
// difference of gradients, as this library used before, was off by 0.8 to 18 here).
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <filesystem>
#include <string>

#include "acne/models/stylegan2/discriminator.hpp"
#include "acne/models/stylegan2/weights.hpp"
#include "acne/train/stylegan2_regularizers.hpp"

using namespace acne;
using namespace acne::stylegan2;

namespace {

struct fixture_step {
  io::safetensors_file steps;
  config cfg;
  network<generator<float>> g;
  network<discriminator<float>> d;

  explicit fixture_step(const std::string& name)
      : steps(io::load_safetensors(folder(name) / "steps.safetensors")),
        cfg(config::from_json(steps.metadata_json("config"))),
        g(generator<float>(cfg, {.style_mixing_prob = 0.0, .noise = noise_mode::constant})),
        d(discriminator<float>(cfg)) {
    g.setup({1, cfg.z_dim, 1, 1}, 0);
    d.setup({1, cfg.img_channels, cfg.resolution, cfg.resolution}, 0);
    load_weights(g, folder(name) / "G.safetensors", cfg);
    load_weights(d, folder(name) / "D.safetensors", cfg);
    g.train(), d.train();
  }
  static std::filesystem::path folder(const std::string& name) {
    return std::filesystem::path(ACNE_TEST_SOURCE_DIR) / "tests/stylegan/fixtures" / name;
  }

  tensor<float> input(const std::string& key, shape4 s) const {
    const auto values = steps.at(key).as<float>();
    BOOST_TEST_REQUIRE(values.size() == s.size(), key << ": " << values.size() << " values for " << s);
    tensor<float> t(s);
    std::copy(values.begin(), values.end(), t.data());
    return t;
  }
  tensor<float> z() const { return input("z", {batch(), cfg.z_dim, 1, 1}); }
  tensor<float> real() const { return input("real", {batch(), cfg.img_channels, cfg.resolution, cfg.resolution}); }
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
      const float* ours = s.grad->data();
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
tensor<float> logistic_gradient(const tensor<float>& logits, bool real, double gain) {
  tensor<float> g(logits.shape());
  const double n = double(logits.size());
  for (std::size_t i = 0; i < logits.size(); ++i) {
    const double x = logits[i];
    g[i] = float((real ? -1 / (1 + std::exp(x)) : 1 / (1 + std::exp(-x))) / n * gain);
  }
  return g;
}

void check_phases(const std::string& name) {
  fixture_step f(name);
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
  const tensor<float> fake = f.g.forward(z);
  f.d.backward(logistic_gradient(f.d.forward(fake), false, f.number("gain.Dmain")), false);
  f.d.backward(logistic_gradient(f.d.forward(real), true, f.number("gain.Dmain")), false);
  BOOST_TEST(f.error(f.d, "Dmain") < bound);

  f.d.zero_grad();
  r1_penalty(f.d, real, {.gamma = f.number("r1_gamma"), .gain = f.number("gain.Dreg")});
  BOOST_TEST(f.error(f.d, "Dreg") < bound);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(stylegan_official_parity)

BOOST_AUTO_TEST_CASE(phases_at_32px_two_mapping_layers) { check_phases("official_32"); }
BOOST_AUTO_TEST_CASE(phases_at_64px_clamped_groups_of_two) { check_phases("official_64"); }

BOOST_AUTO_TEST_SUITE_END()
