// Zero padding on the CPU against its definition: y(n, c, top + i, left + j) = x(n, c, i, j) and
// zero elsewhere, its backward the adjoint (<pad x, dy> = <x, crop dy>), shapes refused by name.
// Max pooling against a window-by-window scan: the maximum of the in-bounds non-NaN taps, its
// gradient to the first tap (row-major) that holds it.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <limits>
#include <random>
#include <string>

#include "acne/backend/cpu/pool.hpp"

namespace test_backend_pool {

using namespace acne;

namespace {
tensor<double> random_tensor(const shape4& s, std::mt19937& gen) {
  std::uniform_real_distribution<double> d(-2, 2);
  tensor<double> t(s);
  for (auto& v : t) v = d(gen);
  return t;
}
}  // namespace

BOOST_AUTO_TEST_CASE(zero_padding_places_the_input_and_zeroes_the_rest) {
  std::mt19937 gen(3);
  struct pads { std::size_t top, bottom, left, right; };
  // Each margin alone, all of them, none, and a one-row input (its last row ends the plane).
  for (const auto& [xs, p] : {std::pair{shape4{2, 3, 4, 5}, pads{1, 1, 1, 1}}, {shape4{1, 2, 3, 3}, pads{3, 0, 0, 0}},
                              {shape4{1, 2, 3, 3}, pads{0, 2, 0, 0}}, {shape4{1, 2, 3, 3}, pads{0, 0, 2, 0}},
                              {shape4{1, 2, 3, 3}, pads{0, 0, 0, 4}}, {shape4{2, 1, 2, 2}, pads{0, 0, 0, 0}},
                              {shape4{3, 2, 1, 6}, pads{2, 1, 3, 2}}}) {
    BOOST_TEST_CONTEXT(xs << " pads " << p.top << "," << p.bottom << "," << p.left << "," << p.right) {
      const shape4 ys{xs.n, xs.c, xs.h + p.top + p.bottom, xs.w + p.left + p.right};
      const tensor<double> x = random_tensor(xs, gen), dy = random_tensor(ys, gen);
      tensor<double> y(ys, 7.0), dx(xs, 7.0);  // junk that must be overwritten
      zero_pad_forward(x, y, p.top, p.left);
      std::size_t wrong = 0;
      for (std::size_t n = 0; n < ys.n; ++n)
        for (std::size_t c = 0; c < ys.c; ++c)
          for (std::size_t h = 0; h < ys.h; ++h)
            for (std::size_t w = 0; w < ys.w; ++w) {
              const bool inside = h >= p.top && h < p.top + xs.h && w >= p.left && w < p.left + xs.w;
              const double expected =
                  inside ? x.data()[((n * xs.c + c) * xs.h + h - p.top) * xs.w + w - p.left] : 0.0;
              wrong += y.data()[((n * ys.c + c) * ys.h + h) * ys.w + w] != expected;
            }
      BOOST_TEST(wrong == 0u);
      zero_pad_backward(dy, dx, p.top, p.left);
      double lhs = 0, rhs = 0;
      for (std::size_t i = 0; i < y.size(); ++i) lhs += y[i] * dy[i];
      for (std::size_t i = 0; i < x.size(); ++i) rhs += x[i] * dx[i];
      BOOST_TEST(lhs == rhs, boost::test_tools::tolerance(1e-12));
    }
  }
}

BOOST_AUTO_TEST_CASE(zero_padding_refuses_an_output_too_small) {
  tensor<float> x({1, 2, 4, 4}), y({1, 2, 5, 6});
  BOOST_CHECK_EXCEPTION(zero_pad_forward(x, y, 2, 1), error, [](const error& e) {
    return std::string(e.what()).find("zero_pad_forward: [1,2,4,4] at (2, 1) of [1,2,5,6]") != std::string::npos;
  });
  tensor<float> dx({1, 3, 4, 4});
  BOOST_CHECK_THROW(zero_pad_backward(y, dx, 0, 0), error);
}

// Small integers, so that windows tie, and a NaN; strides below, at and above the window, padding
// that leaves some windows a single row or column.
BOOST_AUTO_TEST_CASE(max_pooling_is_the_window_maximum_and_routes_to_its_first_tap) {
  std::mt19937 gen(5);
  std::uniform_int_distribution<int> level(-3, 3);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (const window& g : {window{.kh = 3, .kw = 3, .stride_h = 2, .stride_w = 2},
                         window{.kh = 3, .kw = 3, .stride_h = 1, .stride_w = 1, .pad_top = 1, .pad_bottom = 1,
                                .pad_left = 1, .pad_right = 1},
                         window{.kh = 1, .kw = 1, .stride_h = 2, .stride_w = 2},
                         window{.kh = 2, .kw = 3, .stride_h = 3, .stride_w = 2, .pad_top = 1, .pad_left = 2,
                                .pad_right = 1}}) {
    BOOST_TEST_CONTEXT("window " << g.kh << "x" << g.kw << " stride " << g.stride_h << "," << g.stride_w) {
      const shape4 xs{2, 3, 7, 8}, ys{2, 3, g.out_h(7), g.out_w(8)};
      tensor<double> x(xs), dy(ys), y(ys, 7.0), dx(xs, 7.0);
      for (auto& v : x) v = level(gen);
      for (auto& v : dy) v = level(gen) + 0.5;
      x.data()[5] = nan;
      pool_forward(pool_kind::max, x, y, g);
      pool_backward(pool_kind::max, x, dy, dx, g);
      tensor<double> expected_y(ys), expected_dx(xs, 0.0);
      for (std::size_t nc = 0; nc < xs.n * xs.c; ++nc)
        for (std::size_t oy = 0; oy < ys.h; ++oy)
          for (std::size_t ox = 0; ox < ys.w; ++ox) {
            double m = -std::numeric_limits<double>::infinity();
            long at = -1, first = -1;
            for (std::size_t a = 0; a < g.kh; ++a)
              for (std::size_t b = 0; b < g.kw; ++b) {
                const long iy = long(oy * g.stride_h + a) - long(g.pad_top);
                const long ix = long(ox * g.stride_w + b) - long(g.pad_left);
                if (iy < 0 || ix < 0 || iy >= long(xs.h) || ix >= long(xs.w)) continue;
                const long i = long(nc * xs.plane()) + iy * long(xs.w) + ix;
                if (first < 0) first = i;
                if (!std::isnan(x.data()[i]) && (at < 0 || x.data()[i] > m)) m = x.data()[i], at = i;
              }
            if (at < 0) at = first;
            const std::size_t o = nc * ys.plane() + oy * ys.w + ox;
            expected_y.data()[o] = m;
            expected_dx.data()[at] += dy.data()[o];
          }
      std::size_t wrong_y = 0, wrong_dx = 0;
      for (std::size_t i = 0; i < y.size(); ++i) wrong_y += y[i] != expected_y[i];
      for (std::size_t i = 0; i < dx.size(); ++i) wrong_dx += dx[i] != expected_dx[i];
      BOOST_TEST(wrong_y == 0u);
      BOOST_TEST(wrong_dx == 0u);
    }
  }
}

}  // namespace test_backend_pool
