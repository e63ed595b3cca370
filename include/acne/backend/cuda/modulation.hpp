#pragma once
// The modulated-convolution kernels of backend/cpu/modulation.hpp on CUDA.
#include "acne/backend/cuda/memory.hpp"
#include "acne/tensor/tensor.hpp"

namespace acne {

void scale_planes(const tensor<float, cuda>& x, const tensor<float, cuda>& s, tensor<float, cuda>& y);
void plane_dot(const tensor<float, cuda>& x, const tensor<float, cuda>& dy, tensor<float, cuda>& ds, float beta);
void demodulation_forward(const tensor<float, cuda>& w, const tensor<float, cuda>& s, tensor<float, cuda>& d,
                          double eps);
void demodulation_backward(const tensor<float, cuda>& w, const tensor<float, cuda>& s, const tensor<float, cuda>& d,
                           const tensor<float, cuda>& dd, tensor<float, cuda>& ds, tensor<float, cuda>& dw);
void demodulation_tangent(const tensor<float, cuda>& w, const tensor<float, cuda>& s, const tensor<float, cuda>& ts,
                          const tensor<float, cuda>& d, tensor<float, cuda>& td);
void demodulation_backward_tangent(const tensor<float, cuda>& w, const tensor<float, cuda>& s,
                                   const tensor<float, cuda>& ts, const tensor<float, cuda>& d,
                                   const tensor<float, cuda>& td, const tensor<float, cuda>& dd,
                                   const tensor<float, cuda>& tdd, tensor<float, cuda>& tds, tensor<float, cuda>& tdw);
void transpose_filters(const tensor<float, cuda>& w, tensor<float, cuda>& wt);

}  // namespace acne
