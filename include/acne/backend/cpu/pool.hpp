#pragma once
// Max and average pooling, and zero padding, on CPU. Average pooling divides by the number of
// in-bounds taps, as TensorFlow/Keras do with "same" padding; max pooling ignores padding.
#include <algorithm>
#include <limits>

#include "acne/backend/conv_geometry.hpp"
#include "acne/backend/cpu/parallel.hpp"
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

template <class T>
void pool_forward(pool_kind kind, const tensor<T, cpu>& x, tensor<T, cpu>& y, const window& g) {
  const auto& xs = x.shape();
  cpu_backend::for_each_window(xs, y.shape(), g, [&](long nc, std::size_t o, long y0, long y1, long x0, long x1) {
    T& out = y.data()[nc * y.shape().plane() + o];
    if (y1 <= y0 || x1 <= x0) {  // a window entirely in the padding (zero padding uses this)
      out = T(0);
      return;
    }
    const T* plane = x.data() + nc * xs.plane();
    T acc = kind == pool_kind::max ? -std::numeric_limits<T>::infinity() : T(0);
    for (long iy = y0; iy < y1; ++iy)
      for (long ix = x0; ix < x1; ++ix)
        acc = kind == pool_kind::max ? std::max(acc, plane[iy * xs.w + ix]) : acc + plane[iy * xs.w + ix];
    if (kind == pool_kind::average) acc /= T((y1 - y0) * (x1 - x0));
    out = acc;
  });
}

// dx = d pool / dx applied to dy (overwrites dx). Max pooling routes each gradient to the first
// maximal tap, recomputed from x.
template <class T>
void pool_backward(pool_kind kind, const tensor<T, cpu>& x, const tensor<T, cpu>& dy, tensor<T, cpu>& dx,
                   const window& g) {
  const auto& xs = x.shape();
  dx.zero();
  // Windows of one (n, c) plane overlap, so the parallel loop runs over planes only.
  cpu_backend::for_each_window(xs, dy.shape(), g, [&](long nc, std::size_t o, long y0, long y1, long x0, long x1) {
    if (y1 <= y0 || x1 <= x0) return;
    const T* plane = x.data() + nc * xs.plane();
    T* grad = dx.data() + nc * xs.plane();
    const T d = dy.data()[nc * dy.shape().plane() + o];
    if (kind == pool_kind::average) {
      const T share = d / T((y1 - y0) * (x1 - x0));
      for (long iy = y0; iy < y1; ++iy)
        for (long ix = x0; ix < x1; ++ix) grad[iy * xs.w + ix] += share;
      return;
    }
    long best = y0 * long(xs.w) + x0;
    for (long iy = y0; iy < y1; ++iy)
      for (long ix = x0; ix < x1; ++ix)
        if (plane[iy * xs.w + ix] > plane[best]) best = iy * xs.w + ix;
    grad[best] += d;
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
