// Weight (de)modulation of StyleGAN2 on CUDA, following backend/cpu/modulation.hpp (double
// accumulators included).
#include <cmath>

#include "acne/backend/cuda/elementwise.hpp"
#include "acne/backend/cuda/modulation.hpp"
#include "kernels.cuh"

namespace acne {

using namespace cuda_backend;

void scale_planes(const tensor<float, cuda>& x, const tensor<float, cuda>& s, tensor<float, cuda>& y) {
  const shape4& xs = x.shape();
  ACNE_CHECK(s.size() == xs.n * xs.c && y.size() == x.size(),
             "scale_planes: scales " << s.shape() << " for input " << xs << " into " << y.shape());
  const float *in = x.data(), *k = s.data();
  float* out = y.data();  // may be x: each element is read, then written, by one thread
  const std::size_t plane = xs.plane();
  for_each_index(x.size(), [=] __device__(std::size_t i) { out[i] = in[i] * k[i / plane]; });
}

void plane_dot(const tensor<float, cuda>& x, const tensor<float, cuda>& dy, tensor<float, cuda>& ds, float beta) {
  const shape4& xs = x.shape();
  ACNE_CHECK(dy.size() == x.size() && ds.size() == xs.n * xs.c,
             "plane_dot: " << xs << " with " << dy.shape() << " into " << ds.shape());
  const float *a = x.data(), *b = dy.data();
  float* out = ds.data();
  const std::size_t plane = xs.plane();
  for_each_block(xs.n * xs.c, [=] __device__(std::size_t nc) {
    double acc = 0;
    for (std::size_t i = threadIdx.x; i < plane; i += blockDim.x)
      acc += double(a[nc * plane + i]) * double(b[nc * plane + i]);
    acc = block_sum(acc);
    if (threadIdx.x == 0) out[nc] = float(acc) + (beta == 0.0f ? 0.0f : beta * out[nc]);
  });
}

namespace {
// q[o,i] = sum over the window of w[o,i,:,:]^2, in double.
device_buffer<double> filter_energy(const tensor<float, cuda>& w) {
  const shape4& ws = w.shape();
  device_buffer<double> q(ws.n * ws.c);
  const float* k = w.data();
  double* out = q.get();
  const std::size_t plane = ws.plane();
  for_each_index(q.size(), [=] __device__(std::size_t oi) {
    double acc = 0;
    for (std::size_t j = 0; j < plane; ++j) acc += double(k[oi * plane + j]) * double(k[oi * plane + j]);
    out[oi] = acc;
  });
  return q;
}
}  // namespace

void demodulation_forward(const tensor<float, cuda>& w, const tensor<float, cuda>& s, tensor<float, cuda>& d,
                          double eps) {
  const shape4& ws = w.shape();
  const std::size_t n = s.shape().n, o = ws.n, in = ws.c;
  ACNE_CHECK(s.size() == n * in && d.size() == n * o,
             "demodulation_forward: weight " << ws << ", styles " << s.shape() << ", coefficients " << d.shape());
  const device_buffer<double> q = filter_energy(w);
  const double* energy = q.get();
  const float* styles = s.data();
  float* out = d.data();
  for_each_index(n * o, [=] __device__(std::size_t bc) {
    const std::size_t b = bc / o, c = bc % o;
    double acc = eps;
    for (std::size_t i = 0; i < in; ++i)
      acc += double(styles[b * in + i]) * double(styles[b * in + i]) * energy[c * in + i];
    out[bc] = float(1.0 / sqrt(acc));
  });
}

void demodulation_backward(const tensor<float, cuda>& w, const tensor<float, cuda>& s, const tensor<float, cuda>& d,
                           const tensor<float, cuda>& dd, tensor<float, cuda>& ds, tensor<float, cuda>& dw) {
  const shape4& ws = w.shape();
  const std::size_t n = s.shape().n, o = ws.n, in = ws.c, plane = ws.plane();
  ACNE_CHECK(dd.size() == n * o && ds.size() == n * in && dw.size() == w.size(),
             "demodulation_backward: weight " << ws << ", styles " << s.shape());
  const device_buffer<double> q = filter_energy(w);
  // d = S^(-1/2) with S = sum_i s^2 q, so dL/dS = -dd * d^3 / 2.
  device_buffer<double> g(n * o), dq(o * in);
  const double* energy = q.get();
  double *dl_ds = g.get(), *dl_dq = dq.get();
  const float *styles = s.data(), *coef = d.data(), *dcoef = dd.data(), *weight = w.data();
  float *dstyles = ds.data(), *dweight = dw.data();
  for_each_index(n * o, [=] __device__(std::size_t j) {
    dl_ds[j] = -0.5 * double(dcoef[j]) * pow(double(coef[j]), 3.0);
  });
  for_each_index(n * in, [=] __device__(std::size_t bi) {
    const std::size_t b = bi / in, i = bi % in;
    const double si = styles[bi];
    double acc = 0;
    for (std::size_t c = 0; c < o; ++c) acc += dl_ds[b * o + c] * energy[c * in + i];
    dstyles[bi] += float(2 * si * acc);
  });
  for_each_index(o * in, [=] __device__(std::size_t ci) {
    const std::size_t c = ci / in, i = ci % in;
    double acc = 0;
    for (std::size_t b = 0; b < n; ++b) {
      const double si = styles[b * in + i];
      acc += dl_ds[b * o + c] * si * si;
    }
    dl_dq[ci] = acc;
  });
  for_each_index(w.size(), [=] __device__(std::size_t j) { dweight[j] += float(2 * dl_dq[j / plane] * weight[j]); });
}

void demodulation_tangent(const tensor<float, cuda>& w, const tensor<float, cuda>& s, const tensor<float, cuda>& ts,
                          const tensor<float, cuda>& d, tensor<float, cuda>& td) {
  const shape4& ws = w.shape();
  const std::size_t n = s.shape().n, o = ws.n, in = ws.c;
  ACNE_CHECK(s.size() == n * in && ts.size() == s.size() && d.size() == n * o && td.size() == d.size(),
             "demodulation_tangent: weight " << ws << ", styles " << s.shape() << ", coefficients " << d.shape());
  const device_buffer<double> q = filter_energy(w);
  const double* energy = q.get();
  const float *styles = s.data(), *tstyles = ts.data(), *coef = d.data();
  float* out = td.data();
  for_each_index(n * o, [=] __device__(std::size_t bc) {
    const std::size_t b = bc / o, c = bc % o;
    double acc = 0;
    for (std::size_t i = 0; i < in; ++i) acc += double(styles[b * in + i]) * double(tstyles[b * in + i]) * energy[c * in + i];
    const double k = coef[bc];
    out[bc] = float(-k * k * k * acc);
  });
}

void demodulation_backward_tangent(const tensor<float, cuda>& w, const tensor<float, cuda>& s,
                                   const tensor<float, cuda>& ts, const tensor<float, cuda>& d,
                                   const tensor<float, cuda>& td, const tensor<float, cuda>& dd,
                                   const tensor<float, cuda>& tdd, tensor<float, cuda>& tds, tensor<float, cuda>& tdw) {
  const shape4& ws = w.shape();
  const std::size_t n = s.shape().n, o = ws.n, in = ws.c, plane = ws.plane();
  ACNE_CHECK(ts.size() == n * in && td.size() == n * o && dd.size() == n * o && tdd.size() == n * o &&
                 tds.size() == n * in && tdw.size() == w.size(),
             "demodulation_backward_tangent: weight " << ws << ", styles " << s.shape());
  const device_buffer<double> q = filter_energy(w);
  device_buffer<double> g(n * o), tg(n * o), tdq(o * in);
  const double* energy = q.get();
  double *gs = g.get(), *tgs = tg.get(), *tdqs = tdq.get();
  const float *styles = s.data(), *tstyles = ts.data(), *coef = d.data(), *tcoef = td.data(), *dcoef = dd.data(),
              *tdcoef = tdd.data(), *weight = w.data();
  float *tdstyles = tds.data(), *tdweight = tdw.data();
  for_each_index(n * o, [=] __device__(std::size_t j) {
    const double k = coef[j];
    gs[j] = -0.5 * double(dcoef[j]) * k * k * k;
    tgs[j] = -0.5 * (double(tdcoef[j]) * k * k * k + 3 * double(dcoef[j]) * k * k * double(tcoef[j]));
  });
  for_each_index(n * in, [=] __device__(std::size_t bi) {
    const std::size_t b = bi / in, i = bi % in;
    double acc = 0, tacc = 0;
    for (std::size_t c = 0; c < o; ++c) {
      acc += gs[b * o + c] * energy[c * in + i];
      tacc += tgs[b * o + c] * energy[c * in + i];
    }
    tdstyles[bi] += float(2 * double(tstyles[bi]) * acc + 2 * double(styles[bi]) * tacc);
  });
  for_each_index(o * in, [=] __device__(std::size_t ci) {
    const std::size_t c = ci / in, i = ci % in;
    double acc = 0;
    for (std::size_t b = 0; b < n; ++b) {
      const double si = styles[b * in + i], ti = tstyles[b * in + i];
      acc += tgs[b * o + c] * si * si + 2 * gs[b * o + c] * si * ti;
    }
    tdqs[ci] = acc;
  });
  for_each_index(w.size(), [=] __device__(std::size_t j) { tdweight[j] += float(2 * tdqs[j / plane] * weight[j]); });
}

void transpose_filters(const tensor<float, cuda>& w, tensor<float, cuda>& wt) {
  const shape4& s = w.shape();
  check_shape("transpose_filters", shape4{s.c, s.n, s.h, s.w}, wt.shape());
  const float* in = w.data();
  float* out = wt.data();
  const std::size_t outs = s.n, ins = s.c, plane = s.plane();
  for_each_index(w.size(), [=] __device__(std::size_t j) {
    const std::size_t o = j / (ins * plane), i = j / plane % ins, k = j % plane;
    out[(i * outs + o) * plane + k] = in[j];
  });
}

}  // namespace acne
