#pragma once
// The losses of backend/cpu/loss.hpp on CUDA: softmax cross-entropy over the channels of
// [N, K, 1, 1] logits (returns the mean loss) and StyleGAN2's logistic loss.
#include <vector>

#include "acne/backend/op_types.hpp"
#include "acne/backend/cuda/memory.hpp"
#include "acne/tensor/tensor.hpp"

namespace acne {

double softmax_cross_entropy(const tensor<float, cuda>& logits, const std::vector<int>& labels,
                             tensor<float, cuda>& probs, tensor<float, cuda>& dlogits);
logistic_result logistic_loss(const tensor<float, cuda>& logits, bool real, double gain, tensor<float, cuda>& dlogits);

}  // namespace acne
