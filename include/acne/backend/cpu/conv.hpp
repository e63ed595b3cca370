#pragma once
// CPU convolution as im2col + GEMM over work items: a group of samples whose columns fill one GEMM
// (small feature maps), or a band of output rows of one sample (large ones). Items run on OpenMP
// threads, each with a single-threaded GEMM and its own column buffer, so im2col runs in parallel
// too and OpenMP's and OpenBLAS's idle threads never spin against each other's workers.
#include <algorithm>
#include <cstddef>
#include <memory>
#include <type_traits>

#include "acne/backend/conv_geometry.hpp"
#include "acne/backend/cpu/gemm.hpp"
#include "acne/backend/cpu/im2col.hpp"
#include "acne/backend/cpu/onednn_conv.hpp"
#include "acne/backend/cpu/parallel.hpp"
#include "acne/tensor/tensor.hpp"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace acne {

namespace cpu_backend {

// Elements of one item's column matrix: about what the L2 cache holds, so the GEMM packs columns
// that im2col has just written instead of fetching them back from memory. Variables, so tests can
// force the banded and grouped paths on small inputs and bench_conv can tune them.
inline std::size_t chunk_elements = std::size_t(1) << 18;
// ...but never fewer columns than this: each GEMM packs the whole weight matrix once, which a
// narrow item (512 channels: 2.4M weights) would pay again and again.
inline std::size_t min_chunk_columns = 256;

// Per-thread buffers that only grow, reused across calls: allocating (and page-faulting) the
// column matrix per call cost as much as filling it. `slot` keeps a thread's buffers apart.
template <class T, int slot>
T* thread_buffer(std::size_t n) {
  thread_local std::unique_ptr<T[]> data;
  thread_local std::size_t size = 0;
  if (n > size) {
    data.reset(new T[n]);
    size = n;
  }
  return data.get();
}

// The OpenMP threads for a convolution of `macs` multiply-adds: one inside another parallel region,
// without a BLAS that can be kept to the calling thread, or for work too small to share.
inline std::size_t worker_threads(double macs) {
#ifdef _OPENMP
  if (!omp_in_parallel() && blas_threads::controllable() && macs >= double(parallel_threshold))
    return std::size_t(omp_get_max_threads());
#endif
  return 1;
}

// How a convolution is cut into items: one sample per item, cut into bands of `rows` output rows
// when it exceeds the column budget, so the GEMM writes straight into the NCHW output; or, for
// maps under `min_chunk_columns` positions, `samples` per item, whose output is then reordered.
struct conv_plan {
  std::size_t n, oh, ow, samples, rows, bands, items, threads;
  bool direct;  // 1x1, stride 1, no padding: the input already is the column matrix
  conv_plan(const shape4& xs, const window& g, std::size_t cout) {
    n = xs.n;
    oh = g.out_h(xs.h);
    ow = g.out_w(xs.w);
    direct = g.kh == 1 && g.kw == 1 && g.stride_h == 1 && g.stride_w == 1 && g.pad_top == 0 && g.pad_left == 0 &&
             g.pad_bottom == 0 && g.pad_right == 0;
    const std::size_t k = xs.c * g.kh * g.kw, p = oh * ow;
    const std::size_t columns = std::max({chunk_elements / std::max<std::size_t>(k, 1), min_chunk_columns, ow});
    threads = worker_threads(double(n) * double(p) * double(k) * double(cout));
    if (p >= min_chunk_columns) {
      samples = 1;
      rows = std::max<std::size_t>(columns / ow, 1);
      bands = (oh + rows - 1) / rows;
      rows = (oh + bands - 1) / bands;  // even bands
    } else {
      // Round the item count up to a multiple of the threads so none idles at the end.
      const std::size_t per_item = columns / std::max<std::size_t>(p, 1);
      const std::size_t count = std::min(n, ((n + per_item - 1) / per_item + threads - 1) / threads * threads);
      samples = (n + count - 1) / std::max<std::size_t>(count, 1);
      rows = oh;
      bands = 1;
    }
    items = (n + samples - 1) / samples * bands;
    threads = std::min(threads, items);
  }
  std::size_t first_sample(std::size_t item) const { return item / bands * samples; }
  std::size_t count(std::size_t item) const { return std::min(samples, n - first_sample(item)); }
  std::size_t first_row(std::size_t item) const { return item % bands * rows; }
  std::size_t last_row(std::size_t item) const { return std::min(oh, first_row(item) + rows); }
};

// Runs f(item) for every item: on `threads` OpenMP threads, each with single-threaded BLAS, or
// serially (with BLAS's own threads where the backend cannot hold it to one).
template <class F>
void for_each_item(std::size_t items, std::size_t threads, F&& f) {
#ifdef _OPENMP
  if (std::min(threads, items) > 1) {
    keep_blas_on_calling_thread();
#pragma omp parallel for schedule(dynamic, 1) num_threads(int(std::min(threads, items)))
    for (long i = 0; i < long(items); ++i) f(std::size_t(i));
    return;
  }
#endif
  for (std::size_t i = 0; i < items; ++i) f(i);
}

// b NCHW samples to one [C, b*P] matrix whose columns run sample after sample, and back.
template <class T>
void to_columns(const T* nchw, T* cols, std::size_t channels, std::size_t b, std::size_t positions) {
  for (std::size_t c = 0; c < channels; ++c)
    for (std::size_t s = 0; s < b; ++s) {
      const T* z = nchw + (s * channels + c) * positions;
      std::copy(z, z + positions, cols + (c * b + s) * positions);
    }
}
template <class T>
void from_columns(const T* cols, T* nchw, std::size_t channels, std::size_t b, std::size_t positions) {
  for (std::size_t c = 0; c < channels; ++c)
    for (std::size_t s = 0; s < b; ++s) {
      const T* a = cols + (c * b + s) * positions;
      std::copy(a, a + positions, nchw + (s * channels + c) * positions);
    }
}

// With stride 1 the input gradient is a forward convolution of dy with the kernel turned by 180
// degrees, its channel axes swapped and the padding mirrored (extent - 1 - pad): an im2col copy
// instead of a col2im scatter-add, and a GEMM whose inner dimension is Cout*kh*kw instead of Cout.
inline bool transposable(const window& g) {
  return g.stride_h == 1 && g.stride_w == 1 && g.pad_top < g.extent_h() && g.pad_bottom < g.extent_h() &&
         g.pad_left < g.extent_w() && g.pad_right < g.extent_w();
}
inline window transposed(window g) {
  g.pad_top = g.extent_h() - 1 - g.pad_top;
  g.pad_bottom = g.extent_h() - 1 - g.pad_bottom;
  g.pad_left = g.extent_w() - 1 - g.pad_left;
  g.pad_right = g.extent_w() - 1 - g.pad_right;
  return g;
}
template <class T>
const tensor<T, cpu>& flipped(const tensor<T, cpu>& w) {
  thread_local tensor<T, cpu> wt;
  const auto& s = w.shape();
  wt.resize({s.c, s.n, s.h, s.w});
  T* out = wt.data();
  for (std::size_t c = 0; c < s.c; ++c)
    for (std::size_t o = 0; o < s.n; ++o)
      for (std::size_t i = 0; i < s.h; ++i)
        for (std::size_t j = 0; j < s.w; ++j) *out++ = w(o, c, s.h - 1 - i, s.w - 1 - j);
  return wt;
}

#ifdef ACNE_WITH_ONEDNN
// Whether a float convolution on input x goes to oneDNN (onednn.hpp); double precision, which the
// gradient checks use, stays on im2col + GEMM. bench_conv (batch 16, 2 threads, AVX-512, oneDNN
// 2.6.3): oneDNN's direct kernels run 3x3 and 7x7 convolutions 1.2-1.8x faster than im2col + GEMM,
// but a 1x1 one, already one plain GEMM here, at 0.8x, and the backward-data pass of the 3-channel
// stem at 0.24x (its gradient blocked to 16 channels): those two keep the GEMM path.
inline bool on_onednn(const shape4& x, const window& g, bool backward_data, std::size_t weights) {
  if (!onednn::enabled || x.size() == 0 || weights == 0) return false;
  if (g.kh * g.kw == 1 && g.stride_h == 1 && g.stride_w == 1) return false;
  return !(backward_data && x.c < 16);
}
#endif
}  // namespace cpu_backend

