#pragma once
// Parameters of upfirdn2d (upsample by zero insertion, pad, FIR filter, downsample), shared by every
// backend. Plain data so a CUDA kernel can take it by value.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <vector>

#include "acne/error.hpp"

namespace acne {

struct fir_filter {
  static constexpr std::size_t max_taps = 8;
  std::size_t h = 1, w = 1;
  std::array<double, max_taps * max_taps> taps{1.0};

  double at(std::size_t i, std::size_t j) const { return taps[i * w + j]; }

  // StyleGAN2's setup_filter for a short 1-D kernel: the outer product with itself, normalised to
  // sum 1, so resampling keeps the mean of the signal.
  static fir_filter outer(const std::vector<double>& k) {
    ACNE_CHECK(!k.empty() && k.size() <= max_taps, "FIR kernel of " << k.size() << " taps (1.." << max_taps << ")");
    fir_filter f;
    f.h = f.w = k.size();
    double total = 0;
    for (std::size_t i = 0; i < f.h; ++i)
      for (std::size_t j = 0; j < f.w; ++j) total += f.taps[i * f.w + j] = k[i] * k[j];
    ACNE_CHECK(total != 0, "FIR kernel sums to zero and cannot be normalised");
    for (std::size_t i = 0; i < f.h * f.w; ++i) f.taps[i] /= total;
    return f;
  }
  static fir_filter stylegan2() { return outer({1, 3, 3, 1}); }
};

struct upfirdn_params {
  std::size_t up = 1, down = 1;
  int pad_x0 = 0, pad_x1 = 0, pad_y0 = 0, pad_y1 = 0;  // negative values crop
  double gain = 1;
  // As in the reference, the filter is flipped by default (a true convolution); a symmetric
  // filter such as [1,3,3,1] is unaffected.
  bool flip_filter = false;
  fir_filter filter;

  std::size_t out_h(std::size_t in_h) const { return out_size(in_h, pad_y0, pad_y1, filter.h, "height"); }
  std::size_t out_w(std::size_t in_w) const { return out_size(in_w, pad_x0, pad_x1, filter.w, "width"); }
  // The tap applied to the upsampled, padded input at offset (a, b) of the window.
  double tap(std::size_t a, std::size_t b) const {
    return flip_filter ? filter.at(a, b) : filter.at(filter.h - 1 - a, filter.w - 1 - b);
  }
  // Whether tap(a, b) == col[a] * row[b] for every tap (to 1e-12 of the largest): then a backend
  // may filter along x and y in turn, fh + fw multiply-adds per output instead of fh * fw. The
  // factors are taken through the largest tap, so they stay well scaled.
  bool separable(std::array<double, fir_filter::max_taps>& col, std::array<double, fir_filter::max_taps>& row) const {
    std::size_t pa = 0, pb = 0;
    for (std::size_t a = 0; a < filter.h; ++a)
      for (std::size_t b = 0; b < filter.w; ++b)
        if (std::abs(tap(a, b)) > std::abs(tap(pa, pb))) pa = a, pb = b;
    const double pivot = tap(pa, pb);
    if (pivot == 0) return false;
    for (std::size_t a = 0; a < filter.h; ++a) col[a] = tap(a, pb) / pivot;
    for (std::size_t b = 0; b < filter.w; ++b) row[b] = tap(pa, b);
    for (std::size_t a = 0; a < filter.h; ++a)
      for (std::size_t b = 0; b < filter.w; ++b)
        if (std::abs(tap(a, b) - col[a] * row[b]) > 1e-12 * std::abs(pivot)) return false;
    return true;
  }

private:
  std::size_t out_size(std::size_t in, int p0, int p1, std::size_t taps, const char* what) const {
    const long span = long(in * up) + p0 + p1 - long(taps);
    ACNE_CHECK(up >= 1 && down >= 1 && span >= 0,
               "upfirdn2d: input " << what << " " << in << " (up " << up << ", pads " << p0 << "," << p1
                                   << ") is smaller than the " << taps << "-tap filter");
    return std::size_t(span) / down + 1;
  }
};

// The reference's upsample2d / downsample2d: pads that keep the output exactly `factor` times
// larger or smaller, and gain factor^2 on upsampling so the mean is kept despite zero insertion.
inline upfirdn_params upsample2d(const fir_filter& f, std::size_t factor = 2) {
  upfirdn_params p;
  p.up = factor;
  p.filter = f;
  p.pad_x0 = int(f.w + factor - 1) / 2, p.pad_x1 = int(f.w - factor) / 2;
  p.pad_y0 = int(f.h + factor - 1) / 2, p.pad_y1 = int(f.h - factor) / 2;
  p.gain = double(factor * factor);
  return p;
}
inline upfirdn_params downsample2d(const fir_filter& f, std::size_t factor = 2) {
  upfirdn_params p;
  p.down = factor;
  p.filter = f;
  p.pad_x0 = int(f.w - factor + 1) / 2, p.pad_x1 = int(f.w - factor) / 2;
  p.pad_y0 = int(f.h - factor + 1) / 2, p.pad_y1 = int(f.h - factor) / 2;
  return p;
}

}  // namespace acne
