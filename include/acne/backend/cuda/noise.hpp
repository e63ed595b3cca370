#pragma once
// Noise of backend/cpu/noise.hpp on CUDA: the same counter-based normal stream, so a seeded draw
// gives the same values on both devices.
#include <cstdint>

#include "acne/backend/cuda/memory.hpp"
#include "acne/tensor/tensor.hpp"

namespace acne {

void fill_normal(tensor<float, cuda>& t, std::uint64_t seed, float stddev = 1.0f);
void add_noise(tensor<float, cuda>& y, const tensor<float, cuda>& noise, const tensor<float, cuda>& strength);
void noise_strength_grad(const tensor<float, cuda>& dy, const tensor<float, cuda>& noise,
                         tensor<float, cuda>& dstrength);

}  // namespace acne
