#pragma once
// Moving data between the loader, the host and the network's device: image batches in, logits out.
// On the CPU the copies are plain memcpy; the same code drives a CUDA network.
#include <vector>

#include "acne/data/batch.hpp"
#include "acne/tensor/tensor.hpp"

namespace acne::train {

template <class T, class D>
void upload_batch(const data::image_batch& batch, tensor<T, D>& x) {
  x.resize({batch.n, batch.c, batch.h, batch.w});
  if constexpr (std::is_same_v<T, float>) {
    memory<D>::from_host(x.data(), batch.data.data(), x.bytes());
  } else {
    const std::vector<T> converted(batch.data.begin(), batch.data.end());
    memory<D>::from_host(x.data(), converted.data(), x.bytes());
  }
}

template <class T, class D>
void download(const tensor<T, D>& t, tensor<T, cpu>& host) {
  host.resize(t.shape());
  memory<D>::to_host(host.data(), t.data(), t.bytes());
}

template <class T, class D>
void upload(const tensor<T, cpu>& host, tensor<T, D>& t) {
  t.resize(host.shape());
  memory<D>::from_host(t.data(), host.data(), host.bytes());
}

// Index of the largest logit of each sample of [N, K, 1, 1] scores.
template <class T>
std::vector<int> argmax_rows(const tensor<T, cpu>& scores) {
  const std::size_t n = scores.shape().n, k = scores.shape().sample_size();
  std::vector<int> out(n);
  for (std::size_t i = 0; i < n; ++i) {
    const T* row = scores.data() + i * k;
    std::size_t best = 0;
    for (std::size_t j = 1; j < k; ++j)
      if (row[j] > row[best]) best = j;
    out[i] = static_cast<int>(best);
  }
  return out;
}

}  // namespace acne::train
