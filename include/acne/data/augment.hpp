#pragma once
// Training-time augmentation with Keras ImageDataGenerator semantics, as the paper used
// (rotation / brightness / horizontal flip):
//   rotation: theta ~ U(-r, r) degrees about the image centre ((w-1)/2, (h-1)/2) (Keras swaps the two
//             for non-square images; its loader resizes to a square first, and so does ours), bilinear, fill_mode
//             "nearest" (edge pixels replicated); positive theta turns the content counter-clockwise;
//             theta == 0 leaves the image untouched (Keras skips the transform).
//   flip:     mirrored left-right when U(0,1) < 0.5;
//   brightness: factor ~ U(lo, hi) multiplies the pixel values, truncated to [0, 255] like PIL's
//             ImageEnhance.Brightness. (Keras first min-max stretches the image to [0, 255] through
//             array_to_img(scale=True); that quirk is not reproduced, so factor 1 is the identity.)
//   blur:     a Gaussian blur of sigma ~ U(0, s) pixels (torchvision's GaussianBlur; not in Keras),
//             off by default; sigma below 0.2 leaves the image untouched.
//   noise:    Gaussian noise of sigma ~ U(0, s) 8-bit levels added to every channel of every pixel
//             (albumentations' GaussNoise), rounded and clipped to [0, 255]; off by default. It hides
//             fine texture, a cue by which one generator's faces differ from another's.
//   erasing:  with probability p, one rectangle of U(lo, hi) of the image's area and aspect ratio
//             log-uniform in [0.3, 3.3] is filled with the image's mean colour (random erasing, Zhong
//             et al., AAAI 2020; torchvision's RandomErasing). Keras has no such option; it is off by
//             default.
//   colour shift: each channel shifted by its own U(-l, l) 8-bit levels, clipped to [0, 255]
//             (albumentations' RGBShift); off by default. It hides a cast of colour, another cue by
//             which one generator's faces differ from another's.
// Draw order per image as in Keras get_random_transform: theta, flip, brightness; then blur,
// erasing, noise and colour shift, so that turning one on leaves the other draws as they were.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <random>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "acne/data/random.hpp"
#include "acne/error.hpp"

namespace acne::data {

struct augment_options {
  double rotation_range = 0.0;   // r in degrees; 0 disables rotation
  bool horizontal_flip = false;  // flip with probability 0.5
  double brightness_lo = 1.0;    // brightness factor range; [1, 1] disables it
  double brightness_hi = 1.0;
  double blur_sigma_max = 0.0;     // 0 disables blurring
  double erase_probability = 0.0;  // 0 disables random erasing
  double noise_sigma_max = 0.0;    // 0 disables noise
  double colour_shift_max = 0.0;   // 0 disables the colour shift
  double erase_area_lo = 0.02, erase_area_hi = 0.33;

