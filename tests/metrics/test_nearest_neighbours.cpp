// Nearest neighbours by blocked products against a brute-force search in double precision, with blocks
// that do not divide the set sizes; a set against itself; authenticity on a hand-made case.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <vector>

#include "acne/metrics/nearest_neighbours.hpp"

namespace test_metrics_nearest_neighbours {

namespace m = acne::metrics;

namespace {

std::vector<float> uniform(std::size_t n, std::size_t d, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(-1, 1);
  std::vector<float> x(n * d);
  for (auto& v : x) v = float(u(rng));
  return x;
}

double brute_distance(const float* a, const float* b, std::size_t d, m::distance_kind kind) {
  double dot = 0, aa = 0, bb = 0, sq = 0;
  for (std::size_t i = 0; i < d; ++i) {
    dot += double(a[i]) * b[i], aa += double(a[i]) * a[i], bb += double(b[i]) * b[i];
    sq += (double(a[i]) - b[i]) * (double(a[i]) - b[i]);
  }
  return kind == m::distance_kind::cosine ? 1 - dot / std::sqrt(aa * bb) : std::sqrt(sq);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(nearest_neighbours)

BOOST_AUTO_TEST_CASE(blocked_search_finds_what_a_brute_force_search_finds) {
  const std::size_t nq = 37, nr = 53, d = 7, k = 3;
  const auto q = uniform(nq, d, 1), r = uniform(nr, d, 2);
  for (const auto kind : {m::distance_kind::euclidean, m::distance_kind::cosine}) {
    const auto found = m::nearest_neighbours(q, r, d, {.k = k, .kind = kind, .block = 8});
    BOOST_REQUIRE(found.queries() == nq);
    for (std::size_t i = 0; i < nq; ++i) {
      std::vector<std::size_t> order(nr);
      std::iota(order.begin(), order.end(), 0);
      std::vector<double> dist(nr);
      for (std::size_t j = 0; j < nr; ++j) dist[j] = brute_distance(&q[i * d], &r[j * d], d, kind);
      std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return dist[a] < dist[b]; });
      for (std::size_t j = 0; j < k; ++j) {
        BOOST_TEST(found.index[i * k + j] == order[j], "query " << i << " rank " << j);
        BOOST_TEST(found.distance[i * k + j] == dist[order[j]], boost::test_tools::tolerance(1e-4));
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(a_set_against_itself_skips_each_row_and_finds_its_twin) {
  const std::size_t n = 20, d = 5;
  auto x = uniform(n, d, 3);
  std::copy(x.begin() + 4 * d, x.begin() + 5 * d, x.begin() + 17 * d);  // row 17 = row 4
  const auto found = m::nearest_neighbours(x, x, d, {.k = 2, .exclude_same_index = true, .block = 6});
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < 2; ++j) BOOST_TEST(found.index[i * 2 + j] != i);
  BOOST_TEST(found.nearest(4) == 17u);
  BOOST_TEST(found.nearest(17) == 4u);
  BOOST_TEST(found.nearest_distance(4) == 0.0, boost::test_tools::tolerance(1e-3));
  BOOST_CHECK_THROW(m::nearest_neighbours(x, x, d, {.k = n, .exclude_same_index = true}), acne::error);
  BOOST_CHECK_THROW(m::nearest_neighbours(x, std::span<const float>(x).first(12), d), acne::error);
}

BOOST_AUTO_TEST_CASE(authenticity_counts_synthetic_samples_farther_than_their_real_neighbours_neighbour) {
  // Real 0, 1, 10: each one's nearest other real is 1, 1 and 9 away. Synthetic 0.1 (0.1 from real 0:
  // a copy), 5 (4 from real 1, whose neighbour is 1 away: authentic), 10.5 (0.5 from real 10: a copy).
  const std::vector<float> real{0, 1, 10}, synthetic{0.1f, 5, 10.5f};
  const auto real_nn = m::nearest_neighbours(real, real, 1, {.exclude_same_index = true});
  const auto synthetic_nn = m::nearest_neighbours(synthetic, real, 1);
  BOOST_TEST(synthetic_nn.nearest(1) == 1u);
  BOOST_TEST(real_nn.nearest_distance(2) == 9.0, boost::test_tools::tolerance(1e-6));
  BOOST_TEST(m::authenticity(synthetic_nn, real_nn) == 1.0 / 3, boost::test_tools::tolerance(1e-12));
  // Copies of the real samples are never authentic.
  BOOST_TEST(m::authenticity(m::nearest_neighbours(real, real, 1), real_nn) == 0.0);
}

BOOST_AUTO_TEST_CASE(a_query_skips_the_references_of_its_own_group) {
  // Rows 0..2 and their mirrors 3..5 (groups 0, 1, 2, 0, 1, 2); row i's mirror sits nearest to it.
  const std::size_t d = 2;
  const std::vector<float> rows{0, 0, 10, 0, 0, 10, 0.1f, 0, 10.1f, 0, 0.1f, 10};
  const std::vector<std::size_t> groups{0, 1, 2, 0, 1, 2}, queries{0, 1, 2};
  const std::span<const float> originals(rows.data(), 3 * d);
  const auto plain = m::nearest_neighbours(originals, rows, d, {.k = 2, .exclude_same_index = false});
  BOOST_TEST(plain.index[1] == 3u);  // its own mirror
  const auto grouped = m::nearest_neighbours(originals, rows, d, {.k = 2, .query_groups = queries, .reference_groups = groups});
  for (std::size_t q = 0; q < 3; ++q)
    for (std::size_t j = 0; j < 2; ++j) BOOST_TEST(groups[grouped.index[q * 2 + j]] != q, "query " << q);
  BOOST_TEST(grouped.distance[0] == 10.0, boost::test_tools::tolerance(1e-5));
  BOOST_CHECK_THROW(m::nearest_neighbours(originals, rows, d, {.k = 5, .query_groups = queries, .reference_groups = groups}),
                    acne::error);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_metrics_nearest_neighbours
