#pragma once
// Raw memory of a device. The CPU specialisation lives here; the CUDA one is declared in
// backend/cuda/memory.hpp and defined in the acne::cuda library.
#include <cstddef>
#include <cstring>
#include <new>

#include "acne/device.hpp"

namespace acne {

template <class D>
struct memory;

template <>
struct memory<cpu> {
  // 64-byte alignment keeps every row that BLAS and the vectorised loops touch cache-line aligned.
  static constexpr std::size_t alignment = 64;
  static void* allocate(std::size_t bytes) {
    if (bytes == 0) return nullptr;
    void* p = ::operator new(bytes, std::align_val_t{alignment});
    std::memset(p, 0, bytes);
    return p;
  }
  static void release(void* p) { ::operator delete(p, std::align_val_t{alignment}); }
  static void copy(void* dst, const void* src, std::size_t bytes) {
    if (bytes) std::memcpy(dst, src, bytes);
  }
  static void zero(void* dst, std::size_t bytes) {
    if (bytes) std::memset(dst, 0, bytes);
  }
  static void to_host(void* dst, const void* src, std::size_t bytes) { copy(dst, src, bytes); }
  static void from_host(void* dst, const void* src, std::size_t bytes) { copy(dst, src, bytes); }
};

}  // namespace acne
