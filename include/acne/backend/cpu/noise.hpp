#pragma once
// Gaussian noise from a counter-based stream (the same values on every backend and thread count,
// and the same values again when a forward pass is repeated with the same seed), and StyleGAN2's
// per-pixel noise injection.
#include <cmath>
#include <cstdint>
#include <numbers>

#include "acne/backend/cpu/elementwise.hpp"
#include "acne/backend/cpu/parallel.hpp"
#include "acne/tensor/tensor.hpp"

namespace acne {

// One 64-bit seed from several stream identifiers (e.g. run seed, step, layer).
inline std::uint64_t mix_seed(std::uint64_t a, std::uint64_t b, std::uint64_t c = 0) {
  std::uint64_t z = a;
  for (std::uint64_t v : {b, c}) {
    z ^= v + 0x9E3779B97F4A7C15ull + (z << 6) + (z >> 2);
    z = (z ^ (z >> 31)) * 0xBF58476D1CE4E5B9ull;
  }
  return z;
}

// Standard normal draws by Box-Muller on hash_uniform(seed, 2i) and hash_uniform(seed, 2i + 1).
inline double hash_normal(std::uint64_t seed, std::uint64_t index) {
  const double u1 = 1.0 - hash_uniform(seed, 2 * index);  // in (0, 1]: log stays finite
  const double u2 = hash_uniform(seed, 2 * index + 1);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

template <class T>
void fill_normal(tensor<T, cpu>& t, std::uint64_t seed, T stddev = T(1)) {
  const long n = long(t.size());
#pragma omp parallel for schedule(static) if (t.size() > cpu_backend::parallel_threshold)
  for (long i = 0; i < n; ++i) t.data()[i] = T(hash_normal(seed, std::uint64_t(i))) * stddev;
}

// y[n,c,h,w] += strength * noise[n,0,h,w]; a noise of batch 1 is shared by every sample.
// strength is a one-element tensor (a parameter that stays on the device).
template <class T>
void add_noise(tensor<T, cpu>& y, const tensor<T, cpu>& noise, const tensor<T, cpu>& strength) {
  const auto& s = y.shape();
  const auto& ns = noise.shape();
  ACNE_CHECK(ns.c == 1 && ns.h == s.h && ns.w == s.w && (ns.n == s.n || ns.n == 1) && strength.size() == 1,
             "add_noise: noise " << ns << " for activations " << s);
  const T k = strength[0];
  const std::size_t p = s.plane();
#pragma omp parallel for schedule(static) if (y.size() > cpu_backend::parallel_threshold)
  for (long nc = 0; nc < long(s.n * s.c); ++nc) {
    const T* z = noise.data() + (ns.n == 1 ? 0 : std::size_t(nc) / s.c) * p;
    T* o = y.data() + nc * p;
    for (std::size_t i = 0; i < p; ++i) o[i] += k * z[i];
  }
}

// dstrength += sum over n,c,h,w of dy[n,c,h,w] * noise[n,0,h,w].
template <class T>
void noise_strength_grad(const tensor<T, cpu>& dy, const tensor<T, cpu>& noise, tensor<T, cpu>& dstrength) {
  const auto& s = dy.shape();
  const auto& ns = noise.shape();
  const std::size_t p = s.plane();
  double acc = 0;
  for (std::size_t nc = 0; nc < s.n * s.c; ++nc) {
    const T* z = noise.data() + (ns.n == 1 ? 0 : nc / s.c) * p;
    const T* g = dy.data() + nc * p;
    for (std::size_t i = 0; i < p; ++i) acc += double(g[i]) * double(z[i]);
  }
  dstrength[0] += T(acc);
}

}  // namespace acne
