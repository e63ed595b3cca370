#pragma once
// Small dense double-precision linear algebra for the metrics (FID, KID, feature statistics):
// square matrices stored column-major in std::vector<double>, thin wrappers over the Fortran
// BLAS/LAPACK symbols that OpenBLAS exports (dgemm_, dsyevd_, dgetrf_, dgetri_).
//
// The Fortran symbols are bound under private C++ names with GCC/Clang assembler labels, so this
// header never re-declares `dgemm_` & co. and cannot clash with lapack.h, cblas.h or the xflens
// declarations that xtensor-blas brings into the same translation unit.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <vector>

#include "acne/backend/cpu/blas_threads.hpp"
#include "acne/error.hpp"

extern "C" {
// Trailing size_t arguments: the hidden lengths of the character arguments (gfortran ABI).
void acne_fortran_dgemm(const char* transa, const char* transb, const int* m, const int* n, const int* k,
                        const double* alpha, const double* a, const int* lda, const double* b, const int* ldb,
                        const double* beta, double* c, const int* ldc, std::size_t, std::size_t) __asm__("dgemm_");
void acne_fortran_dsyevd(const char* jobz, const char* uplo, const int* n, double* a, const int* lda, double* w,
                         double* work, const int* lwork, int* iwork, const int* liwork, int* info, std::size_t,
                         std::size_t) __asm__("dsyevd_");
void acne_fortran_dgetrf(const int* m, const int* n, double* a, const int* lda, int* ipiv, int* info)
    __asm__("dgetrf_");
void acne_fortran_dgetri(const int* n, double* a, const int* lda, const int* ipiv, double* work, const int* lwork,
                         int* info) __asm__("dgetri_");
}

