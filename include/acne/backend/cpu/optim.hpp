#pragma once
// Fused optimizer updates over a contiguous range of the parameter buffer.
#include <cmath>

#include "acne/backend/cpu/parallel.hpp"
#include "acne/tensor/tensor.hpp"

namespace acne {

// PyTorch's Adam: m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
// p -= lr * (m / c1) / (sqrt(v / c2) + eps), with c1 = 1 - b1^t, c2 = 1 - b2^t.
template <class T>
void adam_update(tensor<T, cpu>& p, const tensor<T, cpu>& g, tensor<T, cpu>& m, tensor<T, cpu>& v, double lr,
                 double beta1, double beta2, double eps, double c1, double c2) {
  const long n = static_cast<long>(p.size());
  T *pp = p.data(), *mm = m.data(), *vv = v.data();
  const T* gg = g.data();
#pragma omp parallel for simd schedule(static) if(static_cast<std::size_t>(n) > cpu_backend::parallel_threshold)
  for (long i = 0; i < n; ++i) {
    mm[i] = T(beta1) * mm[i] + T(1 - beta1) * gg[i];
    vv[i] = T(beta2) * vv[i] + T(1 - beta2) * gg[i] * gg[i];
    pp[i] -= T(lr) * (mm[i] / T(c1)) / (std::sqrt(vv[i] / T(c2)) + T(eps));
  }
}

// SGD with (optionally Nesterov) momentum, PyTorch convention: b = mu b + g; p -= lr * b.
template <class T>
void sgd_update(tensor<T, cpu>& p, const tensor<T, cpu>& g, tensor<T, cpu>& buf, double lr, double momentum,
                bool nesterov) {
  const long n = static_cast<long>(p.size());
  T *pp = p.data(), *bb = buf.data();
  const T* gg = g.data();
#pragma omp parallel for simd schedule(static) if(static_cast<std::size_t>(n) > cpu_backend::parallel_threshold)
  for (long i = 0; i < n; ++i) {
    bb[i] = T(momentum) * bb[i] + gg[i];
    pp[i] -= T(lr) * (nesterov ? gg[i] + T(momentum) * bb[i] : bb[i]);
  }
}

}  // namespace acne
