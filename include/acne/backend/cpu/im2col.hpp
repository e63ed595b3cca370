#pragma once
// im2col / col2im for one NCHW sample and a band [oy0, oy1) of output rows: column row (c, i, j)
// holds input pixel (c, oy*stride - pad + i*dilation, ox*stride - pad + j*dilation) for every output
// position of the band. Serial: the convolution parallelises over samples and bands. The simd
// pragmas say what -O2 cannot prove, that columns and image never overlap, so strided loops vectorise.
#include <algorithm>
#include <cstddef>

#include "acne/backend/conv_geometry.hpp"

namespace acne::cpu_backend {

// The output positions [first, last) whose input coordinate o*stride + offset lies in [0, n): the
// padding is resolved once per row of taps instead of once per pixel.
struct valid_span {
  std::size_t first, last;
  valid_span(std::size_t out, std::size_t n, std::size_t stride, long offset) {
    const long s = long(stride);
    const long lo = offset >= 0 ? 0 : (-offset + s - 1) / s;
    const long hi = long(n) - 1 - offset < 0 ? 0 : (long(n) - 1 - offset) / s + 1;
    last = std::size_t(std::clamp(hi, 0L, long(out)));
    first = std::min(std::size_t(std::max(lo, 0L)), last);
  }
};

// Writes the band's columns into col[row * ld + col_offset + (oy - oy0) * ow + ox].
template <class T>
void im2col(const T* x, std::size_t channels, std::size_t h, std::size_t w, const window& g, std::size_t oy0,
            std::size_t oy1, T* col, std::size_t ld, std::size_t col_offset) {
  const std::size_t ow = g.out_w(w), sw = g.stride_w;
  for (std::size_t c = 0; c < channels; ++c)
    for (std::size_t i = 0; i < g.kh; ++i)
      for (std::size_t j = 0; j < g.kw; ++j) {
        const long dx = long(j * g.dilation_w) - long(g.pad_left);
        const valid_span xs(ow, w, sw, dx);
        T* out = col + ((c * g.kh + i) * g.kw + j) * ld + col_offset;
        for (std::size_t oy = oy0; oy < oy1; ++oy, out += ow) {
          const long y = long(oy * g.stride_h + i * g.dilation_h) - long(g.pad_top);
          if (y < 0 || y >= long(h)) {
            std::fill(out, out + ow, T(0));
            continue;
          }
          std::fill(out, out + xs.first, T(0));
          std::fill(out + xs.last, out + ow, T(0));
          if (xs.first == xs.last) continue;
          // src[k * sw] is the pixel under output position xs.first + k
          const T* src = x + (c * h + std::size_t(y)) * w + std::size_t(long(xs.first * sw) + dx);
          const std::size_t len = xs.last - xs.first;
          if (sw == 1) std::copy(src, src + len, out + xs.first);
          else if (sw == 2) {  // a constant stride vectorises as shuffles, not as lane-by-lane loads
#pragma omp simd
            for (std::size_t k = 0; k < len; ++k) out[xs.first + k] = src[2 * k];
          } else {
#pragma omp simd
            for (std::size_t k = 0; k < len; ++k) out[xs.first + k] = src[k * sw];
          }
        }
      }
}

template <class T>
void im2col(const T* x, std::size_t channels, std::size_t h, std::size_t w, const window& g, T* col,
            std::size_t ld, std::size_t col_offset) {
  im2col(x, channels, h, w, g, 0, g.out_h(h), col, ld, col_offset);
}

// Adds the band's columns back into one sample's input gradient (the adjoint of im2col). Bands of
// the same sample overlap in the input, so they must not run concurrently.
template <class T>
void col2im(const T* col, std::size_t ld, std::size_t col_offset, std::size_t channels, std::size_t h,
            std::size_t w, const window& g, std::size_t oy0, std::size_t oy1, T* x) {
  const std::size_t ow = g.out_w(w), sw = g.stride_w;
  for (std::size_t c = 0; c < channels; ++c)
    for (std::size_t i = 0; i < g.kh; ++i)
      for (std::size_t j = 0; j < g.kw; ++j) {
        const long dx = long(j * g.dilation_w) - long(g.pad_left);
        const valid_span xs(ow, w, sw, dx);
        const T* in = col + ((c * g.kh + i) * g.kw + j) * ld + col_offset;
        for (std::size_t oy = oy0; oy < oy1; ++oy, in += ow) {
          const long y = long(oy * g.stride_h + i * g.dilation_h) - long(g.pad_top);
          if (y < 0 || y >= long(h)) continue;
          if (xs.first == xs.last) continue;
          T* dst = x + (c * h + std::size_t(y)) * w + std::size_t(long(xs.first * sw) + dx);
          const T* src = in + xs.first;
          const std::size_t len = xs.last - xs.first;
          if (sw == 1) {
#pragma omp simd
            for (std::size_t k = 0; k < len; ++k) dst[k] += src[k];
          } else {
#pragma omp simd
            for (std::size_t k = 0; k < len; ++k) dst[k * sw] += src[k];
          }
        }
      }
}

template <class T>
void col2im(const T* col, std::size_t ld, std::size_t col_offset, std::size_t channels, std::size_t h,
            std::size_t w, const window& g, T* x) {
  col2im(col, ld, col_offset, channels, h, w, g, 0, g.out_h(h), x);
}

}  // namespace acne::cpu_backend
