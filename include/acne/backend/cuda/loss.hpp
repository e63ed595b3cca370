#pragma once
// Softmax cross-entropy over the channels of [N, K, 1, 1] logits on CUDA; returns the mean loss.
#include <vector>

#include "acne/backend/cuda/memory.hpp"
#include "acne/tensor/tensor.hpp"

namespace acne {

double softmax_cross_entropy(const tensor<float, cuda>& logits, const std::vector<int>& labels,
                             tensor<float, cuda>& probs, tensor<float, cuda>& dlogits);

}  // namespace acne
