// The im2col + BLAS convolution against the direct reference loops, forward and both backwards, in
// every way the work is cut: groups of samples, bands of rows, the 1x1 shortcut, one thread or several;
// and oneDNN's float convolutions, where the build has it, against the same loops.
#include <boost/test/unit_test.hpp>

#include <array>
#include <cmath>
#include <random>
#include <string>

#include "acne/backend/cpu.hpp"
#include "acne/backend/cpu/conv_naive.hpp"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace test_backend_conv {

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

struct config {
  shape4 x;
  std::size_t cout, k, stride, dilation;
  padding_mode pad;
};

const config configs[] = {
    {{2, 3, 9, 8}, 4, 3, 1, 1, padding_mode::same},   {{3, 2, 9, 9}, 5, 3, 2, 1, padding_mode::same},
    {{2, 4, 7, 7}, 3, 1, 1, 1, padding_mode::valid},  {{1, 2, 12, 10}, 2, 5, 2, 1, padding_mode::valid},
    {{2, 3, 9, 9}, 2, 3, 1, 2, padding_mode::same},   {{300, 2, 4, 4}, 3, 3, 1, 1, padding_mode::same},
    {{5, 6, 16, 12}, 7, 1, 1, 1, padding_mode::same}, {{3, 3, 15, 15}, 4, 7, 2, 1, padding_mode::same},
    {{4, 5, 6, 6}, 3, 3, 3, 1, padding_mode::valid},  {{2, 3, 11, 10}, 4, 3, 2, 2, padding_mode::same},
    // stride 2 on maps so narrow that some taps see no pixel at all, or only one
    {{2, 3, 5, 1}, 2, 3, 2, 1, padding_mode::same},   {{2, 2, 4, 2}, 3, 3, 2, 1, padding_mode::same},
    // enough input channels for oneDNN to take the backward-data pass too
    {{2, 16, 9, 8}, 8, 3, 1, 1, padding_mode::same},  {{3, 17, 7, 7}, 5, 3, 2, 1, padding_mode::same},
    {{2, 20, 9, 9}, 6, 3, 1, 2, padding_mode::same},  {{2, 16, 8, 8}, 4, 1, 2, 1, padding_mode::valid},
    // a batch and maps on which oneDNN runs Winograd on an AVX-512 Xeon, all three passes
    {{16, 16, 12, 12}, 16, 3, 1, 1, padding_mode::same},
};

// Checks all three passes of every config; tolerances scale with the accumulation length k.
template <class T>
void check_against_naive(double tolerance, std::mt19937_64& gen) {
  for (const auto& c : configs) {
    BOOST_TEST_CONTEXT("input " << c.x << " cout " << c.cout << " k " << c.k << " stride " << c.stride) {
      auto x = random_tensor<T>(c.x, gen);
      auto w = random_tensor<T>({c.cout, c.x.c, c.k, c.k}, gen);
      window g = resolve_padding({c.k, c.k, c.stride, c.stride, c.dilation, c.dilation}, c.pad, c.x.h, c.x.w);
      shape4 ys{c.x.n, c.cout, g.out_h(c.x.h), g.out_w(c.x.w)};
      tensor<T> y(ys, T(7)), y_ref(ys);
      conv2d_forward(x, w, y, g);
      naive::conv2d_forward(x, w, y_ref, g);
      BOOST_TEST(max_diff(y, y_ref) < tolerance);

      auto dy = random_tensor<T>(ys, gen);
      tensor<T> dx(c.x, T(7)), dx_ref(c.x), dw(w.shape(), T(7)), dw_ref(w.shape());
      conv2d_backward_data(dy, w, dx, g);
      naive::conv2d_backward_data(dy, w, dx_ref, g);
      BOOST_TEST(max_diff(dx, dx_ref) < tolerance);
      conv2d_backward_filter(x, dy, dw, g, T(0));
      naive::conv2d_backward_filter(x, dy, dw_ref, g);
      BOOST_TEST(max_diff(dw, dw_ref) < tolerance * 10);  // sums over the whole batch

      // beta = 1 adds to what is there.
      auto dw_twice = dw;
      conv2d_backward_filter(x, dy, dw_twice, g, T(1));
      for (auto& v : dw_ref) v *= T(2);
      BOOST_TEST(max_diff(dw_twice, dw_ref) < tolerance * 20);
    }
  }
}

