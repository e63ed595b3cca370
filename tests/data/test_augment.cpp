#include <boost/test/unit_test.hpp>

#include <vector>

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

BOOST_AUTO_TEST_CASE(erasing_fills_one_rectangle_with_the_mean_colour) {
  cv::Mat m(40, 50, CV_8UC3, cv::Scalar(10, 20, 30));
  m(cv::Rect(0, 0, 25, 40)).setTo(cv::Scalar(30, 60, 90));  // mean (20, 40, 60)
  augment_params p;
  p.erase_x = 0.2, p.erase_y = 0.5, p.erase_w = 0.4, p.erase_h = 0.25;  // x 10..29, y 20..29
  const cv::Mat e = apply_augment(m, p);
  for (int y = 0; y < m.rows; ++y)
    for (int x = 0; x < m.cols; ++x) {
      const bool inside = x >= 10 && x < 30 && y >= 20 && y < 30;
      BOOST_REQUIRE(e.at<cv::Vec3b>(y, x) == (inside ? cv::Vec3b(20, 40, 60) : m.at<cv::Vec3b>(y, x)));
    }
}

BOOST_AUTO_TEST_CASE(blur_is_a_gaussian_of_the_drawn_sigma) {
  const cv::Mat m = pattern();
  augment_params p;
  p.blur_sigma = 0.1;  // too small to change an 8-bit image much: left alone
  BOOST_TEST(diff(apply_augment(m, p), m) == 0.0);
  p.blur_sigma = 1.3;
  const cv::Mat b = apply_augment(m, p);
  BOOST_TEST(diff(b, m) > 10.0);
  // A constant image stays constant; the blur's weights sum to one.
  cv::Mat flat(12, 12, CV_8UC3, cv::Scalar(40, 90, 200));
  BOOST_TEST(diff(apply_augment(flat, p), flat) == 0.0);
  // Blurring removes high-frequency energy: neighbouring pixels move closer.
  cv::Mat dm, db;
  cv::absdiff(m.colRange(1, m.cols), m.colRange(0, m.cols - 1), dm);
  cv::absdiff(b.colRange(1, b.cols), b.colRange(0, b.cols - 1), db);
  BOOST_TEST(cv::mean(db)[0] < 0.5 * cv::mean(dm)[0]);
}

BOOST_AUTO_TEST_CASE(noise_has_the_drawn_sigma_and_saturates) {
  cv::Mat flat(64, 64, CV_8UC3, cv::Scalar(0, 128, 255));
  augment_params p;
  p.noise_sigma = 6.0;
  p.noise_seed = 3;
  const cv::Mat a = apply_augment(flat, p), b = apply_augment(flat, p);
  BOOST_TEST(diff(a, b) == 0.0);  // the seed fixes the noise image
  std::vector<cv::Mat> planes;
  cv::split(a, planes);
  cv::Scalar mean, sd;
  cv::meanStdDev(planes[1], mean, sd);  // the middle channel: no clipping
  BOOST_TEST(std::abs(mean[0] - 128.0) < 0.5);
  BOOST_TEST(std::abs(sd[0] - 6.0) < 0.4);
  double lo = 0, hi = 0;
  cv::minMaxLoc(planes[0], &lo, &hi);
  BOOST_TEST(lo == 0.0);  // clipped at 0, not wrapped to 255
  BOOST_TEST(hi > 5.0);
  cv::minMaxLoc(planes[2], &lo, &hi);
  BOOST_TEST(hi == 255.0);
  BOOST_TEST(lo < 250.0);
  p.noise_seed = 4;
  BOOST_TEST(diff(apply_augment(flat, p), a) > 0.0);
}

