#pragma once
// im2col / col2im for one NCHW sample and a band [oy0, oy1) of output rows: column row (c, i, j)
// holds input pixel (c, oy*stride - pad + i*dilation, ox*stride - pad + j*dilation) for every output
// position of the band. Serial: the convolution parallelises over samples and bands. The simd
// pragmas say what -O2 cannot prove, that columns and image never overlap, so strided loops vectorise.
#include <algorithm>
#include <cstddef>
#include <vector>

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

// Stride 2 across: one channel's input rows under a band, split into their even and odd pixels.
// Every tap of a row then reads (im2col) or adds into (col2im) a contiguous run of one of them:
// gathering every other pixel once per tap, in row order 0, 2, 4.. then 1, 3, 5.., ran at a
// quarter of a stride-1 copy's speed, as the hardware prefetchers do not follow that order.
template <class T>
class split_band {
public:
  split_band(std::size_t h, std::size_t w, const window& g, std::size_t oy0, std::size_t oy1)
      : h_(h), w_(w), half_((w + 1) / 2) {
    const long lo = long(oy0 * g.stride_h) - long(g.pad_top);
    const long hi = long((oy1 - 1) * g.stride_h + (g.kh - 1) * g.dilation_h) - long(g.pad_top) + 1;
    first_ = std::clamp(lo, 0L, long(h));
    rows_ = std::size_t(std::max(std::clamp(hi, 0L, long(h)) - first_, 0L));
    split_.resize(rows_ * 2 * half_);
    for (std::size_t j = 0; j < g.kw; ++j) {  // tap j reads pixel 2*ox + dx = 2*(ox + shift) + phase
      const long dx = long(j * g.dilation_w) - long(g.pad_left);
      const long phase = dx & 1, shift = (dx - phase) / 2;
      taps_.push_back({valid_span(g.out_w(w), w, 2, dx), phase * long(half_) + shift});
    }
  }

  // Channel rows -> [even pixels of the first row][its odd pixels][even pixels of the next]...
  void split(const T* channel) {
    const T* src = channel + std::size_t(first_) * w_;
    for (std::size_t r = 0; r < rows_; ++r, src += w_) {
      T* even = split_.data() + r * 2 * half_;
      T* odd = even + half_;
#pragma omp simd
      for (std::size_t k = 0; k < w_ / 2; ++k) {
        even[k] = src[2 * k];
        odd[k] = src[2 * k + 1];
      }
      if (w_ % 2) even[half_ - 1] = src[w_ - 1];
    }
  }
  // The adjoint: split rows added back into the channel's pixels.
  void merge_add(T* channel) const {
    T* dst = channel + std::size_t(first_) * w_;
    for (std::size_t r = 0; r < rows_; ++r, dst += w_) {
      const T* even = split_.data() + r * 2 * half_;
      const T* odd = even + half_;
#pragma omp simd
      for (std::size_t k = 0; k < w_ / 2; ++k) {
        dst[2 * k] += even[k];
        dst[2 * k + 1] += odd[k];
      }
      if (w_ % 2) dst[w_ - 1] += even[half_ - 1];
    }
  }
  void zero() { std::fill(split_.begin(), split_.end(), T(0)); }

  // Prefetches part `part` of `parts` of a channel's band rows: spread over the copies of one
  // channel, the next one's rows arrive while this one's taps are written.
  void prefetch(const T* channel, std::size_t part, std::size_t parts) const {
    const char* p = reinterpret_cast<const char*>(channel + std::size_t(first_) * w_);
    const std::size_t lines = (rows_ * w_ * sizeof(T) + 63) / 64;
    for (std::size_t l = part * lines / parts; l < (part + 1) * lines / parts; ++l) {
      __builtin_prefetch(p + 64 * l);
      asm volatile("");  // GCC 12 deletes a loop that only prefetches
    }
  }

