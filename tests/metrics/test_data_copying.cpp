// The data-copying test, k-means, near-copy scores and MiFID on fixed data: the numbers of C_T come
// from tools/data_copying_reference.py (SciPy's Mann-Whitney U, brute-force neighbours), the rest
// are worked by hand in the comments.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <vector>

#include "acne/metrics/data_copying.hpp"
#include "acne/metrics/memorization.hpp"

namespace test_metrics_data_copying {

namespace m = acne::metrics;

namespace {

constexpr std::size_t dims = 3;

auto tol(double t) { return boost::test_tools::tolerance(t); }

// The data of tools/data_copying_reference.py: three clusters 10 apart, points on a curve around
// each centre (or, with `around`, around the given rows).
double value(std::size_t i, std::size_t d, std::size_t c, double salt) {
  return std::sin(1.3 * double(i) + 0.7 * double(d) + 2.1 * double(c) + salt);
}
std::vector<float> points(std::size_t count, std::size_t c, double salt, double scale = 1.0,
                          const std::vector<float>* around = nullptr) {
  const double centre[dims] = {10.0 * double(c), -5.0 * double(c), 3.0 * double(c)};
  std::vector<float> rows;
  for (std::size_t i = 0; i < count; ++i)
    for (std::size_t d = 0; d < dims; ++d)
      rows.push_back(float((around ? double((*around)[i * dims + d]) : centre[d]) + scale * value(i, d, c, salt)));
  return rows;
}
void append(std::vector<float>& to, const std::vector<float>& rows) { to.insert(to.end(), rows.begin(), rows.end()); }

}  // namespace

BOOST_AUTO_TEST_SUITE(data_copying)

BOOST_AUTO_TEST_CASE(mann_whitney_z_is_the_references_on_a_hand_case) {
  // Generated {1, 2, 3} against test {2, 4}: pairs with the generated larger: (3, 2); tied: (2, 2) -> U = 1.5.
  // Z = (1.5 - (3 * 2 / 2 - 0.5)) / sqrt(3 * 2 * 6 / 12) = -1 / sqrt(3).
  const std::vector<double> generated{1, 2, 3}, test{2, 4};
  BOOST_TEST(m::mann_whitney_z(generated, test) == -0.57735026918962584, tol(1e-14));
  // Generated all farther: U = m n = 6, Z = (6 - 2.5) / sqrt(3).
  BOOST_TEST(m::mann_whitney_z(std::vector<double>{5, 6, 7}, test) == 3.5 / std::sqrt(3.0), tol(1e-14));
}

BOOST_AUTO_TEST_CASE(kmeans_finds_clusters_that_lie_far_apart) {
  std::vector<float> rows;
  for (std::size_t c = 0; c < 3; ++c) append(rows, points(30, c, 0.0));
  const auto r = m::kmeans(rows, dims, {.clusters = 3, .seed = 4});
  BOOST_TEST(r.clusters() == 3u);
  for (std::size_t c = 0; c < 3; ++c)
    for (std::size_t i = 0; i < 30; ++i) BOOST_TEST(r.assignment[c * 30 + i] == r.assignment[c * 30], "cluster " << c);
  BOOST_TEST(r.assignment[0] != r.assignment[30]);
  BOOST_TEST(r.assignment[30] != r.assignment[60]);
  BOOST_TEST(r.assignment[0] != r.assignment[60]);
}

BOOST_AUTO_TEST_CASE(c_t_is_the_reference_scripts_on_fixed_data) {
  std::vector<float> train, test, generated;
  std::vector<std::vector<float>> train_of(3);
  for (std::size_t c = 0; c < 3; ++c) {
    train_of[c] = points(30, c, 0.0);
    append(train, train_of[c]);
    append(test, points(12, c, 0.5));
  }
  append(generated, points(25, 0, 0.8));                      // like fresh samples
  append(generated, points(25, 1, 0.75, 0.01, &train_of[1]));  // copies of training rows
  append(generated, points(5, 2, 1.5));                       // too few to count (tau = 20 / 55)
  const auto r = m::data_copying_test(train, {}, test, generated, dims, {.cells = 3});
  BOOST_REQUIRE(r.cells.size() == 3u);
  BOOST_TEST(r.tau == 20.0 / 55.0, tol(1e-15));
  // Cells are numbered as k-means left them: find each by its generated count.
  std::vector<double> z(3);
  for (const auto& cell : r.cells) {
    BOOST_TEST(cell.train == 30u);
    BOOST_TEST(cell.test == 12u);
    BOOST_TEST(cell.used == (cell.generated == 25));
    if (cell.generated == 5) z[2] = cell.z;
  }
  BOOST_TEST(r.used_cells() == 2u);
  BOOST_TEST(z[2] == -3.1095730324989064, tol(1e-12));
  BOOST_TEST(r.c_t == -2.3684327485091332, tol(1e-12));
}

BOOST_AUTO_TEST_CASE(mirrored_training_rows_join_their_originals_cells) {
  // Generated rows copying the mirrored rows only: without the mirrors they look fresh, with them copied.
  std::vector<float> train, mirrored, test, generated;
  for (std::size_t c = 0; c < 2; ++c) {
    append(train, points(30, c, 0.0));
    append(test, points(30, c, 0.5));
  }
  for (std::size_t i = 0; i < train.size(); ++i) mirrored.push_back(train[i] + (i % dims == 2 ? 0.9f : 0.0f));
  for (std::size_t i = 0; i < mirrored.size(); ++i) generated.push_back(mirrored[i] + 1e-3f);
  const auto with = m::data_copying_test(train, mirrored, test, generated, dims, {.cells = 2});
  const auto without = m::data_copying_test(train, {}, test, generated, dims, {.cells = 2});
  BOOST_TEST(with.c_t < -5);
  BOOST_TEST(without.c_t > with.c_t + 3);
}

BOOST_AUTO_TEST_CASE(a_cell_without_test_samples_lowers_the_cell_count) {
  std::vector<float> train, test, generated;
  for (std::size_t c = 0; c < 3; ++c) append(train, points(30, c, 0.0));
  for (std::size_t c = 0; c < 2; ++c) append(test, points(12, c, 0.5));
  append(generated, points(40, 0, 0.8));
  const auto r = m::data_copying_test(train, {}, test, generated, dims, {.cells = 3});
  BOOST_TEST(r.cells_asked == 3u);
  BOOST_TEST(r.cells.size() == 2u);
  for (const auto& cell : r.cells) BOOST_TEST(cell.test > 0u);
}

BOOST_AUTO_TEST_CASE(near_copy_scores_and_groups_by_hand) {
  // Rows 0..3 are real images 0, 1 and their mirrors (groups 0, 1, 0, 1). A query at distances
  // 0.1 (row 2), 0.2 (row 0), 3 (row 1), 4 (row 3): groups 0 then 1, at 0.1 and 3.
  const std::vector<std::size_t> group{0, 1, 0, 1};
  const m::neighbours rows{4, {2, 0, 1, 3}, {0.1, 0.2, 3, 4}};
  const auto g = m::nearest_groups(rows, group, 2);
  BOOST_TEST(g.index == (std::vector<std::size_t>{0, 1}), boost::test_tools::per_element());
  BOOST_TEST(g.distance == (std::vector<double>{0.1, 3}), boost::test_tools::per_element());
  BOOST_CHECK_THROW(m::nearest_groups(rows, group, 3), acne::error);
  // Calibrated: 0.1 / mean(0.1, 3) = 0.0645; ratio 0.1 / 3: both below 1/3.
  const auto s = m::near_copy_scores(g);
  BOOST_TEST(s[0].calibrated == 0.1 / 1.55, tol(1e-14));
  BOOST_TEST(s[0].ratio == 0.1 / 3, tol(1e-14));
  BOOST_TEST(s[0].flagged);
  // 2 against 3 and 3.5: calibrated 2 / 2.8333 = 0.706, ratio 0.667: not a copy.
  const auto fresh = m::near_copy_scores(m::neighbours{3, {0, 1, 2}, {2, 3, 3.5}});
  BOOST_TEST(fresh[0].calibrated == 2 / (8.5 / 3), tol(1e-14));
  BOOST_TEST(fresh[0].ratio == 2.0 / 3.0, tol(1e-14));
  BOOST_TEST(!fresh[0].flagged);
  // Only the ratio: 1 against 3.5 and 3.5 (calibrated 1 / 2.667 = 0.375), ratio 0.286.
  const auto ratio_only = m::near_copy_scores(m::neighbours{3, {0, 1, 2}, {1, 3.5, 3.5}});
  BOOST_TEST(ratio_only[0].calibrated > 1.0 / 3);
  BOOST_TEST(ratio_only[0].flagged);
}

BOOST_AUTO_TEST_CASE(mifid_divides_fid_by_a_small_memorization_distance_only) {
  // d = mean(0.02, 0.04) = 0.03 < 0.1: MiFID = 12 / 0.03 = 400; d = 0.3: MiFID = FID.
  const std::vector<double> close{0.02, 0.04}, far{0.2, 0.4};
  BOOST_TEST(m::mifid_memorization_distance(close) == 0.03, tol(1e-14));
  BOOST_TEST(m::mifid(12, m::mifid_memorization_distance(close)) == 400, tol(1e-12));
  BOOST_TEST(m::mifid(12, m::mifid_memorization_distance(far)) == 12);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_metrics_data_copying
