#pragma once
// CUDA twins of backend/cpu/elementwise.hpp for tensor<float, cuda>: same names and signatures, so
// layers call them unqualified and argument-dependent lookup picks the device.
#include <cstddef>
#include <cstdint>

#include "acne/backend/activation.hpp"
#include "acne/backend/cuda/memory.hpp"
#include "acne/tensor/tensor.hpp"

namespace acne {

void fill(tensor<float, cuda>& t, float value);
void copy(const tensor<float, cuda>& src, tensor<float, cuda>& dst);
void axpy(float alpha, const tensor<float, cuda>& x, tensor<float, cuda>& y);
void axpby(float a, const tensor<float, cuda>& x, float b, tensor<float, cuda>& y);
void scale(tensor<float, cuda>& t, float alpha);
// Reductions accumulate in double on the device and return to the host (synchronising).
double sum(const tensor<float, cuda>& t);
double dot(const tensor<float, cuda>& a, const tensor<float, cuda>& b);

void add_channel_bias(tensor<float, cuda>& y, const tensor<float, cuda>& bias, float gain);
void channel_bias_grad(const tensor<float, cuda>& dy, tensor<float, cuda>& db, float gain);

void activation_forward(const activation& act, const tensor<float, cuda>& x, tensor<float, cuda>& y);
void activation_backward(const activation& act, const tensor<float, cuda>& x, const tensor<float, cuda>& y,
                         const tensor<float, cuda>& dy, tensor<float, cuda>& dx);

void copy_channels(const tensor<float, cuda>& src, tensor<float, cuda>& dst, std::size_t offset,
                   bool accumulate = false);
void slice_channels(const tensor<float, cuda>& src, tensor<float, cuda>& dst, std::size_t offset);

// cuBLAS SGEMM in full FP32.
void matmul(const tensor<float, cuda>& a, bool trans_a, const tensor<float, cuda>& b, bool trans_b,
            tensor<float, cuda>& c, float alpha = 1.0f, float beta = 0.0f);

// Masks come from the same hash_uniform(seed, index) as on the CPU: identical on both devices.
void dropout_forward(const tensor<float, cuda>& x, tensor<float, cuda>& y, double rate, std::uint64_t seed);
void dropout_backward(const tensor<float, cuda>& dy, tensor<float, cuda>& dx, double rate, std::uint64_t seed);

}  // namespace acne
