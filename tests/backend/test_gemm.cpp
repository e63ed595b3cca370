// The CPU backend's products: parallel_gemm against one BLAS call for every transpose and both ways
// of cutting C, float products on oneDNN and on OpenBLAS, and the thread rule (BLAS held to the calling thread; a scope gives its threads back).
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "acne/backend/cpu/gemm.hpp"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace test_backend_gemm {

using namespace acne::cpu_backend;

namespace {

std::vector<double> random_values(std::size_t n, std::mt19937_64& gen) {
  std::uniform_real_distribution<double> d(-1, 1);
  std::vector<double> v(n);
  for (auto& x : v) x = d(gen);
  return v;
}

// C = alpha op(A) op(B) + beta C by the definition, row-major.
std::vector<double> reference(bool ta, bool tb, std::size_t m, std::size_t n, std::size_t k, double alpha,
                              const std::vector<double>& a, const std::vector<double>& b, double beta,
                              std::vector<double> c) {
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      double s = 0;
      for (std::size_t p = 0; p < k; ++p) s += (ta ? a[p * m + i] : a[i * k + p]) * (tb ? b[j * k + p] : b[p * n + j]);
      c[i * n + j] = alpha * s + beta * c[i * n + j];
    }
  return c;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cpu_gemm)

BOOST_AUTO_TEST_CASE(parallel_gemm_matches_the_definition) {
  std::mt19937_64 gen(29);
#ifdef _OPENMP
  const int saved = omp_get_max_threads();
  omp_set_num_threads(3);  // three blocks: uneven cuts
#endif
  // Wide C (cut by columns), tall C (cut by rows), and one under the threshold (one call).
  const std::size_t sizes[][3] = {{7, 200, 300}, {250, 9, 200}, {4, 5, 6}};
  for (const auto& [m, n, k] : sizes)
    for (bool ta : {false, true})
      for (bool tb : {false, true}) {
        BOOST_TEST_CONTEXT("m " << m << " n " << n << " k " << k << " ta " << ta << " tb " << tb) {
          const auto a = random_values(m * k, gen), b = random_values(k * n, gen);
          auto c = random_values(m * n, gen);
          const auto expected = reference(ta, tb, m, n, k, 0.5, a, b, -2.0, c);
          parallel_gemm(ta, tb, m, n, k, 0.5, a.data(), b.data(), -2.0, c.data());
          double worst = 0;
          for (std::size_t i = 0; i < c.size(); ++i) worst = std::max(worst, std::fabs(c[i] - expected[i]));
          BOOST_TEST(worst < 1e-11);
        }
      }
#ifdef _OPENMP
  omp_set_num_threads(saved);
#endif
}

// Float products run on oneDNN where the build has it and on OpenBLAS otherwise: both match the
// definition, whole matrices and a block of a wider C, including an empty inner dimension.
BOOST_AUTO_TEST_CASE(float_products_match_the_definition_on_each_library) {
  std::mt19937_64 gen(31);
  const std::size_t sizes[][3] = {{7, 200, 300}, {250, 9, 200}, {4, 5, 6}, {3, 4, 0}};
  for (bool on_onednn : {true, false}) {
#ifdef ACNE_WITH_ONEDNN
    onednn::enabled = on_onednn;
#else
    if (on_onednn) continue;
#endif
    for (const auto& [m, n, k] : sizes)
      for (bool ta : {false, true})
        for (bool tb : {false, true}) {
          BOOST_TEST_CONTEXT("oneDNN " << on_onednn << " m " << m << " n " << n << " k " << k << " ta " << ta
                                       << " tb " << tb) {
            const auto a = random_values(m * k, gen), b = random_values(k * n, gen), c = random_values(m * n, gen);
            const auto expected = reference(ta, tb, m, n, k, 0.5, a, b, -2.0, c);
            const std::vector<float> af(a.begin(), a.end()), bf(b.begin(), b.end());
            std::vector<float> whole(c.begin(), c.end()), wide((n + 3) * m, 9.0f);
            for (std::size_t i = 0; i < m; ++i)
              for (std::size_t j = 0; j < n; ++j) wide[i * (n + 3) + j] = float(c[i * n + j]);
            parallel_gemm(ta, tb, m, n, k, 0.5f, af.data(), bf.data(), -2.0f, whole.data());
            gemm(ta, tb, m, n, k, 0.5f, af.data(), std::max<std::size_t>(ta ? m : k, 1), bf.data(),
                 std::max<std::size_t>(tb ? k : n, 1), -2.0f, wide.data(), n + 3);
            double worst = 0, outside = 0;
            for (std::size_t i = 0; i < m; ++i)
              for (std::size_t j = 0; j < n + 3; ++j) {
                const double w = wide[i * (n + 3) + j];
                if (j >= n) outside = std::max(outside, std::fabs(w - 9.0));
                else
                  worst = std::max({worst, std::fabs(whole[i * n + j] - expected[i * n + j]),
                                    std::fabs(w - expected[i * n + j])});
              }
            BOOST_TEST(worst < 1e-5 * double(k + 4));
            BOOST_TEST(outside == 0.0);
          }
        }
  }
#ifdef ACNE_WITH_ONEDNN
  onednn::enabled = true;
#endif
}

BOOST_AUTO_TEST_CASE(blas_runs_on_the_calling_thread_except_in_a_scope) {
  if (!blas_threads::controllable()) {
    BOOST_TEST_MESSAGE("BLAS is not OpenBLAS: its threads cannot be set, nothing to check");
    return;
  }
  // Double precision: float products go to oneDNN where the build has it, which never calls OpenBLAS.
  std::vector<double> a(4, 1.0), b(4, 1.0), c(4);
  gemm(false, false, 2, 2, 2, 1.0, a.data(), b.data(), 0.0, c.data());
  BOOST_TEST(openblas_get_num_threads() == 1);
  {
    const blas_threads scope(3);
    BOOST_TEST(openblas_get_num_threads() == 3);
    gemm(false, false, 2, 2, 2, 1.0, a.data(), b.data(), 0.0, c.data());  // the backend takes it back to one
    BOOST_TEST(openblas_get_num_threads() == 1);
    BOOST_TEST(c[0] == 2.0);
    const blas_threads inner(2);
    BOOST_TEST(openblas_get_num_threads() == 2);
  }
  BOOST_TEST(openblas_get_num_threads() == 1);
  BOOST_TEST(blas_threads::initial() >= 1);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_backend_gemm
