#pragma once
// Runs the enclosing scope on one thread, OpenMP and BLAS alike: training is then bit-reproducible
// (the CPU backend's parallel weight-gradient sums round in a scheduling-dependent order), and the
// small test networks skip barriers that cost more than their work on a loaded machine.
#include "acne/backend/cpu/blas_threads.hpp"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace acne::test {

class single_thread {
public:
#ifdef _OPENMP
  single_thread() : saved_(omp_get_max_threads()) { omp_set_num_threads(1); }
  ~single_thread() { omp_set_num_threads(saved_); }
#endif
  single_thread(const single_thread&) = delete;
  single_thread& operator=(const single_thread&) = delete;

private:
  int saved_ = 1;
  cpu_backend::blas_threads blas_{1};
};

}  // namespace acne::test
