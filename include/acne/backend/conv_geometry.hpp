#pragma once
// Geometry of a 2-D convolution or pooling window, with Keras' "same"/"valid" rules and explicit
// (possibly asymmetric) zero padding.
#include <cstddef>
#include <string>

#include "acne/error.hpp"
#include "acne/tensor/shape.hpp"

namespace acne {

enum class padding_mode { valid, same, explicit_ };

struct window {
  std::size_t kh = 1, kw = 1;
  std::size_t stride_h = 1, stride_w = 1;
  std::size_t dilation_h = 1, dilation_w = 1;
  std::size_t pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;

  std::size_t extent_h() const { return dilation_h * (kh - 1) + 1; }
  std::size_t extent_w() const { return dilation_w * (kw - 1) + 1; }
  std::size_t out_h(std::size_t in_h) const {
    ACNE_CHECK(in_h + pad_top + pad_bottom >= extent_h(),
               "window of height " << extent_h() << " does not fit input height " << in_h);
    return (in_h + pad_top + pad_bottom - extent_h()) / stride_h + 1;
  }
  std::size_t out_w(std::size_t in_w) const {
    ACNE_CHECK(in_w + pad_left + pad_right >= extent_w(),
               "window of width " << extent_w() << " does not fit input width " << in_w);
    return (in_w + pad_left + pad_right - extent_w()) / stride_w + 1;
  }
  bool symmetric() const { return pad_top == pad_bottom && pad_left == pad_right; }
};

// Keras/TF "same": output = ceil(in / stride); the odd pixel of padding goes to the bottom/right.
inline window resolve_padding(window w, padding_mode mode, std::size_t in_h, std::size_t in_w) {
  if (mode == padding_mode::valid) {
    w.pad_top = w.pad_bottom = w.pad_left = w.pad_right = 0;
  } else if (mode == padding_mode::same) {
    auto split = [](std::size_t in, std::size_t stride, std::size_t extent, std::size_t& lo, std::size_t& hi) {
      const std::size_t out = (in + stride - 1) / stride;
      const std::size_t needed = (out - 1) * stride + extent;
      const std::size_t total = needed > in ? needed - in : 0;
      lo = total / 2;
      hi = total - lo;
    };
    split(in_h, w.stride_h, w.extent_h(), w.pad_top, w.pad_bottom);
    split(in_w, w.stride_w, w.extent_w(), w.pad_left, w.pad_right);
  }
  return w;
}

}  // namespace acne
