// The road from images to feature statistics: the two resize conventions, image preparation, the
// pinned definition of random-conv-v1, and statistics from folders, callbacks and generators.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "acne/data/preprocess.hpp"
#include "acne/io/image.hpp"
#include "acne/metrics/fid_pipeline.hpp"
#include "acne/metrics/random_conv_features.hpp"
#include "support/fid_test_util.hpp"

namespace test_metrics_fid_pipeline {

namespace m = acne::metrics;

namespace {

std::vector<float> resized(const std::vector<float>& row, std::size_t out, m::fid_resize r) {
  std::vector<float> dst(out);
  m::resize_plane(row.data(), 1, row.size(), dst.data(), 1, out, r);
  return dst;
}

cv::Mat gradient_image(int size, int shift) {
  cv::Mat im(size, size, CV_8UC3);
  for (int y = 0; y < size; ++y)
    for (int x = 0; x < size; ++x)
      im.at<cv::Vec3b>(y, x) = cv::Vec3b(uchar((x * 5 + shift) % 256), uchar(y * 3 % 256), uchar((x + y + shift) % 256));
  return im;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(fid_pipeline)

// torch.nn.functional.interpolate(mode="bilinear", align_corners=False): half-pixel centres, clamped
// at the border, and no antialiasing (shrinking by 4 reads 2 of every 4 pixels).
BOOST_AUTO_TEST_CASE(bilinear_is_torch_interpolate) {
  using v = std::vector<float>;
  BOOST_TEST(resized({0, 10}, 4, m::fid_resize::bilinear) == (v{0, 2.5f, 7.5f, 10}), boost::test_tools::per_element());
  BOOST_TEST(resized({0, 10, 20, 30}, 2, m::fid_resize::bilinear) == (v{5, 25}), boost::test_tools::per_element());
  BOOST_TEST(resized({100, 1, 2, 100, 100, 5, 6, 100}, 2, m::fid_resize::bilinear) == (v{1.5f, 5.5f}),
             boost::test_tools::per_element());
}

// PIL's BICUBIC (a = -0.5) widens the kernel by the shrink factor. Shrinking [0, 0, 255, 255] by 2:
// taps at distances 0.25, 0.25, 0.75, 1.25 (in units of 2 px) weigh 0.8671875, 0.8671875, 0.2265625,
// -0.0703125, so the first output is 255 * 0.15625 / 1.890625.
BOOST_AUTO_TEST_CASE(bicubic_is_pil_with_antialiasing) {
  const auto half = resized({0, 0, 255, 255}, 2, m::fid_resize::bicubic);
  BOOST_TEST(half[0] == 255.0 * 0.15625 / 1.890625, boost::test_tools::tolerance(1e-5));
  BOOST_TEST(half[1] == 255.0 - 255.0 * 0.15625 / 1.890625, boost::test_tools::tolerance(1e-5));
  // A pixel bilinear skips still counts.
  BOOST_TEST(resized({100, 1, 2, 100, 100, 5, 6, 100}, 2, m::fid_resize::bicubic)[0] > 30.0f);
  // Constant stays constant; overshoot of a sharp step is clipped to the 8-bit range.
  for (float x : resized({77, 77, 77, 77, 77}, 3, m::fid_resize::bicubic)) BOOST_TEST(x == 77.0f, boost::test_tools::tolerance(1e-5f));
  const auto up = resized({0, 0, 255, 255}, 9, m::fid_resize::bicubic);
  BOOST_TEST(*std::min_element(up.begin(), up.end()) == 0.0f);
  BOOST_TEST(*std::max_element(up.begin(), up.end()) == 255.0f);
  BOOST_TEST((m::parse_fid_resize("bicubic") == m::fid_resize::bicubic));
  BOOST_CHECK_THROW(m::parse_fid_resize("lanczos"), acne::error);
}

BOOST_AUTO_TEST_CASE(prepare_image_scales_rgb_to_unit_range) {
  const cv::Mat bgr(2, 3, CV_8UC3, cv::Scalar(0, 51, 255));  // B, G, R
  std::vector<float> out(3 * 4 * 4);
  m::prepare_image(bgr, 4, m::fid_resize::bilinear, out.data());
  for (std::size_t i = 0; i < 16; ++i) {
    BOOST_TEST(out[i] == 1.0f);                                          // R
    BOOST_TEST(out[16 + i] == 51.0f / 127.5f - 1.0f, boost::test_tools::tolerance(1e-6f));  // G
    BOOST_TEST(out[32 + i] == -1.0f);                                    // B
  }
  BOOST_CHECK_THROW(m::prepare_image(cv::Mat(2, 2, CV_8UC1), 4, m::fid_resize::bilinear, out.data()), acne::error);
}

// The weights follow the documented SplitMix64 recipe, value for value, to the last of 387,936.
BOOST_AUTO_TEST_CASE(random_conv_v1_definition) {
  auto net = m::make_random_conv_network();
  std::uint64_t state = 0x5eed0f1d0001ULL;
  const auto next_uniform = [&] {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return double((z ^ (z >> 31)) >> 11) / 9007199254740992.0;
  };
  const std::size_t filters[4] = {32, 64, 128, 256}, inputs[4] = {3, 32, 64, 128};
  BOOST_TEST_REQUIRE(net.slots().size() == 4u);
  std::size_t mismatches = 0, total = 0;
  for (std::size_t l = 0; l < 4; ++l) {
    const auto& s = net.slots()[l];
    BOOST_TEST(s.shape == (acne::shape4{filters[l], inputs[l], 3, 3}));
    const double limit = std::sqrt(6.0 / double(inputs[l] * 9));
    for (std::size_t i = 0; i < s.value->size(); ++i, ++total)
      mismatches += (*s.value)[i] != float((2.0 * next_uniform() - 1.0) * limit);
  }
  BOOST_TEST(total == 387'936u);
  BOOST_TEST(mismatches == 0u);
  BOOST_TEST(net.output_shape() == (acne::shape4{1, 256, 1, 1}));
}

BOOST_AUTO_TEST_CASE(features_do_not_depend_on_batching) {
  auto extractor = m::make_random_conv_extractor();
  BOOST_TEST(extractor->name() == "random-conv-v1");
  BOOST_TEST(extractor->dims() == 256u);
  BOOST_TEST(!extractor->standard());
  std::vector<cv::Mat> images;
  for (int i = 0; i < 7; ++i) images.push_back(gradient_image(40 + 10 * i, 17 * i));

  const auto stream = [&](std::size_t batch) {
    std::size_t next = 0;
    return m::extract_features(*extractor, [&](std::size_t max) {
      std::vector<cv::Mat> out;
      while (out.size() < max && next < images.size()) out.push_back(images[next++]);
      return out;
    }, {.resize = m::fid_resize::bicubic, .batch = batch});
  };
  const auto one = stream(7), several = stream(3);
  BOOST_TEST(one.count() == 7u);
  BOOST_TEST(several.count() == 7u);
  BOOST_TEST(one.statistics.extractor() == "random-conv-v1/bicubic");
  BOOST_TEST(one.features.size() == 7u * 256u);
  // Different batch shapes take different BLAS paths: equal to float rounding, not bit for bit.
  float worst = 0;
  for (std::size_t i = 0; i < one.features.size(); ++i) worst = std::max(worst, std::abs(one.features[i] - several.features[i]));
  BOOST_TEST(worst < 1e-5f);
  BOOST_TEST(one.features[0] != one.features[256]);  // different images, different features
  for (std::size_t j = 0; j < 256; ++j) BOOST_TEST(std::abs(one.statistics.mean()[j] - several.statistics.mean()[j]) < 1e-6);
}

// The GAN trainer's path: a generator of [-1, 1] images asked for batches, quantised to 8 bits.
BOOST_AUTO_TEST_CASE(generated_features_asks_for_exact_counts) {
  auto extractor = m::make_random_conv_extractor();
  std::vector<std::size_t> requests;
  const auto generate = [&](std::size_t n) {
    requests.push_back(n);
    acne::data::image_batch batch(n, 3, 32, 32);
    for (std::size_t i = 0; i < batch.data.size(); ++i) batch.data[i] = std::sin(0.01f * float(i + 97 * requests.size()));
    return acne::data::from_stylegan(batch);
  };
  const auto set = m::generated_features(*extractor, 10, generate, {.batch = 4, .keep_features = false});
  BOOST_TEST(requests == (std::vector<std::size_t>{4, 4, 2}));
  BOOST_TEST(set.count() == 10u);
  BOOST_TEST(set.features.empty());
  BOOST_CHECK_THROW(m::generated_features(*extractor, 1, generate), acne::error);
}

BOOST_AUTO_TEST_CASE(folders_are_read_recursively) {
  const acne::test::scratch_dir dir("folder");
  acne::io::write_image(dir.path() / "b" / "two.png", gradient_image(30, 1));
  acne::io::write_image(dir.path() / "a.jpg", gradient_image(30, 2));
  acne::io::write_image(dir.path() / ".hidden" / "skip.png", gradient_image(30, 3));
  std::ofstream(dir.path() / "notes.txt") << "not an image";
  const auto files = m::list_images(dir.path());
  BOOST_TEST_REQUIRE(files.size() == 2u);
  BOOST_TEST(files[0].filename() == "a.jpg");
  BOOST_TEST(files[1].filename() == "two.png");

  auto extractor = m::make_random_conv_extractor();
  BOOST_TEST(m::folder_features(*extractor, dir.path()).count() == 2u);
  std::filesystem::remove(dir.path() / "a.jpg");
  BOOST_CHECK_EXCEPTION(m::folder_features(*extractor, dir.path()), acne::error, [](const acne::error& e) {
    return std::string(e.what()).find("holds 1 image(s): FID and KID need at least 2") != std::string::npos;
  });
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_metrics_fid_pipeline
