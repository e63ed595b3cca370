// Every layer's backward pass against central finite differences in double precision, on random
// shapes with batch > 1, strides and padding.
#include <boost/test/unit_test.hpp>


#include "acne/gradcheck.hpp"
#include "acne/layers/activations.hpp"
#include "acne/layers/batch_norm.hpp"
#include "acne/layers/branches.hpp"
#include "acne/layers/conv2d.hpp"
#include "acne/layers/dense.hpp"
#include "acne/layers/pooling.hpp"
#include "acne/layers/sequential.hpp"
#include "acne/layers/shape_ops.hpp"
#include "support/layer_gradients.hpp"

namespace test_layers_gradients {

using namespace acne;
using T = double;

namespace {
template <class L>
gradcheck_result check(L layer, shape4 in, std::uint64_t seed = 1) {
  return acne::test::check_layer_gradients(std::move(layer), in, {.seed = seed});
}
constexpr double tol = 1e-5;
}  // namespace

BOOST_AUTO_TEST_SUITE(gradients)

BOOST_AUTO_TEST_CASE(conv2d_same_stride_and_dilation) {
  BOOST_TEST(check(conv2d<T>({.filters = 4, .kernel = 3, .stride = 1}), {2, 3, 6, 5}).worst() < tol);
  BOOST_TEST(check(conv2d<T>({.filters = 3, .kernel = 3, .stride = 2}), {3, 2, 7, 6}).worst() < tol);
  BOOST_TEST(check(conv2d<T>({.filters = 2, .kernel = 3, .stride = 1, .dilation = 2}), {2, 2, 7, 7}).worst() < tol);
}

BOOST_AUTO_TEST_CASE(conv2d_valid_explicit_no_bias_equalised) {
  BOOST_TEST(check(conv2d<T>({.filters = 3, .kernel = 3, .stride = 2, .padding = padding_mode::valid}), {2, 2, 8, 7})
                 .worst() < tol);
  BOOST_TEST(check(conv2d<T>({.filters = 2, .kernel = 5, .padding = padding_mode::explicit_, .pad = 1, .bias = false}),
                   {2, 3, 6, 6}).worst() < tol);
  BOOST_TEST(check(conv2d<T>({.filters = 3, .kernel = 1, .weight_gain = 0.3, .bias_gain = 0.1}), {2, 4, 3, 3}).worst()
             < tol);
}

BOOST_AUTO_TEST_CASE(dense_layer) {
  BOOST_TEST(check(dense<T>({.units = 5}), {3, 4, 2, 1}).worst() < tol);
  BOOST_TEST(check(dense<T>({.units = 3, .weight_gain = 0.01, .bias_gain = 0.01}), {2, 7, 1, 1}).worst() < tol);
}

BOOST_AUTO_TEST_CASE(batch_norm_training_mode) {
  BOOST_TEST(check(batch_norm<T>(), {4, 3, 3, 2}).worst() < tol);
  BOOST_TEST(check(batch_norm<T>({.scale = false}), {3, 2, 2, 2}).worst() < tol);
}

BOOST_AUTO_TEST_CASE(activations) {
  BOOST_TEST(check(relu<T>(), {2, 3, 4, 4}).worst() < tol);
  BOOST_TEST(check(leaky_relu<T>(0.2, std::sqrt(2.0)), {2, 3, 4, 4}).worst() < tol);
  BOOST_TEST(check(tanh_layer<T>(), {2, 3, 2, 2}).worst() < tol);
  BOOST_TEST(check(bias_act<T>(activation::lrelu(), 0.5), {2, 3, 3, 3}).worst() < tol);
}

BOOST_AUTO_TEST_CASE(pooling) {
  BOOST_TEST(check(max_pool<T>(3, 2), {2, 2, 7, 7}).worst() < tol);
  BOOST_TEST(check(max_pool<T>(3, 2, padding_mode::same), {2, 2, 6, 6}).worst() < tol);
  BOOST_TEST(check(avg_pool<T>(3, 1, padding_mode::same), {2, 2, 5, 5}).worst() < tol);
  BOOST_TEST(check(global_avg_pool<T>(), {3, 4, 3, 2}).worst() < tol);
}

BOOST_AUTO_TEST_CASE(shape_layers) {
  BOOST_TEST(check(zero_pad<T>(1, 2, 0, 3), {2, 2, 3, 3}).worst() < tol);
  BOOST_TEST(check(scale_layer<T>(0.17), {2, 2, 3, 3}).worst() < tol);
  BOOST_TEST(check(flatten<T>(), {2, 2, 3, 3}).worst() < tol);
  BOOST_TEST(check(dropout<T>(0.3), {2, 2, 3, 3}).worst() < tol);
}

BOOST_AUTO_TEST_CASE(combinators) {
  using block = sequential<conv2d<T>, batch_norm<T>, relu<T>>;
  using residual = sum_of<identity<T>, block>;
  residual res(identity<T>{}, block(conv2d<T>({.filters = 3}), batch_norm<T>(), relu<T>()));
  BOOST_TEST(check(std::move(res), {2, 3, 4, 4}).worst() < tol);

  using inception = concat<conv2d<T>, sequential<conv2d<T>, conv2d<T>>, max_pool<T>>;
  inception inc(conv2d<T>({.filters = 2, .kernel = 1}),
                sequential<conv2d<T>, conv2d<T>>(conv2d<T>({.filters = 2, .kernel = 1}), conv2d<T>({.filters = 3})),
                max_pool<T>(3, 1, padding_mode::same));
  BOOST_TEST(check(std::move(inc), {2, 2, 5, 5}).worst() < tol);

  repeated<conv2d<T>> stack;
  for (int i = 0; i < 3; ++i) stack.push_back(conv2d<T>({.filters = 2}));
  BOOST_TEST(check(std::move(stack), {2, 2, 4, 4}).worst() < tol);
}

BOOST_AUTO_TEST_CASE(gradcheck_detects_a_wrong_gradient) {
  // A layer whose backward is off by 10% must fail the same check the real layers pass.
  struct wrong : scale_layer<T> {
    wrong() : scale_layer<T>(2.0) {}
    void backward(const tensor<T>& x, const tensor<T>& y, const tensor<T>& dy, tensor<T>* dx, context& c) {
      scale_layer<T>::backward(x, y, dy, dx, c);
      if (dx) scale(*dx, 1.1);
    }
  };
  BOOST_TEST(check(wrong{}, {2, 2, 2, 2}).worst() > 0.05);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_layers_gradients
