#pragma once
// upfirdn2d on the CPU, one (sample, channel) plane per OpenMP iteration.
//
// Along one axis, the outputs that a given tap reaches form an arithmetic progression: zero
// insertion only keeps every up-th position, decimation every down-th, and the borders cut the
// progression at both ends. So a call first plans, per tap and axis, where that progression starts,
// its length and its two strides; each tap is then one strided axpy over a row, with no zero tap
// visited (polyphase) and no test inside the loop. A filter that is an outer product, such as
// StyleGAN2's [1,3,3,1], runs as a pass along x into a scratch plane and one along y.
// The backward is the same plan read the other way round, so it is the exact adjoint.
//
// The gather over the filter window that this replaced is kept as upfirdn2d_reference_*: short
// enough to check by eye, and what the tests hold the planned path to.
#include <vector>

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

template <class T>
void upfirdn2d_reference_forward(const tensor<T, cpu>& x, tensor<T, cpu>& y, const upfirdn_params& p) {
  const auto& s = x.shape();
  const shape4 out{s.n, s.c, p.out_h(s.h), p.out_w(s.w)};
  check_shape("upfirdn2d_reference_forward", out, y.shape());
#pragma omp parallel for schedule(static) if (out.size() * p.filter.h * p.filter.w > parallel_threshold)
  for (long nc = 0; nc < long(s.n * s.c); ++nc) {
    const T* in = x.data() + nc * s.plane();
    T* o = y.data() + nc * out.plane();
    std::fill(o, o + out.plane(), T(0));
    upfirdn_plane(p, s.h, s.w, out.h, out.w, [&](std::size_t oi, std::size_t ii, double t) { o[oi] += T(t) * in[ii]; });
    for (std::size_t i = 0; i < out.plane(); ++i) o[i] *= T(p.gain);
  }
}

template <class T>
void upfirdn2d_reference_backward(const tensor<T, cpu>& dy, tensor<T, cpu>& dx, const upfirdn_params& p) {
  const auto& s = dx.shape();
  const shape4 out{s.n, s.c, p.out_h(s.h), p.out_w(s.w)};
  check_shape("upfirdn2d_reference_backward", out, dy.shape());
#pragma omp parallel for schedule(static) if (out.size() * p.filter.h * p.filter.w > parallel_threshold)
  for (long nc = 0; nc < long(s.n * s.c); ++nc) {
    const T* g = dy.data() + nc * out.plane();
    T* d = dx.data() + nc * s.plane();
    std::fill(d, d + s.plane(), T(0));
    upfirdn_plane(p, s.h, s.w, out.h, out.w, [&](std::size_t oi, std::size_t ii, double t) { d[ii] += T(t) * g[oi]; });
    for (std::size_t i = 0; i < s.plane(); ++i) d[i] *= T(p.gain);
  }
}

// Along one axis, the outputs out, out + out_step, ... (count of them) that one tap takes from
// the inputs in, in + in_step, ...
struct upfirdn_run {
  std::size_t tap, out, in, count, out_step, in_step;
};

inline std::vector<upfirdn_run> upfirdn_runs(std::size_t in, std::size_t out, std::size_t taps, std::size_t up,
                                             std::size_t down, int pad0) {
  std::vector<upfirdn_run> runs;
  const long span = long(in * up);
  for (std::size_t t = 0; t < taps; ++t) {
    upfirdn_run r{t, 0, 0, 0, 1, 1};
    for (std::size_t o = 0; o < out; ++o) {
      const long u = long(o * down + t) - pad0;
      if (u < 0 || u >= span || u % long(up)) continue;
      if (r.count == 0) r.out = o, r.in = std::size_t(u) / up;
      else if (r.count == 1) r.out_step = o - r.out, r.in_step = std::size_t(u) / up - r.in;
      ++r.count;
    }
    if (r.count) runs.push_back(r);
  }
  return runs;
}

// d[k * ds] += w * s[k * ss] for k < n. Source and destination never overlap; StyleGAN2's 2x
// resampling only needs the three stride pairs spelled out, which the compiler vectorises.
template <class T>
void strided_axpy(T w, const T* s, std::size_t ss, T* d, std::size_t ds, std::size_t n) {
  if (ss == 1 && ds == 1) {
#pragma omp simd
    for (std::size_t k = 0; k < n; ++k) d[k] += w * s[k];
  } else if (ss == 1 && ds == 2) {
#pragma omp simd
    for (std::size_t k = 0; k < n; ++k) d[2 * k] += w * s[k];
  } else if (ss == 2 && ds == 1) {
#pragma omp simd
    for (std::size_t k = 0; k < n; ++k) d[k] += w * s[2 * k];
  } else {
#pragma omp simd
    for (std::size_t k = 0; k < n; ++k) d[k * ds] += w * s[k * ss];
  }
}

