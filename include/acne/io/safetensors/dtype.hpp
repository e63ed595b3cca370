#pragma once
// The element types of the safetensors format, their names in the header, their sizes, and the C++
// types that map onto them.
#include <array>
#include <cstddef>
#include <optional>
#include <string_view>
#include <type_traits>

namespace acne::io {

enum class dtype { f16, bf16, f32, f64, i8, u8, i16, i32, i64, u16, u32, u64, bool_ };

namespace detail {
struct dtype_info {
  dtype type;
  std::string_view name;
  std::size_t size;
};
// In enum order, so a dtype indexes its own row.
inline constexpr std::array<dtype_info, 13> dtype_table{{
    {dtype::f16, "F16", 2}, {dtype::bf16, "BF16", 2}, {dtype::f32, "F32", 4}, {dtype::f64, "F64", 8},
    {dtype::i8, "I8", 1}, {dtype::u8, "U8", 1}, {dtype::i16, "I16", 2}, {dtype::i32, "I32", 4},
    {dtype::i64, "I64", 8}, {dtype::u16, "U16", 2}, {dtype::u32, "U32", 4}, {dtype::u64, "U64", 8},
    {dtype::bool_, "BOOL", 1},
}};
}  // namespace detail

constexpr std::size_t dtype_size(dtype t) { return detail::dtype_table[static_cast<int>(t)].size; }
constexpr std::string_view dtype_name(dtype t) { return detail::dtype_table[static_cast<int>(t)].name; }
inline std::optional<dtype> dtype_from_name(std::string_view name) {
  for (const auto& info : detail::dtype_table)
    if (info.name == name) return info.type;
  return std::nullopt;
}
constexpr bool is_floating(dtype t) {
  return t == dtype::f16 || t == dtype::bf16 || t == dtype::f32 || t == dtype::f64;
}

template <class T>
concept element = std::is_same_v<T, bool> || std::is_same_v<T, float> || std::is_same_v<T, double> ||
                  (std::is_integral_v<T> && (sizeof(T) == 1 || sizeof(T) == 2 || sizeof(T) == 4 ||
                                             sizeof(T) == 8));

// Integers map by size and signedness, so long and long long both read as I64.
template <element T>
constexpr dtype dtype_of() {
  if constexpr (std::is_same_v<T, bool>) return dtype::bool_;
  else if constexpr (std::is_same_v<T, float>) return dtype::f32;
  else if constexpr (std::is_same_v<T, double>) return dtype::f64;
  else if constexpr (sizeof(T) == 1) return std::is_signed_v<T> ? dtype::i8 : dtype::u8;
  else if constexpr (sizeof(T) == 2) return std::is_signed_v<T> ? dtype::i16 : dtype::u16;
  else if constexpr (sizeof(T) == 4) return std::is_signed_v<T> ? dtype::i32 : dtype::u32;
  else return std::is_signed_v<T> ? dtype::i64 : dtype::u64;
}

}  // namespace acne::io
