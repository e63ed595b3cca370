#pragma once
// Exact nearest neighbours of feature vectors (the anonymity audit's first question: how close is
// each synthetic face to a real one?), by blocked products rather than a loop over pairs:
// ||q - r||^2 = ||q||^2 + ||r||^2 - 2 q.r, one product per block of queries x references (the
// backend's matmul, on the CPU or the GPU: nearest_neighbours<D>), so that the products held stay at
// one block whatever the set sizes; the best k of each query are kept on the host. Distances are Euclidean (not squared) or cosine
// (1 - cos). authenticity() is the share of Alaa et al. (2022), "How faithful is your synthetic data?".
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <span>
#include <type_traits>
#include <utility>
#include <vector>

#include "acne/backend.hpp"
#include "acne/error.hpp"
#include "acne/tensor/tensor.hpp"

namespace acne::metrics {

enum class distance_kind { euclidean, cosine };

// The k nearest references of each query, nearest first: index and distance, row-major [queries, k].
struct neighbours {
  std::size_t k = 0;
  std::vector<std::size_t> index;
  std::vector<double> distance;

  std::size_t queries() const { return k ? index.size() / k : 0; }
  std::size_t nearest(std::size_t q) const { return index.at(q * k); }
  double nearest_distance(std::size_t q) const { return distance.at(q * k); }
};

struct neighbour_options {
  std::size_t k = 1;
  distance_kind kind = distance_kind::euclidean;
  // Queries and references are the same set: a row is not its own neighbour.
  bool exclude_same_index = false;
  // When both are given (one entry per row), a reference of the query's own group is skipped: an
  // image is no neighbour of its own mirror image.
  std::span<const std::size_t> query_groups{}, reference_groups{};
  std::size_t block = 1024;  // rows of queries and of references per product
};

// Rows scaled to unit length for cosine distances (a zero row stays zero: distance 1 to everything).
inline std::vector<float> unit_rows(std::span<const float> rows, std::size_t dims) {
  std::vector<float> out(rows.begin(), rows.end());
  for (std::size_t r = 0; r < rows.size() / dims; ++r) {
    double norm = 0;
    for (std::size_t d = 0; d < dims; ++d) norm += double(out[r * dims + d]) * out[r * dims + d];
    if (norm > 0)
      for (std::size_t d = 0; d < dims; ++d) out[r * dims + d] = float(out[r * dims + d] / std::sqrt(norm));
  }
  return out;
}

namespace detail {

// Rows as a [rows, dims] tensor on device D: on the CPU a view of the caller's rows (only read).
template <class D>
tensor<float, D> rows_on(std::span<const float> rows, std::size_t dims) {
  const shape4 s{rows.size() / dims, dims, 1, 1};
  if constexpr (std::is_same_v<D, cpu>) {
    return tensor<float, cpu>::borrow(const_cast<float*>(rows.data()), s);
  } else {
    tensor<float, D> t(s);
    memory<D>::from_host(t.data(), rows.data(), rows.size() * sizeof(float));
    return t;
  }
}

inline std::vector<double> squared_norms(std::span<const float> rows, std::size_t dims) {
  std::vector<double> out(rows.size() / dims, 0.0);
  for (std::size_t r = 0; r < out.size(); ++r)
    for (std::size_t d = 0; d < dims; ++d) out[r] += double(rows[r * dims + d]) * rows[r * dims + d];
  return out;
}

}  // namespace detail

// queries [nq, dims] and references [nr, dims], row-major; the products run on device D.
template <class D = cpu>
neighbours nearest_neighbours(std::span<const float> queries, std::span<const float> references, std::size_t dims,
                                     const neighbour_options& o = {}) {
  ACNE_CHECK(dims > 0 && queries.size() % dims == 0 && references.size() % dims == 0,
             "nearest_neighbours: " << queries.size() << " and " << references.size() << " values are not rows of " << dims);
  const std::size_t nq = queries.size() / dims, nr = references.size() / dims;
  const std::size_t candidates = o.exclude_same_index ? nr - std::min<std::size_t>(nr, 1) : nr;
  ACNE_CHECK(o.k >= 1 && o.k <= candidates,
             "nearest_neighbours: " << o.k << " neighbours asked of " << candidates << " reference rows");
  ACNE_CHECK(!o.exclude_same_index || nq == nr, "nearest_neighbours: excluding the same index needs one set, got "
                                                    << nq << " queries and " << nr << " references");
  const bool grouped = !o.query_groups.empty() || !o.reference_groups.empty();
  ACNE_CHECK(!grouped || (o.query_groups.size() == nq && o.reference_groups.size() == nr),
             "nearest_neighbours: " << o.query_groups.size() << " query groups for " << nq << " rows and "
                                    << o.reference_groups.size() << " reference groups for " << nr << " rows");
  const bool cosine = o.kind == distance_kind::cosine;
  std::vector<float> q_unit, r_unit;
  if (cosine) q_unit = unit_rows(queries, dims), r_unit = unit_rows(references, dims);
  const std::span<const float> q = cosine ? std::span<const float>(q_unit) : queries;
  const std::span<const float> r = cosine ? std::span<const float>(r_unit) : references;
  const auto q_norms = detail::squared_norms(q, dims), r_norms = detail::squared_norms(r, dims);

  neighbours out{o.k, std::vector<std::size_t>(nq * o.k), std::vector<double>(nq * o.k)};
  // Each query's best k so far, as (distance, index) pairs kept sorted.
  std::vector<std::vector<std::pair<double, std::size_t>>> best(nq);
  const std::size_t block = std::max<std::size_t>(o.block, 1);
  const auto q_rows = detail::rows_on<D>(q, dims), r_rows = detail::rows_on<D>(r, dims);
  tensor<float, D> block_products;
  std::vector<float> host_products;
  for (std::size_t q0 = 0; q0 < nq; q0 += block) {
    const std::size_t qn = std::min(block, nq - q0);
    for (std::size_t r0 = 0; r0 < nr; r0 += block) {
      const std::size_t rn = std::min(block, nr - r0);
      block_products.resize({qn, rn, 1, 1});
      matmul(q_rows.samples(q0, qn), false, r_rows.samples(r0, rn), true, block_products);
      const float* products = block_products.data();
      if constexpr (!std::is_same_v<D, cpu>) {
        host_products.resize(qn * rn);
        memory<D>::to_host(host_products.data(), block_products.data(), block_products.bytes());
        products = host_products.data();
      }
#pragma omp parallel for schedule(static)
      for (long i = 0; i < long(qn); ++i) {
        auto& mine = best[q0 + std::size_t(i)];
        for (std::size_t j = 0; j < rn; ++j) {
          if (o.exclude_same_index && q0 + std::size_t(i) == r0 + j) continue;
          if (grouped && o.query_groups[q0 + std::size_t(i)] == o.reference_groups[r0 + j]) continue;
          const double dot = products[std::size_t(i) * rn + j];
          // Rounding can take a zero distance a little below zero.
          const double d = cosine ? std::max(0.0, 1.0 - dot) : std::sqrt(std::max(0.0, q_norms[q0 + std::size_t(i)] + r_norms[r0 + j] - 2 * dot));
          if (mine.size() == o.k && d >= mine.back().first) continue;
          const std::pair<double, std::size_t> entry{d, r0 + j};
          mine.insert(std::upper_bound(mine.begin(), mine.end(), entry), entry);
          if (mine.size() > o.k) mine.pop_back();
        }
      }
    }
  }
  for (std::size_t i = 0; i < nq; ++i) {
    ACNE_CHECK(best[i].size() == o.k, "nearest_neighbours: query " << i << " has " << best[i].size()
                                                                   << " references outside its group, " << o.k << " asked");
    for (std::size_t j = 0; j < o.k; ++j) {
      out.distance[i * o.k + j] = best[i][j].first;
      out.index[i * o.k + j] = best[i][j].second;
    }
  }
  return out;
}

// Alaa et al. (2022): a synthetic sample is authentic when its nearest real sample is nearer to
// another real sample than to it; returns the share of authentic synthetic samples. `synthetic` holds
// each synthetic sample's nearest real (k >= 1), `real` each real sample's nearest other real.
inline double authenticity(const neighbours& synthetic, const neighbours& real) {
  ACNE_CHECK(synthetic.queries() > 0, "authenticity: no synthetic samples");
  std::size_t authentic = 0;
  for (std::size_t s = 0; s < synthetic.queries(); ++s)
    authentic += synthetic.nearest_distance(s) > real.nearest_distance(synthetic.nearest(s));
  return double(authentic) / double(synthetic.queries());
}

}  // namespace acne::metrics
