#pragma once
// Row-major GEMM on raw CPU buffers through xtensor-blas (OpenBLAS underneath):
// C[m,n] = alpha * op(A) * op(B) + beta * C, where op(A) is [m,k] and op(B) is [k,n].
// Whole matrices go through xt::blas::gemm on zero-copy adaptors; a block of a larger matrix (a
// leading dimension of its own) through cxxblas::gemm, because xt::blas::gemm would copy a strided
// A or B and refuses a strided C. BLAS runs on the calling thread (blas_threads.hpp); parallel_gemm
// spreads one product over the OpenMP threads. Float products go to oneDNN where the build has it
// (onednn.hpp): faster than OpenBLAS on every shape bench_conv uses, and 4-5x where OpenBLAS does
// not know the CPU.
#include <algorithm>
#include <array>
#include <cstddef>
#include <type_traits>

#include <xtensor/xadapt.hpp>
#include <xtensor-blas/xblas.hpp>

#include "acne/backend/cpu/blas_threads.hpp"
#include "acne/backend/cpu/onednn.hpp"

namespace acne::cpu_backend {

// The BLAS call itself, on whatever threads BLAS has at the moment.
template <class T>
void blas_gemm(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k, T alpha, const T* a,
               std::size_t lda, const T* b, std::size_t ldb, T beta, T* c, std::size_t ldc) {
  if (m == 0 || n == 0) return;
  using idx = xt::blas_index_t;
  cxxblas::gemm<idx>(cxxblas::StorageOrder::RowMajor, trans_a ? cxxblas::Trans : cxxblas::NoTrans,
                     trans_b ? cxxblas::Trans : cxxblas::NoTrans, idx(m), idx(n), idx(k), alpha, a, idx(lda), b,
                     idx(ldb), beta, c, idx(ldc));
}

// The backend's GEMM: BLAS on the calling thread. Leading dimensions let it read or write a block of
// a larger matrix (a band of output rows of one sample) without copying it out first.
template <class T>
void gemm(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k, T alpha, const T* a,
          std::size_t lda, const T* b, std::size_t ldb, T beta, T* c, std::size_t ldc) {
#ifdef ACNE_WITH_ONEDNN
  if constexpr (std::is_same_v<T, float>)
    if (onednn::enabled) {
      if (m && n) onednn::sgemm(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
      return;
    }
#endif
  keep_blas_on_calling_thread();
  blas_gemm(trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

// Whole row-major matrices: A is stored [m,k] ([k,m] when trans_a), B [k,n] ([n,k]), C [m,n].
template <class T>
void gemm(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k, T alpha, const T* a,
          const T* b, T beta, T* c) {
#ifdef ACNE_WITH_ONEDNN
  if constexpr (std::is_same_v<T, float>)
    if (onednn::enabled)
      return gemm(trans_a, trans_b, m, n, k, alpha, a, std::max<std::size_t>(trans_a ? m : k, 1), b,
                  std::max<std::size_t>(trans_b ? k : n, 1), beta, c, std::max<std::size_t>(n, 1));
#endif
  if (m == 0 || n == 0 || k == 0)  // empty adaptors have no leading dimension BLAS accepts
    return gemm(trans_a, trans_b, m, n, k, alpha, a, trans_a ? m : k, b, trans_b ? k : n, beta, c, n);
  using shape = std::array<std::size_t, 2>;
  const auto xa = xt::adapt(a, m * k, xt::no_ownership(), trans_a ? shape{k, m} : shape{m, k});
  const auto xb = xt::adapt(b, k * n, xt::no_ownership(), trans_b ? shape{n, k} : shape{k, n});
  auto xc = xt::adapt(c, m * n, xt::no_ownership(), shape{m, n});
  keep_blas_on_calling_thread();
  xt::blas::gemm(xa, xb, xc, trans_a, trans_b, alpha, beta);
}

// Below this many multiply-adds a product stays on one thread (OpenBLAS draws its line nearby).
inline constexpr double parallel_gemm_threshold = 1 << 18;

// The same product on the OpenMP threads: each computes a block of C's columns, or of its rows
// when C is taller than wide, with single-threaded BLAS. With a BLAS the backend cannot hold to one
// thread, or inside a parallel region, it is one call.
template <class T>
void parallel_gemm(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k, T alpha, const T* a,
                   const T* b, T beta, T* c) {
  const std::size_t lda = trans_a ? m : k, ldb = trans_b ? k : n;
#ifdef ACNE_WITH_ONEDNN
  // oneDNN spreads one product over the OpenMP threads itself.
  if constexpr (std::is_same_v<T, float>)
    if (onednn::enabled) return gemm(trans_a, trans_b, m, n, k, alpha, a, b, beta, c);
#endif
  int threads = 1;
#ifdef _OPENMP
  if (blas_threads::controllable() && !omp_in_parallel() && double(m) * double(n) * double(k) >= parallel_gemm_threshold)
    threads = int(std::min<std::size_t>(std::size_t(omp_get_max_threads()), std::max(m, n)));
#endif
  if (threads <= 1) return gemm(trans_a, trans_b, m, n, k, alpha, a, b, beta, c);
  keep_blas_on_calling_thread();
  const bool by_columns = n >= m;
  const std::size_t extent = by_columns ? n : m;
#pragma omp parallel for schedule(static) num_threads(threads)
  for (int t = 0; t < threads; ++t) {
    const std::size_t first = extent * std::size_t(t) / std::size_t(threads);
    const std::size_t last = extent * std::size_t(t + 1) / std::size_t(threads);
    if (by_columns)
      gemm(trans_a, trans_b, m, last - first, k, alpha, a, lda, trans_b ? b + first * ldb : b + first, ldb, beta,
           c + first, n);
    else
      gemm(trans_a, trans_b, last - first, n, k, alpha, trans_a ? a + first : a + first * lda, lda, b, ldb, beta,
           c + first * n, n);
  }
}

}  // namespace acne::cpu_backend
