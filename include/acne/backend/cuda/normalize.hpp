#pragma once
// normalize_2nd_moment (backend/cpu/normalize.hpp) on CUDA: one block per sample.
#include "acne/backend/cuda/memory.hpp"
#include "acne/tensor/tensor.hpp"

namespace acne {

void normalize_2nd_moment_forward(const tensor<float, cuda>& x, tensor<float, cuda>& y, tensor<float, cuda>& r,
                                  double eps);
void normalize_2nd_moment_backward(const tensor<float, cuda>& x, const tensor<float, cuda>& r,
                                   const tensor<float, cuda>& dy, tensor<float, cuda>& dx);

}  // namespace acne
