#pragma once
// The loops the CPU backend writes itself (activations, padding, batch norm, bias sums) are
// compiled once per instruction set and picked when the program loads, by the CPU it finds (GCC
// and Clang function multi-versioning, an ifunc per function): a build made for any x86-64 still
// runs them with AVX-512 where the CPU has it, and nobody has to choose -march. Without the clones,
// GCC 12 at -O2 does not vectorise a loop whose trip count it cannot see, hence `omp simd` in each.
// The clones use no FMA, so a kernel rounds the same on every CPU.
#include <cstddef>
#include <string>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(__CUDACC__) && \
    !defined(ACNE_NO_CPU_CLONES)
#define ACNE_CPU_CLONES [[gnu::target_clones("avx512f", "avx2", "default")]]
#define ACNE_CPU_CLONES_ENABLED 1
#else
#define ACNE_CPU_CLONES
#define ACNE_CPU_CLONES_ENABLED 0
#endif

namespace acne::cpu_backend {

// The instruction set the cloned loops run with on this CPU, as the loader picks it.
inline std::string loop_isa() {
#if ACNE_CPU_CLONES_ENABLED
  if (__builtin_cpu_supports("avx512f")) return "avx512f";
  if (__builtin_cpu_supports("avx2")) return "avx2";
  return "sse2";
#elif defined(__x86_64__)
  return "sse2 (clones off)";
#else
  return "baseline";
#endif
}

// The sum of a row, in double so that float reductions over millions of elements keep their
// digits: the reduction that sum(), the bias gradients and batch norm share.
template <class T>
ACNE_CPU_CLONES double sum_row(const T* x, std::size_t n) {
  double s = 0;
#pragma omp simd reduction(+ : s)
  for (std::size_t i = 0; i < n; ++i) s += double(x[i]);
  return s;
}

}  // namespace acne::cpu_backend
