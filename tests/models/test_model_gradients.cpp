// The model-specific layers (ResNetV2 block with its three shortcut kinds, InceptionResNetV2's
// conv2d_bn units with rectangular kernels, the Inception-ResNet residual block, the classifier
// head) against central finite differences in double precision.
#include <boost/test/unit_test.hpp>

#include "acne/gradcheck.hpp"
#include "acne/models/inception_resnet_v2.hpp"
#include "acne/models/resnet_v2.hpp"
#include "support/layer_gradients.hpp"

namespace test_models_model_gradients {

using namespace acne;

namespace {

template <class L>
gradcheck_result check(L layer, shape4 in, std::uint64_t seed = 1) {
  return acne::test::check_layer_gradients(std::move(layer), in, {.param_scale = 0.5, .max_checks = 120, .seed = seed});
}
constexpr double tol = 1e-4;

}  // namespace

BOOST_AUTO_TEST_SUITE(model_gradients)

BOOST_AUTO_TEST_CASE(resnet_v2_block_projection_identity_and_pooled_shortcuts) {
  BOOST_TEST(check(resnet_v2_block<double>({.filters = 2, .stride = 1, .conv_shortcut = true}), {3, 3, 5, 5}).worst() < tol);
  BOOST_TEST(check(resnet_v2_block<double>({.filters = 2, .stride = 2, .conv_shortcut = true}), {3, 3, 6, 6}).worst() < tol);
  BOOST_TEST(check(resnet_v2_block<double>({.filters = 2, .stride = 1}), {3, 8, 5, 4}).worst() < tol);
  BOOST_TEST(check(resnet_v2_block<double>({.filters = 2, .stride = 2}), {3, 8, 5, 5}).worst() < tol);
}

BOOST_AUTO_TEST_CASE(conv2d_bn_units_with_rectangular_kernels) {
  const irv2::unit_maker u{1.0};
  BOOST_TEST(check(u.make<double, cpu>(3, 1, 3), {3, 2, 5, 6}).worst() < tol);
  BOOST_TEST(check(u.make<double, cpu>(2, 3, 1, 2, padding_mode::valid), {3, 2, 7, 5}).worst() < tol);
}

BOOST_AUTO_TEST_CASE(inception_resnet_block_with_and_without_activation) {
  const irv2::unit_maker u{1.0 / 64};
  BOOST_TEST(check(irv2::make_block17_8<double, cpu>(u, 5, false, 1, 0.2, true), {2, 5, 4, 4}).worst() < tol);
  BOOST_TEST(check(irv2::make_block17_8<double, cpu>(u, 5, true, 1, 1.0, false), {2, 5, 4, 4}).worst() < tol);
  BOOST_TEST(check(irv2::make_block35<double, cpu>(u, 4, 1, 0.17), {2, 4, 4, 4}).worst() < tol);
}

BOOST_AUTO_TEST_CASE(classifier_head_top_and_pooling) {
  BOOST_TEST(check(classifier_head<double>({.classes = 4}), {3, 5, 3, 2}).worst() < tol);
  BOOST_TEST(check(classifier_head<double>({.include_top = false}), {3, 5, 3, 2}).worst() < tol);
}

BOOST_AUTO_TEST_CASE(whole_reduced_resnet_v2) {
  resnet_v2_config config{{1, 2, 1, 1}, 1.0 / 32, {.classes = 3}};
  BOOST_TEST(check(make_resnet_v2<double>(config), {2, 3, 32, 32}).worst() < tol);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_models_model_gradients
