#pragma once
// One named tensor as stored: dtype, shape and raw little-endian bytes, with typed access and
// construction from typed values.
#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "acne/error.hpp"
#include "acne/io/safetensors/dtype.hpp"
#include "acne/io/safetensors/floating.hpp"

namespace acne::io {

static_assert(std::endian::native == std::endian::little,
              "safetensors data is little-endian and is copied as is");

namespace detail {
// Bytes needed for `shape` of `t`; nullopt for a negative dimension or an overflow.
inline std::optional<std::uint64_t> byte_count(dtype t, std::span<const std::int64_t> shape) {
  std::uint64_t n = dtype_size(t);
  for (const auto d : shape) {
    if (d < 0) return std::nullopt;
    const auto u = static_cast<std::uint64_t>(d);
    if (u != 0 && n > std::numeric_limits<std::uint64_t>::max() / u) return std::nullopt;
    n *= u;
  }
  return n;
}

inline std::string shape_string(std::span<const std::int64_t> shape) {
  std::ostringstream out;
  out << '[';
  for (std::size_t i = 0; i < shape.size(); ++i) out << (i ? ", " : "") << shape[i];
  out << ']';
  return out.str();
}

// The invariant saving relies on: non-negative dims, and exactly product(shape) * size bytes.
inline void check_data_size(std::string_view name, dtype type, std::span<const std::int64_t> shape,
                            std::size_t data_size, std::string_view where) {
  const auto bytes = byte_count(type, shape);
  ACNE_CHECK(bytes && *bytes == data_size, where << "tensor '" << name << "': " << dtype_name(type) << " shape "
                                                 << shape_string(shape) << " does not match its " << data_size
                                                 << " data bytes");
}
}  // namespace detail

struct tensor_record {
  std::string name;
  dtype type = dtype::f32;
  std::vector<std::int64_t> shape;  // empty for a 0-d scalar (one element)
  std::vector<std::byte> data;      // little-endian, row-major

  std::size_t numel() const { return data.size() / dtype_size(type); }

  // Exact dtype: a copy. Floating dtypes convert to float/double (e.g. F16 -> float); anything
  // else, say I64 read as float, is an error rather than a silent conversion.
  template <element T>
  std::vector<T> as() const {
    check_size();
    std::vector<T> out(numel());
    if (type == dtype_of<T>()) {
      if constexpr (std::is_same_v<T, bool>) {
        for (std::size_t i = 0; i < out.size(); ++i) out[i] = data[i] != std::byte{0};
      } else {
        if (!data.empty()) std::memcpy(out.data(), data.data(), data.size());
      }
      return out;
    }
    ACNE_CHECK(std::is_floating_point_v<T> && is_floating(type),
               "tensor '" << name << "' holds " << dtype_name(type) << " and cannot be read as "
                          << dtype_name(dtype_of<T>()));
    for (std::size_t i = 0; i < out.size(); ++i)
      out[i] = static_cast<T>(detail::load_floating(type, data.data() + i * dtype_size(type)));
    return out;
  }

  void check_size() const { detail::check_data_size(name, type, shape, data.size(), ""); }
};

// `stored` may differ from T between floating types, e.g. float values saved as F16 or BF16.
template <element T>
tensor_record make_record(std::string name, std::vector<std::int64_t> shape, std::span<const T> values,
                          dtype stored = dtype_of<T>()) {
  tensor_record r{std::move(name), stored, std::move(shape), {}};
  const auto bytes = detail::byte_count(stored, r.shape);
  ACNE_CHECK(bytes && *bytes / dtype_size(stored) == values.size(),
             "tensor '" << r.name << "': shape " << detail::shape_string(r.shape) << " does not hold "
                        << values.size() << " values");
  r.data.resize(*bytes);
  if (stored == dtype_of<T>()) {
    if constexpr (std::is_same_v<T, bool>) {
      for (std::size_t i = 0; i < values.size(); ++i) r.data[i] = values[i] ? std::byte{1} : std::byte{0};
    } else {
      if (!r.data.empty()) std::memcpy(r.data.data(), values.data(), r.data.size());
    }
    return r;
  }
  ACNE_CHECK(std::is_floating_point_v<T> && is_floating(stored),
             "tensor '" << r.name << "': " << dtype_name(dtype_of<T>()) << " values cannot be stored as "
                        << dtype_name(stored));
  for (std::size_t i = 0; i < values.size(); ++i)
    detail::store_floating(stored, static_cast<double>(values[i]), r.data.data() + i * dtype_size(stored));
  return r;
}

// The same from a vector, so T is deduced; std::vector<bool> has no contiguous storage to span.
template <element T>
tensor_record make_record(std::string name, std::vector<std::int64_t> shape, const std::vector<T>& values,
                          dtype stored = dtype_of<T>()) {
  if constexpr (std::is_same_v<T, bool>) {
    const auto copy = std::make_unique<bool[]>(values.size());
    std::copy(values.begin(), values.end(), copy.get());
    return make_record<bool>(std::move(name), std::move(shape), std::span<const bool>(copy.get(), values.size()),
                             stored);
  } else {
    return make_record<T>(std::move(name), std::move(shape), std::span<const T>(values), stored);
  }
}

}  // namespace acne::io
