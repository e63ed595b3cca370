// Zero padding on the CPU against its definition: y(n, c, top + i, left + j) = x(n, c, i, j) and
// zero elsewhere, its backward the adjoint (<pad x, dy> = <x, crop dy>), shapes refused by name.
#include <boost/test/unit_test.hpp>

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

}  // namespace test_backend_pool
