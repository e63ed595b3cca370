#pragma once
// Raw memory of the CUDA device, so that tensor<T, cuda> works like tensor<T, cpu>. Declared here
// with no CUDA header, defined in the acne::cuda library: code that only moves tensors around
// compiles with a plain C++ compiler.
#include <cstddef>

#include "acne/tensor/memory.hpp"

namespace acne {

// True when a CUDA device can be used; false (never an abort) without a driver or a GPU.
bool cuda_available();

template <>
struct memory<cuda> {
  static void* allocate(std::size_t bytes);  // zeroed, like memory<cpu>
  static void release(void* p, std::size_t bytes) noexcept;  // called from destructors: never throws
  static void copy(void* dst, const void* src, std::size_t bytes);
  static void zero(void* dst, std::size_t bytes);
  static void to_host(void* dst, const void* src, std::size_t bytes);
  static void from_host(void* dst, const void* src, std::size_t bytes);
};

}  // namespace acne
