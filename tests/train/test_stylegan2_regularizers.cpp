// R1 and path-length penalty gradients (Hessian-vector products by central differences of
// first-order gradients) against a direct central difference of the penalty value with respect
// to a sample of parameters, in double; and the float results against the double ones.
#include <boost/test/unit_test.hpp>

#include <cmath>

#include "acne/models/stylegan2/discriminator.hpp"
#include "acne/train/stylegan2_regularizers.hpp"
#include "support/stylegan_test_util.hpp"

namespace test_train_stylegan2_regularizers {

using namespace acne;
using namespace acne::stylegan2;
using namespace acne_stylegan_test;

namespace {
config tiny() {
  config c;
  c.resolution = 8;
  c.z_dim = 6, c.w_dim = 5, c.mapping_layers = 2;
  c.channel_base = 24, c.channel_max = 5;
  c.mbstd_group = 2;
  return c;
}

// Indices of trainable parameters: `count` drawn from the slots whose name starts with `prefix`.
template <class Net>
std::vector<std::size_t> sample_parameters(Net& net, const std::string& prefix, std::size_t count, std::uint64_t seed) {
  std::vector<std::size_t> all;
  for (const auto& s : net.slots())
    if (s.trainable() && s.name.rfind(prefix, 0) == 0)
      for (std::size_t k = 0; k < s.shape.size(); ++k) all.push_back(s.offset + k);
  std::mt19937_64 gen(seed);
  std::shuffle(all.begin(), all.end(), gen);
  all.resize(std::min(count, all.size()));
  return all;
}

// max |analytic - numeric| / max |numeric| over the sampled parameters, numeric = central
// difference of value() with a step relative to each parameter's size.
template <class Net, class Value>
double compare(Net& net, const tensor<T>& analytic, const std::vector<std::size_t>& idx, Value value) {
  auto& p = net.parameters();
  double worst = 0, scale = 0;
  std::vector<double> numeric;
  for (std::size_t i : idx) {
    const double saved = p[i], h = 1e-6 * std::max(1.0, std::fabs(saved));
    p[i] = saved + h;
    const double up = value();
    p[i] = saved - h;
    const double down = value();
    p[i] = saved;
    numeric.push_back((up - down) / (2 * h));
    scale = std::max(scale, std::fabs(numeric.back()));
  }
  for (std::size_t k = 0; k < idx.size(); ++k) worst = std::max(worst, std::fabs(analytic[idx[k]] - numeric[k]));
  BOOST_TEST_MESSAGE("  " << idx.size() << " parameters, largest derivative " << scale << ", worst error " << worst / scale);
  return worst / scale;
}

// The same network in float, with the double network's values.
template <class L, class LF>
void copy_to_float(network<L>& from, network<LF>& to) {
  for (std::size_t i = 0; i < from.parameters().size(); ++i) to.parameters()[i] = float(from.parameters()[i]);
}
double relative_difference(const tensor<T>& a, const tensor<float>& b) {
  double num = 0, den = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    num += (a[i] - double(b[i])) * (a[i] - double(b[i]));
    den += a[i] * a[i];
  }
  return std::sqrt(num / den);
}
}  // namespace

BOOST_AUTO_TEST_SUITE(stylegan_regularizers)

BOOST_AUTO_TEST_CASE(r1_gradient) {
  const auto cfg = tiny();
  network<discriminator<T>> d{discriminator<T>(cfg)};
  const shape4 in{2, 3, 8, 8};
  d.setup(in, 1);
  randomize_parameters(d, 2, 0.7);
  const auto x = random_tensor(in, 3);

  // Gradients already present are kept; gain scales the penalty's share.
  const auto before = random_tensor(d.gradients().shape(), 4);
  d.gradients() = before;
  const r1_options opt{.gamma = 10, .gain = 2};
  const auto res = r1_penalty(d, x, opt);
  tensor<T> analytic = d.gradients();
  axpy(-1.0, before, analytic);
  scale(analytic, 0.5);

  tensor<T> g;
  BOOST_TEST(res.penalty == r1_value(d, x, 10, g), boost::test_tools::tolerance(1e-12));
  BOOST_TEST(res.penalty == 5 * dot(g, g) / 2, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(res.penalty > 0);
  const double err = compare(d, analytic, sample_parameters(d, "", 40, 5), [&] { return r1_value(d, x, 10, g); });
  BOOST_TEST(err < 1e-6);

  network<discriminator<float>> df{discriminator<float>(cfg)};
  df.setup(in, 1);
  copy_to_float(d, df);
  tensor<float> xf(in);
  for (std::size_t i = 0; i < x.size(); ++i) xf[i] = float(x[i]);
  df.zero_grad();
  r1_penalty(df, xf, {.gamma = 10, .gain = 1});
  const double ferr = relative_difference(analytic, df.gradients());
  BOOST_TEST_MESSAGE("  float R1 gradient: relative difference to double " << ferr);
  BOOST_TEST(ferr < 2e-3);
}

BOOST_AUTO_TEST_CASE(path_length_gradient) {
  const auto cfg = tiny();
  // Style mixing on, so the mapping's share also passes through the mixing fold.
  network<generator<T>> g{generator<T>(cfg, {.style_mixing_prob = 1.0})};
  const shape4 in{2, cfg.z_dim, 1, 1};
  g.setup(in, 6);
  {
    std::mt19937_64 gen(7);
    std::normal_distribution<double> nd(0.0, 0.7);
    for (auto& s : g.slots())
      if (s.trainable() && s.name.rfind("mapping.", 0) != 0)
        for (auto& v : *s.value) v = nd(gen);
  }
  const auto z = random_tensor(in, 8);
  const path_length_options opt{.weight = 2, .decay = 0.01, .gain = 1, .seed = 9};
  path_length_state state{0.3};
  g.zero_grad();
  const auto res = path_length_penalty(g, z, state, opt);
  BOOST_TEST(g.layer().mixed());
  const tensor<T> analytic = g.gradients();
  BOOST_TEST(res.penalty == path_length_value(g, z, 0.3, opt), boost::test_tools::tolerance(1e-10));
  BOOST_TEST(state.pl_mean != 0.3);

  const auto value = [&] { return path_length_value(g, z, 0.3, opt); };
  BOOST_TEST(compare(g, analytic, sample_parameters(g, "synthesis.", 40, 10), value) < 1e-6);
  BOOST_TEST(compare(g, analytic, sample_parameters(g, "mapping.", 20, 11), value) < 1e-6);

  network<generator<float>> gf{generator<float>(cfg, {.style_mixing_prob = 1.0})};
  gf.setup(in, 6);
  copy_to_float(g, gf);
  tensor<float> zf(in);
  for (std::size_t i = 0; i < z.size(); ++i) zf[i] = float(z[i]);
  path_length_state sf{0.3};
  gf.zero_grad();
  path_length_penalty(gf, zf, sf, opt);
  const double ferr = relative_difference(analytic, gf.gradients());
  BOOST_TEST_MESSAGE("  float path-length gradient: relative difference to double " << ferr);
  BOOST_TEST(ferr < 2e-3);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_train_stylegan2_regularizers
