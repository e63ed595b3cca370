#pragma once
// upfirdn2d on the CPU: each (sample, channel) plane independently, written as a gather over the
// filter window, and its exact adjoint as the matching scatter (so backward needs no flipped copy
// of the parameters).
#include "acne/backend/upfirdn_geometry.hpp"
#include "acne/backend/cpu/parallel.hpp"
#include "acne/tensor/tensor.hpp"

namespace acne {

namespace cpu_backend {
// Visits every (output, input, tap) triple of one plane: f(out_index, in_index, tap).
template <class F>
void upfirdn_plane(const upfirdn_params& p, std::size_t ih, std::size_t iw, std::size_t oh, std::size_t ow, F&& f) {
  const long uh = long(ih * p.up), uw = long(iw * p.up);
  for (std::size_t oy = 0; oy < oh; ++oy)
    for (std::size_t a = 0; a < p.filter.h; ++a) {
      const long y = long(oy * p.down + a) - p.pad_y0;
      if (y < 0 || y >= uh || y % long(p.up)) continue;
      const std::size_t sy = std::size_t(y) / p.up;
      for (std::size_t ox = 0; ox < ow; ++ox)
        for (std::size_t b = 0; b < p.filter.w; ++b) {
          const long x = long(ox * p.down + b) - p.pad_x0;
          if (x < 0 || x >= uw || x % long(p.up)) continue;
          f(oy * ow + ox, sy * iw + std::size_t(x) / p.up, p.tap(a, b));
        }
    }
}
}  // namespace cpu_backend

// y = upfirdn2d(x); y must already have shape [N, C, p.out_h(H), p.out_w(W)].
template <class T>
void upfirdn2d_forward(const tensor<T, cpu>& x, tensor<T, cpu>& y, const upfirdn_params& p) {
  const auto& s = x.shape();
  const shape4 out{s.n, s.c, p.out_h(s.h), p.out_w(s.w)};
  check_shape("upfirdn2d_forward", out, y.shape());
#pragma omp parallel for schedule(static) if (out.size() * p.filter.h * p.filter.w > cpu_backend::parallel_threshold)
  for (long nc = 0; nc < long(s.n * s.c); ++nc) {
    const T* in = x.data() + nc * s.plane();
    T* o = y.data() + nc * out.plane();
    std::fill(o, o + out.plane(), T(0));
    cpu_backend::upfirdn_plane(p, s.h, s.w, out.h, out.w,
                               [&](std::size_t oi, std::size_t ii, double t) { o[oi] += T(t) * in[ii]; });
    for (std::size_t i = 0; i < out.plane(); ++i) o[i] *= T(p.gain);
  }
}

// dx = upfirdn2d^T(dy): the gradient with respect to the input (overwrites dx, shaped like x).
template <class T>
void upfirdn2d_backward(const tensor<T, cpu>& dy, tensor<T, cpu>& dx, const upfirdn_params& p) {
  const auto& s = dx.shape();
  const shape4 out{s.n, s.c, p.out_h(s.h), p.out_w(s.w)};
  check_shape("upfirdn2d_backward", out, dy.shape());
#pragma omp parallel for schedule(static) if (out.size() * p.filter.h * p.filter.w > cpu_backend::parallel_threshold)
  for (long nc = 0; nc < long(s.n * s.c); ++nc) {
    const T* g = dy.data() + nc * out.plane();
    T* d = dx.data() + nc * s.plane();
    std::fill(d, d + s.plane(), T(0));
    cpu_backend::upfirdn_plane(p, s.h, s.w, out.h, out.w,
                               [&](std::size_t oi, std::size_t ii, double t) { d[ii] += T(t) * g[oi]; });
    for (std::size_t i = 0; i < s.plane(); ++i) d[i] *= T(p.gain);
  }
}

}  // namespace acne
