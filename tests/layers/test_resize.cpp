// Resizing as PyTorch's F.interpolate does it (backend resize ops, layers/resize.hpp): the textbook
// 2x bilinear case of align_corners = False, "nearest" source indices, the backward pass as the
// adjoint of the forward, and the upsampling layer against finite differences.
#include <cmath>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "acne/backend.hpp"
#include "acne/layers/resize.hpp"
#include "support/layer_gradients.hpp"

namespace test_layers_resize {

using namespace acne;

BOOST_AUTO_TEST_SUITE(resize)

BOOST_AUTO_TEST_CASE(bilinear_2x_replicates_edges) {
  // [[1, 2], [3, 4]] doubled: every output pixel reads its source at (o + 0.5) / 2 - 0.5, clamped at 0.
  tensor<float> x({1, 1, 2, 2});
  x[0] = 1, x[1] = 2, x[2] = 3, x[3] = 4;
  tensor<float> y({1, 1, 4, 4});
  resize_bilinear_forward(x, y);
  const std::vector<float> expected{1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4};
  for (std::size_t i = 0; i < 16; ++i) BOOST_TEST(y[i] == expected[i]);
}

BOOST_AUTO_TEST_CASE(nearest_reads_floor_of_scaled_index) {
  tensor<double> x({1, 1, 1, 5});
  for (std::size_t i = 0; i < 5; ++i) x[i] = double(i);
  tensor<double> down({1, 1, 1, 3}), up({1, 1, 1, 8});
  resize_nearest_forward(x, down);  // floor(o * 5 / 3)
  BOOST_TEST((std::vector<double>(down.begin(), down.end()) == std::vector<double>{0, 1, 3}));
  resize_nearest_forward(x, up);  // floor(o * 5 / 8)
  BOOST_TEST((std::vector<double>(up.begin(), up.end()) == std::vector<double>{0, 0, 1, 1, 2, 3, 3, 4}));
}

BOOST_AUTO_TEST_CASE(backward_is_the_adjoint) {
  // <resize(x), g> = <x, resize^T(g)> for shrinking, growing and mixed sizes.
  for (const auto& [in, out] : std::vector<std::pair<shape4, shape4>>{
           {{2, 3, 7, 5}, {2, 3, 3, 4}}, {{1, 2, 4, 6}, {1, 2, 9, 13}}, {{1, 1, 11, 3}, {1, 1, 5, 8}}}) {
    const auto x = acne::test::normal_tensor(in, 1), g = acne::test::normal_tensor(out, 2);
    tensor<double> y(out), dx(in);
    resize_bilinear_forward(x, y);
    resize_bilinear_backward(g, dx);
    BOOST_TEST(dot(y, g) == dot(x, dx), boost::test_tools::tolerance(1e-12));
  }
}

BOOST_AUTO_TEST_CASE(upsample_layer_matches_finite_differences) {
  BOOST_TEST(acne::test::check_layer_gradients(upsample_bilinear<double>(2), {2, 3, 5, 4}).worst() < 1e-6);
  BOOST_TEST(acne::test::check_layer_gradients(upsample_bilinear<double>(3), {1, 2, 3, 3}).worst() < 1e-6);
}

BOOST_AUTO_TEST_CASE(windows_and_products) {
  const auto x = acne::test::normal_tensor({2, 3, 6, 7}, 3);
  tensor<double> w({1, 3, 2, 3});
  take_window(x, 1, 3, 2, w);
  for (std::size_t c = 0; c < 3; ++c)
    for (std::size_t r = 0; r < 2; ++r)
      for (std::size_t q = 0; q < 3; ++q) BOOST_TEST(w[(c * 2 + r) * 3 + q] == x[((3 + c) * 6 + 3 + r) * 7 + 2 + q]);
  tensor<double> y = x;
  put_window(w, y, 0, 0, 4, false);
  BOOST_TEST(y[(0 * 6 + 1) * 7 + 5] == w[4]);  // channel 0, row 1, column 1 of the window
  BOOST_TEST(y[(3 * 6 + 3) * 7 + 2] == x[(3 * 6 + 3) * 7 + 2]);  // sample 1 untouched
  BOOST_CHECK_THROW(put_window(w, y, 0, 5, 0, false), acne::error);
  const auto a = acne::test::normal_tensor({4, 3, 2, 3}, 5);
  tensor<double> q({4, 3, 1, 1});
  plane_products(a, w, q);
  for (std::size_t k = 0; k < 4; ++k)
    for (std::size_t c = 0; c < 3; ++c) {
      double s = 0;
      for (std::size_t i = 0; i < 6; ++i) s += a[(k * 3 + c) * 6 + i] * w[c * 6 + i];
      BOOST_TEST(q[k * 3 + c] == s, boost::test_tools::tolerance(1e-12));
    }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_layers_resize
