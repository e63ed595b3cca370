#pragma once
// A plain batch of images as floats: what the data pipeline hands to the tensor world.
#include <cstddef>
#include <vector>

#include "acne/error.hpp"

namespace acne::data {

// N images, NCHW layout, channels in RGB order; values as produced by the preprocessor
// (e.g. [-1, 1] for Keras "tf" preprocessing).
struct image_batch {
  std::size_t n = 0, c = 0, h = 0, w = 0;
  std::vector<float> data;

  image_batch() = default;
  image_batch(std::size_t n_, std::size_t c_, std::size_t h_, std::size_t w_)
      : n(n_), c(c_), h(h_), w(w_), data(n_ * c_ * h_ * w_, 0.0f) {}

  std::size_t image_size() const noexcept { return c * h * w; }
  float* image(std::size_t i) {
    ACNE_CHECK(i < n, "image_batch: image " << i << " out of range (n = " << n << ")");
    return data.data() + i * image_size();
  }
  const float* image(std::size_t i) const {
    ACNE_CHECK(i < n, "image_batch: image " << i << " out of range (n = " << n << ")");
    return data.data() + i * image_size();
  }
  float& at(std::size_t i, std::size_t ch, std::size_t y, std::size_t x) {
    return data[((i * c + ch) * h + y) * w + x];
  }
  float at(std::size_t i, std::size_t ch, std::size_t y, std::size_t x) const {
    return data[((i * c + ch) * h + y) * w + x];
  }
};

}  // namespace acne::data
