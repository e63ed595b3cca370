// Parameter counts of the full-size classifiers against Keras' model.summary() totals, and the
// names converted Keras weights must find.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <string>

#include "acne/models/inception_resnet_v2.hpp"
#include "acne/models/resnet_v2.hpp"
#include "acne/network.hpp"

namespace test_models_model_parameters {

namespace {

template <class Layer>
bool has_slot(const acne::network<Layer>& net, const std::string& name, const acne::shape4& shape) {
  return std::any_of(net.slots().begin(), net.slots().end(),
                     [&](const auto& s) { return s.name == name && s.shape == shape; });
}

acne::classifier_head_options no_top() { return {.include_top = false, .pooling = acne::head_pooling::none}; }

}  // namespace

BOOST_AUTO_TEST_SUITE(model_parameters)

BOOST_AUTO_TEST_CASE(resnet50v2_matches_keras) {
  acne::network net(acne::make_resnet_v2<float>(acne::resnet_v2_config::resnet50v2()));
  net.setup({1, 3, 224, 224});
  BOOST_TEST(net.parameter_count() == 25'613'800u);
  BOOST_TEST(net.trainable_parameter_count() == 25'568'360u);
  BOOST_TEST(has_slot(net, "conv1_conv.weight", {64, 3, 7, 7}));
  BOOST_TEST(has_slot(net, "conv2.block1.0_conv.weight", {256, 64, 1, 1}));
  BOOST_TEST(has_slot(net, "conv4.block6.2_conv.weight", {256, 256, 3, 3}));
  BOOST_TEST(has_slot(net, "post_bn.moving_variance", {2048, 1, 1, 1}));
  BOOST_TEST(has_slot(net, "predictions.weight", {1000, 2048, 1, 1}));
}

BOOST_AUTO_TEST_CASE(resnet50v2_without_top_matches_keras) {
  auto config = acne::resnet_v2_config::resnet50v2();
  config.head = no_top();
  acne::network net(acne::make_resnet_v2<float>(config));
  BOOST_TEST(net.setup({1, 3, 224, 224}) == (acne::shape4{1, 2048, 7, 7}));
  BOOST_TEST(net.parameter_count() == 23'564'800u);
}

BOOST_AUTO_TEST_CASE(resnet152v2_matches_keras) {
  acne::network net(acne::make_resnet_v2<float>(acne::resnet_v2_config::resnet152v2()));
  net.setup({1, 3, 224, 224});
  BOOST_TEST(net.parameter_count() == 60'380'648u);
  BOOST_TEST(has_slot(net, "conv4.block36.3_conv.bias", {1024, 1, 1, 1}));
  net.freeze("predictions");
  BOOST_TEST(net.trainable_parameter_count() + 2048 * 1000 + 1000 < net.parameter_count());
}

BOOST_AUTO_TEST_CASE(resnet152v2_without_top_matches_keras) {
  auto config = acne::resnet_v2_config::resnet152v2();
  config.head = no_top();
  acne::network net(acne::make_resnet_v2<float>(config));
  net.setup({1, 3, 224, 224});
  BOOST_TEST(net.parameter_count() == 58'331'648u);
}

BOOST_AUTO_TEST_CASE(inception_resnet_v2_matches_keras) {
  acne::network net(acne::make_inception_resnet_v2<float>());
  net.setup({1, 3, 299, 299});
  BOOST_TEST(net.parameter_count() == 55'873'736u);
  BOOST_TEST(has_slot(net, "stem.conv_1a.conv.weight", {32, 3, 3, 3}));
  BOOST_TEST(has_slot(net, "block17.20.branch_1.1.conv.weight", {160, 128, 1, 7}));
  BOOST_TEST(has_slot(net, "block8.10.conv.bias", {2080, 1, 1, 1}));
  BOOST_TEST(has_slot(net, "conv_7b.bn.beta", {1536, 1, 1, 1}));
  BOOST_TEST(!has_slot(net, "conv_7b.bn.gamma", {1536, 1, 1, 1}));  // scale=False
}

BOOST_AUTO_TEST_CASE(inception_resnet_v2_without_top_matches_keras) {
  acne::inception_resnet_v2_config config;
  config.head = no_top();
  acne::network net(acne::make_inception_resnet_v2<float>(config));
  BOOST_TEST(net.setup({1, 3, 299, 299}) == (acne::shape4{1, 1536, 8, 8}));
  BOOST_TEST(net.parameter_count() == 54'336'736u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_models_model_parameters
