#pragma once
// Max and average pooling, and zero padding, on CPU. Average pooling divides by the number of
// in-bounds taps, as TensorFlow/Keras do with "same" padding; max pooling ignores padding.
#include <algorithm>
#include <limits>
#include <utility>
#include <vector>

#include "acne/backend/conv_geometry.hpp"
#include "acne/backend/cpu/parallel.hpp"
#include "acne/backend/cpu/simd.hpp"
#include "acne/backend/op_types.hpp"
#include "acne/tensor/tensor.hpp"

namespace acne {

namespace cpu_backend {
template <class F>
void for_each_window(const shape4& xs, const shape4& ys, const window& g, F&& f) {
#pragma omp parallel for schedule(static) if(ys.size() * g.kh * g.kw > cpu_backend::parallel_threshold)
  for (long nc = 0; nc < static_cast<long>(xs.n * xs.c); ++nc)
    for (std::size_t oy = 0; oy < ys.h; ++oy)
      for (std::size_t ox = 0; ox < ys.w; ++ox) {
        const long y0 = long(oy * g.stride_h) - long(g.pad_top), x0 = long(ox * g.stride_w) - long(g.pad_left);
        const long y1 = std::min(y0 + long(g.kh), long(xs.h)), x1 = std::min(x0 + long(g.kw), long(xs.w));
        f(nc, oy * ys.w + ox, std::max(y0, 0L), y1, std::max(x0, 0L), x1);
      }
}
}  // namespace cpu_backend

namespace cpu_backend {
// dst[i] = the largest of src[r * stride + i] over rows r < rows, NaN ignored (-inf if all are).
template <class T>
ACNE_CPU_CLONES void column_max(const T* src, std::size_t stride, std::size_t rows, T* dst, std::size_t n) {
#pragma omp simd
  for (std::size_t i = 0; i < n; ++i) dst[i] = -std::numeric_limits<T>::infinity();
  for (std::size_t r = 0; r < rows; ++r) {
    const T* row = src + r * stride;
#pragma omp simd
    for (std::size_t i = 0; i < n; ++i) dst[i] = dst[i] < row[i] ? row[i] : dst[i];
  }
}

// Max pooling row by row: the column maxima of a window's rows once per output row (vectorised),
// then the maxima along x of those; f(out, row of outputs, column maxima, clipped rows y0..y1) per
// output row. A window entirely in the padding has no rows (zero padding relies on it).
template <class T, class F>
void for_each_max_row(const tensor<T, cpu>& x, const shape4& ys, const window& g, F&& f) {
  const auto& xs = x.shape();
#pragma omp parallel if (ys.size() * g.kh * g.kw > cpu_backend::parallel_threshold)
  {
    std::vector<T> columns(xs.w);
#pragma omp for schedule(static)
    for (long nc = 0; nc < static_cast<long>(xs.n * xs.c); ++nc)
      for (std::size_t oy = 0; oy < ys.h; ++oy) {
        const long y0 = std::max(long(oy * g.stride_h) - long(g.pad_top), 0L);
        const long y1 = std::min(long(oy * g.stride_h) - long(g.pad_top) + long(g.kh), long(xs.h));
        const T* plane = x.data() + nc * xs.plane();
        if (y1 > y0) column_max(plane + y0 * xs.w, xs.w, std::size_t(y1 - y0), columns.data(), xs.w);
        f(nc, oy, plane, columns.data(), y0, y1);
      }
  }
}
// The clipped columns [x0, x1) of output column ox.
inline std::pair<long, long> window_columns(std::size_t ox, const window& g, std::size_t width) {
  const long x0 = long(ox * g.stride_w) - long(g.pad_left);
  return {std::max(x0, 0L), std::min(x0 + long(g.kw), long(width))};
}
template <class T>
T row_max(const T* columns, long x0, long x1) {
  T acc = -std::numeric_limits<T>::infinity();
  for (long ix = x0; ix < x1; ++ix) acc = acc < columns[ix] ? columns[ix] : acc;
  return acc;
}
}  // namespace cpu_backend

template <class T>
void pool_forward(pool_kind kind, const tensor<T, cpu>& x, tensor<T, cpu>& y, const window& g) {
  const auto& xs = x.shape();
  if (kind == pool_kind::max) {
    cpu_backend::for_each_max_row(x, y.shape(), g, [&](long nc, std::size_t oy, const T*, const T* cols, long y0,
                                                        long y1) {
      T* out = y.data() + nc * y.shape().plane() + oy * y.shape().w;
      for (std::size_t ox = 0; ox < y.shape().w; ++ox) {
        const auto [x0, x1] = cpu_backend::window_columns(ox, g, xs.w);
        out[ox] = y1 > y0 && x1 > x0 ? cpu_backend::row_max(cols, x0, x1) : T(0);
      }
    });
    return;
  }
  cpu_backend::for_each_window(xs, y.shape(), g, [&](long nc, std::size_t o, long y0, long y1, long x0, long x1) {
    T& out = y.data()[nc * y.shape().plane() + o];
    if (y1 <= y0 || x1 <= x0) {  // a window entirely in the padding
      out = T(0);
      return;
    }
    const T* plane = x.data() + nc * xs.plane();
    T acc = T(0);
    for (long iy = y0; iy < y1; ++iy)
      for (long ix = x0; ix < x1; ++ix) acc += plane[iy * xs.w + ix];
    out = acc / T((y1 - y0) * (x1 - x0));
  });
}

// dx = d pool / dx applied to dy (overwrites dx). Max pooling routes each gradient to the first tap
// (in row-major order) that holds the window's maximum, recomputed from x; NaN taps are ignored,
// as forward ignores them, and a window of NaNs routes to its first tap.
template <class T>
void pool_backward(pool_kind kind, const tensor<T, cpu>& x, const tensor<T, cpu>& dy, tensor<T, cpu>& dx,
                   const window& g) {
  const auto& xs = x.shape();
  dx.zero();
  // Windows of one (n, c) plane overlap, so the parallel loops run over planes only.
  if (kind == pool_kind::max) {
    cpu_backend::for_each_max_row(x, dy.shape(), g, [&](long nc, std::size_t oy, const T* plane, const T* cols,
                                                         long y0, long y1) {
      if (y1 <= y0) return;
      const T* d = dy.data() + nc * dy.shape().plane() + oy * dy.shape().w;
      T* grad = dx.data() + nc * xs.plane();
      for (std::size_t ox = 0; ox < dy.shape().w; ++ox) {
        const auto [x0, x1] = cpu_backend::window_columns(ox, g, xs.w);
        if (x1 <= x0) continue;
        const T m = cpu_backend::row_max(cols, x0, x1);
        // Backwards through the window without branches (which tap wins is data, the branch
        // predictor would miss it), so the first match is the one kept.
        long best = y0 * long(xs.w) + x0;
        for (long iy = y1 - 1; iy >= y0; --iy)
          for (long ix = x1 - 1; ix >= x0; --ix) best = plane[iy * xs.w + ix] == m ? iy * long(xs.w) + ix : best;
        grad[best] += d[ox];
      }
    });
    return;
  }
  cpu_backend::for_each_window(xs, dy.shape(), g, [&](long nc, std::size_t o, long y0, long y1, long x0, long x1) {
    if (y1 <= y0 || x1 <= x0) return;
    T* grad = dx.data() + nc * xs.plane();
    const T share = dy.data()[nc * dy.shape().plane() + o] / T((y1 - y0) * (x1 - x0));
    for (long iy = y0; iy < y1; ++iy)
      for (long ix = x0; ix < x1; ++ix) grad[iy * xs.w + ix] += share;
  });
}

namespace cpu_backend {
inline void check_zero_pad(const char* op, const shape4& inner, const shape4& outer, std::size_t top, std::size_t left) {
  ACNE_CHECK(inner.n == outer.n && inner.c == outer.c && top + inner.h <= outer.h && left + inner.w <= outer.w,
             op << ": " << inner << " at (" << top << ", " << left << ") of " << outer);
}
}  // namespace cpu_backend

// y = x placed at row `top`, column `left` of each plane, zeros around it (y's shape says how many).
template <class T>
void zero_pad_forward(const tensor<T, cpu>& x, tensor<T, cpu>& y, std::size_t top, std::size_t left) {
  const auto &xs = x.shape(), &ys = y.shape();
  cpu_backend::check_zero_pad("zero_pad_forward", xs, ys, top, left);
#pragma omp parallel for schedule(static) if(y.size() > cpu_backend::parallel_threshold)
  for (long nc = 0; nc < static_cast<long>(xs.n * xs.c); ++nc) {
    const T* in = x.data() + nc * xs.plane();
    T* out = y.data() + nc * ys.plane();
    std::fill(out, out + top * ys.w + left, T(0));
    for (std::size_t iy = 0; iy < xs.h; ++iy) {
      T* row = out + (top + iy) * ys.w + left;
      std::copy(in + iy * xs.w, in + (iy + 1) * xs.w, row);
      // The rest of this row and the left margin of the next, up to the end of the plane.
      T* gap_end = iy + 1 < xs.h ? row + ys.w : out + ys.plane();
      std::fill(row + xs.w, gap_end, T(0));
    }
    if (xs.h == 0) std::fill(out, out + ys.plane(), T(0));
  }
}

// The adjoint: dx = the window of dy at (top, left) that zero_pad_forward wrote x into.
template <class T>
void zero_pad_backward(const tensor<T, cpu>& dy, tensor<T, cpu>& dx, std::size_t top, std::size_t left) {
  const auto &ys = dy.shape(), &xs = dx.shape();
  cpu_backend::check_zero_pad("zero_pad_backward", xs, ys, top, left);
#pragma omp parallel for schedule(static) if(dx.size() > cpu_backend::parallel_threshold)
  for (long nc = 0; nc < static_cast<long>(xs.n * xs.c); ++nc) {
    const T* in = dy.data() + nc * ys.plane() + top * ys.w + left;
    T* out = dx.data() + nc * xs.plane();
    for (std::size_t iy = 0; iy < xs.h; ++iy) std::copy(in + iy * ys.w, in + iy * ys.w + xs.w, out + iy * xs.w);
  }
}

}  // namespace acne
