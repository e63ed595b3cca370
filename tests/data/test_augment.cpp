#include <boost/test/unit_test.hpp>

#include <opencv2/core.hpp>

#include "acne/data/augment.hpp"

namespace test_data_augment {

using namespace acne::data;

namespace {
cv::Mat pattern() {
  cv::Mat m(20, 31, CV_8UC3);
  cv::randu(m, 0, 256);
  return m;
}
double diff(const cv::Mat& a, const cv::Mat& b) { return cv::norm(a, b, cv::NORM_INF); }
}  // namespace

BOOST_AUTO_TEST_SUITE(augment)

BOOST_AUTO_TEST_CASE(flip_is_an_exact_mirror) {
  const cv::Mat m = pattern();
  const cv::Mat f = apply_augment(m, {0.0, true, 1.0});
  for (int y = 0; y < m.rows; ++y)
    for (int x = 0; x < m.cols; ++x) BOOST_REQUIRE(f.at<cv::Vec3b>(y, x) == m.at<cv::Vec3b>(y, m.cols - 1 - x));
}

BOOST_AUTO_TEST_CASE(identity_parameters_change_nothing) {
  const cv::Mat m = pattern();
  BOOST_TEST(diff(apply_augment(m, {}), m) == 0.0);
  BOOST_TEST(diff(apply_augment(m, {0.0, false, 1.0}), m) == 0.0);
  augmenter none({0.0, false, 1.0, 1.0}, 5);
  BOOST_TEST(diff(none(m), m) == 0.0);
}

BOOST_AUTO_TEST_CASE(brightness_multiplies_and_saturates) {
  cv::Mat m(2, 2, CV_8UC3, cv::Scalar(10, 101, 200));
  const cv::Mat half = apply_augment(m, {0.0, false, 0.5});
  BOOST_TEST(half.at<cv::Vec3b>(1, 1) == cv::Vec3b(5, 50, 100));  // truncated like PIL, not rounded
  const cv::Mat more = apply_augment(m, {0.0, false, 1.5});
  BOOST_TEST(more.at<cv::Vec3b>(0, 0) == cv::Vec3b(15, 151, 255));
}

BOOST_AUTO_TEST_CASE(rotation_turns_about_the_centre_with_nearest_fill) {
  cv::Mat m(9, 9, CV_8UC3, cv::Scalar::all(0));
  m.at<cv::Vec3b>(4, 8) = cv::Vec3b(255, 255, 255);  // right of the centre
  const cv::Mat r = apply_augment(m, {90.0, false, 1.0});
  BOOST_TEST(r.at<cv::Vec3b>(4, 4) == m.at<cv::Vec3b>(4, 4));  // the centre stays
  BOOST_TEST(int(r.at<cv::Vec3b>(0, 4)[0]) == 255);            // counter-clockwise: right -> top
  cv::Mat edge(8, 8, CV_8UC3, cv::Scalar(30, 60, 90));
  const cv::Mat er = apply_augment(edge, {33.0, false, 1.0});
  BOOST_TEST(diff(er, edge) == 0.0);  // fill_mode nearest: no black corners
}

BOOST_AUTO_TEST_CASE(draws_are_in_range_and_deterministic) {
  const augment_options o{15.0, true, 0.7, 1.3};
  augmenter a(o, 11), b(o, 11);
  int flips = 0;
  for (int i = 0; i < 400; ++i) {
    const auto p = a.next_params(), q = b.next_params();
    BOOST_REQUIRE(p.rotation_deg == q.rotation_deg);
    BOOST_REQUIRE(p.brightness == q.brightness);
    BOOST_REQUIRE(std::abs(p.rotation_deg) <= 15.0);
    BOOST_REQUIRE(p.brightness >= 0.7);
    BOOST_REQUIRE(p.brightness < 1.3);
    flips += p.flip;
  }
  BOOST_TEST(flips > 150);
  BOOST_TEST(flips < 250);
  BOOST_TEST(a.params_for(3).rotation_deg == b.params_for(3).rotation_deg);
  BOOST_TEST(a.params_for(3).rotation_deg != a.params_for(4).rotation_deg);
  BOOST_CHECK_THROW(augmenter({0.0, false, 1.2, 0.8}).next_params(), acne::error);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_data_augment
