// normalize_2nd_moment on CUDA, following backend/cpu/normalize.hpp.
#include <cmath>

#include "acne/backend/cuda/elementwise.hpp"
#include "acne/backend/cuda/normalize.hpp"
#include "kernels.cuh"

namespace acne {

using namespace cuda_backend;

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

}  // namespace acne
