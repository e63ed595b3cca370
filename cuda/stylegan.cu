// StyleGAN2's ops on CUDA: upfirdn2d, modulation, noise, normalize_2nd_moment and minibatch
// stddev, each following its CPU loop in backend/cpu/ (double accumulators included).
#include <cmath>

#include "acne/backend/cpu/minibatch_stddev.hpp"
#include "acne/backend/cuda/elementwise.hpp"
#include "acne/backend/cuda/minibatch_stddev.hpp"
#include "acne/backend/cuda/modulation.hpp"
#include "acne/backend/cuda/noise.hpp"
#include "acne/backend/cuda/normalize.hpp"
#include "acne/backend/cuda/upfirdn2d.hpp"
#include "kernels.cuh"

namespace acne {

using namespace cuda_backend;

namespace {

// upfirdn_params flattened for a kernel; taps[a * fw + b] is p.tap(a, b) rounded to float, the
// value the CPU multiplies by.
struct upfirdn_kernel_params {
  long up, down, pad_x0, pad_y0, fh, fw, ih, iw, oh, ow;
  float gain;
  float taps[fir_filter::max_taps * fir_filter::max_taps];
};

upfirdn_kernel_params flatten(const upfirdn_params& p, const shape4& in) {
  upfirdn_kernel_params k{long(p.up), long(p.down), long(p.pad_x0), long(p.pad_y0), long(p.filter.h),
                          long(p.filter.w), long(in.h), long(in.w), long(p.out_h(in.h)), long(p.out_w(in.w)),
                          float(p.gain), {}};
  for (std::size_t a = 0; a < p.filter.h; ++a)
    for (std::size_t b = 0; b < p.filter.w; ++b) k.taps[a * p.filter.w + b] = float(p.tap(a, b));
  return k;
}

}  // namespace

void upfirdn2d_forward(const tensor<float, cuda>& x, tensor<float, cuda>& y, const upfirdn_params& p) {
  const shape4& s = x.shape();
  check_shape("upfirdn2d_forward", shape4{s.n, s.c, p.out_h(s.h), p.out_w(s.w)}, y.shape());
  const upfirdn_kernel_params k = flatten(p, s);
  const float* in = x.data();
  float* out = y.data();
  for_each_index(y.size(), [=] __device__(std::size_t i) {
    const long o = long(i % std::size_t(k.oh * k.ow)), oy = o / k.ow, ox = o % k.ow;
    const float* plane = in + (i / std::size_t(k.oh * k.ow)) * std::size_t(k.ih * k.iw);
    float acc = 0.0f;
    for (long a = 0; a < k.fh; ++a) {
      const long uy = oy * k.down + a - k.pad_y0;  // row in the upsampled, padded input
      if (uy < 0 || uy >= k.ih * k.up || uy % k.up) continue;
      for (long b = 0; b < k.fw; ++b) {
        const long ux = ox * k.down + b - k.pad_x0;
        if (ux < 0 || ux >= k.iw * k.up || ux % k.up) continue;
        acc += k.taps[a * k.fw + b] * plane[(uy / k.up) * k.iw + ux / k.up];
      }
    }
    out[i] = acc * k.gain;
  });
}

void upfirdn2d_backward(const tensor<float, cuda>& dy, tensor<float, cuda>& dx, const upfirdn_params& p) {
  const shape4& s = dx.shape();
  check_shape("upfirdn2d_backward", shape4{s.n, s.c, p.out_h(s.h), p.out_w(s.w)}, dy.shape());
  const upfirdn_kernel_params k = flatten(p, s);
  const float* grad_out = dy.data();
  float* grad_in = dx.data();
  // Input (sy, sx) is read by output (oy, ox) through tap (a, b) when oy*down + a - pad_y0 = sy*up
  // (and likewise for x): solve for oy per tap.
  for_each_index(dx.size(), [=] __device__(std::size_t i) {
    const long r = long(i % std::size_t(k.ih * k.iw)), sy = r / k.iw, sx = r % k.iw;
    const float* plane = grad_out + (i / std::size_t(k.ih * k.iw)) * std::size_t(k.oh * k.ow);
    float acc = 0.0f;
    for (long a = 0; a < k.fh; ++a) {
      const long ny = sy * k.up + k.pad_y0 - a;
      if (ny < 0 || ny % k.down || ny / k.down >= k.oh) continue;
      for (long b = 0; b < k.fw; ++b) {
        const long nx = sx * k.up + k.pad_x0 - b;
        if (nx < 0 || nx % k.down || nx / k.down >= k.ow) continue;
        acc += k.taps[a * k.fw + b] * plane[(ny / k.down) * k.ow + nx / k.down];
      }
    }
    grad_in[i] = acc * k.gain;
  });
}

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

void fill_normal(tensor<float, cuda>& t, std::uint64_t seed, float stddev) {
  float* p = t.data();
  for_each_index(t.size(),
                 [=] __device__(std::size_t i) { p[i] = float(cuda_backend::hash_normal(seed, i)) * stddev; });
}

void add_noise(tensor<float, cuda>& y, const tensor<float, cuda>& noise, const tensor<float, cuda>& strength) {
  const shape4& s = y.shape();
  const shape4& ns = noise.shape();
  ACNE_CHECK(ns.c == 1 && ns.h == s.h && ns.w == s.w && (ns.n == s.n || ns.n == 1) && strength.size() == 1,
             "add_noise: noise " << ns << " for activations " << s);
  const float *z = noise.data(), *k = strength.data();
  float* out = y.data();
  const std::size_t plane = s.plane(), channels = s.c;
  const bool shared = ns.n == 1;
  for_each_index(y.size(), [=] __device__(std::size_t i) {
    const std::size_t sample = shared ? 0 : i / (channels * plane);
    out[i] += k[0] * z[sample * plane + i % plane];
  });
}

void noise_strength_grad(const tensor<float, cuda>& dy, const tensor<float, cuda>& noise,
                         tensor<float, cuda>& dstrength) {
  const shape4& s = dy.shape();
  const shape4& ns = noise.shape();
  ACNE_CHECK(ns.c == 1 && ns.h == s.h && ns.w == s.w && (ns.n == s.n || ns.n == 1) && dstrength.size() == 1,
             "noise_strength_grad: noise " << ns << " for gradients " << s);
  const float *g = dy.data(), *z = noise.data();
  const std::size_t plane = s.plane(), channels = s.c;
  const bool shared = ns.n == 1;
  const double acc = device_sum(dy.size(), [=] __device__(std::size_t i) {
    const std::size_t sample = shared ? 0 : i / (channels * plane);
    return double(g[i]) * double(z[sample * plane + i % plane]);
  });
  float* out = dstrength.data();
  for_each_index(1, [=] __device__(std::size_t) { out[0] += float(acc); });
}

void normalize_2nd_moment_forward(const tensor<float, cuda>& x, tensor<float, cuda>& y, tensor<float, cuda>& r,
                                  double eps) {
  const std::size_t n = x.shape().n, m = x.shape().sample_size();
  ACNE_CHECK(y.size() == x.size() && r.size() == n, "normalize_2nd_moment: " << x.shape() << " into " << y.shape());
  const float* in = x.data();
  float *out = y.data(), *inv = r.data();
  for_each_block(n, [=] __device__(std::size_t b) {
    const float* a = in + b * m;
    double acc = 0;
    for (std::size_t i = threadIdx.x; i < m; i += blockDim.x) acc += double(a[i]) * double(a[i]);
    const double k = 1.0 / sqrt(block_sum(acc) / double(m) + eps);
    if (threadIdx.x == 0) inv[b] = float(k);
    for (std::size_t i = threadIdx.x; i < m; i += blockDim.x) out[b * m + i] = float(a[i] * k);
  });
}

void normalize_2nd_moment_backward(const tensor<float, cuda>& x, const tensor<float, cuda>& r,
                                   const tensor<float, cuda>& dy, tensor<float, cuda>& dx) {
  const std::size_t n = x.shape().n, m = x.shape().sample_size();
  ACNE_CHECK(dy.size() == x.size() && dx.size() == x.size() && r.size() == n,
             "normalize_2nd_moment_backward: " << x.shape() << ", " << dy.shape() << ", " << dx.shape());
  const float *in = x.data(), *inv = r.data(), *grad = dy.data();
  float* out = dx.data();
  for_each_block(n, [=] __device__(std::size_t b) {
    const float *a = in + b * m, *g = grad + b * m;
    double xg = 0;
    for (std::size_t i = threadIdx.x; i < m; i += blockDim.x) xg += double(a[i]) * double(g[i]);
    const double k = inv[b], c = k * k * k * block_sum(xg) / double(m);
    for (std::size_t i = threadIdx.x; i < m; i += blockDim.x) out[b * m + i] = float(k * g[i] - c * a[i]);
  });
}

void minibatch_stddev_forward(const tensor<float, cuda>& x, tensor<float, cuda>& y, std::size_t group_size,
                              std::size_t features) {
  const shape4& s = x.shape();
  const cpu_backend::mbstd_geometry geo(s, group_size, features);
  check_shape("minibatch_stddev_forward", shape4{s.n, s.c + features, s.h, s.w}, y.shape());
  copy_channels(x, y, 0);
  const float* in = x.data();
  float* out = y.data();
  const std::size_t groups = geo.groups, members = geo.members, per_feature = geo.per_feature;
  const std::size_t sample = s.sample_size(), channels = s.c, plane = s.plane();
  const double eps = cpu_backend::mbstd_eps;
  // Block (m, f): the statistic over elements e of feature f, then its broadcast to the group.
  for_each_block(members * features, [=] __device__(std::size_t mf) {
    const std::size_t m = mf / features, f = mf % features;
    double stat = 0;
    for (std::size_t e = threadIdx.x; e < per_feature; e += blockDim.x) {
      double mean = 0, var = 0;
      for (std::size_t g = 0; g < groups; ++g) mean += in[(g * members + m) * sample + f * per_feature + e];
      mean /= double(groups);
      for (std::size_t g = 0; g < groups; ++g) {
        const double d = in[(g * members + m) * sample + f * per_feature + e] - mean;
        var += d * d;
      }
      stat += sqrt(var / double(groups) + eps);
    }
    const float value = float(block_sum(stat) / double(per_feature));
    for (std::size_t j = threadIdx.x; j < groups * plane; j += blockDim.x) {
      const std::size_t g = j / plane;
      out[((g * members + m) * (channels + features) + channels + f) * plane + j % plane] = value;
    }
  });
}

void minibatch_stddev_backward(const tensor<float, cuda>& x, const tensor<float, cuda>& dy, tensor<float, cuda>& dx,
                               std::size_t group_size, std::size_t features) {
  const shape4& s = x.shape();
  const cpu_backend::mbstd_geometry geo(s, group_size, features);
  check_shape("minibatch_stddev_backward", shape4{s.n, s.c + features, s.h, s.w}, dy.shape());
  check_shape("minibatch_stddev_backward", s, dx.shape());
  slice_channels(dy, dx, 0);
  const float *in = x.data(), *grad = dy.data();
  float* out = dx.data();
  const std::size_t groups = geo.groups, members = geo.members, per_feature = geo.per_feature;
  const std::size_t sample = s.sample_size(), channels = s.c, plane = s.plane();
  const double eps = cpu_backend::mbstd_eps;
  // Block (m, f) owns the elements of feature f of group member m in every group: no races.
  for_each_block(members * features, [=] __device__(std::size_t mf) {
    const std::size_t m = mf / features, f = mf % features;
    double dstat = 0;  // the statistic is broadcast to every pixel of every group member
    for (std::size_t j = threadIdx.x; j < groups * plane; j += blockDim.x) {
      const std::size_t g = j / plane;
      dstat += grad[((g * members + m) * (channels + features) + channels + f) * plane + j % plane];
    }
    const double k = block_sum(dstat) / double(per_feature), G = double(groups);
    for (std::size_t e = threadIdx.x; e < per_feature; e += blockDim.x) {
      double mean = 0, var = 0;
      for (std::size_t g = 0; g < groups; ++g) mean += in[(g * members + m) * sample + f * per_feature + e];
      mean /= G;
      for (std::size_t g = 0; g < groups; ++g) {
        const double d = in[(g * members + m) * sample + f * per_feature + e] - mean;
        var += d * d;
      }
      const double sd = sqrt(var / G + eps);
      for (std::size_t g = 0; g < groups; ++g) {
        const std::size_t i = (g * members + m) * sample + f * per_feature + e;
        out[i] += float(k * (in[i] - mean) / (G * sd));
      }
    }
  });
}

namespace {
// The group's mean and standard deviation at one element, with their derivatives along tin
// (cpu_backend::moments_along on the device); `at` is the element's offset in group member 0 and
// `stride` the distance between group members.
struct device_moments {
  double mean, tmean, sd, tsd;
};
__device__ inline device_moments moments_along(const float* in, const float* tin, std::size_t at, std::size_t stride,
                                               std::size_t groups, double eps) {
  const double G = double(groups);
  double mean = 0, tmean = 0;
  for (std::size_t g = 0; g < groups; ++g) mean += in[at + g * stride], tmean += tin[at + g * stride];
  mean /= G, tmean /= G;
  double var = 0, tvar = 0;
  for (std::size_t g = 0; g < groups; ++g) {
    const double d = in[at + g * stride] - mean;
    var += d * d;
    tvar += 2 * d * (tin[at + g * stride] - tmean);
  }
  const double sd = sqrt(var / G + eps);
  return {mean, tmean, sd, tvar / G / (2 * sd)};
}
}  // namespace

void minibatch_stddev_tangent(const tensor<float, cuda>& x, const tensor<float, cuda>& tx, tensor<float, cuda>& ty,
                              std::size_t group_size, std::size_t features) {
  const shape4& s = x.shape();
  const cpu_backend::mbstd_geometry geo(s, group_size, features);
  check_shape("minibatch_stddev_tangent", s, tx.shape());
  check_shape("minibatch_stddev_tangent", shape4{s.n, s.c + features, s.h, s.w}, ty.shape());
  copy_channels(tx, ty, 0);
  const float *in = x.data(), *tin = tx.data();
  float* out = ty.data();
  const std::size_t groups = geo.groups, members = geo.members, per_feature = geo.per_feature;
  const std::size_t sample = s.sample_size(), channels = s.c, plane = s.plane();
  const double eps = cpu_backend::mbstd_eps;
  for_each_block(members * features, [=] __device__(std::size_t mf) {
    const std::size_t m = mf / features, f = mf % features;
    double stat = 0;
    for (std::size_t e = threadIdx.x; e < per_feature; e += blockDim.x)
      stat += moments_along(in, tin, m * sample + f * per_feature + e, members * sample, groups, eps).tsd;
    const float value = float(block_sum(stat) / double(per_feature));
    for (std::size_t j = threadIdx.x; j < groups * plane; j += blockDim.x) {
      const std::size_t g = j / plane;
      out[((g * members + m) * (channels + features) + channels + f) * plane + j % plane] = value;
    }
  });
}

void minibatch_stddev_backward_tangent(const tensor<float, cuda>& x, const tensor<float, cuda>& tx,
                                       const tensor<float, cuda>& dy, const tensor<float, cuda>& tdy,
                                       tensor<float, cuda>& tdx, std::size_t group_size, std::size_t features) {
  const shape4& s = x.shape();
  const cpu_backend::mbstd_geometry geo(s, group_size, features);
  const shape4 outs{s.n, s.c + features, s.h, s.w};
  check_shape("minibatch_stddev_backward_tangent", outs, dy.shape());
  check_shape("minibatch_stddev_backward_tangent", outs, tdy.shape());
  check_shape("minibatch_stddev_backward_tangent", s, tx.shape());
  check_shape("minibatch_stddev_backward_tangent", s, tdx.shape());
  slice_channels(tdy, tdx, 0);
  const float *in = x.data(), *tin = tx.data(), *grad = dy.data(), *tgrad = tdy.data();
  float* out = tdx.data();
  const std::size_t groups = geo.groups, members = geo.members, per_feature = geo.per_feature;
  const std::size_t sample = s.sample_size(), channels = s.c, plane = s.plane();
  const double eps = cpu_backend::mbstd_eps, G = double(groups);
  for_each_block(members * features, [=] __device__(std::size_t mf) {
    const std::size_t m = mf / features, f = mf % features;
    double dstat = 0, tdstat = 0;
    for (std::size_t j = threadIdx.x; j < groups * plane; j += blockDim.x) {
      const std::size_t g = j / plane, o = ((g * members + m) * (channels + features) + channels + f) * plane + j % plane;
      dstat += grad[o], tdstat += tgrad[o];
    }
    const double k = block_sum(dstat) / double(per_feature);
    const double tk = block_sum(tdstat) / double(per_feature);
    for (std::size_t e = threadIdx.x; e < per_feature; e += blockDim.x) {
      const device_moments mo = moments_along(in, tin, m * sample + f * per_feature + e, members * sample, groups, eps);
      const double mean = mo.mean, tmean = mo.tmean, sd = mo.sd, tsd = mo.tsd;
      for (std::size_t g = 0; g < groups; ++g) {
        const std::size_t i = (g * members + m) * sample + f * per_feature + e;
        const double d = in[i] - mean, td = tin[i] - tmean;
        out[i] += float((tk * d + k * td) / (G * sd) - k * d * tsd / (G * sd * sd));
      }
    }
  });
}

}  // namespace acne
