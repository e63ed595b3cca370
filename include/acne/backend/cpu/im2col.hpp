#pragma once
// im2col / col2im for one NCHW sample: column row (c, i, j) holds input pixel
// (c, oy*stride - pad + i*dilation, ox*stride - pad + j*dilation) for every output position.
#include <cstddef>

#include "acne/backend/conv_geometry.hpp"

namespace acne::cpu_backend {

// Writes columns for one sample into col[row * ld + col_offset + position].
template <class T>
void im2col(const T* x, std::size_t channels, std::size_t h, std::size_t w, const window& g, T* col,
            std::size_t ld, std::size_t col_offset) {
  const std::size_t oh = g.out_h(h), ow = g.out_w(w);
  const long rows = static_cast<long>(channels * g.kh * g.kw);
#pragma omp parallel for schedule(static)
  for (long r = 0; r < rows; ++r) {
    const std::size_t c = r / (g.kh * g.kw), i = (r / g.kw) % g.kh, j = r % g.kw;
    T* out = col + r * ld + col_offset;
    const T* plane = x + c * h * w;
    for (std::size_t oy = 0; oy < oh; ++oy) {
      const long y = static_cast<long>(oy * g.stride_h + i * g.dilation_h) - static_cast<long>(g.pad_top);
      T* row = out + oy * ow;
      if (y < 0 || y >= static_cast<long>(h)) {
        for (std::size_t ox = 0; ox < ow; ++ox) row[ox] = T(0);
        continue;
      }
      const T* src = plane + y * w;
      for (std::size_t ox = 0; ox < ow; ++ox) {
        const long xx = static_cast<long>(ox * g.stride_w + j * g.dilation_w) - static_cast<long>(g.pad_left);
        row[ox] = (xx >= 0 && xx < static_cast<long>(w)) ? src[xx] : T(0);
      }
    }
  }
}

// Adds columns back into one sample's input gradient (the adjoint of im2col).
template <class T>
void col2im(const T* col, std::size_t ld, std::size_t col_offset, std::size_t channels, std::size_t h,
            std::size_t w, const window& g, T* x) {
  const std::size_t oh = g.out_h(h), ow = g.out_w(w);
  // Parallel over channels: rows of different channels never write the same pixel.
#pragma omp parallel for schedule(static)
  for (long c = 0; c < static_cast<long>(channels); ++c) {
    T* plane = x + c * h * w;
    for (std::size_t i = 0; i < g.kh; ++i)
      for (std::size_t j = 0; j < g.kw; ++j) {
        const T* in = col + ((c * g.kh + i) * g.kw + j) * ld + col_offset;
        for (std::size_t oy = 0; oy < oh; ++oy) {
          const long y = static_cast<long>(oy * g.stride_h + i * g.dilation_h) - static_cast<long>(g.pad_top);
          if (y < 0 || y >= static_cast<long>(h)) continue;
          for (std::size_t ox = 0; ox < ow; ++ox) {
            const long xx = static_cast<long>(ox * g.stride_w + j * g.dilation_w) - static_cast<long>(g.pad_left);
            if (xx >= 0 && xx < static_cast<long>(w)) plane[y * w + xx] += in[oy * ow + ox];
          }
        }
      }
  }
}

}  // namespace acne::cpu_backend
