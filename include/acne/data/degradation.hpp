#pragma once
// The degradation DFDNet's authors trained with (their answer in csxmli2016/DFDNet issue #35):
// a high-quality face is blurred (a Gaussian or a motion blur, kernel sides 1 to 21), downsampled
// by a factor of 1 to 8, given Gaussian noise and JPEG-compressed, then brought back to its size
// bicubically (the official test script's AddUpSample), so that a restoration network learns to
// undo all of it. Every draw comes from the seed and the sample's key: the same pair every epoch
// for the same key, on every machine.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "acne/data/random.hpp"
#include "acne/error.hpp"

namespace acne::data {

struct degradation_options {
  int max_kernel = 21;          // blur kernel sides 1, 3, ..., max_kernel
  double motion_share = 0.5;    // the share of blurs that are motion blurs
  double min_scale = 1, max_scale = 8;
  double max_noise = 15;        // noise standard deviation, 8-bit levels
  int min_quality = 40, max_quality = 95;  // JPEG
};

// What one degradation drew.
struct degradation_params {
  int kernel = 1;        // odd; 1: no blur
  bool motion = false;
  double sigma = 0, angle = 0;  // Gaussian sigma, or the motion's direction in radians
  double scale = 1;      // downsampling factor
  double noise = 0;
  int quality = 95;
};

inline degradation_params draw_degradation(const degradation_options& o, std::uint64_t seed, std::uint64_t key) {
  ACNE_CHECK(o.max_kernel >= 1 && o.max_kernel % 2 == 1 && o.min_scale >= 1 && o.max_scale >= o.min_scale &&
                 o.max_noise >= 0 && o.min_quality >= 1 && o.max_quality <= 100 && o.min_quality <= o.max_quality,
             "degradation options out of range");
  std::mt19937_64 rng(mix_seed(seed, 0x64656772ull, key));
  std::uniform_real_distribution<double> u(0, 1);
  degradation_params p;
  p.kernel = 1 + 2 * int(u(rng) * double(o.max_kernel / 2 + 1));
  p.kernel = std::min(p.kernel, o.max_kernel);
  p.motion = u(rng) < o.motion_share;
  p.sigma = 0.3 * ((p.kernel - 1) * 0.5 - 1) + 0.8;  // OpenCV's sigma for a kernel side
  p.angle = u(rng) * M_PI;
  p.scale = o.min_scale + u(rng) * (o.max_scale - o.min_scale);
  p.noise = u(rng) * o.max_noise;
  p.quality = o.min_quality + int(u(rng) * double(o.max_quality - o.min_quality + 1));
  p.quality = std::min(p.quality, o.max_quality);
  return p;
}

// A line of `side` pixels through the centre at `angle`, normalised to sum 1.
inline cv::Mat motion_kernel(int side, double angle) {
  cv::Mat k = cv::Mat::zeros(side, side, CV_32F);
  const double c = (side - 1) / 2.0;
  for (int i = 0; i < 4 * side; ++i) {
    const double t = -c + 2 * c * i / (4.0 * side - 1);
    const int x = int(std::lround(c + t * std::cos(angle))), y = int(std::lround(c + t * std::sin(angle)));
    k.at<float>(y, x) = 1;
  }
  return k / cv::sum(k)[0];
}

inline cv::Mat degrade(const cv::Mat& image, const degradation_params& p, std::uint64_t noise_seed) {
  ACNE_CHECK(image.type() == CV_8UC3, "degrade: an 8-bit colour image, got type " << image.type());
  cv::Mat x;
  image.convertTo(x, CV_32FC3);
  if (p.kernel > 1) {
    if (p.motion) cv::filter2D(x, x, -1, motion_kernel(p.kernel, p.angle), {-1, -1}, 0, cv::BORDER_REFLECT);
    else cv::GaussianBlur(x, x, {p.kernel, p.kernel}, p.sigma, p.sigma, cv::BORDER_REFLECT);
  }
  const cv::Size full = image.size();
  if (p.scale > 1) {
    const cv::Size small(std::max(1, int(std::lround(full.width / p.scale))), std::max(1, int(std::lround(full.height / p.scale))));
    cv::resize(x, x, small, 0, 0, cv::INTER_AREA);
  }
  if (p.noise > 0) {
    std::mt19937_64 rng(noise_seed);
    std::normal_distribution<float> n(0, float(p.noise));
    for (auto it = x.begin<cv::Vec3f>(); it != x.end<cv::Vec3f>(); ++it)
      for (int c = 0; c < 3; ++c) (*it)[c] += n(rng);
  }
  cv::Mat bytes;
  x.convertTo(bytes, CV_8UC3);  // rounds and saturates
  std::vector<unsigned char> jpeg;
  cv::imencode(".jpg", bytes, jpeg, {cv::IMWRITE_JPEG_QUALITY, p.quality});
  bytes = cv::imdecode(jpeg, cv::IMREAD_COLOR);
  if (bytes.size() != full) cv::resize(bytes, bytes, full, 0, 0, cv::INTER_CUBIC);
  return bytes;
}

// The degraded face of sample `key`.
inline cv::Mat degrade(const cv::Mat& image, const degradation_options& o, std::uint64_t seed, std::uint64_t key) {
  return degrade(image, draw_degradation(o, seed, key), mix_seed(seed, 0x6e6f6973ull, key));
}

}  // namespace acne::data
