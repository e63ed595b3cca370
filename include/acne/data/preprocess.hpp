#pragma once
// Turning 8-bit BGR images into network input and back:
//   classifier input: resize to the model size (224 for ResNetV2, 299 for Inception*), Keras "tf"
//     preprocessing x / 127.5 - 1 (computed in float32 exactly as Keras does), NCHW, RGB;
//   StyleGAN: x / 127.5 - 1 in, and out (x * 127.5 + 128) clamped to [0, 255] and truncated, as
//     stylegan2(-ada) convert images to uint8.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "acne/data/batch.hpp"
#include "acne/error.hpp"

namespace acne::data {

enum class resize_filter {
  nearest,   // PIL NEAREST (OpenCV INTER_NEAREST_EXACT): what Keras load_img(target_size) uses by default
  bilinear,  // OpenCV INTER_LINEAR (as torch interpolate bilinear, align_corners=False, no antialias)
  bicubic,   // OpenCV INTER_CUBIC
  area       // OpenCV INTER_AREA: the best choice for strong downsampling
};

enum class pixel_scaling {
  tf,    // x / 127.5 - 1 in [-1, 1] (Keras "tf" mode: ResNetV2, InceptionV3, InceptionResNetV2; StyleGAN)
  unit,  // x / 255 in [0, 1]
  none   // x in [0, 255]
};

struct preprocess_options {
  int width = 224;
  int height = 224;
  resize_filter filter = resize_filter::nearest;
  pixel_scaling scaling = pixel_scaling::tf;

  static preprocess_options square(int size, resize_filter f = resize_filter::nearest) {
    return {size, size, f, pixel_scaling::tf};
  }
};

inline int opencv_interpolation(resize_filter f) {
  switch (f) {
    case resize_filter::nearest: return cv::INTER_NEAREST_EXACT;
    case resize_filter::bilinear: return cv::INTER_LINEAR;
    case resize_filter::bicubic: return cv::INTER_CUBIC;
    case resize_filter::area: return cv::INTER_AREA;
  }
  return cv::INTER_LINEAR;
}

// Resizes (no crop: the aspect ratio follows the target, as Keras does); returns the input itself
// when the size already matches.
inline cv::Mat resize_to(const cv::Mat& image, int width, int height, resize_filter filter) {
  ACNE_CHECK(!image.empty(), "resize_to: empty image");
  ACNE_CHECK(width > 0 && height > 0, "resize_to: bad target size " << width << "x" << height);
  if (image.cols == width && image.rows == height) return image;
  cv::Mat out;
  cv::resize(image, out, cv::Size(width, height), 0, 0, opencv_interpolation(filter));
  return out;
}

inline float scale_pixel(std::uint8_t v, pixel_scaling s) {
  switch (s) {
    case pixel_scaling::tf: return static_cast<float>(v) / 127.5f - 1.0f;
    case pixel_scaling::unit: return static_cast<float>(v) / 255.0f;
    case pixel_scaling::none: return static_cast<float>(v);
  }
  return static_cast<float>(v);
}

// An 8-bit BGR image (already at the target size) -> CHW RGB floats at dst (3 * rows * cols values).
inline void scale_into(const cv::Mat& bgr, float* dst, pixel_scaling scaling) {
  ACNE_CHECK(bgr.type() == CV_8UC3, "preprocess: need an 8-bit BGR image, got type " << bgr.type());
  float lut[256];
  for (int v = 0; v < 256; ++v) lut[v] = scale_pixel(static_cast<std::uint8_t>(v), scaling);
  const std::size_t plane = bgr.total();
  for (int y = 0; y < bgr.rows; ++y) {
    const std::uint8_t* row = bgr.ptr<std::uint8_t>(y);
    float* r = dst + static_cast<std::size_t>(y) * bgr.cols;
    for (int x = 0; x < bgr.cols; ++x) {
      r[x] = lut[row[3 * x + 2]];
      r[plane + x] = lut[row[3 * x + 1]];
      r[2 * plane + x] = lut[row[3 * x]];
    }
  }
}

// One 8-bit BGR image -> CHW RGB floats at dst (3 * height * width values), resized and scaled.
inline void preprocess_into(const cv::Mat& bgr, float* dst, const preprocess_options& o) {
  ACNE_CHECK(bgr.type() == CV_8UC3, "preprocess: need an 8-bit BGR image, got type " << bgr.type());
  scale_into(resize_to(bgr, o.width, o.height, o.filter), dst, o.scaling);
}

inline image_batch preprocess(const std::vector<cv::Mat>& images, const preprocess_options& o) {
  image_batch batch(images.size(), 3, static_cast<std::size_t>(o.height), static_cast<std::size_t>(o.width));
  for (std::size_t i = 0; i < images.size(); ++i) preprocess_into(images[i], batch.image(i), o);
  return batch;
}

// StyleGAN real images: no resizing (all images must have the same size), x / 127.5 - 1.
inline image_batch to_stylegan(const std::vector<cv::Mat>& images) {
  ACNE_CHECK(!images.empty(), "to_stylegan: no images");
  const cv::Size size = images.front().size();
  for (const auto& im : images)
    ACNE_CHECK(im.size() == size, "to_stylegan: mixed image sizes " << size << " and " << im.size());
  return preprocess(images, {size.width, size.height, resize_filter::nearest, pixel_scaling::tf});
}

// CHW RGB floats in [-1, 1] -> 8-bit BGR: clamp(x * 127.5 + 128, 0, 255) truncated (stylegan2 and ada).
inline cv::Mat from_stylegan(const float* chw, std::size_t height, std::size_t width) {
  cv::Mat out(static_cast<int>(height), static_cast<int>(width), CV_8UC3);
  const std::size_t plane = height * width;
  for (std::size_t y = 0; y < height; ++y) {
    std::uint8_t* row = out.ptr<std::uint8_t>(static_cast<int>(y));
    for (std::size_t x = 0; x < width; ++x)
      for (std::size_t c = 0; c < 3; ++c) {
        const float v = chw[c * plane + y * width + x] * 127.5f + 128.0f;
        row[3 * x + (2 - c)] = static_cast<std::uint8_t>(v >= 0.0f ? (v <= 255.0f ? v : 255.0f) : 0.0f);  // NaN -> 0
      }
  }
  return out;
}

inline cv::Mat from_stylegan(const image_batch& batch, std::size_t i) {
  ACNE_CHECK(batch.c == 3, "from_stylegan: need 3 channels, got " << batch.c);
  return from_stylegan(batch.image(i), batch.h, batch.w);
}

inline std::vector<cv::Mat> from_stylegan(const image_batch& batch) {
  std::vector<cv::Mat> out;
  for (std::size_t i = 0; i < batch.n; ++i) out.push_back(from_stylegan(batch, i));
  return out;
}

}  // namespace acne::data
