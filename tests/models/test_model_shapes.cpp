// Forward passes at the Keras input sizes: full-size ResNet50V2 at 224, and reduced-width variants
// of ResNet152V2 and InceptionResNetV2 with their full topology (every block, every stride).
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <random>

#include "acne/models/inception_resnet_v2.hpp"
#include "acne/models/resnet_v2.hpp"
#include "acne/network.hpp"

namespace test_models_model_shapes {

namespace {

acne::tensor<float> random_image(acne::shape4 s, std::uint64_t seed) {
  std::mt19937_64 gen(seed);
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  acne::tensor<float> x(s);
  for (auto& v : x) v = d(gen);
  return x;
}

bool all_finite(const acne::tensor<float>& t) {
  for (float v : t)
    if (!std::isfinite(v)) return false;
  return true;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(model_shapes)

BOOST_AUTO_TEST_CASE(resnet50v2_full_size_forward_at_224) {
  acne::network net(acne::make_resnet_v2<float>(acne::resnet_v2_config::resnet50v2()));
  BOOST_TEST(net.setup({1, 3, 224, 224}) == (acne::shape4{1, 1000, 1, 1}));
  net.eval();
  const auto& y = net.forward(random_image({1, 3, 224, 224}, 1));
  BOOST_TEST(y.shape() == (acne::shape4{1, 1000, 1, 1}));
  BOOST_TEST(all_finite(y));
  // The stem and the conv5 feature map: 224 -> 112 (conv1) -> 56 (pool1) -> 28 -> 14 -> 7.
  const auto& conv1 = net.layer().find<acne::conv2d<float>>("conv1_conv");
  BOOST_TEST(conv1.output_shape({1, 3, 230, 230}) ==
             (acne::shape4{1, 64, 112, 112}));
}

BOOST_AUTO_TEST_CASE(resnet152v2_reduced_width_keeps_strides) {
  auto config = acne::resnet_v2_config::resnet152v2();
  config.width = 1.0 / 16;
  config.head = {.include_top = false, .pooling = acne::head_pooling::none};
  acne::network net(acne::make_resnet_v2<float>(config));
  BOOST_TEST(net.setup({2, 3, 224, 224}) == (acne::shape4{2, 128, 7, 7}));
  net.eval();
  const auto& y = net.forward(random_image({2, 3, 224, 224}, 2));
  BOOST_TEST(y.shape() == (acne::shape4{2, 128, 7, 7}));
  BOOST_TEST(all_finite(y));
}

BOOST_AUTO_TEST_CASE(inception_resnet_v2_reduced_width_at_299) {
  acne::inception_resnet_v2_config config;
  config.width = 1.0 / 16;
  config.head = {.include_top = false, .pooling = acne::head_pooling::none};
  acne::network net(acne::make_inception_resnet_v2<float>(config));
  // 299 -> 149 -> 147 -> 73 (pool) -> 71 -> 35 (pool) -> 17 (mixed_6a) -> 8 (mixed_7a); 1536/16 = 96.
  BOOST_TEST(net.setup({1, 3, 299, 299}) == (acne::shape4{1, 96, 8, 8}));
  net.eval();
  const auto& y = net.forward(random_image({1, 3, 299, 299}, 3));
  BOOST_TEST(y.shape() == (acne::shape4{1, 96, 8, 8}));
  BOOST_TEST(all_finite(y));
}

BOOST_AUTO_TEST_CASE(acne_head_gives_four_logits_at_any_size) {
  acne::resnet_v2_config config{{1, 1, 1, 1}, 1.0 / 8, {.classes = 4}};
  acne::network net(acne::make_resnet_v2<float>(config));
  BOOST_TEST(net.setup({3, 3, 64, 64}) == (acne::shape4{3, 4, 1, 1}));
  net.train();
  BOOST_TEST(net.forward(random_image({3, 3, 64, 64}, 4)).shape() == (acne::shape4{3, 4, 1, 1}));
  acne::inception_resnet_v2_config irv2{{1, 1, 1}, 1.0 / 16, {.classes = 4}};
  acne::network inception(acne::make_inception_resnet_v2<float>(irv2));
  BOOST_TEST(inception.setup({2, 3, 75, 75}) == (acne::shape4{2, 4, 1, 1}));  // Keras' smallest input
  BOOST_TEST(inception.forward(random_image({2, 3, 75, 75}, 5)).shape() == (acne::shape4{2, 4, 1, 1}));
}

BOOST_AUTO_TEST_CASE(too_small_input_is_an_error) {
  acne::inception_resnet_v2_config config{{1, 1, 1}, 1.0 / 16, {.classes = 4}};
  acne::network net(acne::make_inception_resnet_v2<float>(config));
  BOOST_CHECK_THROW(net.setup({1, 3, 32, 32}), acne::error);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_models_model_shapes
