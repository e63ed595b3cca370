#include <boost/test/unit_test.hpp>

#include <opencv2/core.hpp>

#include "acne/data/preprocess.hpp"

namespace test_data_preprocess {

using namespace acne::data;

BOOST_AUTO_TEST_SUITE(preprocess_suite)

BOOST_AUTO_TEST_CASE(tf_scaling_is_exact_on_known_pixels) {
  cv::Mat m(1, 4, CV_8UC3);
  m.at<cv::Vec3b>(0, 0) = {0, 127, 255};  // BGR
  m.at<cv::Vec3b>(0, 1) = {128, 1, 254};
  m.at<cv::Vec3b>(0, 2) = {64, 200, 3};
  m.at<cv::Vec3b>(0, 3) = {255, 255, 255};
  const image_batch b = preprocess({m}, {4, 1, resize_filter::nearest, pixel_scaling::tf});
  BOOST_REQUIRE(b.n == 1u);
  BOOST_REQUIRE(b.c == 3u);
  const auto keras = [](int v) { return static_cast<float>(v) / 127.5f - 1.0f; };
  for (int x = 0; x < 4; ++x)
    for (int c = 0; c < 3; ++c) BOOST_TEST(b.at(0, c, 0, x) == keras(m.at<cv::Vec3b>(0, x)[2 - c]));
  BOOST_TEST(b.at(0, 0, 0, 0) == 1.0f);   // R = 255
  BOOST_TEST(b.at(0, 2, 0, 0) == -1.0f);  // B = 0
  // every 8-bit value, bit for bit as numpy float32 computes x / 127.5 - 1
  cv::Mat ramp(1, 256, CV_8UC3);
  for (int v = 0; v < 256; ++v) ramp.at<cv::Vec3b>(0, v) = cv::Vec3b(uchar(v), uchar(255 - v), uchar(v));
  const image_batch r = preprocess({ramp}, {256, 1, resize_filter::nearest, pixel_scaling::tf});
  for (int v = 0; v < 256; ++v) {
    BOOST_REQUIRE(r.at(0, 0, 0, v) == keras(v));
    BOOST_REQUIRE(r.at(0, 1, 0, v) == keras(255 - v));
  }
}

BOOST_AUTO_TEST_CASE(resizes_to_model_input_and_stays_in_range) {
  cv::Mat m(37, 53, CV_8UC3);
  cv::randu(m, 0, 256);
  for (int size : {224, 299}) {
    const image_batch b = preprocess({m, m}, preprocess_options::square(size, resize_filter::bilinear));
    BOOST_TEST(b.n == 2u);
    BOOST_TEST(b.h == std::size_t(size));
    BOOST_TEST(b.w == std::size_t(size));
    BOOST_TEST(b.data.size() == 2u * 3 * size * size);
    const auto [lo, hi] = std::minmax_element(b.data.begin(), b.data.end());
    BOOST_TEST(*lo >= -1.0f);
    BOOST_TEST(*hi <= 1.0f);
  }
}

BOOST_AUTO_TEST_CASE(stylegan_round_trip_and_clamping) {
  cv::Mat m(3, 5, CV_8UC3);
  cv::randu(m, 0, 256);
  const image_batch b = to_stylegan({m});
  BOOST_TEST(cv::norm(from_stylegan(b, 0), m, cv::NORM_INF) == 0.0);
  std::vector<float> chw(3, 0.0f);
  chw[0] = 2.0f;    // R: clamped to 255
  chw[1] = -3.0f;   // G: clamped to 0
  chw[2] = 0.0f;    // B: 128
  const cv::Mat px = from_stylegan(chw.data(), 1, 1);
  BOOST_TEST(px.at<cv::Vec3b>(0, 0) == cv::Vec3b(128, 0, 255));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_data_preprocess
