#pragma once
// Whole-tensor copies between host and device memory (synchronous).
#include "acne/backend/cuda/memory.hpp"
#include "acne/tensor/tensor.hpp"

namespace acne {

inline tensor<float, cuda> to_device(const tensor<float, cpu>& t) {
  tensor<float, cuda> d(t.shape());
  memory<cuda>::from_host(d.data(), t.data(), t.bytes());
  return d;
}

inline tensor<float, cpu> to_host(const tensor<float, cuda>& t) {
  tensor<float, cpu> h(t.shape());
  memory<cuda>::to_host(h.data(), t.data(), t.bytes());
  return h;
}

}  // namespace acne
