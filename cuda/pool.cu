// Pooling on CUDA (backend/cuda/pool.hpp), following the CPU loops one to one: one thread per
// output window.
#include "acne/backend/cuda/pool.hpp"
#include "kernels.cuh"

namespace acne {

using namespace cuda_backend;

namespace {

// The in-bounds taps [y0, y1) x [x0, x1) of output o of a plane, as cpu_backend::for_each_window.
struct pool_geometry {
  long in_h, in_w, out_w, kh, kw, stride_h, stride_w, pad_top, pad_left;

  __device__ void taps(std::size_t o, long& y0, long& y1, long& x0, long& x1) const {
    const long oy = long(o) / out_w, ox = long(o) % out_w;
    y0 = oy * stride_h - pad_top;
    x0 = ox * stride_w - pad_left;
    y1 = y0 + kh < in_h ? y0 + kh : in_h;
    x1 = x0 + kw < in_w ? x0 + kw : in_w;
    y0 = y0 > 0 ? y0 : 0;
    x0 = x0 > 0 ? x0 : 0;
  }
};

pool_geometry geometry_of(const shape4& xs, const shape4& ys, const window& g) {
  return {long(xs.h), long(xs.w), long(ys.w), long(g.kh), long(g.kw), long(g.stride_h), long(g.stride_w),
          long(g.pad_top), long(g.pad_left)};
}

void check_pool(const char* op, const shape4& xs, const shape4& ys, const window& g) {
  const shape4 expected{xs.n, xs.c, g.out_h(xs.h), g.out_w(xs.w)};
  ACNE_CHECK(ys == expected, op << ": output " << ys << " for input " << xs << ", expected " << expected);
}

}  // namespace

void pool_forward(pool_kind kind, const tensor<float, cuda>& x, tensor<float, cuda>& y, const window& g) {
  check_pool("pool_forward", x.shape(), y.shape(), g);
  const pool_geometry pg = geometry_of(x.shape(), y.shape(), g);
  const std::size_t in_plane = x.shape().plane(), out_plane = y.shape().plane();
  const bool is_max = kind == pool_kind::max;
  const float* in = x.data();
  float* out = y.data();
  for_each_index(y.size(), [=] __device__(std::size_t i) {
    long y0, y1, x0, x1;
    pg.taps(i % out_plane, y0, y1, x0, x1);
    if (y1 <= y0 || x1 <= x0) {  // a window entirely in the padding
      out[i] = 0.0f;
      return;
    }
    const float* plane = in + (i / out_plane) * in_plane;
    float acc = is_max ? -INFINITY : 0.0f;
    for (long iy = y0; iy < y1; ++iy)
      for (long ix = x0; ix < x1; ++ix) {
        const float v = plane[iy * pg.in_w + ix];
        acc = is_max ? (acc < v ? v : acc) : acc + v;
      }
    if (!is_max) acc /= float((y1 - y0) * (x1 - x0));
    out[i] = acc;
  });
}

// Overlapping windows add into the same input, hence the atomics; max routes to the first maximal tap.
void pool_backward(pool_kind kind, const tensor<float, cuda>& x, const tensor<float, cuda>& dy,
                   tensor<float, cuda>& dx, const window& g) {
  check_pool("pool_backward", x.shape(), dy.shape(), g);
  ACNE_CHECK(dx.shape() == x.shape(), "pool_backward: gradient " << dx.shape() << " for input " << x.shape());
  dx.zero();
  const pool_geometry pg = geometry_of(x.shape(), dy.shape(), g);
  const std::size_t in_plane = x.shape().plane(), out_plane = dy.shape().plane();
  const bool is_max = kind == pool_kind::max;
  const float* in = x.data();
  const float* grad_out = dy.data();
  float* grad_in = dx.data();
  for_each_index(dy.size(), [=] __device__(std::size_t i) {
    long y0, y1, x0, x1;
    pg.taps(i % out_plane, y0, y1, x0, x1);
    if (y1 <= y0 || x1 <= x0) return;
    const std::size_t base = (i / out_plane) * in_plane;
    const float d = grad_out[i];
    if (!is_max) {
      const float share = d / float((y1 - y0) * (x1 - x0));
      for (long iy = y0; iy < y1; ++iy)
        for (long ix = x0; ix < x1; ++ix) atomicAdd(grad_in + base + iy * pg.in_w + ix, share);
      return;
    }
    long best = y0 * pg.in_w + x0;
    for (long iy = y0; iy < y1; ++iy)
      for (long ix = x0; ix < x1; ++ix)
        if (in[base + iy * pg.in_w + ix] > in[base + best]) best = iy * pg.in_w + ix;
    atomicAdd(grad_in + base + best, d);
  });
}

void check_zero_pad(const char* op, const shape4& inner, const shape4& outer, std::size_t top, std::size_t left) {
  ACNE_CHECK(inner.n == outer.n && inner.c == outer.c && top + inner.h <= outer.h && left + inner.w <= outer.w,
             op << ": " << inner << " at (" << top << ", " << left << ") of " << outer);
}

// One thread per output element: x's element or zero.
void zero_pad_forward(const tensor<float, cuda>& x, tensor<float, cuda>& y, std::size_t top, std::size_t left) {
  check_zero_pad("zero_pad_forward", x.shape(), y.shape(), top, left);
  const long in_h = long(x.shape().h), in_w = long(x.shape().w), out_w = long(y.shape().w);
  const std::size_t in_plane = x.shape().plane(), out_plane = y.shape().plane();
  const long t = long(top), l = long(left);
  const float* in = x.data();
  float* out = y.data();
  for_each_index(y.size(), [=] __device__(std::size_t i) {
    const long o = long(i % out_plane), iy = o / out_w - t, ix = o % out_w - l;
    const bool inside = iy >= 0 && iy < in_h && ix >= 0 && ix < in_w;
    out[i] = inside ? in[(i / out_plane) * in_plane + iy * in_w + ix] : 0.0f;
  });
}

void zero_pad_backward(const tensor<float, cuda>& dy, tensor<float, cuda>& dx, std::size_t top, std::size_t left) {
  check_zero_pad("zero_pad_backward", dx.shape(), dy.shape(), top, left);
  const long in_w = long(dx.shape().w), out_w = long(dy.shape().w);
  const std::size_t in_plane = dx.shape().plane(), out_plane = dy.shape().plane();
  const long t = long(top), l = long(left);
  const float* grad_out = dy.data();
  float* grad_in = dx.data();
  for_each_index(dx.size(), [=] __device__(std::size_t i) {
    const long o = long(i % in_plane), iy = o / in_w + t, ix = o % in_w + l;
    grad_in[i] = grad_out[(i / in_plane) * out_plane + iy * out_w + ix];
  });
}

}  // namespace acne
