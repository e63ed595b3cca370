#pragma once
// Elementwise and per-channel CPU kernels. Every function here has a CUDA twin with the same
// signature for tensor<float, cuda> (backend/cuda/elementwise.hpp), so layers call them unqualified.
// Kernels are xtensor expressions over zero-copy adaptors (tensor/xtensor.hpp), one per OpenMP
// thread's chunk, where bench_elementwise measured them no slower than the loops they replaced;
// the rest (axpy, axpby, scale, sum, dot, channel_bias_grad, the piecewise-linear activations,
// tanh and sigmoid slopes, dropout) are loops, the hottest of them cloned per instruction set
// (cpu/simd.hpp), which xtensor's assignment loop cannot be (docs/benchmarks.md, "Elementwise
// kernels").
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>

#include <xtensor/xmath.hpp>
#include <xtensor/xnoalias.hpp>
#include <xtensor/xoperation.hpp>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "acne/backend/activation.hpp"
#include "acne/backend/cpu/gemm.hpp"
#include "acne/backend/cpu/parallel.hpp"
#include "acne/backend/cpu/simd.hpp"
#include "acne/tensor/tensor.hpp"
#include "acne/tensor/xtensor.hpp"

namespace acne {

namespace cpu_backend {
// Calls f(first, count) on one contiguous chunk of [0, n) per OpenMP thread when n is past
// parallel_threshold (the split a static schedule makes), else once over all of it.
template <class F>
void parallel_chunks(std::size_t n, F&& f) {
#ifdef _OPENMP
  if (n > parallel_threshold) {
#pragma omp parallel
    {
      const auto t = std::size_t(omp_get_thread_num()), k = std::size_t(omp_get_num_threads());
      const std::size_t first = n * t / k, last = n * (t + 1) / k;
      if (last > first) f(first, last - first);
    }
    return;
  }
#endif
  f(std::size_t(0), n);
}
}  // namespace cpu_backend

template <class T>
void fill(tensor<T, cpu>& t, T value) { t.fill(value); }

// dst = src (sizes must agree; shapes may differ).
template <class T>
void copy(const tensor<T, cpu>& src, tensor<T, cpu>& dst) {
  ACNE_CHECK(src.size() == dst.size(), "copy: " << src.shape() << " into " << dst.shape());
  std::copy(src.begin(), src.end(), dst.begin());
}

// y += alpha * x
template <class T>
void axpy(T alpha, const tensor<T, cpu>& x, tensor<T, cpu>& y) {
  ACNE_CHECK(x.size() == y.size(), "axpy: " << x.shape() << " and " << y.shape());
  const T* a = x.data();
  T* b = y.data();
  const long n = static_cast<long>(x.size());
#pragma omp parallel for simd schedule(static) if(static_cast<std::size_t>(n) > cpu_backend::parallel_threshold)
  for (long i = 0; i < n; ++i) b[i] += alpha * a[i];
}

// y = a * x + b * y
template <class T>
void axpby(T a, const tensor<T, cpu>& x, T b, tensor<T, cpu>& y) {
  ACNE_CHECK(x.size() == y.size(), "axpby: " << x.shape() << " and " << y.shape());
  const T* p = x.data();
  T* q = y.data();
  const long n = static_cast<long>(x.size());
#pragma omp parallel for simd schedule(static) if(static_cast<std::size_t>(n) > cpu_backend::parallel_threshold)
  for (long i = 0; i < n; ++i) q[i] = a * p[i] + b * q[i];
}

template <class T>
void scale(tensor<T, cpu>& t, T alpha) {
  T* p = t.data();
  const long n = static_cast<long>(t.size());
#pragma omp parallel for simd schedule(static) if(static_cast<std::size_t>(n) > cpu_backend::parallel_threshold)
  for (long i = 0; i < n; ++i) p[i] *= alpha;
}

template <class T>
double sum(const tensor<T, cpu>& t) { return cpu_backend::sum_row(t.data(), t.size()); }
template <class T>
double dot(const tensor<T, cpu>& a, const tensor<T, cpu>& b) {
  ACNE_CHECK(a.size() == b.size(), "dot: " << a.shape() << " and " << b.shape());
  double s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += double(a[i]) * double(b[i]);
  return s;
}

// y[n,c,:,:] += gain * bias[c]
template <class T>
void add_channel_bias(tensor<T, cpu>& y, const tensor<T, cpu>& bias, T gain) {
  const auto& s = y.shape();
  ACNE_CHECK(bias.size() == s.c, "bias of " << bias.size() << " values for " << s.c << " channels");
  const std::size_t p = s.plane();
#pragma omp parallel for schedule(static) if(y.size() > cpu_backend::parallel_threshold)
  for (long nc = 0; nc < static_cast<long>(s.n * s.c); ++nc) {
    auto row = as_xtensor_flat(y.data() + nc * p, p);
    xt::noalias(row) += gain * bias[nc % s.c];
  }
}

// db[c] += gain * sum over n,h,w of dy[n,c,h,w]
template <class T>
void channel_bias_grad(const tensor<T, cpu>& dy, tensor<T, cpu>& db, T gain) {
  const auto& s = dy.shape();
  const std::size_t p = s.plane();
#pragma omp parallel for schedule(static) if(dy.size() > cpu_backend::parallel_threshold)
  for (long c = 0; c < static_cast<long>(s.c); ++c) {
    double acc = 0;
    for (std::size_t n = 0; n < s.n; ++n) {
      const T* row = dy.data() + (n * s.c + c) * p;
      if (p >= 64) acc += cpu_backend::sum_row(row, p);  // else the call costs more than the loop
      else for (std::size_t i = 0; i < p; ++i) acc += row[i];
    }
    db[c] += T(gain * acc);
  }
}

namespace cpu_backend {
// The piecewise-linear activations (linear: alpha 1, relu: alpha 0, leaky relu): y = (x > 0 ? x :
// alpha x) * gain, clamped to [-c, c] when c > 0, as official bias_act orders the products (relu
// gives 0, not 0 * x, so that -inf stays finite).
template <class T>
ACNE_CPU_CLONES void piecewise_linear_forward(const T* x, T* y, std::size_t n, T alpha, T gain, T c) {
  if (c > T(0)) {
#pragma omp simd
    for (std::size_t i = 0; i < n; ++i) {
      const T v = (x[i] > T(0) ? x[i] : alpha == T(0) ? T(0) : alpha * x[i]) * gain;
      y[i] = v < -c ? -c : (v > c ? c : v);
    }
    return;
  }
#pragma omp simd
  for (std::size_t i = 0; i < n; ++i) y[i] = (x[i] > T(0) ? x[i] : alpha == T(0) ? T(0) : alpha * x[i]) * gain;
}
// dx = dy * slope, the slope read from the sign of x; where the clamp held y, dx = 0.
template <class T>
ACNE_CPU_CLONES void piecewise_linear_backward(const T* x, const T* y, const T* dy, T* dx, std::size_t n, T alpha,
                                               T gain, T c) {
  const T negative = alpha * gain;
  if (c > T(0)) {
#pragma omp simd
    for (std::size_t i = 0; i < n; ++i) {
      const T d = dy[i] * (x[i] > T(0) ? gain : negative);
      dx[i] = (y[i] >= c || y[i] <= -c) ? T(0) : d;
    }
    return;
  }
#pragma omp simd
  for (std::size_t i = 0; i < n; ++i) dx[i] = dy[i] * (x[i] > T(0) ? gain : negative);
}
inline double negative_slope(const activation& act) {
  return act.kind == activation_kind::linear ? 1.0 : act.kind == activation_kind::relu ? 0.0 : act.alpha;
}
}  // namespace cpu_backend

// Linear, relu and leaky relu run the cloned loops above: bench_elementwise measured them faster
// than the xtensor expressions they replaced (docs/benchmarks.md); tanh and sigmoid stay
// expressions.
template <class T>
void activation_forward(const activation& act, const tensor<T, cpu>& x, tensor<T, cpu>& y) {
  const T gain = T(act.gain), alpha = T(cpu_backend::negative_slope(act)), c = T(act.clamp);
  cpu_backend::parallel_chunks(x.size(), [&](std::size_t first, std::size_t count) {
    if (act.kind != activation_kind::tanh && act.kind != activation_kind::sigmoid)
      return cpu_backend::piecewise_linear_forward(x.data() + first, y.data() + first, count, alpha, gain, c);
    const auto a = as_xtensor_flat(x.data() + first, count);
    auto b = as_xtensor_flat(y.data() + first, count);
    // The clamp is a second pass over the chunk (still in cache) rather than a second expression
    // per kind, which would double what every file that includes this header compiles.
    if (act.kind == activation_kind::tanh) xt::noalias(b) = xt::tanh(a) * gain;
    else xt::noalias(b) = T(1) / (T(1) + xt::exp(-a)) * gain;
    if (act.clamp > 0) xt::noalias(b) = xt::clip(b, -c, c);
  });
}

// dx = dy * act'(x); dx may alias dy.
template <class T>
void activation_backward(const activation& act, const tensor<T, cpu>& x, const tensor<T, cpu>& y,
                         const tensor<T, cpu>& dy, tensor<T, cpu>& dx) {
  if (act.kind == activation_kind::tanh || act.kind == activation_kind::sigmoid) {
    // Their slopes have no data-dependent branch, so the loop vectorises and beat the expression.
    const long n = static_cast<long>(x.size());
#pragma omp parallel for schedule(static) if(static_cast<std::size_t>(n) > cpu_backend::parallel_threshold)
    for (long i = 0; i < n; ++i) dx.data()[i] = dy.data()[i] * act.derivative(x.data()[i], y.data()[i]);
    return;
  }
  const T gain = T(act.gain), alpha = T(cpu_backend::negative_slope(act)), c = T(act.clamp);
  // Each element of dx reads only the same element of dy, so the alias is harmless.
  cpu_backend::parallel_chunks(x.size(), [&](std::size_t first, std::size_t count) {
    cpu_backend::piecewise_linear_backward(x.data() + first, y.data() + first, dy.data() + first, dx.data() + first,
                                           count, alpha, gain, c);
  });
}

// Copies src's channels into dst's channels [offset, offset + src.c) (accumulate adds instead).
template <class T>
void copy_channels(const tensor<T, cpu>& src, tensor<T, cpu>& dst, std::size_t offset, bool accumulate = false) {
  const auto& s = src.shape();
  const auto& d = dst.shape();
  ACNE_CHECK(s.n == d.n && s.h == d.h && s.w == d.w && offset + s.c <= d.c,
             "copy_channels: " << s << " at channel " << offset << " of " << d);
  for (std::size_t n = 0; n < s.n; ++n) {
    const T* a = src.data() + n * s.sample_size();
    T* b = dst.data() + (n * d.c + offset) * d.plane();
    if (accumulate) {
      auto to = as_xtensor_flat(b, s.sample_size());
      xt::noalias(to) += as_xtensor_flat(a, s.sample_size());
    } else {
      std::copy(a, a + s.sample_size(), b);
    }
  }
}
// The reverse: dst = src's channels [offset, offset + dst.c).
template <class T>
void slice_channels(const tensor<T, cpu>& src, tensor<T, cpu>& dst, std::size_t offset) {
  const auto& s = src.shape();
  const auto& d = dst.shape();
  ACNE_CHECK(s.n == d.n && s.h == d.h && s.w == d.w && offset + d.c <= s.c,
             "slice_channels: " << d << " at channel " << offset << " of " << s);
  for (std::size_t n = 0; n < s.n; ++n) {
    const T* a = src.data() + (n * s.c + offset) * s.plane();
    std::copy(a, a + d.sample_size(), dst.data() + n * d.sample_size());
  }
}

// c = alpha * op(a) * op(b) + beta * c, with a, b, c read as matrices [n, c*h*w].
template <class T>
void matmul(const tensor<T, cpu>& a, bool trans_a, const tensor<T, cpu>& b, bool trans_b, tensor<T, cpu>& c,
            T alpha = T(1), T beta = T(0)) {
  const std::size_t ar = a.shape().n, ac = a.shape().sample_size();
  const std::size_t br = b.shape().n, bc = b.shape().sample_size();
  const std::size_t m = trans_a ? ac : ar, k = trans_a ? ar : ac;
  const std::size_t kb = trans_b ? bc : br, n = trans_b ? br : bc;
  ACNE_CHECK(k == kb && c.shape().n == m && c.shape().sample_size() == n,
             "matmul: " << a.shape() << (trans_a ? "^T" : "") << " x " << b.shape() << (trans_b ? "^T" : "")
                        << " into " << c.shape());
  cpu_backend::parallel_gemm(trans_a, trans_b, m, n, k, alpha, a.data(), b.data(), beta, c.data());
}

// A counter-based hash in [0, 1): the same random stream on every backend and thread count.
inline double hash_uniform(std::uint64_t seed, std::uint64_t index) {
  std::uint64_t z = seed * 0x9E3779B97F4A7C15ull + index + 0x632BE59BD9B4E019ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) * 0x1.0p-53;
}

// Inverted dropout: y = x * mask / (1 - rate), mask drawn from (seed, element index).
template <class T>
void dropout_forward(const tensor<T, cpu>& x, tensor<T, cpu>& y, double rate, std::uint64_t seed) {
  const T keep_scale = T(1.0 / (1.0 - rate));
  const long n = static_cast<long>(x.size());
#pragma omp parallel for schedule(static) if(static_cast<std::size_t>(n) > cpu_backend::parallel_threshold)
  for (long i = 0; i < n; ++i)
    y.data()[i] = hash_uniform(seed, i) < rate ? T(0) : x.data()[i] * keep_scale;
}
template <class T>
void dropout_backward(const tensor<T, cpu>& dy, tensor<T, cpu>& dx, double rate, std::uint64_t seed) {
  dropout_forward(dy, dx, rate, seed);
}

}  // namespace acne
