#include <boost/test/unit_test.hpp>

#include <cmath>
#include <random>
#include <vector>

#include "acne/metrics/kid.hpp"

namespace test_metrics_kid {

namespace m = acne::metrics;

namespace {
std::vector<float> gaussian(std::size_t n, std::size_t d, double shift, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  std::vector<float> x(n * d);
  for (auto& v : x) v = float(normal(rng) + shift);
  return x;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(kid)

BOOST_AUTO_TEST_CASE(hand_computed_small_case) {
  // d = 2, gen = {(1,0), (0,1)}, real = the same two points; m = 2 so each subset is the whole set.
  // k(u,v) = (u.v/2 + 1)^3: k(e1,e2) = 1, k(e1,e1) = 1.5^3 = 3.375.
  // a (off-diagonal, both sets) = 2*1 + 2*1 = 4 -> 4 / (m(m-1)) = 2
  // b (all cross pairs) = 3.375 + 1 + 1 + 3.375 = 8.75 -> 2 * 8.75 / m^2 = 4.375
  // MMD^2 = 2 - 4.375 = -2.375 for every subset, std 0.
  const std::vector<double> x{1, 0, 0, 1};
  const auto r = m::kernel_inception_distance(x, x, 2, {.num_subsets = 3, .max_subset_size = 1000, .seed = 1});
  BOOST_TEST(r.subset_size == 2u);
  BOOST_TEST(r.mean == -2.375, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(r.std == 0.0, boost::test_tools::tolerance(1e-12));

  // d = 1, gen = {1, 2}, real = {1, 2}: k(1,2) = 27, k(1,1) = 8, k(2,2) = 125.
  // a = 2*27 + 2*27 = 108 -> 54; b = 8 + 27 + 27 + 125 = 187 -> 93.5; MMD^2 = -39.5.
  const std::vector<float> y{1, 2};
  BOOST_TEST(m::kernel_inception_distance(y, y, 1, {.num_subsets = 1}).mean == -39.5,
             boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(same_distribution_is_near_zero_shifted_is_positive) {
  const std::size_t d = 16;
  const auto real = gaussian(400, d, 0.0, 1);
  const auto same = gaussian(300, d, 0.0, 2);
  const auto shifted = gaussian(300, d, 0.5, 3);
  const m::kid_options options{.num_subsets = 50, .max_subset_size = 100, .seed = 5};
  const auto null = m::kernel_inception_distance(real, same, d, options);
  const auto alt = m::kernel_inception_distance(real, shifted, d, options);
  BOOST_TEST(null.subset_size == 100u);
  BOOST_TEST(null.subsets.size() == 50u);
  BOOST_TEST_MESSAGE("KID same: " << null.mean << " +- " << null.std << ", shifted: " << alt.mean << " +- " << alt.std);
  // Same distribution: the unbiased estimate scatters around 0.
  BOOST_TEST(std::abs(null.mean) < null.std);
  // Mean shift 0.5 per dimension: the linear part of the kernel alone contributes about
  // 3 |delta|^2 / d = 3 * 16 * 0.25 / 16 = 0.75 to MMD^2; demand a clear separation.
  BOOST_TEST(alt.mean > 0.3);
  BOOST_TEST(alt.mean > 5.0 * alt.std);
  BOOST_TEST(alt.mean > 10.0 * std::abs(null.mean));
  // Seeded: the same call gives the same value.
  BOOST_TEST(m::kernel_inception_distance(real, shifted, d, options).mean == alt.mean);
}

BOOST_AUTO_TEST_CASE(errors) {
  const std::vector<float> one(4, 1.0f), five(5, 1.0f), two_rows(8, 1.0f);
  BOOST_CHECK_THROW(m::kernel_inception_distance(one, two_rows, 4), acne::error);   // 1 row: m < 2
  BOOST_CHECK_THROW(m::kernel_inception_distance(five, two_rows, 4), acne::error);  // not a multiple of d
  BOOST_CHECK_THROW(m::kernel_inception_distance(two_rows, two_rows, 4, {.num_subsets = 0}), acne::error);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_metrics_kid
