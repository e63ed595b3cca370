#pragma once
// Floating elements of any stored width read as double and written from double: IEEE half and
// bfloat16 convert through float, rounding to nearest even.
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>

#include "acne/io/safetensors/dtype.hpp"

namespace acne::io {

inline float f16_to_float(std::uint16_t h) {
  const float sign = (h & 0x8000) ? -1.0f : 1.0f;
  const int exponent = (h >> 10) & 0x1f;
  const int mantissa = h & 0x3ff;
  if (exponent == 0) return sign * std::ldexp(static_cast<float>(mantissa), -24);
  if (exponent == 31)
    return mantissa ? std::numeric_limits<float>::quiet_NaN() : sign * std::numeric_limits<float>::infinity();
  return sign * std::ldexp(static_cast<float>(mantissa + 1024), exponent - 25);
}
inline std::uint16_t float_to_f16(float f) {
  const auto bits = std::bit_cast<std::uint32_t>(f);
  const auto sign = static_cast<std::uint16_t>((bits >> 16) & 0x8000);
  std::uint32_t magnitude = bits & 0x7fffffff;
  if (magnitude > 0x7f800000) return sign | 0x7e00;   // NaN
  if (magnitude >= 0x477ff000) return sign | 0x7c00;  // at least 65520: rounds to infinity
  if (magnitude < 0x38800000)                         // below 2^-14: subnormal, exact in float
    return sign | static_cast<std::uint16_t>(std::nearbyint(std::bit_cast<float>(magnitude) * 16777216.0f));
  magnitude += 0xfff + ((magnitude >> 13) & 1);
  return sign | static_cast<std::uint16_t>((magnitude - 0x38000000) >> 13);
}
inline float bf16_to_float(std::uint16_t h) { return std::bit_cast<float>(std::uint32_t{h} << 16); }
inline std::uint16_t float_to_bf16(float f) {
  const auto bits = std::bit_cast<std::uint32_t>(f);
  if ((bits & 0x7fffffff) > 0x7f800000) return static_cast<std::uint16_t>((bits >> 16) | 0x40);
  return static_cast<std::uint16_t>((bits + 0x7fff + ((bits >> 16) & 1)) >> 16);
}

namespace detail {
// memcpy, not a cast: tensor data has no alignment guarantee.
inline double load_floating(dtype t, const std::byte* p) {
  std::uint16_t h;
  float f;
  double d;
  switch (t) {
    case dtype::f16: std::memcpy(&h, p, 2); return f16_to_float(h);
    case dtype::bf16: std::memcpy(&h, p, 2); return bf16_to_float(h);
    case dtype::f32: std::memcpy(&f, p, 4); return f;
    default: std::memcpy(&d, p, 8); return d;
  }
}

inline void store_floating(dtype t, double value, std::byte* p) {
  const auto f = static_cast<float>(value);
  std::uint16_t h;
  switch (t) {
    case dtype::f16: h = float_to_f16(f); std::memcpy(p, &h, 2); break;
    case dtype::bf16: h = float_to_bf16(f); std::memcpy(p, &h, 2); break;
    case dtype::f32: std::memcpy(p, &f, 4); break;
    default: std::memcpy(p, &value, 8); break;
  }
}
}  // namespace detail

}  // namespace acne::io
