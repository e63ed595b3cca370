#pragma once
// cuDNN convolutions with the CPU signatures. cuDNN only pads symmetrically, so asymmetric windows
// (Keras "same" with an even input and stride 2) run on an explicitly zero-padded copy of the input.
#include "acne/backend/conv_geometry.hpp"
#include "acne/backend/cuda/memory.hpp"
#include "acne/tensor/tensor.hpp"

namespace acne {

void conv2d_forward(const tensor<float, cuda>& x, const tensor<float, cuda>& w, tensor<float, cuda>& y,
                    const window& g);
void conv2d_backward_data(const tensor<float, cuda>& dy, const tensor<float, cuda>& w, tensor<float, cuda>& dx,
                          const window& g);
void conv2d_backward_filter(const tensor<float, cuda>& x, const tensor<float, cuda>& dy, tensor<float, cuda>& dw,
                            const window& g, float beta = 1.0f);

}  // namespace acne