// Sets the column budget for one scope, so small inputs take the banded and grouped paths.
struct column_budget {
  std::size_t saved = cpu_backend::chunk_elements, saved_columns = cpu_backend::min_chunk_columns;
  column_budget(std::size_t elements, std::size_t min_columns) {
    cpu_backend::chunk_elements = elements;
    cpu_backend::min_chunk_columns = min_columns;
  }
  ~column_budget() {
    cpu_backend::chunk_elements = saved;
    cpu_backend::min_chunk_columns = saved_columns;
  }
};

#ifdef _OPENMP
struct omp_threads {
  int saved = omp_get_max_threads();
  explicit omp_threads(int n) { omp_set_num_threads(n); }
  ~omp_threads() { omp_set_num_threads(saved); }
};
#endif
}  // namespace

BOOST_AUTO_TEST_SUITE(cpu_convolution)

BOOST_AUTO_TEST_CASE(im2col_gemm_matches_direct_loops) {
  std::mt19937_64 gen(3);
  check_against_naive<double>(1e-10, gen);
}

BOOST_AUTO_TEST_CASE(float_matches_direct_loops) {
  std::mt19937_64 gen(5);
  check_against_naive<float>(2e-4, gen);
}

#ifdef ACNE_WITH_ONEDNN
// Float convolutions run on oneDNN; the portable path they fall back to stays held to the loops.
BOOST_AUTO_TEST_CASE(float_portable_path_matches_direct_loops) {
  struct portable {
    portable() { cpu_backend::onednn::enabled = false; }
    ~portable() { cpu_backend::onednn::enabled = true; }
  } scope;
  std::mt19937_64 gen(7);
  check_against_naive<float>(2e-4, gen);
}

BOOST_AUTO_TEST_CASE(onednn_names_the_kernel_it_runs) {
  const window g = resolve_padding({3, 3, 1, 1}, padding_mode::same, 8, 8);
  auto& conv = cpu_backend::onednn::conv_for(cpu_backend::onednn::conv_pass::forward, {2, 16, 8, 8}, 16, g);
  BOOST_TEST(!conv.implementation().empty());
  BOOST_TEST_MESSAGE("oneDNN " << cpu_backend::onednn::version() << " on " << cpu_backend::onednn::isa() << ": "
                               << conv.implementation());
}

