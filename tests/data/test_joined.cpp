// Two datasets read as one: sizes add, indices past the first run on into the second, and the
// labels and images are the ones each dataset holds.
#include <boost/test/unit_test.hpp>

#include <vector>

#include <opencv2/core.hpp>

#include "acne/data/joined.hpp"

namespace test_data_joined {

namespace {

// Sample i of a constant dataset is a 1x1 image of value base + i, labelled label_of(i).
struct numbered {
  int base, count, label_shift;
  std::size_t size() const { return std::size_t(count); }
  int label(std::size_t i) const { return (int(i) + label_shift) % 3; }
  cv::Mat load(std::size_t i) const { return cv::Mat(1, 1, CV_8UC3, cv::Scalar::all(base + int(i))); }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(joined)

BOOST_AUTO_TEST_CASE(the_second_dataset_follows_the_first) {
  const numbered a{10, 3, 0}, b{100, 2, 1};
  const acne::data::joined both(a, b);
  BOOST_TEST(both.size() == 5u);
  const std::vector<int> values{10, 11, 12, 100, 101}, labels{0, 1, 2, 1, 2};
  for (std::size_t i = 0; i < both.size(); ++i) {
    BOOST_TEST(int(both.load(i).at<cv::Vec3b>(0, 0)[0]) == values[i]);
    BOOST_TEST(both.label(i) == labels[i]);
  }
  BOOST_TEST(acne::data::make_source(both).size == 5u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_data_joined
