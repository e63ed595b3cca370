// The restoration network's operations on CUDA, following backend/cpu/resampling.hpp: one thread
// per output element; the bilinear adjoint scatters its four weights with atomic adds.
#include <algorithm>
#include <cmath>

#include "acne/backend/cuda/resampling.hpp"
#include "kernels.cuh"

namespace acne {

using namespace cuda_backend;

namespace {
// PyTorch's source index of output o for a bilinear resize (align_corners = False), in float.
__device__ inline void bilinear_source(std::size_t o, std::size_t in, std::size_t out, std::size_t& i0, std::size_t& i1,
                                       float& w1) {
  const float scale = float(in) / float(out);
  const float src = fmaxf(scale * (float(o) + 0.5f) - 0.5f, 0.0f);
  i0 = min(static_cast<std::size_t>(src), in - 1);
  i1 = i0 + (i0 + 1 < in ? 1 : 0);
  w1 = src - float(i0);
}

__device__ inline std::size_t nearest_source(std::size_t o, std::size_t in, std::size_t out) {
  if (in == out) return o;
  if (out == 2 * in) return o >> 1;
  const float scale = float(in) / float(out);
  return min(static_cast<std::size_t>(floorf(float(o) * scale)), in - 1);
}

// The sizes a kernel reads, as plain values (shape4's members are host functions).
struct dims {
  std::size_t c, h, w, plane;
  explicit dims(const shape4& s) : c(s.c), h(s.h), w(s.w), plane(s.h * s.w) {}
};

void check_resize(const char* op, const shape4& x, const shape4& y) {
  ACNE_CHECK(x.n == y.n && x.c == y.c && x.h > 0 && x.w > 0 && y.h > 0 && y.w > 0,
             op << ": " << x << " to " << y << " (resizing keeps batch and channels)");
}
}  // namespace

void resize_bilinear_forward(const tensor<float, cuda>& x, tensor<float, cuda>& y) {
  check_resize("resize_bilinear_forward", x.shape(), y.shape());
  const dims xs(x.shape()), ys(y.shape());
  const float* in = x.data();
  float* out = y.data();
  for_each_index(y.size(), [=] __device__(std::size_t i) {
    const std::size_t ox = i % ys.w, oy = (i / ys.w) % ys.h, nc = i / ys.plane;
    std::size_t y0, y1, x0, x1;
    float wy, wx;
    bilinear_source(oy, xs.h, ys.h, y0, y1, wy);
    bilinear_source(ox, xs.w, ys.w, x0, x1, wx);
    const float* p = in + nc * xs.plane;
    out[i] = (1 - wy) * ((1 - wx) * p[y0 * xs.w + x0] + wx * p[y0 * xs.w + x1]) +
             wy * ((1 - wx) * p[y1 * xs.w + x0] + wx * p[y1 * xs.w + x1]);
  });
}

void resize_bilinear_backward(const tensor<float, cuda>& dy, tensor<float, cuda>& dx) {
  check_resize("resize_bilinear_backward", dx.shape(), dy.shape());
  const dims xs(dx.shape()), ys(dy.shape());
  dx.zero();
  const float* g = dy.data();
  float* out = dx.data();
  for_each_index(dy.size(), [=] __device__(std::size_t i) {
    const std::size_t ox = i % ys.w, oy = (i / ys.w) % ys.h, nc = i / ys.plane;
    std::size_t y0, y1, x0, x1;
    float wy, wx;
    bilinear_source(oy, xs.h, ys.h, y0, y1, wy);
    bilinear_source(ox, xs.w, ys.w, x0, x1, wx);
    float* p = out + nc * xs.plane;
    const float v = g[i];
    atomicAdd(p + y0 * xs.w + x0, (1 - wy) * (1 - wx) * v);
    atomicAdd(p + y0 * xs.w + x1, (1 - wy) * wx * v);
    atomicAdd(p + y1 * xs.w + x0, wy * (1 - wx) * v);
    atomicAdd(p + y1 * xs.w + x1, wy * wx * v);
  });
}

void resize_nearest_forward(const tensor<float, cuda>& x, tensor<float, cuda>& y) {
  check_resize("resize_nearest_forward", x.shape(), y.shape());
  const dims xs(x.shape()), ys(y.shape());
  const float* in = x.data();
  float* out = y.data();
  for_each_index(y.size(), [=] __device__(std::size_t i) {
    const std::size_t ox = i % ys.w, oy = (i / ys.w) % ys.h, nc = i / ys.plane;
    out[i] = in[nc * xs.plane + nearest_source(oy, xs.h, ys.h) * xs.w + nearest_source(ox, xs.w, ys.w)];
  });
}

void take_window(const tensor<float, cuda>& x, std::size_t n, std::size_t top, std::size_t left, tensor<float, cuda>& y) {
  ACNE_CHECK(y.shape().n == 1 && y.shape().c == x.shape().c && n < x.shape().n && top + y.shape().h <= x.shape().h &&
                 left + y.shape().w <= x.shape().w,
             "take_window: " << y.shape() << " at sample " << n << ", (" << top << ", " << left << ") of " << x.shape());
  const dims xs(x.shape()), ys(y.shape());
  const float* in = x.data();
  float* out = y.data();
  for_each_index(y.size(), [=] __device__(std::size_t i) {
    const std::size_t c = i / ys.plane, r = (i / ys.w) % ys.h, q = i % ys.w;
    out[i] = in[(n * xs.c + c) * xs.plane + (top + r) * xs.w + left + q];
  });
}

void put_window(const tensor<float, cuda>& x, tensor<float, cuda>& y, std::size_t n, std::size_t top, std::size_t left,
                bool accumulate) {
  ACNE_CHECK(x.shape().n == 1 && y.shape().c == x.shape().c && n < y.shape().n && top + x.shape().h <= y.shape().h &&
                 left + x.shape().w <= y.shape().w,
             "put_window: " << x.shape() << " at sample " << n << ", (" << top << ", " << left << ") of " << y.shape());
  const dims xs(x.shape()), ys(y.shape());
  const float* in = x.data();
  float* out = y.data();
  for_each_index(x.size(), [=] __device__(std::size_t i) {
    const std::size_t c = i / xs.plane, r = (i / xs.w) % xs.h, q = i % xs.w;
    float& dst = out[(n * ys.c + c) * ys.plane + (top + r) * ys.w + left + q];
    dst = accumulate ? dst + in[i] : in[i];
  });
}

void multiply(const tensor<float, cuda>& a, const tensor<float, cuda>& b, tensor<float, cuda>& y) {
  ACNE_CHECK(a.shape() == b.shape() && a.shape() == y.shape(),
             "multiply: " << a.shape() << " * " << b.shape() << " into " << y.shape());
  const float *pa = a.data(), *pb = b.data();
  float* py = y.data();
  for_each_index(y.size(), [=] __device__(std::size_t i) { py[i] = pa[i] * pb[i]; });
}

void plane_products(const tensor<float, cuda>& a, const tensor<float, cuda>& x, tensor<float, cuda>& q) {
  const shape4 as = a.shape(), xs = x.shape();
  ACNE_CHECK(xs.n == 1 && xs.c == as.c && xs.h == as.h && xs.w == as.w && q.size() == as.n * as.c,
             "plane_products: " << as << " against " << xs << " into " << q.shape());
  const float *pa = a.data(), *px = x.data();
  float* out = q.data();
  const std::size_t plane = as.plane(), channels = as.c;
  // One thread per plane: the planes are small (at most 55 x 55), their count large.
  for_each_index(as.n * as.c, [=] __device__(std::size_t kc) {
    const float* p = pa + kc * plane;
    const float* r = px + (kc % channels) * plane;
    double s = 0;
    for (std::size_t i = 0; i < plane; ++i) s += double(p[i]) * double(r[i]);
    out[kc] = float(s);
  });
}

}  // namespace acne
