// The im2col + BLAS convolution against the direct reference loops, forward and both backwards.
#include <boost/test/unit_test.hpp>

#include <random>

#include "acne/backend/cpu.hpp"
#include "acne/backend/cpu/conv_naive.hpp"

using namespace acne;

namespace {
template <class T>
tensor<T> random_tensor(shape4 s, std::mt19937_64& gen) {
  std::uniform_real_distribution<double> d(-1, 1);
  tensor<T> t(s);
  for (auto& v : t) v = T(d(gen));
  return t;
}
template <class T>
double max_diff(const tensor<T>& a, const tensor<T>& b) {
  BOOST_REQUIRE(a.shape() == b.shape());
  double m = 0;
  for (std::size_t i = 0; i < a.size(); ++i) m = std::max(m, std::fabs(double(a[i]) - double(b[i])));
  return m;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(cpu_convolution)

BOOST_AUTO_TEST_CASE(im2col_gemm_matches_direct_loops) {
  std::mt19937_64 gen(3);
  struct config { shape4 x; std::size_t cout, k, stride, dilation; padding_mode pad; };
  const config configs[] = {
      {{2, 3, 9, 8}, 4, 3, 1, 1, padding_mode::same},   {{3, 2, 9, 9}, 5, 3, 2, 1, padding_mode::same},
      {{2, 4, 7, 7}, 3, 1, 1, 1, padding_mode::valid},  {{1, 2, 12, 10}, 2, 5, 2, 1, padding_mode::valid},
      {{2, 3, 9, 9}, 2, 3, 1, 2, padding_mode::same},   {{300, 2, 4, 4}, 3, 3, 1, 1, padding_mode::same},
  };
  for (const auto& c : configs) {
    auto x = random_tensor<double>(c.x, gen);
    auto w = random_tensor<double>({c.cout, c.x.c, c.k, c.k}, gen);
    window g = resolve_padding({c.k, c.k, c.stride, c.stride, c.dilation, c.dilation}, c.pad, c.x.h, c.x.w);
    shape4 ys{c.x.n, c.cout, g.out_h(c.x.h), g.out_w(c.x.w)};
    tensor<double> y(ys), y_ref(ys);
    conv2d_forward(x, w, y, g);
    naive::conv2d_forward(x, w, y_ref, g);
    BOOST_TEST(max_diff(y, y_ref) < 1e-10);

    auto dy = random_tensor<double>(ys, gen);
    tensor<double> dx(c.x), dx_ref(c.x), dw(w.shape()), dw_ref(w.shape());
    conv2d_backward_data(dy, w, dx, g);
    naive::conv2d_backward_data(dy, w, dx_ref, g);
    BOOST_TEST(max_diff(dx, dx_ref) < 1e-10);
    conv2d_backward_filter(x, dy, dw, g, 0.0);
    naive::conv2d_backward_filter(x, dy, dw_ref, g);
    BOOST_TEST(max_diff(dw, dw_ref) < 1e-9);
  }
}

BOOST_AUTO_TEST_CASE(keras_same_padding_is_asymmetric_for_even_inputs) {
  // TF: out = ceil(6/2) = 3, needed = (3-1)*2 + 3 = 7, total pad 1 -> top 0, bottom 1.
  window g = resolve_padding({3, 3, 2, 2}, padding_mode::same, 6, 6);
  BOOST_TEST(g.pad_top == 0u);
  BOOST_TEST(g.pad_bottom == 1u);
  BOOST_TEST(g.out_h(6) == 3u);
}

BOOST_AUTO_TEST_SUITE_END()
