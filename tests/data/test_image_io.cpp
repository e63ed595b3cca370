#include <boost/test/unit_test.hpp>

#include <opencv2/core.hpp>

#include "acne/io/image.hpp"
#include "temp_dir.hpp"

namespace test_data_image_io {

namespace {
cv::Mat pattern(int w, int h) {
  cv::Mat m(h, w, CV_8UC3);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) m.at<cv::Vec3b>(y, x) = cv::Vec3b(uchar(x * 7), uchar(y * 11), uchar(x + y));
  return m;
}
bool message_has(const acne::error& e, const std::string& s) { return std::string(e.what()).find(s) != std::string::npos; }
}  // namespace

BOOST_AUTO_TEST_SUITE(image_io)

BOOST_AUTO_TEST_CASE(png_round_trip_is_exact_and_atomic) {
  acne_test::temp_dir dir;
  const cv::Mat m = pattern(13, 9);
  acne::io::write_image(dir / "sub/a.png", m);
  const cv::Mat back = acne::io::read_image(dir / "sub/a.png");
  BOOST_TEST(cv::norm(m, back, cv::NORM_INF) == 0.0);
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir / "sub")) files += e.is_regular_file();
  BOOST_TEST(files == 1);  // no temporary left behind
}

BOOST_AUTO_TEST_CASE(jpeg_and_bmp_are_written_and_read) {
  acne_test::temp_dir dir;
  const cv::Mat m = pattern(16, 16);
  acne::io::write_image(dir / "a.JPG", m);
  acne::io::write_image(dir / "a.bmp", m);
  BOOST_TEST(acne::io::read_image(dir / "a.JPG").size() == m.size());
  BOOST_TEST(cv::norm(acne::io::read_image(dir / "a.bmp"), m, cv::NORM_INF) == 0.0);
  BOOST_CHECK_THROW(acne::io::write_image(dir / "a.tiff", m), acne::error);
}

BOOST_AUTO_TEST_CASE(unreadable_files_name_path_and_reason) {
  acne_test::temp_dir dir;
  acne_test::write_bytes(dir / "empty.png", "");
  acne_test::write_bytes(dir / "text.jpg", "hello, not an image\n");
  try {
    acne::io::read_image(dir / "empty.png");
    BOOST_FAIL("no throw");
  } catch (const acne::error& e) {
    BOOST_TEST(message_has(e, (dir / "empty.png").string()));
    BOOST_TEST(message_has(e, "empty"));
  }
  try {
    acne::io::read_image(dir / "text.jpg");
    BOOST_FAIL("no throw");
  } catch (const acne::error& e) {
    BOOST_TEST(message_has(e, "text.jpg"));
    BOOST_TEST(message_has(e, "not an image"));
  }
  BOOST_CHECK_THROW(acne::io::read_image(dir / "missing.png"), acne::error);
}

BOOST_AUTO_TEST_CASE(truncated_png_is_a_decode_error) {
  acne_test::temp_dir dir;
  std::vector<unsigned char> bytes;
  cv::imencode(".png", pattern(32, 32), bytes);
  acne_test::write_bytes(dir / "cut.png", std::string(bytes.begin(), bytes.begin() + 40));
  try {
    acne::io::read_image(dir / "cut.png");
    BOOST_FAIL("no throw");
  } catch (const acne::error& e) {
    BOOST_TEST(message_has(e, "cut.png"));
  }
}

BOOST_AUTO_TEST_CASE(chw_conversion_is_rgb_planar_and_inverts) {
  const cv::Mat m = pattern(5, 4);
  const std::vector<float> chw = acne::io::to_chw(m);
  BOOST_TEST(chw.size() == 3u * 4 * 5);
  // pixel (x=2, y=3): BGR = (14, 33, 5) -> R plane holds 5, G 33, B 14
  BOOST_TEST(chw[0 * 20 + 3 * 5 + 2] == 5.0f);
  BOOST_TEST(chw[1 * 20 + 3 * 5 + 2] == 33.0f);
  BOOST_TEST(chw[2 * 20 + 3 * 5 + 2] == 14.0f);
  const cv::Mat back = acne::io::from_chw(chw.data(), 3, 4, 5);
  BOOST_TEST(cv::norm(m, back, cv::NORM_INF) == 0.0);
  const std::vector<float> scaled = acne::io::to_chw(m, 1.0f / 255.0f, 0.0f);
  BOOST_TEST(cv::norm(acne::io::from_chw(scaled.data(), 3, 4, 5, 255.0f), m, cv::NORM_INF) == 0.0);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_data_image_io
