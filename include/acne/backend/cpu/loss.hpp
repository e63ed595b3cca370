#pragma once
// Softmax cross-entropy over the channels of [N, K, 1, 1] logits, and StyleGAN2's logistic loss.
#include <algorithm>
#include <cmath>
#include <vector>

#include "acne/backend/op_types.hpp"
#include "acne/tensor/tensor.hpp"

namespace acne {

// Returns the mean loss over the batch; writes probabilities and d(mean loss)/d(logits).
template <class T>
double softmax_cross_entropy(const tensor<T, cpu>& logits, const std::vector<int>& labels, tensor<T, cpu>& probs,
                             tensor<T, cpu>& dlogits) {
  const std::size_t n = logits.shape().n, k = logits.shape().sample_size();
  ACNE_CHECK(labels.size() == n, "softmax_cross_entropy: " << labels.size() << " labels for " << n << " samples");
  probs.resize(logits.shape());
  dlogits.resize(logits.shape());
  double loss = 0;
  for (std::size_t i = 0; i < n; ++i) {
    ACNE_CHECK(labels[i] >= 0 && std::size_t(labels[i]) < k, "label " << labels[i] << " outside [0, " << k << ")");
    const T* z = logits.data() + i * k;
    T* p = probs.data() + i * k;
    T* d = dlogits.data() + i * k;
    const T zmax = *std::max_element(z, z + k);
    double total = 0;
    for (std::size_t j = 0; j < k; ++j) total += std::exp(double(z[j] - zmax));
    for (std::size_t j = 0; j < k; ++j) {
      p[j] = T(std::exp(double(z[j] - zmax)) / total);
      d[j] = (p[j] - T(j == std::size_t(labels[i]))) / T(n);
    }
    loss -= double(z[labels[i]] - zmax) - std::log(total);
  }
  return loss / n;
}

namespace cpu_backend {
inline double softplus(double x) { return std::max(x, 0.0) + std::log1p(std::exp(-std::abs(x))); }
inline double sigmoid(double x) { return x >= 0 ? 1 / (1 + std::exp(-x)) : std::exp(x) / (1 + std::exp(x)); }
}  // namespace cpu_backend

// StyleGAN2's non-saturating logistic loss of the logits of real (softplus(-x)) or generated
// (softplus(x)) images; writes gain * d(mean loss)/d(logits) into dlogits.
template <class T>
logistic_result logistic_loss(const tensor<T, cpu>& logits, bool real, double gain, tensor<T, cpu>& dlogits) {
  const std::size_t n = logits.size();
  dlogits.resize(logits.shape());
  logistic_result r;
  for (std::size_t i = 0; i < n; ++i) {
    const double x = double(logits[i]);
    r.loss += (real ? cpu_backend::softplus(-x) : cpu_backend::softplus(x)) / double(n);
    r.mean_logit += x / double(n);
    dlogits[i] = T((real ? -cpu_backend::sigmoid(-x) : cpu_backend::sigmoid(x)) / double(n) * gain);
  }
  return r;
}

}  // namespace acne