// y = conv(x, w); w is [Cout, Cin, kh, kw]; y must already have the output shape.
template <class T>
void conv2d_forward(const tensor<T, cpu>& x, const tensor<T, cpu>& w, tensor<T, cpu>& y, const window& g) {
  using namespace cpu_backend;
#ifdef ACNE_WITH_ONEDNN
  if constexpr (std::is_same_v<T, float>)
    if (on_onednn(x.shape(), g, false, w.size())) return onednn::conv2d_forward(x, w, y, g);
#endif
  const auto& xs = x.shape();
  const std::size_t cout = w.shape().n, k = xs.c * g.kh * g.kw;
  const conv_plan plan(xs, g, cout);
  const std::size_t p = plan.oh * plan.ow;
  for_each_item(plan.items, plan.threads, [&](std::size_t item) {
    const std::size_t n0 = plan.first_sample(item), b = plan.count(item);
    const std::size_t oy0 = plan.first_row(item), oy1 = plan.last_row(item), cols = b * (oy1 - oy0) * plan.ow;
    const T* in = x.data() + n0 * xs.sample_size();
    if (b == 1) {  // straight into the sample's band of y, leading dimension P
      const T* col = in + oy0 * plan.ow;
      std::size_t ld = p;
      if (!plan.direct) {
        T* buf = thread_buffer<T, 0>(k * cols);
        im2col(in, xs.c, xs.h, xs.w, g, oy0, oy1, buf, cols, 0);
        col = buf;
        ld = cols;
      }
      gemm(false, false, cout, cols, k, T(1), w.data(), k, col, ld, T(0), y.data() + n0 * cout * p + oy0 * plan.ow, p);
      return;
    }
    T* col = thread_buffer<T, 0>(k * cols);
    T* out = thread_buffer<T, 1>(cout * cols);
    for (std::size_t s = 0; s < b; ++s) im2col(in + s * xs.sample_size(), xs.c, xs.h, xs.w, g, col, cols, s * p);
    gemm(false, false, cout, cols, k, T(1), w.data(), col, T(0), out);
    from_columns(out, y.data() + n0 * cout * p, cout, b, p);
  });
}

