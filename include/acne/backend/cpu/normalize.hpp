#pragma once
// StyleGAN2's normalize_2nd_moment: y = x / sqrt(mean(x^2) + eps) per sample, over all its features.
#include <cmath>

#include "acne/tensor/tensor.hpp"

namespace acne {

// r (one value per sample) keeps 1/sqrt(mean(x^2) + eps) for the backward pass.
template <class T>
void normalize_2nd_moment_forward(const tensor<T, cpu>& x, tensor<T, cpu>& y, tensor<T, cpu>& r, double eps) {
  const std::size_t n = x.shape().n, m = x.shape().sample_size();
  ACNE_CHECK(y.size() == x.size() && r.size() == n, "normalize_2nd_moment: " << x.shape() << " into " << y.shape());
  for (std::size_t b = 0; b < n; ++b) {
    const T* a = x.data() + b * m;
    double acc = 0;
    for (std::size_t i = 0; i < m; ++i) acc += double(a[i]) * double(a[i]);
    const double k = 1.0 / std::sqrt(acc / double(m) + eps);
    r[b] = T(k);
    for (std::size_t i = 0; i < m; ++i) y[b * m + i] = T(a[i] * k);
  }
}

// dx = r dy - r^3 / m * x * sum(x dy), per sample.
template <class T>
void normalize_2nd_moment_backward(const tensor<T, cpu>& x, const tensor<T, cpu>& r, const tensor<T, cpu>& dy,
                                   tensor<T, cpu>& dx) {
  const std::size_t n = x.shape().n, m = x.shape().sample_size();
  ACNE_CHECK(dy.size() == x.size() && dx.size() == x.size() && r.size() == n,
             "normalize_2nd_moment_backward: " << x.shape() << ", " << dy.shape() << ", " << dx.shape());
  for (std::size_t b = 0; b < n; ++b) {
    const T* a = x.data() + b * m;
    const T* g = dy.data() + b * m;
    double xg = 0;
    for (std::size_t i = 0; i < m; ++i) xg += double(a[i]) * double(g[i]);
    const double k = r[b], c = k * k * k * xg / double(m);
    for (std::size_t i = 0; i < m; ++i) dx[b * m + i] = T(k * g[i] - c * a[i]);
  }
}

}  // namespace acne
