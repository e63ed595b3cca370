#pragma once
// Zero padding, and max and average pooling, on CUDA with exactly the CPU semantics (TF: average over in-bounds taps,
// max ignores padding, a window wholly in the padding gives 0), which cuDNN does not offer for
// asymmetric padding; hence plain kernels.
#include "acne/backend/conv_geometry.hpp"
#include "acne/backend/op_types.hpp"
#include "acne/backend/cuda/memory.hpp"
#include "acne/tensor/tensor.hpp"

namespace acne {

void pool_forward(pool_kind kind, const tensor<float, cuda>& x, tensor<float, cuda>& y, const window& g);
void pool_backward(pool_kind kind, const tensor<float, cuda>& x, const tensor<float, cuda>& dy,
                   tensor<float, cuda>& dx, const window& g);
void zero_pad_forward(const tensor<float, cuda>& x, tensor<float, cuda>& y, std::size_t top, std::size_t left);
void zero_pad_backward(const tensor<float, cuda>& dy, tensor<float, cuda>& dx, std::size_t top, std::size_t left);

}  // namespace acne
