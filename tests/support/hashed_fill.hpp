#pragma once
// Deterministic values by name that a Python script can reproduce bit for bit, so that a test and
// an official implementation run on the same weights without a weight file (tools/dfdnet_reference.py
// states the same contract): element i of the tensor called `name` is
//   z = fnv1a64(name) + (i + 1) * 0x9E3779B97F4A7C15, mixed by splitmix64's finaliser,
//   value = float(scale * (2 u - 1)), u = (z >> 11) / 2^53.
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace acne::test {

inline std::uint64_t fnv1a64(const std::string& s) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ull;
  return h;
}

inline std::vector<float> hashed_fill(const std::string& name, std::size_t count, double scale) {
  const std::uint64_t h = fnv1a64(name);
  std::vector<float> out(count);
  for (std::size_t i = 0; i < count; ++i) {
    std::uint64_t z = h + (i + 1) * 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    const double u = double(z >> 11) * 0x1.0p-53;
    out[i] = float(scale * (2 * u - 1));
  }
  return out;
}

}  // namespace acne::test
