#pragma once
// The data-copying test of Meehan, Chaudhuri and Dasgupta (2020), "A non-parametric test to detect
// data-copying in generative models" (AISTATS), as their reference code computes it:
//   1. cells: k-means on the training features; test, generated (and mirrored training) rows take the
//      cell of their nearest centroid;
//   2. in each cell, every test and every generated sample gets its distance to the nearest training
//      sample of that cell, and the two sets of distances are compared by a Mann-Whitney U test,
//      Z-scored under the null hypothesis with the reference's continuity correction:
//      Z = (U - (n m / 2 - 0.5)) / sqrt(n m (n + m + 1) / 12), U counting the (generated, test) pairs in
//      which the generated distance is the larger (ties one half);
//   3. C_T = the mean of the cells' Z weighted by each cell's share of test samples, over the cells
//      that hold more than tau * m generated samples (tau = 20 / m unless given: at least 21).
// C_T is NaN when no cell qualifies (fewer than 21 generated samples in each, with the default tau).
// C_T near 0: generated samples are as far from the training set as fresh real ones; C_T << 0: they
// are closer (data copying); C_T >> 0: farther (underfitting). Every cell needs test and training
// samples; with fewer cells than asked (k-means emptied some of them of test samples) the cell count
// is lowered until each has them, and the count used is reported.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "acne/error.hpp"
#include "acne/metrics/kmeans.hpp"
#include "acne/metrics/nearest_neighbours.hpp"

namespace acne::metrics {

// The reference's Z-scored U of `generated` against `test` distances.
inline double mann_whitney_z(std::span<const double> generated, std::span<const double> test) {
  ACNE_CHECK(!generated.empty() && !test.empty(), "mann_whitney_z: " << generated.size() << " generated and "
                                                                     << test.size() << " test distances");
  std::vector<double> sorted(test.begin(), test.end());
  std::sort(sorted.begin(), sorted.end());
  double u = 0;
  for (const double g : generated) {
    const auto below = std::lower_bound(sorted.begin(), sorted.end(), g);
    const auto not_above = std::upper_bound(below, sorted.end(), g);
    u += double(below - sorted.begin()) + 0.5 * double(not_above - below);
  }
  const double m = double(generated.size()), n = double(test.size());
  return (u - (n * m / 2 - 0.5)) / std::sqrt(n * m * (n + m + 1) / 12);
}

struct data_copying_options {
  std::size_t cells = 0;  // 0: test samples / 20, between 1 and 10
  double tau = 0;         // 0: 20 / generated samples
  std::uint64_t seed = 0; // k-means++ start
};

struct data_copying_cell {
  std::size_t train = 0, test = 0, generated = 0;
  double z = 0;       // 0 when the cell holds no generated sample
  bool used = false;  // more than tau * m generated samples
};

struct data_copying_result {
  double c_t = 0;
  double tau = 0;
  std::size_t cells_asked = 0;
  std::vector<data_copying_cell> cells;
  std::size_t used_cells() const {
    return std::size_t(std::count_if(cells.begin(), cells.end(), [](const auto& c) { return c.used; }));
  }
};

namespace detail {

inline std::vector<float> rows_of(std::span<const float> rows, std::size_t dims, const std::vector<std::size_t>& cell,
                                  std::size_t c) {
  std::vector<float> out;
  for (std::size_t i = 0; i < cell.size(); ++i)
    if (cell[i] == c) out.insert(out.end(), rows.begin() + std::ptrdiff_t(i * dims), rows.begin() + std::ptrdiff_t((i + 1) * dims));
  return out;
}

inline std::vector<double> nearest_distances(const std::vector<float>& queries, const std::vector<float>& references,
                                             std::size_t dims) {
  if (queries.empty()) return {};
  return nearest_neighbours(queries, references, dims, {.k = 1}).distance;
}

}  // namespace detail

// Rows are row-major, Euclidean (give unit rows for a cosine space: the U test sees only the order of
// distances). `train_mirrored`, empty or one row per training row, joins each training row's cell as
// more training samples (the mirror images a GAN trained with x-flips saw).
inline data_copying_result data_copying_test(std::span<const float> train, std::span<const float> train_mirrored,
                                             std::span<const float> test, std::span<const float> generated,
                                             std::size_t dims, const data_copying_options& o = {}) {
  ACNE_CHECK(dims > 0 && train.size() % dims == 0 && test.size() % dims == 0 && generated.size() % dims == 0,
             "data_copying_test: sets are not rows of " << dims);
  ACNE_CHECK(train_mirrored.empty() || train_mirrored.size() == train.size(),
             "data_copying_test: " << train_mirrored.size() / dims << " mirrored rows for " << train.size() / dims
                                   << " training rows");
  const std::size_t l = train.size() / dims, n = test.size() / dims, m = generated.size() / dims;
  ACNE_CHECK(l >= 1 && n >= 1 && m >= 1, "data_copying_test: needs training, test and generated samples, got "
                                             << l << ", " << n << " and " << m);
  data_copying_result r;
  r.cells_asked = o.cells ? o.cells : std::clamp<std::size_t>(n / 20, 1, 10);
  r.tau = o.tau > 0 ? o.tau : 20.0 / double(m);
  std::size_t k = std::min({r.cells_asked, l, n});
  kmeans_result cells;
  std::vector<std::size_t> test_cell;
  for (;; --k) {
    cells = kmeans(train, dims, {.clusters = k, .seed = o.seed});
    test_cell = nearest_centroid(test, cells.centroids, dims);
    std::vector<std::size_t> train_count(k, 0), test_count(k, 0);
    for (const auto c : cells.assignment) ++train_count[c];
    for (const auto c : test_cell) ++test_count[c];
    bool every_cell_full = true;
    for (std::size_t c = 0; c < k; ++c) every_cell_full = every_cell_full && train_count[c] && test_count[c];
    if (every_cell_full || k == 1) break;
  }
  const auto generated_cell = nearest_centroid(generated, cells.centroids, dims);
  r.cells.resize(k);
  double weighted = 0, weight = 0;
  for (std::size_t c = 0; c < k; ++c) {
    auto references = detail::rows_of(train, dims, cells.assignment, c);
    if (!train_mirrored.empty()) {
      const auto mirrored = detail::rows_of(train_mirrored, dims, cells.assignment, c);
      references.insert(references.end(), mirrored.begin(), mirrored.end());
    }
    const auto test_d = detail::nearest_distances(detail::rows_of(test, dims, test_cell, c), references, dims);
    const auto generated_d = detail::nearest_distances(detail::rows_of(generated, dims, generated_cell, c), references, dims);
    auto& cell = r.cells[c];
    cell.train = std::size_t(std::count(cells.assignment.begin(), cells.assignment.end(), c));
    cell.test = test_d.size();
    cell.generated = generated_d.size();
    if (!generated_d.empty() && !test_d.empty()) cell.z = mann_whitney_z(generated_d, test_d);
    cell.used = double(cell.generated) / double(m) > r.tau && cell.test > 0;
    if (cell.used) {
      weighted += double(cell.test) / double(n) * cell.z;
      weight += double(cell.test) / double(n);
    }
  }
  r.c_t = weight > 0 ? weighted / weight : std::nan("");
  return r;
}

}  // namespace acne::metrics
