#pragma once
// Kernel Inception Distance as computed by stylegan2-ada (metrics/kernel_inception_distance.py):
// polynomial kernel k(x, y) = (x.y / d + 1)^3; for each of `num_subsets` subsets, m rows drawn
// without replacement from each set, m = min(n1, n2, max_subset_size), the unbiased MMD^2 estimate
//   [sum_{i != j} k(x_i, x_j) + k(y_i, y_j)] / (m (m - 1)) - 2 sum_{i,j} k(x_i, y_j) / m^2;
// KID is the mean over subsets (ada reports only that); std is their standard deviation (ddof 0).
// Subsets come from a seeded std::mt19937_64, so results are reproducible, not numpy-identical.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <random>
#include <span>
#include <vector>

#include <nlohmann/json.hpp>

#include "acne/error.hpp"
#include "acne/metrics/linalg.hpp"

namespace acne::metrics {

struct kid_options {
  std::size_t num_subsets = 100;
  std::size_t max_subset_size = 1000;
  std::uint64_t seed = 0;
};

struct kid_result {
  double mean = 0.0;  // the KID
  double std = 0.0;   // spread of the per-subset estimates
  std::size_t subset_size = 0;
  std::size_t num_subsets = 0;
  std::vector<double> subsets;  // per-subset MMD^2 estimates

  nlohmann::json to_json() const {
    return {{"kid", mean}, {"kid_std", std}, {"subset_size", subset_size}, {"num_subsets", num_subsets}};
  }
};

namespace detail {

// Copies m distinct random rows of a (rows x d, row-major) into a double matrix, row-major m x d.
template <class T>
std::vector<double> sample_rows(std::span<const T> a, std::size_t rows, std::size_t d, std::size_t m,
                                std::mt19937_64& rng, std::vector<std::size_t>& order) {
  order.resize(rows);
  std::iota(order.begin(), order.end(), std::size_t{0});
  for (std::size_t i = 0; i < m; ++i) {  // partial Fisher-Yates
    std::uniform_int_distribution<std::size_t> pick(i, rows - 1);
    std::swap(order[i], order[pick(rng)]);
  }
  std::vector<double> out(m * d);
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < d; ++j) out[i * d + j] = double(a[order[i] * d + j]);
  return out;
}

// Sum of (x_i . y_j / d + 1)^3 over all pairs; `exclude_diagonal` drops i == j (x and y the same set).
inline double polynomial_kernel_sum(const std::vector<double>& x, const std::vector<double>& y, std::size_t m,
                                    std::size_t d, bool exclude_diagonal, std::vector<double>& gram) {
  gram.assign(m * m, 0.0);
  // Row-major m x d == column-major d x m (A); gram = A^T B (m x m).
  linalg::gemm(true, false, m, m, d, 1.0 / double(d), x.data(), d, y.data(), d, 0.0, gram.data(), m);
  double sum = 0.0;
  for (std::size_t j = 0; j < m; ++j)
    for (std::size_t i = 0; i < m; ++i) {
      if (exclude_diagonal && i == j) continue;
      const double k = gram[j * m + i] + 1.0;
      sum += k * k * k;
    }
  return sum;
}

template <class T>
kid_result kid_impl(std::span<const T> real, std::span<const T> generated, std::size_t dims,
                    const kid_options& options) {
  const linalg::blas_own_threads blas;
  ACNE_CHECK(dims > 0, "kernel_inception_distance: dims must be positive");
  ACNE_CHECK(real.size() % dims == 0 && generated.size() % dims == 0,
             "kernel_inception_distance: feature buffers (" << real.size() << ", " << generated.size()
                                                            << " values) are not multiples of dims " << dims);
  ACNE_CHECK(options.num_subsets > 0, "kernel_inception_distance: num_subsets must be positive");
  const std::size_t n_real = real.size() / dims, n_gen = generated.size() / dims;
  const std::size_t m = std::min({n_real, n_gen, options.max_subset_size});
  ACNE_CHECK(m >= 2, "kernel_inception_distance: needs subsets of at least 2 features (have "
                         << n_real << " real, " << n_gen << " generated, max_subset_size "
                         << options.max_subset_size << ")");
  kid_result result;
  result.subset_size = m;
  result.num_subsets = options.num_subsets;
  std::mt19937_64 rng(options.seed);
  std::vector<std::size_t> order;
  std::vector<double> gram;
  const double md = double(m);
  for (std::size_t s = 0; s < options.num_subsets; ++s) {
    const auto x = sample_rows(generated, n_gen, dims, m, rng, order);
    const auto y = sample_rows(real, n_real, dims, m, rng, order);
    const double a = polynomial_kernel_sum(x, x, m, dims, true, gram) + polynomial_kernel_sum(y, y, m, dims, true, gram);
    const double b = polynomial_kernel_sum(x, y, m, dims, false, gram);
    result.subsets.push_back(a / (md * (md - 1.0)) - 2.0 * b / (md * md));
  }
  double sum = 0.0;
  for (double v : result.subsets) sum += v;
  result.mean = sum / double(result.subsets.size());
  double var = 0.0;
  for (double v : result.subsets) var += (v - result.mean) * (v - result.mean);
  result.std = std::sqrt(var / double(result.subsets.size()));
  return result;
}

}  // namespace detail

// real, generated: row-major feature matrices (rows x dims).
inline kid_result kernel_inception_distance(std::span<const float> real, std::span<const float> generated,
                                            std::size_t dims, const kid_options& options = {}) {
  return detail::kid_impl(real, generated, dims, options);
}
inline kid_result kernel_inception_distance(std::span<const double> real, std::span<const double> generated,
                                            std::size_t dims, const kid_options& options = {}) {
  return detail::kid_impl(real, generated, dims, options);
}

}  // namespace acne::metrics
