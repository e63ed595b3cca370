#pragma once
// Portable random helpers for the data pipeline. std::uniform_*_distribution and std::shuffle are
// implementation-defined (libstdc++ and libc++ give different streams), so everything that must be
// reproducible from a seed (phantoms, splits, shuffles, augmentation) draws through these instead.
#include <cmath>
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

namespace acne::data {

// SplitMix64 finaliser: a good 64-bit mixer, used to derive independent seeds.
constexpr std::uint64_t splitmix64(std::uint64_t x) noexcept {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

// A seed for sub-stream (a, b) of `seed`: mix_seed(s, i) and mix_seed(s, j) are unrelated for i != j.
constexpr std::uint64_t mix_seed(std::uint64_t seed, std::uint64_t a, std::uint64_t b = 0) noexcept {
  return splitmix64(splitmix64(splitmix64(seed) ^ a) ^ (b * 0xD1B54A32D192ED03ull));
}

// Uniform in [0, 1) with 53 random bits.
inline double uniform01(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

// Uniform in [lo, hi).
inline double uniform(std::mt19937_64& rng, double lo, double hi) { return lo + (hi - lo) * uniform01(rng); }

// Uniform in [0, n), unbiased (rejection sampling); n must be > 0.
inline std::uint64_t uniform_index(std::mt19937_64& rng, std::uint64_t n) {
  const std::uint64_t limit = ~std::uint64_t{0} - (~std::uint64_t{0} % n);
  std::uint64_t x = rng();
  while (x >= limit) x = rng();
  return x % n;
}

// Uniform integer in [lo, hi] (inclusive); lo <= hi.
inline int uniform_int(std::mt19937_64& rng, int lo, int hi) {
  return lo + static_cast<int>(uniform_index(rng, static_cast<std::uint64_t>(hi - lo) + 1));
}

// Standard normal (Box-Muller, one value per call).
inline double normal(std::mt19937_64& rng) {
  const double u1 = 1.0 - uniform01(rng);  // (0, 1]
  const double u2 = uniform01(rng);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

// Fisher-Yates shuffle with uniform_index.
template <class T>
void shuffle(std::vector<T>& values, std::mt19937_64& rng) {
  for (std::size_t i = values.size(); i > 1; --i) std::swap(values[i - 1], values[uniform_index(rng, i)]);
}

}  // namespace acne::data
