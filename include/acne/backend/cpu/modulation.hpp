#pragma once
// Kernels of StyleGAN2's modulated convolution in its "scale the activations" form: modulating the
// weight per sample equals scaling the input channels by the style and the output channels by the
// demodulation coefficient, so one shared-weight convolution serves the whole batch.
#include <cmath>
#include <vector>

#include "acne/backend/cpu/parallel.hpp"
#include "acne/tensor/tensor.hpp"

namespace acne {

// y[n,c,:,:] = x[n,c,:,:] * s[n,c]; s holds N*C values; y may be x.
template <class T>
void scale_planes(const tensor<T, cpu>& x, const tensor<T, cpu>& s, tensor<T, cpu>& y) {
  const auto& xs = x.shape();
  ACNE_CHECK(s.size() == xs.n * xs.c && y.size() == x.size(),
             "scale_planes: scales " << s.shape() << " for input " << xs << " into " << y.shape());
  const std::size_t p = xs.plane();
#pragma omp parallel for schedule(static) if (x.size() > cpu_backend::parallel_threshold)
  for (long nc = 0; nc < long(xs.n * xs.c); ++nc) {
    const T k = s[nc];
    const T* a = x.data() + nc * p;
    T* b = y.data() + nc * p;
    for (std::size_t i = 0; i < p; ++i) b[i] = a[i] * k;
  }
}

// ds[n,c] = beta * ds[n,c] + sum over h,w of x[n,c,h,w] * dy[n,c,h,w]: the adjoint of scale_planes
// with respect to the scales.
template <class T>
void plane_dot(const tensor<T, cpu>& x, const tensor<T, cpu>& dy, tensor<T, cpu>& ds, T beta) {
  const auto& xs = x.shape();
  ACNE_CHECK(dy.size() == x.size() && ds.size() == xs.n * xs.c,
             "plane_dot: " << xs << " with " << dy.shape() << " into " << ds.shape());
  const std::size_t p = xs.plane();
#pragma omp parallel for schedule(static) if (x.size() > cpu_backend::parallel_threshold)
  for (long nc = 0; nc < long(xs.n * xs.c); ++nc) {
    const T* a = x.data() + nc * p;
    const T* b = dy.data() + nc * p;
    double acc = 0;
    for (std::size_t i = 0; i < p; ++i) acc += double(a[i]) * double(b[i]);
    ds[nc] = T(acc) + (beta == T(0) ? T(0) : beta * ds[nc]);
  }
}

namespace cpu_backend {
// q[o,i] = sum over the window of w[o,i,:,:]^2.
template <class T>
std::vector<double> filter_energy(const tensor<T, cpu>& w) {
  const auto& ws = w.shape();
  std::vector<double> q(ws.n * ws.c, 0.0);
  for (std::size_t oi = 0; oi < q.size(); ++oi) {
    const T* k = w.data() + oi * ws.plane();
    for (std::size_t j = 0; j < ws.plane(); ++j) q[oi] += double(k[j]) * double(k[j]);
  }
  return q;
}
}  // namespace cpu_backend

// d[n,o] = 1 / sqrt(sum over i,kh,kw of (w[o,i,kh,kw] * s[n,i])^2 + eps): the coefficient that
// gives every output channel of the modulated weight unit norm. w [O,I,kh,kw], s [N,I], d [N,O].
template <class T>
void demodulation_forward(const tensor<T, cpu>& w, const tensor<T, cpu>& s, tensor<T, cpu>& d, double eps) {
  const auto& ws = w.shape();
  const std::size_t n = s.shape().n, o = ws.n, in = ws.c;
  ACNE_CHECK(s.size() == n * in && d.size() == n * o,
             "demodulation_forward: weight " << ws << ", styles " << s.shape() << ", coefficients " << d.shape());
  const auto q = cpu_backend::filter_energy(w);
  for (std::size_t b = 0; b < n; ++b)
    for (std::size_t c = 0; c < o; ++c) {
      double acc = eps;
      for (std::size_t i = 0; i < in; ++i) acc += double(s[b * in + i]) * double(s[b * in + i]) * q[c * in + i];
      d[b * o + c] = T(1.0 / std::sqrt(acc));
    }
}

// Given dd = dL/dd, adds the demodulation's share of dL/ds to ds and of dL/dw to dw.
template <class T>
void demodulation_backward(const tensor<T, cpu>& w, const tensor<T, cpu>& s, const tensor<T, cpu>& d,
                           const tensor<T, cpu>& dd, tensor<T, cpu>& ds, tensor<T, cpu>& dw) {
  const auto& ws = w.shape();
  const std::size_t n = s.shape().n, o = ws.n, in = ws.c;
  ACNE_CHECK(dd.size() == n * o && ds.size() == n * in && dw.size() == w.size(),
             "demodulation_backward: weight " << ws << ", styles " << s.shape());
  const auto q = cpu_backend::filter_energy(w);
  // d = S^(-1/2) with S = sum_i s^2 q, so dL/dS = -dd * d^3 / 2.
  std::vector<double> g(n * o), dq(o * in, 0.0);
  for (std::size_t i = 0; i < n * o; ++i) g[i] = -0.5 * double(dd[i]) * std::pow(double(d[i]), 3);
  for (std::size_t b = 0; b < n; ++b)
    for (std::size_t i = 0; i < in; ++i) {
      const double si = s[b * in + i];
      double acc = 0;
      for (std::size_t c = 0; c < o; ++c) {
        acc += g[b * o + c] * q[c * in + i];
        dq[c * in + i] += g[b * o + c] * si * si;
      }
      ds[b * in + i] += T(2 * si * acc);
    }
  const std::size_t p = ws.plane();
#pragma omp parallel for schedule(static) if (w.size() > cpu_backend::parallel_threshold)
  for (long oi = 0; oi < long(o * in); ++oi)
    for (std::size_t j = 0; j < p; ++j) dw[oi * p + j] += T(2 * dq[oi] * w[oi * p + j]);
}

// wt[i,o,:,:] = w[o,i,:,:]: the weight of the transposed convolution as a forward one.
template <class T>
void transpose_filters(const tensor<T, cpu>& w, tensor<T, cpu>& wt) {
  const auto& s = w.shape();
  check_shape("transpose_filters", shape4{s.c, s.n, s.h, s.w}, wt.shape());
  const std::size_t p = s.plane();
  for (std::size_t o = 0; o < s.n; ++o)
    for (std::size_t i = 0; i < s.c; ++i)
      std::copy(w.data() + (o * s.c + i) * p, w.data() + (o * s.c + i + 1) * p, wt.data() + (i * s.n + o) * p);
}

// The directional derivative of demodulation_forward along the styles' tangent ts (w fixed):
// td[n,o] = -d^3 * sum_i q[o,i] s[n,i] ts[n,i].
template <class T>
void demodulation_tangent(const tensor<T, cpu>& w, const tensor<T, cpu>& s, const tensor<T, cpu>& ts,
                          const tensor<T, cpu>& d, tensor<T, cpu>& td) {
  const auto& ws = w.shape();
  const std::size_t n = s.shape().n, o = ws.n, in = ws.c;
  ACNE_CHECK(s.size() == n * in && ts.size() == s.size() && d.size() == n * o && td.size() == d.size(),
             "demodulation_tangent: weight " << ws << ", styles " << s.shape() << ", coefficients " << d.shape());
  const auto q = cpu_backend::filter_energy(w);
  for (std::size_t b = 0; b < n; ++b)
    for (std::size_t c = 0; c < o; ++c) {
      double acc = 0;
      for (std::size_t i = 0; i < in; ++i) acc += double(s[b * in + i]) * double(ts[b * in + i]) * q[c * in + i];
      td[b * o + c] = T(-std::pow(double(d[b * o + c]), 3) * acc);
    }
}

// The directional derivative of demodulation_backward along (ts, td, tdd) at (s, d, dd), w fixed:
// adds it to tds and tdw. With g = -dd d^3 / 2 the backward adds 2 s sum_o g q to ds and
// 2 w sum_n g s^2 to dw; g' = -(dd' d^3 + 3 dd d^2 d') / 2.
template <class T>
void demodulation_backward_tangent(const tensor<T, cpu>& w, const tensor<T, cpu>& s, const tensor<T, cpu>& ts,
                                   const tensor<T, cpu>& d, const tensor<T, cpu>& td, const tensor<T, cpu>& dd,
                                   const tensor<T, cpu>& tdd, tensor<T, cpu>& tds, tensor<T, cpu>& tdw) {
  const auto& ws = w.shape();
  const std::size_t n = s.shape().n, o = ws.n, in = ws.c;
  ACNE_CHECK(ts.size() == n * in && td.size() == n * o && dd.size() == n * o && tdd.size() == n * o &&
                 tds.size() == n * in && tdw.size() == w.size(),
             "demodulation_backward_tangent: weight " << ws << ", styles " << s.shape());
  const auto q = cpu_backend::filter_energy(w);
  std::vector<double> g(n * o), tg(n * o), tdq(o * in, 0.0);
  for (std::size_t i = 0; i < n * o; ++i) {
    const double di = d[i];
    g[i] = -0.5 * double(dd[i]) * di * di * di;
    tg[i] = -0.5 * (double(tdd[i]) * di * di * di + 3 * double(dd[i]) * di * di * double(td[i]));
  }
  for (std::size_t b = 0; b < n; ++b)
    for (std::size_t i = 0; i < in; ++i) {
      const double si = s[b * in + i], ti = ts[b * in + i];
      double acc = 0, tacc = 0;
      for (std::size_t c = 0; c < o; ++c) {
        acc += g[b * o + c] * q[c * in + i];
        tacc += tg[b * o + c] * q[c * in + i];
        tdq[c * in + i] += tg[b * o + c] * si * si + 2 * g[b * o + c] * si * ti;
      }
      tds[b * in + i] += T(2 * ti * acc + 2 * si * tacc);
    }
  const std::size_t p = ws.plane();
  for (std::size_t oi = 0; oi < o * in; ++oi)
    for (std::size_t j = 0; j < p; ++j) tdw[oi * p + j] += T(2 * tdq[oi] * w[oi * p + j]);
}

}  // namespace acne