// Winograd where oneDNN offers it (its F(4x4, 3x3) kernels need AVX-512), in all three passes;
// without it, the direct kernels. Whether oneDNN takes Winograd is its own heuristic, which differs
// by CPU: on Intel it wants a batch above 8, elsewhere also enough transform work per thread (a
// 16-channel 12 x 12 batch of 16 runs Winograd on a Xeon and the direct kernels on an EPYC). This
// 256-channel 16 x 16 batch of 16 clears both, so an AVX-512 CPU of either kind must run Winograd.
BOOST_AUTO_TEST_CASE(winograd_where_onednn_offers_it) {
  using namespace cpu_backend::onednn;
  const window g = resolve_padding({3, 3, 1, 1}, padding_mode::same, 16, 16);
  const auto kernel = [&](conv_pass pass) { return conv_for(pass, {16, 256, 16, 16}, 256, g).implementation(); };
  struct direct_only {
    direct_only() { winograd = false; }
    ~direct_only() { winograd = true; }
  };
  const bool avx512 = isa().rfind("avx512", 0) == 0;
  for (auto pass : {conv_pass::forward, conv_pass::backward_data, conv_pass::backward_filter}) {
    if (avx512) BOOST_TEST(kernel(pass).find("wino") != std::string::npos, "pass " << int(pass) << ": " << kernel(pass));
    std::string direct;
    {
      direct_only scope;
      direct = kernel(pass);
    }
    BOOST_TEST(direct.find("wino") == std::string::npos, "pass " << int(pass) << " without Winograd: " << direct);
  }
  if (!avx512) BOOST_TEST_MESSAGE("no AVX-512 (" << isa() << "): oneDNN has no Winograd kernel here, only the switch checked");

  // Too large for the direct loops in good time: Winograd's three passes against oneDNN's direct
  // ones, relative to the largest value (float; Winograd's transforms lose a few more bits).
  std::mt19937_64 gen(13);
  const auto x = random_tensor<float>({16, 256, 16, 16}, gen), w = random_tensor<float>({256, 256, 3, 3}, gen);
  const auto dy = random_tensor<float>({16, 256, 16, 16}, gen);
  const auto passes = [&] {
    tensor<float> y(x.shape()), dx(x.shape()), dw(w.shape());
    conv2d_forward(x, w, y, g);
    conv2d_backward_data(dy, w, dx, g);
    conv2d_backward_filter(x, dy, dw, g, 0.0f);
    return std::array{y, dx, dw};
  };
  const auto fast = passes();
  const auto direct = [&] {
    direct_only scope;
    return passes();
  }();
  for (std::size_t i = 0; i < 3; ++i) {
    double largest = 0;
    for (float v : direct[i]) largest = std::max(largest, double(std::fabs(v)));
    BOOST_TEST(max_diff(fast[i], direct[i]) < 1e-4 * largest, "pass " << i);
  }
}
#endif

BOOST_AUTO_TEST_CASE(bands_and_sample_groups_match_direct_loops) {
  std::mt19937_64 gen(11);
  // A few output rows per band; samples grouped up to 2, then up to 300 per item.
  const std::pair<std::size_t, std::size_t> budgets[] = {{64, 1}, {100, 40}, {2000, 1000}};
  for (const auto& [elements, min_columns] : budgets) {
    column_budget scope(elements, min_columns);
    check_against_naive<double>(1e-10, gen);
  }
}

#ifdef _OPENMP
BOOST_AUTO_TEST_CASE(one_thread_and_several_agree) {
  std::mt19937_64 gen(13);
  for (int threads : {1, 3}) {
    omp_threads scope(threads);
    column_budget small(500, 16);
    check_against_naive<double>(1e-10, gen);
  }
}
#endif

BOOST_AUTO_TEST_CASE(im2col_then_col2im_is_the_adjoint) {
  // <im2col(x), c> == <x, col2im(c)> for any x and c, including strided, dilated, padded windows.
  std::mt19937_64 gen(17);
  const std::size_t ch = 3, h = 11, w = 9;
  window g = resolve_padding({3, 3, 2, 2, 2, 1}, padding_mode::same, h, w);
  const std::size_t rows = ch * 9, p = g.out_h(h) * g.out_w(w);
  auto x = random_tensor<double>({1, ch, h, w}, gen);
  auto c = random_tensor<double>({1, 1, rows, p}, gen);
  tensor<double> col({1, 1, rows, p}), back({1, ch, h, w});
  cpu_backend::im2col(x.data(), ch, h, w, g, col.data(), p, 0);
  cpu_backend::col2im(c.data(), p, 0, ch, h, w, g, back.data());
  double lhs = 0, rhs = 0;
  for (std::size_t i = 0; i < col.size(); ++i) lhs += col[i] * c[i];
  for (std::size_t i = 0; i < x.size(); ++i) rhs += x[i] * back[i];
  BOOST_TEST(std::fabs(lhs - rhs) < 1e-10);
}

BOOST_AUTO_TEST_CASE(keras_same_padding_is_asymmetric_for_even_inputs) {
  // TF: out = ceil(6/2) = 3, needed = (3-1)*2 + 3 = 7, total pad 1 -> top 0, bottom 1.
  window g = resolve_padding({3, 3, 2, 2}, padding_mode::same, 6, 6);
  BOOST_TEST(g.pad_top == 0u);
  BOOST_TEST(g.pad_bottom == 1u);
  BOOST_TEST(g.out_h(6) == 3u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_backend_conv
