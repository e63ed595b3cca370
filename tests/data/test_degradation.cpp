// The training degradation of DFDNet (data/degradation.hpp): draws within the options and repeatable
// per key, and each step doing what it says on a phantom face: blur and downsampling take away
// fine detail (the Laplacian's energy), noise adds it back as noise, JPEG changes the image, and the
// face comes back at its size.
#include <boost/test/unit_test.hpp>

#include <opencv2/imgproc.hpp>

#include "acne/data/degradation.hpp"
#include "acne/data/phantom.hpp"

namespace test_data_degradation {

using namespace acne::data;

namespace {
double detail(const cv::Mat& image) {
  cv::Mat grey, lap;
  cv::cvtColor(image, grey, cv::COLOR_BGR2GRAY);
  cv::Laplacian(grey, lap, CV_32F);
  return cv::mean(lap.mul(lap))[0];
}
}  // namespace

BOOST_AUTO_TEST_SUITE(degradation)

BOOST_AUTO_TEST_CASE(draws_stay_within_the_options_and_repeat_per_key) {
  const degradation_options o;
  std::size_t motion = 0;
  for (std::uint64_t key = 0; key < 400; ++key) {
    const auto p = draw_degradation(o, 7, key);
    BOOST_TEST((p.kernel >= 1 && p.kernel <= 21 && p.kernel % 2 == 1));
    BOOST_TEST((p.scale >= 1 && p.scale <= 8));
    BOOST_TEST((p.noise >= 0 && p.noise <= 15));
    BOOST_TEST((p.quality >= 40 && p.quality <= 95));
    motion += p.motion;
    const auto again = draw_degradation(o, 7, key);
    BOOST_TEST((again.kernel == p.kernel && again.scale == p.scale && again.quality == p.quality));
  }
  BOOST_TEST((motion > 150u && motion < 250u));
  BOOST_TEST(draw_degradation(o, 8, 3).scale != draw_degradation(o, 7, 3).scale);
}

BOOST_AUTO_TEST_CASE(each_step_does_what_it_says) {
  const cv::Mat face = make_phantom({.size = 256}, acne_class::severe, 3).image;
  const double sharp = detail(face);
  const auto with = [&](degradation_params p) { return degrade(face, p, 1); };
  const degradation_params none{.quality = 100};
  const cv::Mat same = with(none);
  BOOST_TEST(same.size() == face.size());
  BOOST_TEST(cv::norm(same, face, cv::NORM_L1) / double(face.total() * 3) < 3.0);  // JPEG at 100 (4:2:0 chroma) only
  BOOST_TEST(detail(with({.kernel = 9, .sigma = 2.0, .quality = 100})) < 0.5 * sharp);
  BOOST_TEST(detail(with({.kernel = 9, .motion = true, .angle = 0.3, .quality = 100})) < 0.5 * sharp);
  BOOST_TEST(detail(with({.scale = 4, .quality = 100})) < 0.5 * sharp);
  BOOST_TEST(detail(with({.noise = 12, .quality = 100})) > 2 * sharp);
  BOOST_TEST(cv::norm(with({.quality = 20}), face, cv::NORM_L1) > cv::norm(same, face, cv::NORM_L1));
  const cv::Mat k = motion_kernel(7, 0.0);
  BOOST_TEST(cv::sum(k)[0] == 1.0, boost::test_tools::tolerance(1e-6));
  BOOST_TEST(cv::countNonZero(k.row(3)) == 7);  // a horizontal line through the centre
  const cv::Mat a = degrade(face, degradation_options{}, 5, 11), b = degrade(face, degradation_options{}, 5, 11);
  BOOST_TEST(cv::norm(a, b, cv::NORM_INF) == 0.0);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_data_degradation
