// The layers InceptionV3 adds to the library: rectangular convolutions (1x7, 7x1, 1x3, 3x1) and a
// pool branch whose unit keeps the branch's own scope. Values against direct sums; gradients by
// central differences in double precision.
#include <boost/test/unit_test.hpp>

#include <random>

#include "acne/gradcheck.hpp"
#include "acne/layers/conv2d.hpp"
#include "acne/models/inception_blocks.hpp"
#include "acne/network.hpp"

namespace test_models_inception_layers {

namespace {

acne::tensor<double> random_input(acne::shape4 s, unsigned seed) {
  acne::tensor<double> x(s);
  std::mt19937 gen(seed);
  std::normal_distribution<double> d;
  for (auto& v : x) v = d(gen);
  return x;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(inception_layers)

// "same" 1x3: y[o, y, x] = sum_c sum_j w[o, c, 0, j] x[c, y, x + j - 1], zeros outside.
BOOST_AUTO_TEST_CASE(rect_convolution_values) {
  acne::network<acne::conv2d<double>> net(acne::conv2d<double>({.filters = 2, .kernel_h = 1, .kernel_w = 3, .bias = false}));
  BOOST_TEST(net.setup({1, 3, 4, 5}, 3) == (acne::shape4{1, 2, 4, 5}));
  const auto x = random_input({1, 3, 4, 5}, 1);
  const auto& w = *net.slots()[0].value;
  const auto& y = net.forward(x);
  double worst = 0;
  for (std::size_t o = 0; o < 2; ++o)
    for (std::size_t r = 0; r < 4; ++r)
      for (std::size_t c = 0; c < 5; ++c) {
        double sum = 0;
        for (std::size_t ch = 0; ch < 3; ++ch)
          for (std::size_t j = 0; j < 3; ++j)
            if (c + j >= 1 && c + j - 1 < 5) sum += w(o, ch, 0, j) * x(0, ch, r, c + j - 1);
        worst = std::max(worst, std::abs(sum - y(0, o, r, c)));
      }
  BOOST_TEST(worst < 1e-12);

  acne::network<acne::conv2d<double>> tall(acne::conv2d<double>(
      {.filters = 4, .kernel_h = 7, .kernel_w = 1, .stride = 2, .padding = acne::padding_mode::valid, .bias = false}));
  BOOST_TEST(tall.setup({1, 3, 9, 9}) == (acne::shape4{1, 4, 2, 5}));
  BOOST_TEST(tall.slots()[0].shape == (acne::shape4{4, 3, 7, 1}));
}

BOOST_AUTO_TEST_CASE(rect_convolution_gradients) {
  acne::network<acne::conv2d<double>> net(
      acne::conv2d<double>({.filters = 3, .kernel_h = 3, .kernel_w = 1, .stride = 2, .bias = true}));
  net.setup({2, 2, 5, 4}, 4);
  const auto r = acne::check_gradients(net, random_input({2, 2, 5, 4}, 2));
  BOOST_TEST(r.params_checked == 3u * 2u * 3u + 3u);
  BOOST_TEST(r.worst() < 1e-6);
}

// Average pooling then a unit: names "weight"/"bn.*" sit directly in the branch's scope, and the
// gradient flows through the pooling (counting only in-bounds taps) and batch norm.
BOOST_AUTO_TEST_CASE(pool_branch_names_and_gradients) {
  const acne::inception::block_maker maker{.bn_scale = true};
  using branch = acne::inception::pool_branch<double, acne::cpu>;
  acne::network<branch> net(maker.pooled<double, acne::cpu>(acne::pool_kind::average, 3));
  BOOST_TEST(net.setup({2, 2, 4, 4}, 5) == (acne::shape4{2, 3, 4, 4}));
  std::vector<std::string> names;
  for (const auto& s : net.slots()) names.push_back(s.name);
  BOOST_TEST(names == (std::vector<std::string>{"branch_pool.conv.weight", "branch_pool.bn.gamma", "branch_pool.bn.beta",
                                                "branch_pool.bn.moving_mean", "branch_pool.bn.moving_variance"}),
             boost::test_tools::per_element());
  const auto r = acne::check_gradients(net, random_input({2, 2, 4, 4}, 3));
  BOOST_TEST(r.inputs_checked > 0u);
  BOOST_TEST(r.worst() < 1e-5);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_models_inception_layers
