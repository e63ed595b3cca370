// Batch normalisation on CUDA (backend/cuda/batch_norm.hpp), following the CPU loops one to one:
// one block per channel, reducing in double.
#include <cmath>

#include "acne/backend/cuda/batch_norm.hpp"
#include "kernels.cuh"

namespace acne {

using namespace cuda_backend;

namespace {

// Index of channel c's j-th value (j over N * plane) in an NCHW tensor.
__device__ inline std::size_t channel_index(std::size_t j, std::size_t c, std::size_t channels, std::size_t plane) {
  return ((j / plane) * channels + c) * plane + j % plane;
}

__global__ void batch_norm_train_kernel(const float* x, const float* gamma, const float* beta, float* y, float* mean,
                                        float* invstd, float* running_mean, float* running_var, std::size_t n,
                                        std::size_t channels, std::size_t plane, double momentum, double eps) {
  const std::size_t c = blockIdx.x, count = n * plane;
  double s = 0;
  for (std::size_t j = threadIdx.x; j < count; j += blockDim.x) s += x[channel_index(j, c, channels, plane)];
  const double m = block_sum(s) / double(count);
  double v = 0;
  for (std::size_t j = threadIdx.x; j < count; j += blockDim.x) {
    const double d = x[channel_index(j, c, channels, plane)] - m;
    v += d * d;
  }
  v = block_sum(v);
  const double var = v / double(count), inv = 1.0 / sqrt(var + eps);
  if (threadIdx.x == 0) {
    mean[c] = float(m);
    invstd[c] = float(inv);
    const double unbiased = count > 1 ? v / double(count - 1) : var;
    running_mean[c] = float(momentum * running_mean[c] + (1 - momentum) * m);
    running_var[c] = float(momentum * running_var[c] + (1 - momentum) * unbiased);
  }
  const float g = gamma[c] * float(inv), b = beta[c] - float(m) * g;
  for (std::size_t j = threadIdx.x; j < count; j += blockDim.x) {
    const std::size_t k = channel_index(j, c, channels, plane);
    y[k] = x[k] * g + b;
  }
}

__global__ void batch_norm_backward_kernel(const float* x, const float* dy, const float* gamma, const float* mean,
                                           const float* invstd, float* dx, float* dgamma, float* dbeta, std::size_t n,
                                           std::size_t channels, std::size_t plane) {
  const std::size_t c = blockIdx.x, count = n * plane;
  const double m = mean[c], inv = invstd[c];
  double s_dy = 0, s_dy_xhat = 0;
  for (std::size_t j = threadIdx.x; j < count; j += blockDim.x) {
    const std::size_t k = channel_index(j, c, channels, plane);
    s_dy += dy[k];
    s_dy_xhat += dy[k] * (x[k] - m) * inv;
  }
  const double sum_dy = block_sum(s_dy), sum_dy_xhat = block_sum(s_dy_xhat);
  if (threadIdx.x == 0) {
    dgamma[c] += float(sum_dy_xhat);
    dbeta[c] += float(sum_dy);
  }
  const double scale = gamma[c] * inv / double(count);
  for (std::size_t j = threadIdx.x; j < count; j += blockDim.x) {
    const std::size_t k = channel_index(j, c, channels, plane);
    dx[k] = float(scale * (double(count) * dy[k] - sum_dy - (x[k] - m) * inv * sum_dy_xhat));
  }
}

void check_channels(const char* op, const shape4& xs, std::initializer_list<const tensor<float, cuda>*> params) {
  for (const auto* p : params)
    ACNE_CHECK(p->size() == xs.c, op << ": per-channel tensor of " << p->size() << " values for input " << xs);
}

}  // namespace

void batch_norm_forward_train(const tensor<float, cuda>& x, const tensor<float, cuda>& gamma,
                              const tensor<float, cuda>& beta, tensor<float, cuda>& y, tensor<float, cuda>& mean,
                              tensor<float, cuda>& invstd, tensor<float, cuda>& running_mean,
                              tensor<float, cuda>& running_var, double momentum, double eps) {
  const shape4& s = x.shape();
  check_channels("batch_norm_forward_train", s, {&gamma, &beta, &mean, &invstd, &running_mean, &running_var});
  ACNE_CHECK(y.size() == x.size(), "batch_norm_forward_train: output " << y.shape() << " for input " << s);
  if (s.c == 0) return;
  batch_norm_train_kernel<<<unsigned(s.c), block_threads>>>(x.data(), gamma.data(), beta.data(), y.data(), mean.data(),
                                                            invstd.data(), running_mean.data(), running_var.data(), s.n,
                                                            s.c, s.plane(), momentum, eps);
  ACNE_CUDA(cudaGetLastError());
}

void batch_norm_forward_inference(const tensor<float, cuda>& x, const tensor<float, cuda>& gamma,
                                  const tensor<float, cuda>& beta, tensor<float, cuda>& y,
                                  const tensor<float, cuda>& running_mean, const tensor<float, cuda>& running_var,
                                  double eps) {
  const shape4& s = x.shape();
  check_channels("batch_norm_forward_inference", s, {&gamma, &beta, &running_mean, &running_var});
  ACNE_CHECK(y.size() == x.size(), "batch_norm_forward_inference: output " << y.shape() << " for input " << s);
  const float *in = x.data(), *gm = gamma.data(), *bt = beta.data();
  const float *rm = running_mean.data(), *rv = running_var.data();
  float* out = y.data();
  const std::size_t plane = s.plane(), channels = s.c;
  for_each_index(x.size(), [=] __device__(std::size_t i) {
    const std::size_t c = (i / plane) % channels;
    const float g = gm[c] / float(sqrt(double(rv[c]) + eps)), b = bt[c] - rm[c] * g;
    out[i] = in[i] * g + b;
  });
}

void batch_norm_backward(const tensor<float, cuda>& x, const tensor<float, cuda>& dy, const tensor<float, cuda>& gamma,
                         const tensor<float, cuda>& mean, const tensor<float, cuda>& invstd, tensor<float, cuda>& dx,
                         tensor<float, cuda>& dgamma, tensor<float, cuda>& dbeta) {
  const shape4& s = x.shape();
  check_channels("batch_norm_backward", s, {&gamma, &mean, &invstd, &dgamma, &dbeta});
  ACNE_CHECK(dy.size() == x.size() && dx.size() == x.size(),
             "batch_norm_backward: gradients " << dy.shape() << ", " << dx.shape() << " for input " << s);
  if (s.c == 0) return;
  batch_norm_backward_kernel<<<unsigned(s.c), block_threads>>>(x.data(), dy.data(), gamma.data(), mean.data(),
                                                               invstd.data(), dx.data(), dgamma.data(), dbeta.data(),
                                                               s.n, s.c, s.plane());
  ACNE_CUDA(cudaGetLastError());
}

}  // namespace acne
