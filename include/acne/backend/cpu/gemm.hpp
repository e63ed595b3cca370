#pragma once
// Row-major GEMM on raw CPU buffers through xtensor-blas (OpenBLAS underneath):
// C[m,n] = alpha * op(A) * op(B) + beta * C, where op(A) is [m,k] and op(B) is [k,n].
#include <cstddef>

#include <xtensor-blas/xblas.hpp>

// Weak, so the library still links against a BLAS that is not OpenBLAS; they are then null.
extern "C" void openblas_set_num_threads(int) __attribute__((weak));
extern "C" int openblas_get_num_threads(void) __attribute__((weak));

namespace acne::cpu_backend {

// Leading dimensions let a GEMM read or write a block of a larger matrix (a band of output rows
// of one sample) without copying it out first.
template <class T>
void gemm(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k, T alpha, const T* a,
          std::size_t lda, const T* b, std::size_t ldb, T beta, T* c, std::size_t ldc) {
  if (m == 0 || n == 0) return;
  using idx = xt::blas_index_t;
  cxxblas::gemm<idx>(cxxblas::StorageOrder::RowMajor, trans_a ? cxxblas::Trans : cxxblas::NoTrans,
                     trans_b ? cxxblas::Trans : cxxblas::NoTrans, idx(m), idx(n), idx(k), alpha, a, idx(lda), b,
                     idx(ldb), beta, c, idx(ldc));
}

template <class T>
void gemm(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k, T alpha, const T* a,
          const T* b, T beta, T* c) {
  gemm(trans_a, trans_b, m, n, k, alpha, a, trans_a ? m : k, b, trans_b ? k : n, beta, c, n);
}

// While alive, BLAS runs in the calling thread: for loops whose OpenMP threads each issue their
// own GEMM. OpenBLAS built on pthreads would otherwise start its own threads inside each of ours.
class blas_single_thread {
public:
  // False when the BLAS cannot be told (not OpenBLAS): callers then keep GEMMs off worker threads.
  static bool supported() { return openblas_set_num_threads && openblas_get_num_threads; }
  blas_single_thread() : saved_(supported() ? openblas_get_num_threads() : 0) {
    if (saved_ > 1) openblas_set_num_threads(1);
  }
  ~blas_single_thread() {
    if (saved_ > 1) openblas_set_num_threads(saved_);
  }
  blas_single_thread(const blas_single_thread&) = delete;
  blas_single_thread& operator=(const blas_single_thread&) = delete;

private:
  int saved_;
};

}  // namespace acne::cpu_backend