namespace acne::metrics::linalg {

// Scope for a distance's dense algebra, which runs once, at the end, with no OpenMP team beside it:
// BLAS and LAPACK may use OpenBLAS's own threads there (the CPU backend otherwise holds it to one).
class blas_own_threads {
public:
  blas_own_threads() : threads_(cpu_backend::blas_threads::initial()) {}

private:
  cpu_backend::blas_threads threads_;
};

inline int to_blas_int(std::size_t value) {
  ACNE_CHECK(value <= static_cast<std::size_t>(std::numeric_limits<int>::max()),
             "matrix dimension " << value << " exceeds the 32-bit BLAS index range");
  return static_cast<int>(value);
}

// C = alpha * op(A) * op(B) + beta * C, column-major; op(A) is m x k, op(B) is k x n.
inline void gemm(bool transpose_a, bool transpose_b, std::size_t m, std::size_t n, std::size_t k, double alpha,
                 const double* a, std::size_t lda, const double* b, std::size_t ldb, double beta, double* c,
                 std::size_t ldc) {
  if (m == 0 || n == 0) return;
  const char ta = transpose_a ? 'T' : 'N', tb = transpose_b ? 'T' : 'N';
  const int im = to_blas_int(m), in = to_blas_int(n), ik = to_blas_int(k);
  const int ila = to_blas_int(std::max<std::size_t>(lda, 1)), ilb = to_blas_int(std::max<std::size_t>(ldb, 1)),
            ilc = to_blas_int(std::max<std::size_t>(ldc, 1));
  acne_fortran_dgemm(&ta, &tb, &im, &in, &ik, &alpha, a, &ila, b, &ilb, &beta, c, &ilc, 1, 1);
}

// Product of two n x n column-major matrices.
inline std::vector<double> multiply(const std::vector<double>& a, const std::vector<double>& b, std::size_t n) {
  ACNE_CHECK(a.size() == n * n && b.size() == n * n, "multiply: expected two " << n << "x" << n << " matrices");
  std::vector<double> c(n * n, 0.0);
  gemm(false, false, n, n, n, 1.0, a.data(), n, b.data(), n, 0.0, c.data(), n);
  return c;
}

inline std::vector<double> identity(std::size_t n) {
  std::vector<double> eye(n * n, 0.0);
  for (std::size_t i = 0; i < n; ++i) eye[i * n + i] = 1.0;
  return eye;
}

inline double trace(const std::vector<double>& a, std::size_t n) {
  double sum = 0.0;
  for (std::size_t i = 0; i < n; ++i) sum += a[i * n + i];
  return sum;
}

inline double frobenius_norm(const std::vector<double>& a) {
  double sum = 0.0;
  for (double v : a) sum += v * v;
  return std::sqrt(sum);
}

inline bool all_finite(const std::vector<double>& a) {
  return std::all_of(a.begin(), a.end(), [](double v) { return std::isfinite(v); });
}

inline bool is_diagonal(const std::vector<double>& a, std::size_t n) {
  for (std::size_t j = 0; j < n; ++j)
    for (std::size_t i = 0; i < n; ++i)
      if (i != j && a[j * n + i] != 0.0) return false;
  return true;
}

inline std::vector<double> diagonal(const std::vector<double>& a, std::size_t n) {
  std::vector<double> d(n);
  for (std::size_t i = 0; i < n; ++i) d[i] = a[i * n + i];
  return d;
}

// (A + A^T) / 2 in place: removes the rounding asymmetry of products that are symmetric in exact arithmetic.
inline void symmetrize(std::vector<double>& a, std::size_t n) {
  for (std::size_t j = 0; j < n; ++j)
    for (std::size_t i = j + 1; i < n; ++i) {
      const double mean = 0.5 * (a[j * n + i] + a[i * n + j]);
      a[j * n + i] = mean;
      a[i * n + j] = mean;
    }
}

// Eigen-decomposition of a symmetric n x n matrix (LAPACK dsyevd, divide and conquer).
// Eigenvalues ascending; eigenvectors (if requested) are the columns of `vectors`.
struct symmetric_eigen {
  std::vector<double> values;
  std::vector<double> vectors;  // n x n column-major, empty unless requested
};

inline symmetric_eigen eigen_symmetric(std::vector<double> a, std::size_t n, bool want_vectors) {
  ACNE_CHECK(a.size() == n * n, "eigen_symmetric: expected a " << n << "x" << n << " matrix, got " << a.size()
                                                               << " values");
  ACNE_CHECK(all_finite(a), "eigen_symmetric: the matrix holds NaN or infinite values");
  symmetric_eigen result;
  result.values.assign(n, 0.0);
  if (n == 0) return result;
  const char jobz = want_vectors ? 'V' : 'N', uplo = 'L';
  const int in = to_blas_int(n);
  int info = 0, lwork = -1, liwork = -1, iwork_query = 0;
  double work_query = 0.0;
  acne_fortran_dsyevd(&jobz, &uplo, &in, a.data(), &in, result.values.data(), &work_query, &lwork, &iwork_query,
                      &liwork, &info, 1, 1);
  ACNE_CHECK(info == 0, "dsyevd workspace query failed (info " << info << ")");
  lwork = std::max(1, static_cast<int>(work_query));
  liwork = std::max(1, iwork_query);
  std::vector<double> work(static_cast<std::size_t>(lwork));
  std::vector<int> iwork(static_cast<std::size_t>(liwork));
  acne_fortran_dsyevd(&jobz, &uplo, &in, a.data(), &in, result.values.data(), work.data(), &lwork, iwork.data(),
                      &liwork, &info, 1, 1);
  ACNE_CHECK(info == 0, "dsyevd failed to converge (info " << info << ") on a " << n << "x" << n << " matrix");
  if (want_vectors) result.vectors = std::move(a);
  return result;
}

// V diag(f(lambda)) V^T for a decomposition from eigen_symmetric(..., true).
template <class F>
std::vector<double> reconstruct(const symmetric_eigen& eig, std::size_t n, F&& f) {
  std::vector<double> scaled(eig.vectors);
  for (std::size_t j = 0; j < n; ++j) {
    const double s = f(eig.values[j]);
    for (std::size_t i = 0; i < n; ++i) scaled[j * n + i] *= s;
  }
  std::vector<double> out(n * n, 0.0);
  gemm(false, true, n, n, n, 1.0, scaled.data(), n, eig.vectors.data(), n, 0.0, out.data(), n);
  symmetrize(out, n);
  return out;
}

// Inverse of a general n x n matrix by LU (dgetrf + dgetri). Returns false if A is exactly
// singular; `log_abs_det` receives log|det A| when the factorisation succeeds.
inline bool invert(std::vector<double>& a, std::size_t n, double* log_abs_det = nullptr) {
  ACNE_CHECK(a.size() == n * n, "invert: expected a " << n << "x" << n << " matrix");
  if (n == 0) return true;
  const int in = to_blas_int(n);
  std::vector<int> pivots(n);
  int info = 0;
  acne_fortran_dgetrf(&in, &in, a.data(), &in, pivots.data(), &info);
  ACNE_CHECK(info >= 0, "dgetrf: illegal argument " << -info);
  if (info > 0) return false;
  if (log_abs_det) {
    double sum = 0.0;
    for (std::size_t i = 0; i < n; ++i) sum += std::log(std::abs(a[i * n + i]));
    *log_abs_det = sum;
  }
  int lwork = -1;
  double work_query = 0.0;
  acne_fortran_dgetri(&in, a.data(), &in, pivots.data(), &work_query, &lwork, &info);
  ACNE_CHECK(info == 0, "dgetri workspace query failed (info " << info << ")");
  lwork = std::max(in, static_cast<int>(work_query));
  std::vector<double> work(static_cast<std::size_t>(lwork));
  acne_fortran_dgetri(&in, a.data(), &in, pivots.data(), work.data(), &lwork, &info);
  ACNE_CHECK(info >= 0, "dgetri: illegal argument " << -info);
  return info == 0;
}

}  // namespace acne::metrics::linalg
