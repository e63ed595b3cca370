#pragma once
// Per-channel batch normalisation on CPU (statistics over N, H, W; biased variance as Keras uses
// for normalising, unbiased for the running variance as Keras/TF do).
#include <cmath>

#include "acne/backend/cpu/parallel.hpp"
#include "acne/tensor/tensor.hpp"

namespace acne {

// Training mode: normalises with batch statistics, saves mean and 1/sqrt(var + eps) for backward,
// and updates the running statistics: running = momentum * running + (1 - momentum) * batch.
template <class T>
void batch_norm_forward_train(const tensor<T, cpu>& x, const tensor<T, cpu>& gamma, const tensor<T, cpu>& beta,
                              tensor<T, cpu>& y, tensor<T, cpu>& mean, tensor<T, cpu>& invstd,
                              tensor<T, cpu>& running_mean, tensor<T, cpu>& running_var, double momentum,
                              double eps) {
  const auto& s = x.shape();
  const std::size_t p = s.plane(), count = s.n * p;
#pragma omp parallel for schedule(static) if(x.size() > cpu_backend::parallel_threshold)
  for (long c = 0; c < static_cast<long>(s.c); ++c) {
    double m = 0, v = 0;
    for (std::size_t n = 0; n < s.n; ++n) {
      const T* row = x.data() + (n * s.c + c) * p;
      for (std::size_t i = 0; i < p; ++i) m += row[i];
    }
    m /= count;
    for (std::size_t n = 0; n < s.n; ++n) {
      const T* row = x.data() + (n * s.c + c) * p;
      for (std::size_t i = 0; i < p; ++i) v += (row[i] - m) * (row[i] - m);
    }
    const double var = v / count;
    const double inv = 1.0 / std::sqrt(var + eps);
    mean[c] = T(m);
    invstd[c] = T(inv);
    const double unbiased = count > 1 ? v / (count - 1) : var;
    running_mean[c] = T(momentum * running_mean[c] + (1 - momentum) * m);
    running_var[c] = T(momentum * running_var[c] + (1 - momentum) * unbiased);
    const T g = gamma[c] * T(inv), b = beta[c] - T(m) * g;
    for (std::size_t n = 0; n < s.n; ++n) {
      const T* in = x.data() + (n * s.c + c) * p;
      T* out = y.data() + (n * s.c + c) * p;
      for (std::size_t i = 0; i < p; ++i) out[i] = in[i] * g + b;
    }
  }
}

template <class T>
void batch_norm_forward_inference(const tensor<T, cpu>& x, const tensor<T, cpu>& gamma, const tensor<T, cpu>& beta,
                                  tensor<T, cpu>& y, const tensor<T, cpu>& running_mean,
                                  const tensor<T, cpu>& running_var, double eps) {
  const auto& s = x.shape();
  const std::size_t p = s.plane();
#pragma omp parallel for schedule(static) if(x.size() > cpu_backend::parallel_threshold)
  for (long nc = 0; nc < static_cast<long>(s.n * s.c); ++nc) {
    const std::size_t c = nc % s.c;
    const T g = gamma[c] / T(std::sqrt(double(running_var[c]) + eps)), b = beta[c] - running_mean[c] * g;
    const T* in = x.data() + nc * p;
    T* out = y.data() + nc * p;
    for (std::size_t i = 0; i < p; ++i) out[i] = in[i] * g + b;
  }
}

// Backward of the training-mode forward: dx overwritten, dgamma/dbeta accumulated.
template <class T>
void batch_norm_backward(const tensor<T, cpu>& x, const tensor<T, cpu>& dy, const tensor<T, cpu>& gamma,
                         const tensor<T, cpu>& mean, const tensor<T, cpu>& invstd, tensor<T, cpu>& dx,
                         tensor<T, cpu>& dgamma, tensor<T, cpu>& dbeta) {
  const auto& s = x.shape();
  const std::size_t p = s.plane(), count = s.n * p;
#pragma omp parallel for schedule(static) if(x.size() > cpu_backend::parallel_threshold)
  for (long c = 0; c < static_cast<long>(s.c); ++c) {
    double sum_dy = 0, sum_dy_xhat = 0;
    const double m = mean[c], inv = invstd[c];
    for (std::size_t n = 0; n < s.n; ++n) {
      const T* in = x.data() + (n * s.c + c) * p;
      const T* g = dy.data() + (n * s.c + c) * p;
      for (std::size_t i = 0; i < p; ++i) {
        sum_dy += g[i];
        sum_dy_xhat += g[i] * (in[i] - m) * inv;
      }
    }
    dgamma[c] += T(sum_dy_xhat);
    dbeta[c] += T(sum_dy);
    const double k = gamma[c] * inv / count;
    for (std::size_t n = 0; n < s.n; ++n) {
      const T* in = x.data() + (n * s.c + c) * p;
      const T* g = dy.data() + (n * s.c + c) * p;
      T* out = dx.data() + (n * s.c + c) * p;
      for (std::size_t i = 0; i < p; ++i)
        out[i] = T(k * (count * g[i] - sum_dy - (in[i] - m) * inv * sum_dy_xhat));
    }
  }
}

}  // namespace acne
