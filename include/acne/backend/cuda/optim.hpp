#pragma once
// Fused Adam and SGD updates on CUDA, the formulas of backend/cpu/optim.hpp.
#include "acne/backend/cuda/memory.hpp"
#include "acne/tensor/tensor.hpp"

namespace acne {

void adam_update(tensor<float, cuda>& p, const tensor<float, cuda>& g, tensor<float, cuda>& m,
                 tensor<float, cuda>& v, double lr, double beta1, double beta2, double eps, double c1, double c2);
void sgd_update(tensor<float, cuda>& p, const tensor<float, cuda>& g, tensor<float, cuda>& buf, double lr,
                double momentum, bool nesterov);

}  // namespace acne
