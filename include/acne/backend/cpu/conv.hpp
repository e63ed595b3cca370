#pragma once
// CPU convolution as im2col + one GEMM per chunk of samples. Samples are batched into one column
// matrix until it holds ~`chunk_columns` positions, so late layers with tiny feature maps still
// give BLAS a wide matrix.
#include <algorithm>
#include <vector>

#include "acne/backend/conv_geometry.hpp"
#include "acne/backend/cpu/gemm.hpp"
#include "acne/backend/cpu/im2col.hpp"
#include "acne/tensor/tensor.hpp"

namespace acne {

namespace cpu_backend {
inline constexpr std::size_t chunk_columns = 4096;

inline std::size_t samples_per_chunk(std::size_t n, std::size_t positions) {
  return std::clamp<std::size_t>(chunk_columns / std::max<std::size_t>(positions, 1), 1, std::max<std::size_t>(n, 1));
}

// Scatters tmp[C, b*P] into NCHW samples (or gathers the reverse) for a chunk of b samples.
template <class T, bool to_nchw>
void reorder_chunk(T* tmp, T* nchw, std::size_t channels, std::size_t b, std::size_t positions) {
#pragma omp parallel for schedule(static)
  for (long c = 0; c < static_cast<long>(channels); ++c)
    for (std::size_t s = 0; s < b; ++s) {
      T* a = tmp + (c * b + s) * positions;
      T* z = nchw + (s * channels + c) * positions;
      if constexpr (to_nchw) std::copy(a, a + positions, z);
      else std::copy(z, z + positions, a);
    }
}
}  // namespace cpu_backend

// y = conv(x, w); w is [Cout, Cin, kh, kw]; y must already have the output shape.
template <class T>
void conv2d_forward(const tensor<T, cpu>& x, const tensor<T, cpu>& w, tensor<T, cpu>& y, const window& g) {
  using namespace cpu_backend;
  const auto& xs = x.shape();
  const std::size_t cout = w.shape().n, k = xs.c * g.kh * g.kw, p = y.shape().plane();
  const std::size_t chunk = samples_per_chunk(xs.n, p);
  std::vector<T> col(k * chunk * p), tmp(chunk > 1 ? cout * chunk * p : 0);
  for (std::size_t n0 = 0; n0 < xs.n; n0 += chunk) {
    const std::size_t b = std::min(chunk, xs.n - n0);
    for (std::size_t s = 0; s < b; ++s)
      im2col(x.data() + (n0 + s) * xs.sample_size(), xs.c, xs.h, xs.w, g, col.data(), b * p, s * p);
    T* out = y.data() + n0 * cout * p;
    gemm(false, false, cout, b * p, k, T(1), w.data(), col.data(), T(0), b > 1 ? tmp.data() : out);
    if (b > 1) reorder_chunk<T, true>(tmp.data(), out, cout, b, p);
  }
}

// dx = conv^T(dy, w): the gradient with respect to the input (overwrites dx).
template <class T>
void conv2d_backward_data(const tensor<T, cpu>& dy, const tensor<T, cpu>& w, tensor<T, cpu>& dx, const window& g) {
  using namespace cpu_backend;
  const auto& xs = dx.shape();
  const std::size_t cout = w.shape().n, k = xs.c * g.kh * g.kw, p = dy.shape().plane();
  const std::size_t chunk = samples_per_chunk(xs.n, p);
  std::vector<T> col(k * chunk * p), tmp(chunk > 1 ? cout * chunk * p : 0);
  dx.zero();
  for (std::size_t n0 = 0; n0 < xs.n; n0 += chunk) {
    const std::size_t b = std::min(chunk, xs.n - n0);
    T* grad = const_cast<T*>(dy.data()) + n0 * cout * p;
    if (b > 1) reorder_chunk<T, false>(tmp.data(), grad, cout, b, p);
    gemm(true, false, k, b * p, cout, T(1), w.data(), b > 1 ? tmp.data() : grad, T(0), col.data());
    for (std::size_t s = 0; s < b; ++s)
      col2im(col.data(), b * p, s * p, xs.c, xs.h, xs.w, g, dx.data() + (n0 + s) * xs.sample_size());
  }
}

// dw = beta * dw + dy (x) x: the gradient with respect to the weights.
template <class T>
void conv2d_backward_filter(const tensor<T, cpu>& x, const tensor<T, cpu>& dy, tensor<T, cpu>& dw, const window& g,
                            T beta = T(1)) {
  using namespace cpu_backend;
  const auto& xs = x.shape();
  const std::size_t cout = dw.shape().n, k = xs.c * g.kh * g.kw, p = dy.shape().plane();
  const std::size_t chunk = samples_per_chunk(xs.n, p);
  std::vector<T> col(k * chunk * p), tmp(chunk > 1 ? cout * chunk * p : 0);
  for (std::size_t n0 = 0; n0 < xs.n; n0 += chunk) {
    const std::size_t b = std::min(chunk, xs.n - n0);
    for (std::size_t s = 0; s < b; ++s)
      im2col(x.data() + (n0 + s) * xs.sample_size(), xs.c, xs.h, xs.w, g, col.data(), b * p, s * p);
    T* grad = const_cast<T*>(dy.data()) + n0 * cout * p;
    if (b > 1) reorder_chunk<T, false>(tmp.data(), grad, cout, b, p);
    gemm(false, true, cout, k, b * p, T(1), b > 1 ? tmp.data() : grad, col.data(), n0 == 0 ? beta : T(1), dw.data());
  }
}

}  // namespace acne
