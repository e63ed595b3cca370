// The CPU backend's elementwise kernels, reductions and optimizer updates against plain scalar
// loops on random data, at sizes around the SIMD width, 0 and 1 elements, and past the size where
// the work is split among OpenMP threads (uneven chunks included).
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "acne/backend/cpu/elementwise.hpp"
#include "acne/backend/cpu/optim.hpp"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace test_backend_elementwise {

using namespace acne;

namespace {

const std::size_t sizes[] = {0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 1023,
                             cpu_backend::parallel_threshold + 13, 3 * cpu_backend::parallel_threshold + 1};

tensor<float> random_tensor(const shape4& s, std::mt19937& gen, float lo = -2, float hi = 2) {
  std::uniform_real_distribution<float> d(lo, hi);
  tensor<float> t(s);
  for (auto& v : t) v = d(gen);
  return t;
}

// The largest difference relative to max(1, |expected|).
double worst(const tensor<float>& got, const std::vector<double>& expected) {
  BOOST_REQUIRE_EQUAL(got.size(), expected.size());
  double w = 0;
  for (std::size_t i = 0; i < got.size(); ++i)
    w = std::max(w, std::fabs(double(got[i]) - expected[i]) / std::max(1.0, std::fabs(expected[i])));
  return w;
}

// The elementwise results may differ from the scalar formula by a rounding or two (fused or
// vectorised arithmetic, vectorised exp and tanh).
constexpr double tol = 2e-6;

// Runs `check` with one OpenMP thread and with three (uneven chunks), when OpenMP is there.
template <class F>
void on_thread_counts(F&& check) {
#ifdef _OPENMP
  const int saved = omp_get_max_threads();
  for (int t : {1, 3}) {
    omp_set_num_threads(t);
    BOOST_TEST_CONTEXT("threads " << t) { check(); }
  }
  omp_set_num_threads(saved);
#else
  check();
#endif
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cpu_elementwise)

BOOST_AUTO_TEST_CASE(axpy_axpby_scale_copy_match_the_loops) {
  std::mt19937 gen(1);
  on_thread_counts([&] {
    for (std::size_t n : sizes) {
      BOOST_TEST_CONTEXT("n " << n) {
        const auto x = random_tensor({n, 1, 1, 1}, gen);
        const auto y0 = random_tensor({n, 1, 1, 1}, gen);
        std::vector<double> e(n);

        auto y = y0;
        axpy(0.75f, x, y);
        for (std::size_t i = 0; i < n; ++i) e[i] = double(y0[i]) + 0.75 * double(x[i]);
        BOOST_TEST(worst(y, e) < tol);

        y = y0;
        axpby(-1.5f, x, 0.25f, y);
        for (std::size_t i = 0; i < n; ++i) e[i] = -1.5 * double(x[i]) + 0.25 * double(y0[i]);
        BOOST_TEST(worst(y, e) < tol);

        y = y0;
        scale(y, 3.0f);
        for (std::size_t i = 0; i < n; ++i) e[i] = 3.0 * double(y0[i]);
        BOOST_TEST(worst(y, e) < tol);

        tensor<float> z({1, n, 1, 1});
        copy(x, z);
        for (std::size_t i = 0; i < n; ++i) e[i] = x[i];
        BOOST_TEST(worst(z, e) == 0.0);
      }
    }
  });
}

BOOST_AUTO_TEST_CASE(sum_and_dot_stay_in_double) {
  std::mt19937 gen(2);
  for (std::size_t n : sizes) {
    BOOST_TEST_CONTEXT("n " << n) {
      const auto a = random_tensor({1, 1, 1, n}, gen), b = random_tensor({1, 1, 1, n}, gen);
      double s = 0, d = 0, scale_s = 0, scale_d = 0;
      for (std::size_t i = 0; i < n; ++i) {
        s += double(a[i]), d += double(a[i]) * double(b[i]);
        scale_s += std::fabs(double(a[i])), scale_d += std::fabs(double(a[i]) * double(b[i]));
      }
      BOOST_TEST(std::fabs(sum(a) - s) <= 1e-13 * std::max(1.0, scale_s));
      BOOST_TEST(std::fabs(dot(a, b) - d) <= 1e-13 * std::max(1.0, scale_d));
    }
  }
  // Float accumulation would lose these: 2^24 + 1 is not a float, and 1e8 ones summed in float stall at 2^24.
  tensor<float> big({1, 1, 1, std::size_t(1) << 25}, 1.0f);
  BOOST_TEST(sum(big) == double(std::size_t(1) << 25));
  BOOST_TEST(dot(big, big) == double(std::size_t(1) << 25));
}

BOOST_AUTO_TEST_CASE(channel_bias_and_its_gradient_match_the_loops) {
  std::mt19937 gen(3);
  const shape4 shapes[] = {{0, 3, 2, 2}, {1, 1, 1, 1}, {2, 3, 1, 1}, {3, 5, 3, 7}, {2, 4, 65, 129}, {70, 600, 1, 1}};
  on_thread_counts([&] {
    for (const auto& s : shapes) {
      BOOST_TEST_CONTEXT("shape " << s) {
        const auto y0 = random_tensor(s, gen);
        const auto bias = random_tensor({s.c, 1, 1, 1}, gen);
        auto y = y0;
        add_channel_bias(y, bias, 0.5f);
        std::vector<double> e(s.size());
        for (std::size_t i = 0; i < s.size(); ++i) e[i] = double(y0[i]) + 0.5 * double(bias[(i / s.plane()) % s.c]);
        BOOST_TEST(worst(y, e) < tol);

        const auto db0 = random_tensor({s.c, 1, 1, 1}, gen);
        auto db = db0;
        channel_bias_grad(y0, db, 2.0f);
        std::vector<double> g(s.c);
        for (std::size_t c = 0; c < s.c; ++c) {
          double acc = 0;
          for (std::size_t n = 0; n < s.n; ++n)
            for (std::size_t i = 0; i < s.plane(); ++i) acc += y0[(n * s.c + c) * s.plane() + i];
          g[c] = double(db0[c]) + double(float(2.0 * acc));
        }
        BOOST_TEST(worst(db, g) < tol);
      }
    }
  });
}

BOOST_AUTO_TEST_CASE(activations_match_the_scalar_definitions) {
  std::mt19937 gen(4);
  const activation acts[] = {activation::linear(),
                             activation::relu(),
                             activation::lrelu(),
                             activation::tanh(),
                             activation::sigmoid(),
                             {activation_kind::linear, 0.2, 2.0, 1.5},
                             {activation_kind::relu, 0.2, 1.0, 0.75},
                             {activation_kind::lrelu, 0.1, std::sqrt(2.0), 1.0},
                             {activation_kind::tanh, 0.2, 3.0, 2.0},
                             {activation_kind::sigmoid, 0.2, 2.0, 1.2}};
  on_thread_counts([&] {
    for (const auto& act : acts)
      for (std::size_t n : sizes) {
        BOOST_TEST_CONTEXT("kind " << int(act.kind) << " clamp " << act.clamp << " n " << n) {
          const auto x = random_tensor({n, 1, 1, 1}, gen, -4, 4);
          tensor<float> y({n, 1, 1, 1});
          activation_forward(act, x, y);
          std::vector<double> e(n), ey(n);
          for (std::size_t i = 0; i < n; ++i) e[i] = act.apply(x[i]);
          BOOST_TEST(worst(y, e) < tol);

          // Backward from the same y the scalar derivative sees, into a separate dx and in place.
          tensor<float> ys({n, 1, 1, 1});
          for (std::size_t i = 0; i < n; ++i) ys[i] = act.apply(x[i]);
          const auto dy = random_tensor({n, 1, 1, 1}, gen);
          tensor<float> dx({n, 1, 1, 1});
          activation_backward(act, x, ys, dy, dx);
          for (std::size_t i = 0; i < n; ++i) ey[i] = double(dy[i]) * double(act.derivative(x[i], ys[i]));
          BOOST_TEST(worst(dx, ey) < tol);
          auto inplace = dy;
          activation_backward(act, x, ys, inplace, inplace);
          BOOST_TEST(worst(inplace, ey) < tol);
        }
      }
  });
}

BOOST_AUTO_TEST_CASE(copy_and_slice_channels_match_the_loops) {
  std::mt19937 gen(5);
  const shape4 shapes[] = {{1, 1, 1, 1}, {2, 3, 1, 1}, {3, 2, 5, 7}, {2, 5, 33, 17}};
  for (const auto& s : shapes)
    for (bool accumulate : {false, true}) {
      BOOST_TEST_CONTEXT("shape " << s << " accumulate " << accumulate) {
        const auto src = random_tensor(s, gen);
        const shape4 d{s.n, s.c + 3, s.h, s.w};
        const auto dst0 = random_tensor(d, gen);
        auto dst = dst0;
        copy_channels(src, dst, 2, accumulate);
        std::vector<double> e(d.size());
        for (std::size_t n = 0; n < d.n; ++n)
          for (std::size_t c = 0; c < d.c; ++c)
            for (std::size_t i = 0; i < d.plane(); ++i) {
              const std::size_t k = (n * d.c + c) * d.plane() + i;
              const bool inside = c >= 2 && c < 2 + s.c;
              const double v = inside ? double(src[(n * s.c + c - 2) * s.plane() + i]) : 0.0;
              e[k] = inside && !accumulate ? v : double(dst0[k]) + v;
            }
        BOOST_TEST(worst(dst, e) < tol);

        tensor<float> back(s);
        slice_channels(dst0, back, 2);
        std::vector<double> b(s.size());
        for (std::size_t n = 0; n < s.n; ++n)
          for (std::size_t i = 0; i < s.sample_size(); ++i)
            b[n * s.sample_size() + i] = dst0[(n * d.c + 2) * d.plane() + i];
        BOOST_TEST(worst(back, b) == 0.0);
      }
    }
}

BOOST_AUTO_TEST_CASE(adam_and_sgd_match_the_pytorch_formulas) {
  std::mt19937 gen(6);
  const double lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8, c1 = 1 - std::pow(b1, 3), c2 = 1 - std::pow(b2, 3);
  on_thread_counts([&] {
    for (std::size_t n : sizes) {
      BOOST_TEST_CONTEXT("n " << n) {
        const shape4 s{n, 1, 1, 1};
        const auto p0 = random_tensor(s, gen), g = random_tensor(s, gen), m0 = random_tensor(s, gen, -0.1f, 0.1f);
        const auto v0 = random_tensor(s, gen, 0.0f, 0.1f);
        auto p = p0, m = m0, v = v0;
        adam_update(p, g, m, v, lr, b1, b2, eps, c1, c2);
        std::vector<double> ep(n), em(n), ev(n);
        for (std::size_t i = 0; i < n; ++i) {
          em[i] = b1 * m0[i] + (1 - b1) * g[i];
          ev[i] = b2 * v0[i] + (1 - b2) * double(g[i]) * g[i];
          ep[i] = p0[i] - lr * (em[i] / c1) / (std::sqrt(ev[i] / c2) + eps);
        }
        BOOST_TEST(worst(m, em) < tol);
        BOOST_TEST(worst(v, ev) < tol);
        BOOST_TEST(worst(p, ep) < 1e-5);  // (m / c1) / sqrt(v / c2) amplifies v's rounding

        for (bool nesterov : {false, true}) {
          auto q = p0, buf = m0;
          sgd_update(q, g, buf, lr, 0.9, nesterov);
          std::vector<double> eq(n), eb(n);
          for (std::size_t i = 0; i < n; ++i) {
            eb[i] = 0.9 * m0[i] + g[i];
            eq[i] = p0[i] - lr * (nesterov ? g[i] + 0.9 * eb[i] : eb[i]);
          }
          BOOST_TEST(worst(buf, eb) < tol);
          BOOST_TEST(worst(q, eq) < tol);
        }
      }
    }
  });
}

// matmul reaches BLAS through xt::blas::gemm on adaptors; dims of 1 have xtensor stride 0, which
// must still give BLAS a valid leading dimension.
BOOST_AUTO_TEST_CASE(matmul_matches_the_definition) {
  std::mt19937 gen(7);
  const std::size_t dims[][3] = {{1, 1, 1}, {1, 5, 3}, {4, 1, 3}, {3, 4, 1}, {5, 7, 9}, {40, 60, 200}};
  for (const auto& [m, n, k] : dims)
    for (bool ta : {false, true})
      for (bool tb : {false, true}) {
        BOOST_TEST_CONTEXT("m " << m << " n " << n << " k " << k << " ta " << ta << " tb " << tb) {
          const auto a = random_tensor(ta ? shape4{k, m, 1, 1} : shape4{m, k, 1, 1}, gen);
          const auto b = random_tensor(tb ? shape4{n, k, 1, 1} : shape4{k, n, 1, 1}, gen);
          const auto c0 = random_tensor({m, n, 1, 1}, gen);
          auto c = c0;
          matmul(a, ta, b, tb, c, 0.5f, -1.0f);
          std::vector<double> e(m * n);
          for (std::size_t i = 0; i < m; ++i)
            for (std::size_t j = 0; j < n; ++j) {
              double s = 0;
              for (std::size_t p = 0; p < k; ++p)
                s += double(ta ? a[p * m + i] : a[i * k + p]) * double(tb ? b[j * k + p] : b[p * n + j]);
              e[i * n + j] = 0.5 * s - double(c0[i * n + j]);
            }
          BOOST_TEST(worst(c, e) < 1e-5);
        }
      }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_backend_elementwise
