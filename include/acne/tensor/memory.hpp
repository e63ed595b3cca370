#pragma once
// Raw memory of a device. The CPU specialisation lives here; the CUDA one is declared in
// backend/cuda/memory.hpp and defined in the acne::cuda library.
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstring>
#include <new>
#include <vector>

#include <sys/mman.h>

#include "acne/device.hpp"

namespace acne {

template <class D>
struct memory;

// Memory that a cache holds idle for reuse (buffer_pool) and can free. The large blocks of a
// device are counted, with the most that were ever held at once: a large allocation that would
// hold more than that frees idle blocks of its thread's caches first, as many bytes as it goes
// over. So a cache never lifts the peak above what its blocks' users needed at once (on ResNet50V2
// the gradients would otherwise sit beside all the activations, and Adam's moments beside both),
// and below that peak it keeps its blocks, which spares the next pass mapping them again.
class idle_memory {
public:
  // Allocations smaller than this come from the allocator's heap and are not counted.
  static constexpr std::size_t large = std::size_t(1) << 20;

  // Frees idle blocks until at least `bytes` are freed or none is left; returns the bytes freed.
  virtual std::size_t free_idle(std::size_t bytes) = 0;

  // Before a large block of `bytes` is allocated, and after one is released.
  template <class D>
  static void allocating(std::size_t bytes) {
    auto& c = count<D>();
    const std::size_t after = c.held.load() + bytes, peak = c.peak.load();
    std::size_t over = after > peak ? after - peak : 0;
    for (auto* cache : caches_of_this_thread<D>()) {
      if (over == 0) break;
      over -= std::min(over, cache->free_idle(over));
    }
    const std::size_t held = c.held += bytes;
    for (std::size_t p = c.peak.load(); held > p && !c.peak.compare_exchange_weak(p, held);) {
    }
  }
  template <class D>
  static void released(std::size_t bytes) {
    count<D>().held -= bytes;
  }
  // Bytes of large blocks held now, and the most held at once.
  template <class D>
  static std::size_t held() {
    return count<D>().held.load();
  }
  template <class D>
  static std::size_t peak() {
    return count<D>().peak.load();
  }

protected:
  template <class D>
  static std::vector<idle_memory*>& caches_of_this_thread() {
    thread_local std::vector<idle_memory*> caches;
    return caches;
  }
  ~idle_memory() = default;

private:
  struct counters {
    std::atomic<std::size_t> held{0}, peak{0};
  };
  template <class D>
  static counters& count() {
    static counters c;
    return c;
  }
};

template <>
struct memory<cpu> {
  // 64-byte alignment keeps every row that BLAS and the vectorised loops touch cache-line aligned.
  static constexpr std::size_t alignment = 64;
  // Zeroed. A large block is mapped from the kernel, whose fresh pages are zero and page-aligned,
  // and unmapped when released: zeroing it again would touch every page twice.
  static void* allocate(std::size_t bytes) {
    if (bytes == 0) return nullptr;
    if (bytes >= idle_memory::large) {
      idle_memory::allocating<cpu>(bytes);
      void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (p != MAP_FAILED) return p;
      idle_memory::released<cpu>(bytes);
      throw std::bad_alloc();
    }
    void* p = ::operator new(bytes, std::align_val_t{alignment});
    std::memset(p, 0, bytes);
    return p;
  }
  static void release(void* p, std::size_t bytes) noexcept {
    if (bytes < idle_memory::large) return ::operator delete(p, std::align_val_t{alignment});
    ::munmap(p, bytes);
    idle_memory::released<cpu>(bytes);
  }
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
