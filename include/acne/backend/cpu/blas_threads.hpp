#pragma once
// Who runs BLAS's threads. The CPU backend parallelises with OpenMP and keeps OpenBLAS to the
// calling thread: OpenBLAS built on pthreads leaves its workers spinning for about 0.1 s after a
// threaded call, on the cores where the next OpenMP team runs, and that team then ran at half
// speed (bench_conv, strided 3x3 forward: 17-21 ms right after a threaded SGEMM, 8-9 ms when
// OpenBLAS's spin was cut short with OPENBLAS_THREAD_TIMEOUT=4).
#ifdef _OPENMP
#include <omp.h>
#endif

// Weak, so the library still links against a BLAS that is not OpenBLAS; they are then null.
extern "C" void openblas_set_num_threads(int) __attribute__((weak));
extern "C" int openblas_get_num_threads(void) __attribute__((weak));

namespace acne::cpu_backend {

// While alive, BLAS runs on `n` threads of its own; the count before is restored afterwards.
class blas_threads {
public:
  // False when the BLAS cannot be told (not OpenBLAS): the backend then leaves BLAS its own
  // threads and keeps GEMMs off OpenMP workers.
  static bool controllable() { return openblas_set_num_threads && openblas_get_num_threads; }
  // OpenBLAS's count before the first change made through this header (OPENBLAS_NUM_THREADS or
  // the cores).
  static int initial() {
    static const int n = controllable() ? openblas_get_num_threads() : 1;
    return n;
  }
  explicit blas_threads(int n) : saved_(controllable() ? openblas_get_num_threads() : 0) {
    initial();
    if (saved_ > 0 && saved_ != n) openblas_set_num_threads(n);
  }
  ~blas_threads() {
    if (saved_ > 0 && openblas_get_num_threads() != saved_) openblas_set_num_threads(saved_);
  }
  blas_threads(const blas_threads&) = delete;
  blas_threads& operator=(const blas_threads&) = delete;

private:
  int saved_;
};

inline bool in_parallel_region() {
#ifdef _OPENMP
  return omp_in_parallel();
#else
  return false;
#endif
}

// Called before the backend's GEMMs, outside parallel regions (setting the count is not thread-safe).
inline void keep_blas_on_calling_thread() {
  if (!blas_threads::controllable() || in_parallel_region()) return;
  blas_threads::initial();
  if (openblas_get_num_threads() != 1) openblas_set_num_threads(1);
}

}  // namespace acne::cpu_backend
