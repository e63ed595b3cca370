#pragma once
// Batch normalisation on CUDA with the CPU formulas: double-precision statistics per channel, biased
// variance for normalising, unbiased for running = momentum * running + (1 - momentum) * batch.
#include "acne/backend/cuda/memory.hpp"
#include "acne/tensor/tensor.hpp"

namespace acne {

void batch_norm_forward_train(const tensor<float, cuda>& x, const tensor<float, cuda>& gamma,
                              const tensor<float, cuda>& beta, tensor<float, cuda>& y, tensor<float, cuda>& mean,
                              tensor<float, cuda>& invstd, tensor<float, cuda>& running_mean,
                              tensor<float, cuda>& running_var, double momentum, double eps);
void batch_norm_forward_inference(const tensor<float, cuda>& x, const tensor<float, cuda>& gamma,
                                  const tensor<float, cuda>& beta, tensor<float, cuda>& y,
                                  const tensor<float, cuda>& running_mean, const tensor<float, cuda>& running_var,
                                  double eps);
void batch_norm_backward(const tensor<float, cuda>& x, const tensor<float, cuda>& dy, const tensor<float, cuda>& gamma,
                         const tensor<float, cuda>& mean, const tensor<float, cuda>& invstd, tensor<float, cuda>& dx,
                         tensor<float, cuda>& dgamma, tensor<float, cuda>& dbeta);

}  // namespace acne
