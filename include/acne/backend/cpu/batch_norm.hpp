#pragma once
// Per-channel batch normalisation on CPU (statistics over N, H, W; biased variance as Keras uses
// for normalising, unbiased for the running variance as Keras/TF do).
#include <cmath>

#include "acne/backend/cpu/parallel.hpp"
#include "acne/backend/cpu/simd.hpp"
#include "acne/tensor/tensor.hpp"

namespace acne {

namespace cpu_backend {
// The per-row pieces of the loops below, cloned per instruction set (cpu/simd.hpp); the
// statistics stay in double.
template <class T>
ACNE_CPU_CLONES double centered_square_sum(const T* x, std::size_t n, double m) {
  double v = 0;
#pragma omp simd reduction(+ : v)
  for (std::size_t i = 0; i < n; ++i) v += (x[i] - m) * (x[i] - m);
  return v;
}
template <class T>
ACNE_CPU_CLONES void affine_row(const T* x, T* y, std::size_t n, T g, T b) {
#pragma omp simd
  for (std::size_t i = 0; i < n; ++i) y[i] = x[i] * g + b;
}
// Adds sum(dy) and sum(dy * (x - m) * inv) over the row.
template <class T>
ACNE_CPU_CLONES void batch_norm_grad_sums(const T* x, const T* dy, std::size_t n, double m, double inv,
                                          double& sum_dy, double& sum_dy_xhat) {
  double a = 0, b = 0;
#pragma omp simd reduction(+ : a, b)
  for (std::size_t i = 0; i < n; ++i) {
    a += dy[i];
    b += dy[i] * (x[i] - m) * inv;
  }
  sum_dy += a, sum_dy_xhat += b;
}
template <class T>
ACNE_CPU_CLONES void batch_norm_grad_row(const T* x, const T* dy, T* dx, std::size_t n, double k, double count,
                                         double sum_dy, double m, double inv, double sum_dy_xhat) {
#pragma omp simd
  for (std::size_t i = 0; i < n; ++i) dx[i] = T(k * (count * dy[i] - sum_dy - (x[i] - m) * inv * sum_dy_xhat));
}
}  // namespace cpu_backend

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
    for (std::size_t n = 0; n < s.n; ++n) m += cpu_backend::sum_row(x.data() + (n * s.c + c) * p, p);
    m /= count;
    for (std::size_t n = 0; n < s.n; ++n) v += cpu_backend::centered_square_sum(x.data() + (n * s.c + c) * p, p, m);
    const double var = v / count;
    const double inv = 1.0 / std::sqrt(var + eps);
    mean[c] = T(m);
    invstd[c] = T(inv);
    const double unbiased = count > 1 ? v / (count - 1) : var;
    running_mean[c] = T(momentum * running_mean[c] + (1 - momentum) * m);
    running_var[c] = T(momentum * running_var[c] + (1 - momentum) * unbiased);
    const T g = gamma[c] * T(inv), b = beta[c] - T(m) * g;
    for (std::size_t n = 0; n < s.n; ++n)
      cpu_backend::affine_row(x.data() + (n * s.c + c) * p, y.data() + (n * s.c + c) * p, p, g, b);
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
    cpu_backend::affine_row(x.data() + nc * p, y.data() + nc * p, p, g, b);
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
      const std::size_t row = (n * s.c + c) * p;
      cpu_backend::batch_norm_grad_sums(x.data() + row, dy.data() + row, p, m, inv, sum_dy, sum_dy_xhat);
    }
    dgamma[c] += T(sum_dy_xhat);
    dbeta[c] += T(sum_dy);
    const double k = gamma[c] * inv / count;
    for (std::size_t n = 0; n < s.n; ++n) {
      const std::size_t row = (n * s.c + c) * p;
      cpu_backend::batch_norm_grad_row(x.data() + row, dy.data() + row, dx.data() + row, p, k, double(count), sum_dy,
                                       m, inv, sum_dy_xhat);
    }
  }
}

}  // namespace acne