  // The split input row y (for a tap row of output row oy: y = oy*stride + i*dilation - pad), or
  // null where y is padding.
  T* row(long y) { return y < 0 || y >= long(h_) ? nullptr : split_.data() + std::size_t(y - first_) * 2 * half_; }
  // Tap j covers output positions [span(j).first, span(j).last), whose pixels start at
  // row + offset(j) in a split row (when the span is not empty).
  const valid_span& span(std::size_t j) const { return taps_[j].xs; }
  std::size_t offset(std::size_t j) const { return std::size_t(taps_[j].from + long(taps_[j].xs.first)); }

private:
  struct tap {
    valid_span xs;
    long from;  // offset of output position 0's pixel in a split row
  };
  std::size_t h_, w_, half_;
  long first_ = 0;
  std::size_t rows_ = 0;
  std::vector<T> split_;
  std::vector<tap> taps_;
};

template <class T>
void im2col_stride2(const T* x, std::size_t channels, std::size_t h, std::size_t w, const window& g,
                    std::size_t oy0, std::size_t oy1, T* col, std::size_t ld, std::size_t col_offset) {
  const std::size_t ow = g.out_w(w), parts = g.kh * (oy1 - oy0);
  split_band<T> band(h, w, g, oy0, oy1);
  for (std::size_t c = 0; c < channels; ++c) {
    band.split(x + c * h * w);
    std::size_t part = 0;
    for (std::size_t i = 0; i < g.kh; ++i) {
      T* out = col + (c * g.kh + i) * g.kw * ld + col_offset;
      for (std::size_t oy = oy0; oy < oy1; ++oy, out += ow) {
        if (c + 1 < channels) band.prefetch(x + (c + 1) * h * w, part++, parts);
        const T* row = band.row(long(oy * g.stride_h + i * g.dilation_h) - long(g.pad_top));
        for (std::size_t j = 0; j < g.kw; ++j) {
          T* o = out + j * ld;
          if (!row) {
            std::fill(o, o + ow, T(0));
            continue;
          }
          const valid_span& xs = band.span(j);
          std::fill(o, o + xs.first, T(0));
          std::fill(o + xs.last, o + ow, T(0));
          if (xs.first < xs.last) std::copy_n(row + band.offset(j), xs.last - xs.first, o + xs.first);
        }
      }
    }
  }
}

template <class T>
void col2im_stride2(const T* col, std::size_t ld, std::size_t col_offset, std::size_t channels, std::size_t h,
                    std::size_t w, const window& g, std::size_t oy0, std::size_t oy1, T* x) {
  const std::size_t ow = g.out_w(w);
  split_band<T> band(h, w, g, oy0, oy1);
  for (std::size_t c = 0; c < channels; ++c) {
    band.zero();
    for (std::size_t i = 0; i < g.kh; ++i) {
      const T* in = col + (c * g.kh + i) * g.kw * ld + col_offset;
      for (std::size_t oy = oy0; oy < oy1; ++oy, in += ow) {
        T* row = band.row(long(oy * g.stride_h + i * g.dilation_h) - long(g.pad_top));
        if (!row) continue;
        for (std::size_t j = 0; j < g.kw; ++j) {
          const valid_span& xs = band.span(j);
          if (xs.first == xs.last) continue;
          T* dst = row + band.offset(j);
          const T* src = in + j * ld + xs.first;
#pragma omp simd
          for (std::size_t k = 0; k < xs.last - xs.first; ++k) dst[k] += src[k];
        }
      }
    }
    band.merge_add(x + c * h * w);
  }
}

// Writes the band's columns into col[row * ld + col_offset + (oy - oy0) * ow + ox].
template <class T>
void im2col(const T* x, std::size_t channels, std::size_t h, std::size_t w, const window& g, std::size_t oy0,
            std::size_t oy1, T* col, std::size_t ld, std::size_t col_offset) {
  const std::size_t ow = g.out_w(w), sw = g.stride_w;
  if (sw == 2) return im2col_stride2(x, channels, h, w, g, oy0, oy1, col, ld, col_offset);
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
          else {
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
  if (sw == 2) return col2im_stride2(col, ld, col_offset, channels, h, w, g, oy0, oy1, x);
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