BOOST_AUTO_TEST_CASE(a_colour_shift_moves_each_channel_by_its_own_level_and_saturates) {
  cv::Mat face(8, 8, CV_8UC3, cv::Scalar(10, 128, 250));
  face.at<cv::Vec3b>(3, 4) = cv::Vec3b(100, 50, 200);
  augment_params p;
  p.colour_shift = {-20.4, 7.6, 12.0};
  const cv::Mat out = apply_augment(face, p);
  BOOST_TEST((out.at<cv::Vec3b>(0, 0) == cv::Vec3b(0, 136, 255)));      // -20 clipped at 0, +8, 262 clipped at 255
  BOOST_TEST((out.at<cv::Vec3b>(3, 4) == cv::Vec3b(80, 58, 212)));      // the same shift at every pixel
  augment_options o{15.0, true, 0.7, 1.3};
  o.colour_shift_max = 25.0;
  augmenter a(o, 5);
  double largest = 0;
  for (int k = 0; k < 300; ++k) {
    const auto q = a.next_params();
    for (double v : q.colour_shift) {
      BOOST_REQUIRE(std::abs(v) < 25.0);
      largest = std::max(largest, std::abs(v));
    }
    BOOST_REQUIRE(q.colour_shift[0] != q.colour_shift[1]);  // drawn per channel
  }
  BOOST_TEST(largest > 24.0);
  o.colour_shift_max = -1.0;
  BOOST_CHECK_THROW(augmenter(o).next_params(), acne::error);
  cv::Mat grey(4, 4, CV_8UC1, cv::Scalar(9));
  BOOST_CHECK_THROW(apply_augment(grey, p), acne::error);
}

BOOST_AUTO_TEST_CASE(blur_and_erasing_draws_fit_and_leave_the_other_draws_alone) {
  augment_options o{15.0, true, 0.7, 1.3};
  augment_options erasing = o;
  erasing.erase_probability = 0.5;
  erasing.blur_sigma_max = 2.0;
  erasing.noise_sigma_max = 5.0;
  erasing.colour_shift_max = 9.0;
  augmenter plain(o, 21), with(erasing, 21);
  int erased = 0;
  for (std::uint64_t k = 0; k < 400; ++k) {
    const auto p = plain.params_for(k), q = with.params_for(k);
    BOOST_REQUIRE(p.rotation_deg == q.rotation_deg);
    BOOST_REQUIRE(p.flip == q.flip);
    BOOST_REQUIRE(p.brightness == q.brightness);
    BOOST_REQUIRE(!p.erases());
    BOOST_REQUIRE(p.blur_sigma == 0.0);
    BOOST_REQUIRE(q.blur_sigma >= 0.0);
    BOOST_REQUIRE(q.blur_sigma < 2.0);
    BOOST_REQUIRE(p.noise_sigma == 0.0);
    BOOST_REQUIRE(q.noise_sigma >= 0.0);
    BOOST_REQUIRE(q.noise_sigma < 5.0);
    BOOST_REQUIRE(!p.shifts_colour());
    BOOST_REQUIRE(q.shifts_colour());
    if (!q.erases()) continue;
    ++erased;
    const double area = q.erase_w * q.erase_h;
    BOOST_REQUIRE(area >= 0.02 - 1e-12);
    BOOST_REQUIRE(area < 0.33);
    BOOST_REQUIRE(q.erase_x >= 0.0);
    BOOST_REQUIRE(q.erase_y >= 0.0);
    BOOST_REQUIRE(q.erase_x + q.erase_w <= 1.0);
    BOOST_REQUIRE(q.erase_y + q.erase_h <= 1.0);
    BOOST_REQUIRE(q.erase_h / q.erase_w >= 0.3 - 1e-9);
    BOOST_REQUIRE(q.erase_h / q.erase_w <= 1.0 / 0.3 + 1e-9);
  }
  BOOST_TEST(erased > 150);
  BOOST_TEST(erased < 250);
  erasing.erase_probability = 1.5;
  BOOST_CHECK_THROW(augmenter(erasing).next_params(), acne::error);
  erasing.erase_probability = 0.5;
  erasing.blur_sigma_max = -1.0;
  BOOST_CHECK_THROW(augmenter(erasing).next_params(), acne::error);
  erasing.blur_sigma_max = 0.0;
  erasing.noise_sigma_max = -1.0;
  BOOST_CHECK_THROW(augmenter(erasing).next_params(), acne::error);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_data_augment
