// upfirdn2d on CUDA, following the CPU loop of backend/cpu/upfirdn2d.hpp.
#include "acne/backend/cuda/elementwise.hpp"
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

}  // namespace acne
