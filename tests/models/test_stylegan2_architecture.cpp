// Parameter counts and names of the generator and discriminator against stylegan2-ada-pytorch:
// the official trainable-parameter counts (buffers such as mapping.w_avg and noise_const are not
// parameters there and are not counted here), and state_dict keys with the reference's shapes.
#include <boost/test/unit_test.hpp>

#include <map>

#include "acne/models/stylegan2/discriminator.hpp"
#include "acne/models/stylegan2/generator.hpp"
#include "acne/network.hpp"

namespace test_models_stylegan2_architecture {

using namespace acne;
using namespace acne::stylegan2;

namespace {
struct counts {
  std::size_t trainable = 0, state = 0;
  std::map<std::string, shape4> shapes;
};

// Declares the parameters without allocating them.
template <class L>
counts declare(L layer, const shape4& in) {
  parameter_registry<float, cpu> reg;
  layer.setup(in, reg);
  counts c;
  for (const auto& s : reg.slots()) {
    (s.trainable() ? c.trainable : c.state) += s.shape.size();
    c.shapes[s.name] = s.shape;
  }
  return c;
}
counts declare_g(const config& c) { return declare(generator<float>(c), {1, c.z_dim, 1, 1}); }
counts declare_d(const config& c) { return declare(discriminator<float>(c), {1, c.img_channels, c.resolution, c.resolution}); }
std::size_t prefixed(const counts& c, const std::string& prefix, bool trainable_only = true) {
  std::size_t n = 0;
  for (const auto& [name, s] : c.shapes)
    if (name.rfind(prefix, 0) == 0 && (!trainable_only || (name.find("noise_const") == std::string::npos &&
                                                           name.find("w_avg") == std::string::npos)))
      n += s.size();
  return n;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(stylegan_architecture)

BOOST_AUTO_TEST_CASE(config_f_channels_and_ws) {
  const auto c = config::config_f(1024);
  const std::size_t expected[][2] = {{4, 512}, {8, 512}, {16, 512}, {32, 512}, {64, 512},
                                     {128, 256}, {256, 128}, {512, 64}, {1024, 32}};
  for (const auto& e : expected) BOOST_TEST(c.channels(e[0]) == e[1], "channels at " << e[0]);
  BOOST_TEST(c.num_ws() == 18u);
  BOOST_TEST(config::config_f(256).num_ws() == 14u);
  BOOST_TEST(config::paper256().channels(256) == 64u);
}

BOOST_AUTO_TEST_CASE(official_parameter_counts) {
  struct row { config cfg; std::size_t g, d; };
  const row rows[] = {{config::config_f(1024), 30'370'060, 29'012'513},
                      {config::config_f(512), 30'276'583, 28'982'849},
                      {config::config_f(256), 30'034'338, 28'864'129},
                      {config::paper256(), 24'767'458, 24'001'089}};
  for (const auto& r : rows) {
    const auto g = declare_g(r.cfg);
    const auto d = declare_d(r.cfg);
    BOOST_TEST(g.trainable == r.g, "G at " << r.cfg.resolution << " base " << r.cfg.channel_base);
    BOOST_TEST(d.trainable == r.d, "D at " << r.cfg.resolution << " base " << r.cfg.channel_base);
    BOOST_TEST(d.state == 0u);
    // State: w_avg and one noise buffer per synthesis convolution (one at 4x4, two above).
    std::size_t noise = 16;
    for (std::size_t res = 8; res <= r.cfg.resolution; res *= 2) noise += 2 * res * res;
    BOOST_TEST(g.state == r.cfg.w_dim + noise);
  }
  const auto g = declare_g(config::config_f(1024));
  BOOST_TEST(prefixed(g, "mapping.") == 2'101'248u);
  BOOST_TEST(prefixed(g, "synthesis.") == 28'268'812u);
}

BOOST_AUTO_TEST_CASE(allocated_networks_count_the_same) {
  const auto cfg = config::config_f(1024);
  network<generator<float>> g{generator<float>(cfg)};
  g.setup({1, cfg.z_dim, 1, 1}, 1);
  BOOST_TEST(g.trainable_parameter_count() == 30'370'060u);
  BOOST_TEST(g.parameter_count() > g.trainable_parameter_count());  // w_avg and noise buffers are saved too
  network<discriminator<float>> d{discriminator<float>(cfg)};
  d.setup({1, 3, 1024, 1024}, 2);
  BOOST_TEST(d.trainable_parameter_count() == 29'012'513u);
  BOOST_TEST(d.parameter_count() == 29'012'513u);
}

BOOST_AUTO_TEST_CASE(reference_state_dict_names) {
  const auto cfg = config::config_f(1024);
  const auto g = declare_g(cfg);
  const std::map<std::string, shape4> g_expected = {
      {"mapping.fc0.weight", {512, 512, 1, 1}},
      {"mapping.fc7.bias", {512, 1, 1, 1}},
      {"mapping.w_avg", {512, 1, 1, 1}},
      {"synthesis.b4.const", {512, 4, 4, 1}},
      {"synthesis.b4.conv1.weight", {512, 512, 3, 3}},
      {"synthesis.b4.conv1.noise_strength", {1, 1, 1, 1}},
      {"synthesis.b4.conv1.noise_const", {4, 4, 1, 1}},
      {"synthesis.b4.conv1.affine.bias", {512, 1, 1, 1}},
      {"synthesis.b4.torgb.weight", {3, 512, 1, 1}},
      {"synthesis.b64.conv0.affine.weight", {512, 512, 1, 1}},
      {"synthesis.b128.conv0.weight", {256, 512, 3, 3}},
      {"synthesis.b128.conv0.affine.weight", {512, 512, 1, 1}},
      {"synthesis.b128.conv1.affine.weight", {256, 512, 1, 1}},
      {"synthesis.b1024.conv1.noise_const", {1024, 1024, 1, 1}},
      {"synthesis.b1024.torgb.bias", {3, 1, 1, 1}},
      {"synthesis.b1024.torgb.affine.weight", {32, 512, 1, 1}}};
  for (const auto& [name, shape] : g_expected) {
    BOOST_TEST_REQUIRE(g.shapes.contains(name), "missing " << name);
    BOOST_TEST(g.shapes.at(name) == shape, name << " is " << g.shapes.at(name));
  }
  BOOST_TEST(!g.shapes.contains("synthesis.b4.conv0.weight"));
  BOOST_TEST(!g.shapes.contains("mapping.fc8.weight"));
  // 8 FC x 2 + w_avg; per synthesis conv: weight, bias, noise_strength, noise_const, affine x 2;
  // per ToRGB: weight, bias, affine x 2; plus const.
  BOOST_TEST(g.shapes.size() == 17u + 1u + 17u * 6u + 9u * 4u);

  const auto d = declare_d(cfg);
  const std::map<std::string, shape4> d_expected = {
      {"b1024.fromrgb.weight", {32, 3, 1, 1}},
      {"b1024.conv0.weight", {32, 32, 3, 3}},
      {"b1024.conv1.weight", {64, 32, 3, 3}},
      {"b1024.skip.weight", {64, 32, 1, 1}},
      {"b64.conv0.weight", {512, 512, 3, 3}},
      {"b8.conv1.bias", {512, 1, 1, 1}},
      {"b4.conv.weight", {512, 513, 3, 3}},
      {"b4.fc.weight", {512, 8192, 1, 1}},
      {"b4.out.weight", {1, 512, 1, 1}},
      {"b4.out.bias", {1, 1, 1, 1}}};
  for (const auto& [name, shape] : d_expected) {
    BOOST_TEST_REQUIRE(d.shapes.contains(name), "missing " << name);
    BOOST_TEST(d.shapes.at(name) == shape, name << " is " << d.shapes.at(name));
  }
  BOOST_TEST(!d.shapes.contains("b512.fromrgb.weight"));
  BOOST_TEST(!d.shapes.contains("b64.skip.bias"));
  BOOST_TEST(d.shapes.size() == 8u * 5u + 2u + 6u);  // 8 blocks, the top one's fromrgb, epilogue
}

BOOST_AUTO_TEST_CASE(rejects_bad_configs_and_inputs) {
  config c = config::config_f(256);
  c.resolution = 96;
  BOOST_CHECK_THROW(generator<float>{c}, acne::error);
  BOOST_CHECK_THROW(discriminator<float>{c}, acne::error);
  const auto ok = config::config_f(16);
  BOOST_CHECK_THROW(declare(discriminator<float>(ok), {1, 3, 32, 32}), acne::error);
  BOOST_CHECK_THROW(declare(generator<float>(ok), {1, 100, 1, 1}), acne::error);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_models_stylegan2_architecture
