#pragma once
// How images are brought to a feature extractor's input size before FID. The choice changes FID
// noticeably (Parmar et al. 2022, "On Aliased Resizing and Surprising Subtleties in GAN Evaluation"),
// so it is named in every statistics file and report. Both work in float, without quantisation:
//   bilinear  pytorch-fid: torch.nn.functional.interpolate(mode="bilinear", align_corners=False) of
//             the [0, 1] image, no antialiasing (a downscale by more than 2 skips pixels);
//   bicubic   clean-fid: PIL's Image.resize(BICUBIC) of each channel as a float ("F") image, which
//             widens the kernel when shrinking (antialiasing), then clipped to [0, 255].
// Planes are row-major h x w floats of one channel.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "acne/error.hpp"

namespace acne::metrics {

enum class fid_resize { bilinear, bicubic };

inline const char* fid_resize_name(fid_resize r) { return r == fid_resize::bilinear ? "bilinear" : "bicubic"; }

inline fid_resize parse_fid_resize(const std::string& name) {
  if (name == "bilinear") return fid_resize::bilinear;
  if (name == "bicubic") return fid_resize::bicubic;
  ACNE_THROW("unknown resize '" << name << "' (bilinear as pytorch-fid, or bicubic as clean-fid)");
}

namespace detail {

// torch's upsample_bilinear2d source index for align_corners=False: half-pixel centres, clamped at 0.
struct linear_tap {
  std::size_t i0, i1;
  double w1;
};
inline std::vector<linear_tap> bilinear_taps(std::size_t in, std::size_t out) {
  std::vector<linear_tap> taps(out);
  const double scale = double(in) / double(out);
  for (std::size_t o = 0; o < out; ++o) {
    const double src = std::max(scale * (double(o) + 0.5) - 0.5, 0.0);
    const auto i0 = std::min(static_cast<std::size_t>(src), in - 1);
    taps[o] = {i0, std::min(i0 + 1, in - 1), src - double(i0)};
  }
  return taps;
}

// Pillow's precompute_coeffs for BICUBIC (a = -0.5, support 2, widened by the downscale factor).
struct kernel_row {
  std::size_t first = 0;
  std::vector<double> weights;
};
inline double pil_bicubic(double x) {
  constexpr double a = -0.5;
  x = std::abs(x);
  if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0;
  if (x < 2.0) return (((x - 5.0) * x + 8.0) * x - 4.0) * a;
  return 0.0;
}
inline std::vector<kernel_row> bicubic_rows(std::size_t in, std::size_t out) {
  const double scale = double(in) / double(out);
  const double filterscale = std::max(scale, 1.0);
  const double support = 2.0 * filterscale;
  std::vector<kernel_row> rows(out);
  for (std::size_t o = 0; o < out; ++o) {
    const double center = (double(o) + 0.5) * scale;
    // C's truncating casts, as Pillow computes the window bounds.
    const auto lo = std::max<long>(static_cast<long>(center - support + 0.5), 0);
    const auto hi = std::min<long>(static_cast<long>(center + support + 0.5), static_cast<long>(in));
    auto& r = rows[o];
    r.first = static_cast<std::size_t>(lo);
    double total = 0.0;
    for (long x = lo; x < hi; ++x) {
      r.weights.push_back(pil_bicubic((double(x) - center + 0.5) / filterscale));
      total += r.weights.back();
    }
    if (total != 0.0)
      for (double& w : r.weights) w /= total;
  }
  return rows;
}

}  // namespace detail

// Resizes one plane from h x w to oh x ow.
inline void resize_plane(const float* src, std::size_t h, std::size_t w, float* dst, std::size_t oh, std::size_t ow,
                         fid_resize method) {
  ACNE_CHECK(h > 0 && w > 0 && oh > 0 && ow > 0, "resize_plane: empty size " << h << "x" << w << " -> " << oh << "x" << ow);
  if (h == oh && w == ow) {
    std::copy(src, src + h * w, dst);
    return;
  }
  if (method == fid_resize::bilinear) {
    const auto ty = detail::bilinear_taps(h, oh), tx = detail::bilinear_taps(w, ow);
    for (std::size_t y = 0; y < oh; ++y) {
      const float* r0 = src + ty[y].i0 * w;
      const float* r1 = src + ty[y].i1 * w;
      const double wy1 = ty[y].w1, wy0 = 1.0 - wy1;
      for (std::size_t x = 0; x < ow; ++x) {
        const double wx1 = tx[x].w1, wx0 = 1.0 - wx1;
        dst[y * ow + x] = float(wy0 * (wx0 * r0[tx[x].i0] + wx1 * r0[tx[x].i1]) +
                                wy1 * (wx0 * r1[tx[x].i0] + wx1 * r1[tx[x].i1]));
      }
    }
    return;
  }
  // Pillow resamples horizontally first into a float image, then vertically; each sum in double.
  const auto kx = detail::bicubic_rows(w, ow), ky = detail::bicubic_rows(h, oh);
  std::vector<float> mid(h * ow);
  for (std::size_t y = 0; y < h; ++y)
    for (std::size_t x = 0; x < ow; ++x) {
      double s = 0.0;
      for (std::size_t k = 0; k < kx[x].weights.size(); ++k) s += src[y * w + kx[x].first + k] * kx[x].weights[k];
      mid[y * ow + x] = float(s);
    }
  for (std::size_t y = 0; y < oh; ++y)
    for (std::size_t x = 0; x < ow; ++x) {
      double s = 0.0;
      for (std::size_t k = 0; k < ky[y].weights.size(); ++k) s += mid[(ky[y].first + k) * ow + x] * ky[y].weights[k];
      dst[y * ow + x] = std::clamp(float(s), 0.0f, 255.0f);
    }
}

}  // namespace acne::metrics
