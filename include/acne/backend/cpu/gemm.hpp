#pragma once
// Row-major GEMM on raw CPU buffers through xtensor-blas (OpenBLAS underneath):
// C[m,n] = alpha * op(A) * op(B) + beta * C, where op(A) is [m,k] and op(B) is [k,n].
#include <array>
#include <cstddef>

#include <xtensor-blas/xblas.hpp>
#include <xtensor/xadapt.hpp>

namespace acne::cpu_backend {

template <class T>
void gemm(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k, T alpha, const T* a,
          const T* b, T beta, T* c) {
  if (m == 0 || n == 0) return;
  using shape2 = std::array<std::size_t, 2>;
  auto av = xt::adapt(a, m * k, xt::no_ownership(), trans_a ? shape2{k, m} : shape2{m, k});
  auto bv = xt::adapt(b, k * n, xt::no_ownership(), trans_b ? shape2{n, k} : shape2{k, n});
  auto cv = xt::adapt(c, m * n, xt::no_ownership(), shape2{m, n});
  xt::blas::gemm(av, bv, cv, trans_a, trans_b, alpha, beta);
}

}  // namespace acne::cpu_backend
