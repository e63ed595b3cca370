#pragma once
// The restoration network's operations of backend/cpu/resampling.hpp on CUDA, with the same
// conventions (PyTorch's bilinear and nearest resizing, windows, products).
#include <cstddef>

#include "acne/backend/cuda/memory.hpp"
#include "acne/tensor/tensor.hpp"

namespace acne {

void resize_bilinear_forward(const tensor<float, cuda>& x, tensor<float, cuda>& y);
void resize_bilinear_backward(const tensor<float, cuda>& dy, tensor<float, cuda>& dx);
void resize_nearest_forward(const tensor<float, cuda>& x, tensor<float, cuda>& y);
void take_window(const tensor<float, cuda>& x, std::size_t n, std::size_t top, std::size_t left, tensor<float, cuda>& y);
void put_window(const tensor<float, cuda>& x, tensor<float, cuda>& y, std::size_t n, std::size_t top, std::size_t left,
                bool accumulate);
void multiply(const tensor<float, cuda>& a, const tensor<float, cuda>& b, tensor<float, cuda>& y);
void plane_products(const tensor<float, cuda>& a, const tensor<float, cuda>& x, tensor<float, cuda>& q);

}  // namespace acne
