#pragma once
// K-means (Lloyd's iterations from a seeded k-means++ start) on row-major feature vectors: the cells
// of the data-copying test. Assignment is an exact nearest-centroid search by blocked products, so a
// few thousand rows of 2048 features take a fraction of a second per iteration.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <random>
#include <span>
#include <vector>

#include "acne/error.hpp"
#include "acne/metrics/nearest_neighbours.hpp"

namespace acne::metrics {

struct kmeans_options {
  std::size_t clusters = 8;
  std::uint64_t seed = 0;
  std::size_t max_iterations = 100;
};

struct kmeans_result {
  std::size_t dims = 0;
  std::vector<float> centroids;         // clusters x dims
  std::vector<std::size_t> assignment;  // cell of each fitted row
  std::size_t iterations = 0;
  std::size_t clusters() const { return dims ? centroids.size() / dims : 0; }
};

// The cell (nearest centroid) of each row.
inline std::vector<std::size_t> nearest_centroid(std::span<const float> rows, std::span<const float> centroids,
                                                 std::size_t dims) {
  if (rows.empty()) return {};
  return nearest_neighbours(rows, centroids, dims, {.k = 1}).index;
}

namespace detail {

inline double squared_distance(const float* a, const float* b, std::size_t dims) {
  double s = 0;
  for (std::size_t d = 0; d < dims; ++d) s += (double(a[d]) - b[d]) * (double(a[d]) - b[d]);
  return s;
}

// k-means++ (Arthur and Vassilvitskii 2007): each next centre drawn with probability proportional to
// the squared distance to the nearest centre chosen so far.
inline std::vector<float> kmeans_plus_plus(std::span<const float> rows, std::size_t dims, std::size_t k,
                                           std::mt19937_64& rng) {
  const std::size_t n = rows.size() / dims;
  std::vector<float> centres;
  centres.reserve(k * dims);
  std::vector<double> nearest(n, std::numeric_limits<double>::infinity());
  std::size_t pick = std::uniform_int_distribution<std::size_t>(0, n - 1)(rng);
  for (std::size_t c = 0; c < k; ++c) {
    centres.insert(centres.end(), rows.begin() + std::ptrdiff_t(pick * dims), rows.begin() + std::ptrdiff_t((pick + 1) * dims));
    double total = 0;
    for (std::size_t i = 0; i < n; ++i) {
      nearest[i] = std::min(nearest[i], squared_distance(&rows[i * dims], &rows[pick * dims], dims));
      total += nearest[i];
    }
    if (total <= 0) {  // every row sits on a centre: the rest are copies of the first rows
      pick = (pick + 1) % n;
      continue;
    }
    double u = std::uniform_real_distribution<double>(0, total)(rng);
    pick = n - 1;
    for (std::size_t i = 0; i < n; ++i)
      if ((u -= nearest[i]) < 0) {
        pick = i;
        break;
      }
  }
  return centres;
}

}  // namespace detail

inline kmeans_result kmeans(std::span<const float> rows, std::size_t dims, const kmeans_options& o = {}) {
  ACNE_CHECK(dims > 0 && rows.size() % dims == 0, "kmeans: " << rows.size() << " values are not rows of " << dims);
  const std::size_t n = rows.size() / dims;
  ACNE_CHECK(o.clusters >= 1 && o.clusters <= n, "kmeans: " << o.clusters << " clusters asked of " << n << " rows");
  std::mt19937_64 rng(o.seed);
  kmeans_result r{dims, detail::kmeans_plus_plus(rows, dims, o.clusters, rng), {}, 0};
  for (r.iterations = 1; r.iterations <= o.max_iterations; ++r.iterations) {
    auto assignment = nearest_centroid(rows, r.centroids, dims);
    const bool settled = assignment == r.assignment;
    r.assignment = std::move(assignment);
    if (settled) break;
    std::vector<double> sums(o.clusters * dims, 0.0);
    std::vector<std::size_t> counts(o.clusters, 0);
    for (std::size_t i = 0; i < n; ++i) {
      ++counts[r.assignment[i]];
      for (std::size_t d = 0; d < dims; ++d) sums[r.assignment[i] * dims + d] += rows[i * dims + d];
    }
    // An emptied cell keeps its centre.
    for (std::size_t c = 0; c < o.clusters; ++c)
      if (counts[c])
        for (std::size_t d = 0; d < dims; ++d) r.centroids[c * dims + d] = float(sums[c * dims + d] / double(counts[c]));
  }
  r.iterations = std::min(r.iterations, o.max_iterations);
  return r;
}

}  // namespace acne::metrics
