#pragma once
// StyleGAN2's minibatch standard deviation (backend/cpu/minibatch_stddev.hpp) on CUDA: one block
// per (group member, feature) statistic.
#include <cstddef>

#include "acne/backend/cuda/memory.hpp"
#include "acne/tensor/tensor.hpp"

namespace acne {

void minibatch_stddev_forward(const tensor<float, cuda>& x, tensor<float, cuda>& y, std::size_t group_size,
                              std::size_t features);
void minibatch_stddev_backward(const tensor<float, cuda>& x, const tensor<float, cuda>& dy, tensor<float, cuda>& dx,
                               std::size_t group_size, std::size_t features);
void minibatch_stddev_tangent(const tensor<float, cuda>& x, const tensor<float, cuda>& tx, tensor<float, cuda>& ty,
                              std::size_t group_size, std::size_t features);
void minibatch_stddev_backward_tangent(const tensor<float, cuda>& x, const tensor<float, cuda>& tx,
                                       const tensor<float, cuda>& dy, const tensor<float, cuda>& tdy,
                                       tensor<float, cuda>& tdx, std::size_t group_size, std::size_t features);

}  // namespace acne