  // The paper names the three augmentations but not their ranges; these are common Keras values.
  static augment_options paper_like() { return {20.0, true, 0.8, 1.2}; }
  bool enabled() const {
    return rotation_range != 0.0 || horizontal_flip || brightness_lo != 1.0 || brightness_hi != 1.0 ||
           blur_sigma_max > 0.0 || erase_probability > 0.0 || noise_sigma_max > 0.0 || colour_shift_max > 0.0;
  }
};

struct augment_params {
  double rotation_deg = 0.0;
  bool flip = false;
  double brightness = 1.0;
  double blur_sigma = 0.0;
  // The erased rectangle as fractions of the image: origin in [0, 1 - size), size in (0, 1]; area 0: none.
  double erase_x = 0.0, erase_y = 0.0, erase_w = 0.0, erase_h = 0.0;
  bool erases() const { return erase_w > 0.0 && erase_h > 0.0; }
  double noise_sigma = 0.0;
  std::uint64_t noise_seed = 0;  // the noise image's own stream
  std::array<double, 3> colour_shift{};  // levels added to channels 0, 1, 2
  bool shifts_colour() const { return colour_shift != std::array<double, 3>{}; }
};

inline augment_params draw_augment(const augment_options& o, std::mt19937_64& rng) {
  ACNE_CHECK(o.rotation_range >= 0.0, "augment: negative rotation range " << o.rotation_range);
  ACNE_CHECK(o.brightness_lo > 0.0 && o.brightness_lo <= o.brightness_hi,
             "augment: bad brightness range [" << o.brightness_lo << ", " << o.brightness_hi << "]");
  ACNE_CHECK(o.blur_sigma_max >= 0.0, "augment: negative blur sigma " << o.blur_sigma_max);
  ACNE_CHECK(o.erase_probability >= 0.0 && o.erase_probability <= 1.0,
             "augment: erasing probability " << o.erase_probability << " outside [0, 1]");
  ACNE_CHECK(o.noise_sigma_max >= 0.0, "augment: negative noise sigma " << o.noise_sigma_max);
  ACNE_CHECK(o.colour_shift_max >= 0.0, "augment: negative colour shift " << o.colour_shift_max);
  ACNE_CHECK(o.erase_area_lo > 0.0 && o.erase_area_lo <= o.erase_area_hi && o.erase_area_hi < 1.0,
             "augment: bad erasing area range [" << o.erase_area_lo << ", " << o.erase_area_hi << "]");
  augment_params p;
  if (o.rotation_range > 0.0) p.rotation_deg = uniform(rng, -o.rotation_range, o.rotation_range);
  p.flip = o.horizontal_flip && uniform01(rng) < 0.5;
  if (o.brightness_lo != 1.0 || o.brightness_hi != 1.0) p.brightness = uniform(rng, o.brightness_lo, o.brightness_hi);
  if (o.blur_sigma_max > 0.0) p.blur_sigma = uniform(rng, 0.0, o.blur_sigma_max);
  if (o.erase_probability > 0.0 && uniform01(rng) < o.erase_probability) {
    // A rectangle of the drawn area and aspect that fits the (unit) image; up to 10 draws as torchvision.
    for (int attempt = 0; attempt < 10; ++attempt) {
      const double area = uniform(rng, o.erase_area_lo, o.erase_area_hi);
      const double aspect = std::exp(uniform(rng, std::log(0.3), std::log(1.0 / 0.3)));
      const double h = std::sqrt(area * aspect), w = std::sqrt(area / aspect);
      if (h >= 1.0 || w >= 1.0) continue;
      p.erase_h = h, p.erase_w = w;
      p.erase_y = uniform(rng, 0.0, 1.0 - h), p.erase_x = uniform(rng, 0.0, 1.0 - w);
      break;
    }
  }
  if (o.noise_sigma_max > 0.0) {
    p.noise_sigma = uniform(rng, 0.0, o.noise_sigma_max);
    p.noise_seed = rng();
  }
  if (o.colour_shift_max > 0.0)
    for (double& shift : p.colour_shift) shift = uniform(rng, -o.colour_shift_max, o.colour_shift_max);
  return p;
}

// Applies rotation, then flip, then brightness (Keras apply_transform order), then blur, noise,
// erasing and colour shift, to an 8-bit image.
inline cv::Mat apply_augment(const cv::Mat& image, const augment_params& p) {
  ACNE_CHECK(image.depth() == CV_8U, "augment: need an 8-bit image");
  cv::Mat out = image.clone();
  if (p.rotation_deg != 0.0) {
    const double t = p.rotation_deg * 3.14159265358979323846 / 180.0, c = std::cos(t), s = std::sin(t);
    const double cx = image.cols / 2.0 - 0.5, cy = image.rows / 2.0 - 0.5;
    // Inverse map (output -> input): in = R(theta) (out - centre) + centre, in x (right), y (down).
    const cv::Matx23d inverse(c, -s, cx - c * cx + s * cy, s, c, cy - s * cx - c * cy);
    cv::warpAffine(image, out, inverse, image.size(), cv::INTER_LINEAR | cv::WARP_INVERSE_MAP, cv::BORDER_REPLICATE);
  }
  if (p.flip) cv::flip(out, out, 1);
  if (p.brightness != 1.0) {
    cv::Mat lut(1, 256, CV_8U);
    for (int v = 0; v < 256; ++v)
      lut.at<std::uint8_t>(v) = static_cast<std::uint8_t>(std::clamp(std::floor(v * p.brightness), 0.0, 255.0));
    cv::LUT(out, lut, out);
  }
  if (p.blur_sigma >= 0.2) cv::GaussianBlur(out, out, cv::Size(), p.blur_sigma, p.blur_sigma, cv::BORDER_REFLECT_101);
  if (p.noise_sigma > 0.0) {
    cv::Mat noisy;
    out.convertTo(noisy, CV_32F);
    cv::Mat noise(noisy.size(), noisy.type());
    cv::RNG(p.noise_seed).fill(noise, cv::RNG::NORMAL, 0.0, p.noise_sigma);
    noisy += noise;
    noisy.convertTo(out, CV_8U);  // rounds and saturates
  }
  if (p.erases()) {
    const int x0 = int(p.erase_x * out.cols), y0 = int(p.erase_y * out.rows);
    const int w = std::clamp(int(std::lround(p.erase_w * out.cols)), 1, out.cols - x0);
    const int h = std::clamp(int(std::lround(p.erase_h * out.rows)), 1, out.rows - y0);
    out(cv::Rect(x0, y0, w, h)).setTo(cv::mean(out));  // rounded to 8 bits by setTo
  }
  if (p.shifts_colour()) {
    ACNE_CHECK(out.channels() == 3, "augment: a colour shift needs a 3-channel image, not " << out.channels());
    cv::add(out, cv::Scalar(p.colour_shift[0], p.colour_shift[1], p.colour_shift[2]), out);  // rounds and saturates
  }
  return out;
}

// Draws parameters from its own mt19937_64 stream (one image after another), or, keyed, from a
// stream derived from (seed, key) so results do not depend on call order or threads.
class augmenter {
public:
  explicit augmenter(augment_options options = {}, std::uint64_t seed = 0)
      : options_(options), seed_(seed), rng_(seed) {}

  const augment_options& options() const noexcept { return options_; }
  augment_params next_params() { return draw_augment(options_, rng_); }
  augment_params params_for(std::uint64_t key) const {
    std::mt19937_64 rng(mix_seed(seed_, key));
    return draw_augment(options_, rng);
  }
  cv::Mat operator()(const cv::Mat& image) { return apply_augment(image, next_params()); }
  cv::Mat operator()(const cv::Mat& image, std::uint64_t key) const { return apply_augment(image, params_for(key)); }

private:
  augment_options options_;
  std::uint64_t seed_;
  std::mt19937_64 rng_;
};

}  // namespace acne::data