// dx = conv^T(dy, w): the gradient with respect to the input (overwrites dx).
template <class T>
void conv2d_backward_data(const tensor<T, cpu>& dy, const tensor<T, cpu>& w, tensor<T, cpu>& dx, const window& g) {
  using namespace cpu_backend;
#ifdef ACNE_WITH_ONEDNN
  if constexpr (std::is_same_v<T, float>)
    if (on_onednn(dx.shape(), g, true, w.size())) return onednn::conv2d_backward_data(dy, w, dx, g);
#endif
  if (transposable(g)) return conv2d_forward(dy, flipped(w), dx, transposed(g));
  const auto& xs = dx.shape();
  // Bands of one sample overlap in dx, so a thread takes whole samples and runs their bands in turn.
  const std::size_t cout = w.shape().n, k = xs.c * g.kh * g.kw;
  const conv_plan plan(xs, g, cout);
  const std::size_t p = plan.oh * plan.ow;
  for_each_item(plan.items / plan.bands, plan.threads, [&](std::size_t sample_item) {
    for (std::size_t item = sample_item * plan.bands; item < (sample_item + 1) * plan.bands; ++item) {
      const std::size_t n0 = plan.first_sample(item), b = plan.count(item);
      const std::size_t oy0 = plan.first_row(item), oy1 = plan.last_row(item), cols = b * (oy1 - oy0) * plan.ow;
      T* grad_in = dx.data() + n0 * xs.sample_size();
      const T* grad = dy.data() + n0 * cout * p;
      T* col = thread_buffer<T, 0>(k * cols);
      if (oy0 == 0) std::fill(grad_in, grad_in + b * xs.sample_size(), T(0));
      if (b == 1) {
        gemm(true, false, k, cols, cout, T(1), w.data(), k, grad + oy0 * plan.ow, p, T(0), col, cols);
        col2im(col, cols, 0, xs.c, xs.h, xs.w, g, oy0, oy1, grad_in);
        continue;
      }
      T* tmp = thread_buffer<T, 1>(cout * cols);
      to_columns(grad, tmp, cout, b, p);
      gemm(true, false, k, cols, cout, T(1), w.data(), tmp, T(0), col);
      for (std::size_t s = 0; s < b; ++s) col2im(col, cols, s * p, xs.c, xs.h, xs.w, g, grad_in + s * xs.sample_size());
    }
  });
}

