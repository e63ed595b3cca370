#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <set>

#include "acne/data/split.hpp"

namespace test_data_split {

using acne::data::stratified_split;

BOOST_AUTO_TEST_SUITE(split)

BOOST_AUTO_TEST_CASE(keeps_class_proportions) {
  std::vector<int> labels;
  for (int c = 0; c < 4; ++c)
    for (int i = 0; i < 50 * (c + 1); ++i) labels.push_back(c);  // 50, 100, 150, 200
  std::mt19937 rng(3);
  std::shuffle(labels.begin(), labels.end(), rng);
  const auto s = stratified_split(labels, 0.2, 42);
  BOOST_TEST(s.train.size() + s.validation.size() == labels.size());
  std::vector<int> val_per_class(4, 0);
  for (auto i : s.validation) ++val_per_class[labels[i]];
  for (int c = 0; c < 4; ++c) BOOST_TEST(val_per_class[c] == 10 * (c + 1));
  std::set<std::size_t> all(s.train.begin(), s.train.end());
  all.insert(s.validation.begin(), s.validation.end());
  BOOST_TEST(all.size() == labels.size());  // disjoint and complete
  BOOST_TEST(std::is_sorted(s.train.begin(), s.train.end()));
}

BOOST_AUTO_TEST_CASE(deterministic_from_the_seed) {
  std::vector<int> labels(300);
  for (std::size_t i = 0; i < labels.size(); ++i) labels[i] = static_cast<int>(i % 3);
  const auto a = stratified_split(labels, 0.2, 7), b = stratified_split(labels, 0.2, 7), c = stratified_split(labels, 0.2, 8);
  BOOST_TEST(a.validation == b.validation);
  BOOST_TEST(a.train == b.train);
  BOOST_TEST(a.validation != c.validation);
}

BOOST_AUTO_TEST_CASE(edge_fractions) {
  const std::vector<int> labels{0, 0, 1, 1, 1};
  BOOST_TEST(stratified_split(labels, 0.0, 1).validation.empty());
  BOOST_TEST(stratified_split(labels, 1.0, 1).train.empty());
  BOOST_CHECK_THROW(stratified_split(labels, 1.5, 1), acne::error);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_data_split