template <class T>
class upfirdn_plan {
public:
  upfirdn_plan(const upfirdn_params& p, std::size_t ih, std::size_t iw)
      : ih_(ih), iw_(iw), oh_(p.out_h(ih)), ow_(p.out_w(iw)), fw_(p.filter.w),
        rows_(upfirdn_runs(ih, oh_, p.filter.h, p.up, p.down, p.pad_y0)),
        cols_(upfirdn_runs(iw, ow_, p.filter.w, p.up, p.down, p.pad_x0)) {
    std::array<double, fir_filter::max_taps> col{}, row{};
    separable_ = p.separable(col, row);
    if (separable_) {
      for (std::size_t a = 0; a < p.filter.h; ++a) wy_.push_back(T(col[a] * p.gain));
      for (std::size_t b = 0; b < p.filter.w; ++b) wx_.push_back(T(row[b]));
    } else {
      for (std::size_t a = 0; a < p.filter.h; ++a)
        for (std::size_t b = 0; b < p.filter.w; ++b) w_.push_back(T(p.tap(a, b) * p.gain));
    }
    std::size_t row_taps = 0, col_taps = 0;
    for (const auto& r : rows_) row_taps += r.count;
    for (const auto& c : cols_) col_taps += c.count;
    work_ = separable_ ? ih_ * col_taps + row_taps * ow_ : row_taps * col_taps;
  }

  void forward(const T* x, T* y, std::size_t planes) const {
    each_plane(planes, [&](std::size_t nc, T* scratch) {
      const T* in = x + nc * ih_ * iw_;
      T* out = y + nc * oh_ * ow_;
      std::fill(out, out + oh_ * ow_, T(0));
      if (separable_) {
        std::fill(scratch, scratch + ih_ * ow_, T(0));
        for (std::size_t r = 0; r < ih_; ++r) along_x(in + r * iw_, scratch + r * ow_, wx_.data());
        pair_rows(scratch, ow_, out, [&](const T* i, T* o, std::size_t a) { strided_axpy(wy_[a], i, 1, o, 1, ow_); });
      } else {
        pair_rows(in, iw_, out, [&](const T* i, T* o, std::size_t a) { along_x(i, o, &w_[a * fw_]); });
      }
    });
  }

  void backward(const T* dy, T* dx, std::size_t planes) const {
    each_plane(planes, [&](std::size_t nc, T* scratch) {
      const T* g = dy + nc * oh_ * ow_;
      T* d = dx + nc * ih_ * iw_;
      std::fill(d, d + ih_ * iw_, T(0));
      if (separable_) {
        std::fill(scratch, scratch + ih_ * ow_, T(0));
        pair_rows(scratch, ow_, g, [&](T* i, const T* o, std::size_t a) { strided_axpy(wy_[a], o, 1, i, 1, ow_); });
        for (std::size_t r = 0; r < ih_; ++r) along_x_adjoint(scratch + r * ow_, d + r * iw_, wx_.data());
      } else {
        pair_rows(d, iw_, g, [&](T* i, const T* o, std::size_t a) { along_x_adjoint(o, i, &w_[a * fw_]); });
      }
    });
  }

private:
  // f(input row, output row, tap) for every pair of rows that a row run connects; input rows are
  // `in_width` apart (the input's width, or the output's in the scratch plane).
  template <class I, class O, class F>
  void pair_rows(I* in, std::size_t in_width, O* out, F&& f) const {
    for (const auto& r : rows_)
      for (std::size_t k = 0; k < r.count; ++k)
        f(in + (r.in + k * r.in_step) * in_width, out + (r.out + k * r.out_step) * ow_, r.tap);
  }
  void along_x(const T* in, T* out, const T* w) const {
    for (const auto& c : cols_) strided_axpy(w[c.tap], in + c.in, c.in_step, out + c.out, c.out_step, c.count);
  }
  void along_x_adjoint(const T* out, T* in, const T* w) const {
    for (const auto& c : cols_) strided_axpy(w[c.tap], out + c.out, c.out_step, in + c.in, c.in_step, c.count);
  }

  template <class F>
  void each_plane(std::size_t planes, F&& f) const {
    const std::size_t scratch = separable_ ? ih_ * ow_ : 0;
#pragma omp parallel if (planes > 1 && planes * work_ > parallel_threshold)
    {
      std::vector<T> buf(scratch);
#pragma omp for schedule(static)
      for (long nc = 0; nc < long(planes); ++nc) f(std::size_t(nc), buf.data());
    }
  }

  std::size_t ih_, iw_, oh_, ow_, fw_;
  std::vector<upfirdn_run> rows_, cols_;
  bool separable_ = false;
  std::vector<T> wx_, wy_, w_;  // the gain is folded into wy_ or w_
  std::size_t work_ = 0;        // multiply-adds per plane, for the threading threshold
};
}  // namespace cpu_backend

// y = upfirdn2d(x); y must already have shape [N, C, p.out_h(H), p.out_w(W)].
template <class T>
void upfirdn2d_forward(const tensor<T, cpu>& x, tensor<T, cpu>& y, const upfirdn_params& p) {
  const auto& s = x.shape();
  check_shape("upfirdn2d_forward", shape4{s.n, s.c, p.out_h(s.h), p.out_w(s.w)}, y.shape());
  cpu_backend::upfirdn_plan<T>(p, s.h, s.w).forward(x.data(), y.data(), s.n * s.c);
}

// dx = upfirdn2d^T(dy): the gradient with respect to the input (overwrites dx, shaped like x).
template <class T>
void upfirdn2d_backward(const tensor<T, cpu>& dy, tensor<T, cpu>& dx, const upfirdn_params& p) {
  const auto& s = dx.shape();
  check_shape("upfirdn2d_backward", shape4{s.n, s.c, p.out_h(s.h), p.out_w(s.w)}, dy.shape());
  cpu_backend::upfirdn_plan<T>(p, s.h, s.w).backward(dy.data(), dx.data(), s.n * s.c);
}

}  // namespace acne