// dw = beta * dw + dy (x) x: the gradient with respect to the weights.
template <class T>
void conv2d_backward_filter(const tensor<T, cpu>& x, const tensor<T, cpu>& dy, tensor<T, cpu>& dw, const window& g,
                            T beta = T(1)) {
  using namespace cpu_backend;
#ifdef ACNE_WITH_ONEDNN
  if constexpr (std::is_same_v<T, float>)
    if (on_onednn(x.shape(), g, false, dw.size())) return onednn::conv2d_backward_filter(x, dy, dw, g, beta);
#endif
  const auto& xs = x.shape();
  const std::size_t cout = dw.shape().n, k = xs.c * g.kh * g.kw, wsize = cout * k;
  const conv_plan plan(xs, g, cout);
  const std::size_t p = plan.oh * plan.ow, threads = plan.threads;
  // With several threads each sums its items into its own partial gradient, added up at the end.
  T* partials = threads > 1 ? thread_buffer<T, 2>(threads * wsize) : nullptr;
  std::unique_ptr<bool[]> started(new bool[threads]());
  for_each_item(plan.items, threads, [&](std::size_t item) {
    const std::size_t n0 = plan.first_sample(item), b = plan.count(item);
    const std::size_t oy0 = plan.first_row(item), oy1 = plan.last_row(item), cols = b * (oy1 - oy0) * plan.ow;
    T* acc = dw.data();
    T acc_beta = item == 0 ? beta : T(1);
#ifdef _OPENMP
    if (threads > 1) {
      const std::size_t t = std::size_t(omp_get_thread_num());
      acc = partials + t * wsize;
      acc_beta = started[t] ? T(1) : T(0);
      started[t] = true;
    }
#endif
    const T* in = x.data() + n0 * xs.sample_size();
    const T* grad = dy.data() + n0 * cout * p;
    if (b == 1) {
      const T* col = in + oy0 * plan.ow;
      std::size_t ld = p;
      if (!plan.direct) {
        T* buf = thread_buffer<T, 0>(k * cols);
        im2col(in, xs.c, xs.h, xs.w, g, oy0, oy1, buf, cols, 0);
        col = buf;
        ld = cols;
      }
      gemm(false, true, cout, k, cols, T(1), grad + oy0 * plan.ow, p, col, ld, acc_beta, acc, k);
      return;
    }
    T* col = thread_buffer<T, 0>(k * cols);
    T* tmp = thread_buffer<T, 1>(cout * cols);
    for (std::size_t s = 0; s < b; ++s) im2col(in + s * xs.sample_size(), xs.c, xs.h, xs.w, g, col, cols, s * p);
    to_columns(grad, tmp, cout, b, p);
    gemm(false, true, cout, k, cols, T(1), tmp, col, acc_beta, acc);
  });
  if (threads == 1) return;
  T* out = dw.data();
  bool first = true;
  for (std::size_t t = 0; t < threads; ++t) {
    if (!started[t]) continue;
    const T* part = partials + t * wsize;
    if (first && beta == T(0)) std::copy(part, part + wsize, out);
    else {
      const T scale = first ? beta : T(1);
      for (std::size_t i = 0; i < wsize; ++i) out[i] = scale * out[i] + part[i];
    }
    first = false;
  }
}

}  // namespace acne
