#pragma once
// CPU kernels of the restoration network (DFDNet): bilinear and nearest resizing with PyTorch's
// conventions (F.interpolate, align_corners = False, no antialiasing, source indices computed in
// the element type as PyTorch does), windows copied between planes, elementwise products, and the
// products of one sample's planes with every sample of a batch (a dictionary's inner products).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

#include "acne/backend/cpu/parallel.hpp"
#include "acne/tensor/tensor.hpp"

namespace acne {

namespace cpu_backend {
// One output coordinate of a bilinear resize: the two source indices and their weights.
template <class T>
struct bilinear_tap {
  std::size_t i0, i1;
  T w0, w1;
};

// PyTorch's area_pixel_compute_source_index (align_corners = False) with its clamp at 0.
template <class T>
std::vector<bilinear_tap<T>> bilinear_taps(std::size_t in, std::size_t out) {
  std::vector<bilinear_tap<T>> taps(out);
  const T scale = T(in) / T(out);
  for (std::size_t o = 0; o < out; ++o) {
    const T src = std::max(scale * (T(o) + T(0.5)) - T(0.5), T(0));
    const auto i0 = std::min(static_cast<std::size_t>(src), in - 1);
    const std::size_t i1 = i0 + (i0 + 1 < in ? 1 : 0);
    const T w1 = src - T(i0);
    taps[o] = {i0, i1, T(1) - w1, w1};
  }
  return taps;
}

// PyTorch's legacy "nearest": source floor(o * in / out), the scale in the element type.
template <class T>
std::size_t nearest_source(std::size_t o, std::size_t in, std::size_t out) {
  if (in == out) return o;
  if (out == 2 * in) return o >> 1;
  const T scale = T(in) / T(out);
  return std::min(static_cast<std::size_t>(std::floor(T(o) * scale)), in - 1);
}

inline void check_resize(const char* op, const shape4& x, const shape4& y) {
  ACNE_CHECK(x.n == y.n && x.c == y.c && x.h > 0 && x.w > 0 && y.h > 0 && y.w > 0,
             op << ": " << x << " to " << y << " (resizing keeps batch and channels)");
}
}  // namespace cpu_backend

// y = x resized bilinearly to y's height and width.
template <class T>
void resize_bilinear_forward(const tensor<T, cpu>& x, tensor<T, cpu>& y) {
  const auto &xs = x.shape(), &ys = y.shape();
  cpu_backend::check_resize("resize_bilinear_forward", xs, ys);
  const auto ty = cpu_backend::bilinear_taps<T>(xs.h, ys.h), tx = cpu_backend::bilinear_taps<T>(xs.w, ys.w);
#pragma omp parallel for schedule(static) if(y.size() > cpu_backend::parallel_threshold)
  for (long nc = 0; nc < static_cast<long>(xs.n * xs.c); ++nc) {
    const T* in = x.data() + nc * xs.plane();
    T* out = y.data() + nc * ys.plane();
    for (std::size_t oy = 0; oy < ys.h; ++oy) {
      const T* r0 = in + ty[oy].i0 * xs.w;
      const T* r1 = in + ty[oy].i1 * xs.w;
      for (std::size_t ox = 0; ox < ys.w; ++ox) {
        const auto& t = tx[ox];
        out[oy * ys.w + ox] =
            ty[oy].w0 * (t.w0 * r0[t.i0] + t.w1 * r0[t.i1]) + ty[oy].w1 * (t.w0 * r1[t.i0] + t.w1 * r1[t.i1]);
      }
    }
  }
}

// The adjoint: dx (its shape given) = the transposed bilinear weights applied to dy.
template <class T>
void resize_bilinear_backward(const tensor<T, cpu>& dy, tensor<T, cpu>& dx) {
  const auto &ys = dy.shape(), &xs = dx.shape();
  cpu_backend::check_resize("resize_bilinear_backward", xs, ys);
  const auto ty = cpu_backend::bilinear_taps<T>(xs.h, ys.h), tx = cpu_backend::bilinear_taps<T>(xs.w, ys.w);
#pragma omp parallel for schedule(static) if(dy.size() > cpu_backend::parallel_threshold)
  for (long nc = 0; nc < static_cast<long>(xs.n * xs.c); ++nc) {
    const T* g = dy.data() + nc * ys.plane();
    T* out = dx.data() + nc * xs.plane();
    std::fill(out, out + xs.plane(), T(0));
    for (std::size_t oy = 0; oy < ys.h; ++oy) {
      T* r0 = out + ty[oy].i0 * xs.w;
      T* r1 = out + ty[oy].i1 * xs.w;
      for (std::size_t ox = 0; ox < ys.w; ++ox) {
        const auto& t = tx[ox];
        const T a = ty[oy].w0 * g[oy * ys.w + ox], b = ty[oy].w1 * g[oy * ys.w + ox];
        r0[t.i0] += t.w0 * a, r0[t.i1] += t.w1 * a;
        r1[t.i0] += t.w0 * b, r1[t.i1] += t.w1 * b;
      }
    }
  }
}

// y = x resized to y's height and width by PyTorch's "nearest".
template <class T>
void resize_nearest_forward(const tensor<T, cpu>& x, tensor<T, cpu>& y) {
  const auto &xs = x.shape(), &ys = y.shape();
  cpu_backend::check_resize("resize_nearest_forward", xs, ys);
  std::vector<std::size_t> sy(ys.h), sx(ys.w);
  for (std::size_t o = 0; o < ys.h; ++o) sy[o] = cpu_backend::nearest_source<T>(o, xs.h, ys.h);
  for (std::size_t o = 0; o < ys.w; ++o) sx[o] = cpu_backend::nearest_source<T>(o, xs.w, ys.w);
  for (std::size_t nc = 0; nc < xs.n * xs.c; ++nc) {
    const T* in = x.data() + nc * xs.plane();
    T* out = y.data() + nc * ys.plane();
    for (std::size_t oy = 0; oy < ys.h; ++oy)
      for (std::size_t ox = 0; ox < ys.w; ++ox) out[oy * ys.w + ox] = in[sy[oy] * xs.w + sx[ox]];
  }
}

// y[0] = the window of x[n] at (top, left), as tall and wide as y.
template <class T>
void take_window(const tensor<T, cpu>& x, std::size_t n, std::size_t top, std::size_t left, tensor<T, cpu>& y) {
  const auto &xs = x.shape(), &ys = y.shape();
  ACNE_CHECK(ys.n == 1 && ys.c == xs.c && n < xs.n && top + ys.h <= xs.h && left + ys.w <= xs.w,
             "take_window: " << ys << " at sample " << n << ", (" << top << ", " << left << ") of " << xs);
  for (std::size_t c = 0; c < xs.c; ++c)
    for (std::size_t r = 0; r < ys.h; ++r) {
      const T* in = x.data() + (n * xs.c + c) * xs.plane() + (top + r) * xs.w + left;
      std::copy(in, in + ys.w, y.data() + c * ys.plane() + r * ys.w);
    }
}

// The window of y[n] at (top, left) = x[0], or += x[0] when accumulate; the rest of y is untouched.
template <class T>
void put_window(const tensor<T, cpu>& x, tensor<T, cpu>& y, std::size_t n, std::size_t top, std::size_t left,
                bool accumulate) {
  const auto &xs = x.shape(), &ys = y.shape();
  ACNE_CHECK(xs.n == 1 && ys.c == xs.c && n < ys.n && top + xs.h <= ys.h && left + xs.w <= ys.w,
             "put_window: " << xs << " at sample " << n << ", (" << top << ", " << left << ") of " << ys);
  for (std::size_t c = 0; c < xs.c; ++c)
    for (std::size_t r = 0; r < xs.h; ++r) {
      const T* in = x.data() + c * xs.plane() + r * xs.w;
      T* out = y.data() + (n * ys.c + c) * ys.plane() + (top + r) * ys.w + left;
      if (accumulate) {
        for (std::size_t i = 0; i < xs.w; ++i) out[i] += in[i];
      } else {
        std::copy(in, in + xs.w, out);
      }
    }
}

// y = a * b elementwise.
template <class T>
void multiply(const tensor<T, cpu>& a, const tensor<T, cpu>& b, tensor<T, cpu>& y) {
  ACNE_CHECK(a.shape() == b.shape() && a.shape() == y.shape(),
             "multiply: " << a.shape() << " * " << b.shape() << " into " << y.shape());
  const T* pa = a.data();
  const T* pb = b.data();
  T* py = y.data();
#pragma omp parallel for simd schedule(static) if(y.size() > cpu_backend::parallel_threshold)
  for (long i = 0; i < static_cast<long>(y.size()); ++i) py[i] = pa[i] * pb[i];
}

// q[k, c] = <a[k, c], x[0, c]> for every sample k of a: one plane set against a batch of them.
template <class T>
void plane_products(const tensor<T, cpu>& a, const tensor<T, cpu>& x, tensor<T, cpu>& q) {
  const auto &as = a.shape(), &xs = x.shape();
  ACNE_CHECK(xs.n == 1 && xs.c == as.c && xs.h == as.h && xs.w == as.w && q.size() == as.n * as.c,
             "plane_products: " << as << " against " << xs << " into " << q.shape());
  const std::size_t plane = as.plane();
#pragma omp parallel for schedule(static) if(a.size() > cpu_backend::parallel_threshold)
  for (long kc = 0; kc < static_cast<long>(as.n * as.c); ++kc) {
    const T* pa = a.data() + kc * plane;
    const T* px = x.data() + (kc % as.c) * plane;
    double s = 0;
    for (std::size_t i = 0; i < plane; ++i) s += double(pa[i]) * double(px[i]);
    q.data()[kc] = T(s);
  }
}

}  // namespace acne
