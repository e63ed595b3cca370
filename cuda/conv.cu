// cuDNN convolutions (backend/cuda/conv.hpp). The algorithm for each geometry is measured once per
// thread with cudnnFind*, restricted to FP32 (non-tensor-op) kernels, and cached with its
// workspace size; the workspace buffer itself is the thread's shared one.
#include <array>
#include <cstdint>
#include <map>

#include "acne/backend/cuda/conv.hpp"
#include "acne/backend/cuda/descriptors.hpp"
#include "acne/backend/cuda/handles.hpp"
#include "kernels.cuh"

namespace acne {

using namespace cuda_backend;

namespace {

enum class conv_op : std::size_t { forward, backward_data, backward_filter };

struct algorithm {
  int algo = 0;
  std::size_t workspace = 0;
};

struct conv_descriptors {
  conv_descriptors(const shape4& xs, const shape4& ws, const shape4& ys, const window& g)
      : x(xs), y(ys), w(ws), conv(g) {}
  tensor_descriptor x, y;
  filter_descriptor w;
  convolution_descriptor conv;
};

using conv_key = std::array<std::size_t, 14>;

conv_key key_of(conv_op op, const shape4& xs, const shape4& ws, const window& g) {
  return {std::size_t(op), xs.n, xs.c, xs.h, xs.w, ws.n, g.kh, g.kw, g.stride_h, g.stride_w, g.dilation_h,
          g.dilation_w, g.pad_top, g.pad_left};
}

// The fastest successful result that does not need tensor-op (TF32) math, else `fallback`.
template <class Perf>
int first_fp32(const Perf* results, int count, int fallback) {
  for (int i = 0; i < count; ++i)
    if (results[i].status == CUDNN_STATUS_SUCCESS && results[i].mathType != CUDNN_TENSOR_OP_MATH &&
        results[i].mathType != CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION)
      return int(results[i].algo);
  return fallback;
}

algorithm find_forward(const conv_descriptors& d) {
  cudnnHandle_t h = handles::this_thread().cudnn();
  cudnnConvolutionFwdAlgoPerf_t perf[CUDNN_CONVOLUTION_FWD_ALGO_COUNT];
  int count = 0;
  ACNE_CUDA(cudnnFindConvolutionForwardAlgorithm(h, d.x, d.w, d.conv, d.y, CUDNN_CONVOLUTION_FWD_ALGO_COUNT, &count,
                                                 perf));
  algorithm a{first_fp32(perf, count, CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_GEMM), 0};
  ACNE_CUDA(cudnnGetConvolutionForwardWorkspaceSize(h, d.x, d.w, d.conv, d.y, cudnnConvolutionFwdAlgo_t(a.algo),
                                                    &a.workspace));
  return a;
}

algorithm find_backward_data(const conv_descriptors& d) {
  cudnnHandle_t h = handles::this_thread().cudnn();
  cudnnConvolutionBwdDataAlgoPerf_t perf[CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT];
  int count = 0;
  ACNE_CUDA(cudnnFindConvolutionBackwardDataAlgorithm(h, d.w, d.y, d.conv, d.x, CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT,
                                                      &count, perf));
  algorithm a{first_fp32(perf, count, CUDNN_CONVOLUTION_BWD_DATA_ALGO_1), 0};
  ACNE_CUDA(cudnnGetConvolutionBackwardDataWorkspaceSize(h, d.w, d.y, d.conv, d.x,
                                                         cudnnConvolutionBwdDataAlgo_t(a.algo), &a.workspace));
  return a;
}

algorithm find_backward_filter(const conv_descriptors& d) {
  cudnnHandle_t h = handles::this_thread().cudnn();
  cudnnConvolutionBwdFilterAlgoPerf_t perf[CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT];
  int count = 0;
  ACNE_CUDA(cudnnFindConvolutionBackwardFilterAlgorithm(h, d.x, d.y, d.conv, d.w,
                                                        CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT, &count, perf));
  algorithm a{first_fp32(perf, count, CUDNN_CONVOLUTION_BWD_FILTER_ALGO_1), 0};
  ACNE_CUDA(cudnnGetConvolutionBackwardFilterWorkspaceSize(h, d.x, d.y, d.conv, d.w,
                                                           cudnnConvolutionBwdFilterAlgo_t(a.algo), &a.workspace));
  return a;
}

algorithm choose(conv_op op, const shape4& xs, const shape4& ws, const window& g, const conv_descriptors& d) {
  thread_local std::map<conv_key, algorithm> cache;
  const conv_key key = key_of(op, xs, ws, g);
  if (auto it = cache.find(key); it != cache.end()) return it->second;
  const algorithm a = op == conv_op::forward         ? find_forward(d)
                      : op == conv_op::backward_data ? find_backward_data(d)
                                                     : find_backward_filter(d);
  return cache.emplace(key, a).first->second;
}

void check_geometry(const char* op, const shape4& xs, const shape4& ws, const shape4& ys, const window& g) {
  ACNE_CHECK(ws.c == xs.c && ws.h == g.kh && ws.w == g.kw,
             op << ": weights " << ws << " for input " << xs << " and a " << g.kh << "x" << g.kw << " window");
  const shape4 expected{xs.n, ws.n, g.out_h(xs.h), g.out_w(xs.w)};
  ACNE_CHECK(ys == expected, op << ": output " << ys << ", expected " << expected);
}

shape4 padded_shape(const shape4& s, const window& g) {
  return {s.n, s.c, s.h + g.pad_top + g.pad_bottom, s.w + g.pad_left + g.pad_right};
}
window without_padding(window g) {
  g.pad_top = g.pad_bottom = g.pad_left = g.pad_right = 0;
  return g;
}

// Per-thread scratch tensors, one per role, reused (grown only) from call to call.
enum class slot { padded, input, gradient, weight, output, count };

tensor<float, cuda>& scratch(slot role, const shape4& s) {
  thread_local std::array<tensor<float, cuda>, std::size_t(slot::count)> buffers;
  tensor<float, cuda>& t = buffers[std::size_t(role)];
  t.resize(s);
  return t;
}

// Views into a network's flat parameter buffer start at any float; some cuDNN kernels need 16-byte
// aligned operands, so misaligned ones go through an aligned copy.
bool aligned(const float* p) { return reinterpret_cast<std::uintptr_t>(p) % 16 == 0; }

const tensor<float, cuda>& readable(const tensor<float, cuda>& t, slot role) {
  if (aligned(t.data())) return t;
  tensor<float, cuda>& copy = scratch(role, t.shape());
  memory<cuda>::copy(copy.data(), t.data(), t.bytes());
  return copy;
}

// Runs f(out) on an aligned stand-in for out (holding out's values when cuDNN reads them, beta != 0).
template <class F>
void write_aligned(tensor<float, cuda>& out, bool read, F f) {
  if (aligned(out.data())) return f(out);
  tensor<float, cuda>& stand_in = scratch(slot::output, out.shape());
  if (read) memory<cuda>::copy(stand_in.data(), out.data(), out.bytes());
  f(stand_in);
  memory<cuda>::copy(out.data(), stand_in.data(), out.bytes());
}

// Writes x, zero-padded by g's pads, into the scratch tensor.
const tensor<float, cuda>& pad(const tensor<float, cuda>& x, const window& g) {
  const shape4& xs = x.shape();
  tensor<float, cuda>& p = scratch(slot::padded, padded_shape(xs, g));
  const float* in = x.data();
  float* out = p.data();
  const std::size_t h = xs.h, w = xs.w, ph = p.shape().h, pw = p.shape().w, top = g.pad_top, left = g.pad_left;
  for_each_index(p.size(), [=] __device__(std::size_t i) {
    const std::size_t plane = i / (ph * pw), r = i % (ph * pw), yy = r / pw, xx = r % pw;
    const bool inside = yy >= top && yy < top + h && xx >= left && xx < left + w;
    out[i] = inside ? in[(plane * h + (yy - top)) * w + (xx - left)] : 0.0f;
  });
  return p;
}

// dx = the interior of the padded gradient dp (the inverse of pad()).
void crop(const tensor<float, cuda>& dp, tensor<float, cuda>& dx, const window& g) {
  const float* in = dp.data();
  float* out = dx.data();
  const std::size_t h = dx.shape().h, w = dx.shape().w, ph = dp.shape().h, pw = dp.shape().w;
  const std::size_t top = g.pad_top, left = g.pad_left;
  for_each_index(dx.size(), [=] __device__(std::size_t i) {
    const std::size_t plane = i / (h * w), r = i % (h * w), yy = r / w, xx = r % w;
    out[i] = in[(plane * ph + yy + top) * pw + xx + left];
  });
}

void run_forward(const tensor<float, cuda>& x, const tensor<float, cuda>& w, tensor<float, cuda>& y, const window& g) {
  const conv_descriptors d(x.shape(), w.shape(), y.shape(), g);
  const algorithm a = choose(conv_op::forward, x.shape(), w.shape(), g, d);
  handles& h = handles::this_thread();
  void* work = h.workspace(a.workspace);
  const float one = 1.0f, zero = 0.0f;
  ACNE_CUDA(cudnnConvolutionForward(h.cudnn(), &one, d.x, x.data(), d.w, w.data(), d.conv,
                                    cudnnConvolutionFwdAlgo_t(a.algo), work, a.workspace, &zero, d.y, y.data()));
}

void run_backward_data(const tensor<float, cuda>& dy, const tensor<float, cuda>& w, tensor<float, cuda>& dx,
                       const window& g) {
  const conv_descriptors d(dx.shape(), w.shape(), dy.shape(), g);
  const algorithm a = choose(conv_op::backward_data, dx.shape(), w.shape(), g, d);
  handles& h = handles::this_thread();
  void* work = h.workspace(a.workspace);
  const float one = 1.0f, zero = 0.0f;
  ACNE_CUDA(cudnnConvolutionBackwardData(h.cudnn(), &one, d.w, w.data(), d.y, dy.data(), d.conv,
                                         cudnnConvolutionBwdDataAlgo_t(a.algo), work, a.workspace, &zero, d.x,
                                         dx.data()));
}

void run_backward_filter(const tensor<float, cuda>& x, const tensor<float, cuda>& dy, tensor<float, cuda>& dw,
                         const window& g, float beta) {
  const conv_descriptors d(x.shape(), dw.shape(), dy.shape(), g);
  const algorithm a = choose(conv_op::backward_filter, x.shape(), dw.shape(), g, d);
  handles& h = handles::this_thread();
  void* work = h.workspace(a.workspace);
  const float one = 1.0f;
  ACNE_CUDA(cudnnConvolutionBackwardFilter(h.cudnn(), &one, d.x, x.data(), d.y, dy.data(), d.conv,
                                           cudnnConvolutionBwdFilterAlgo_t(a.algo), work, a.workspace, &beta, d.w,
                                           dw.data()));
}

}  // namespace

void conv2d_forward(const tensor<float, cuda>& x, const tensor<float, cuda>& w, tensor<float, cuda>& y,
                    const window& g) {
  check_geometry("conv2d_forward", x.shape(), w.shape(), y.shape(), g);
  const tensor<float, cuda>& xa = g.symmetric() ? readable(x, slot::input) : pad(x, g);
  const tensor<float, cuda>& wa = readable(w, slot::weight);
  const window ga = g.symmetric() ? g : without_padding(g);
  write_aligned(y, false, [&](tensor<float, cuda>& out) { run_forward(xa, wa, out, ga); });
}

void conv2d_backward_data(const tensor<float, cuda>& dy, const tensor<float, cuda>& w, tensor<float, cuda>& dx,
                          const window& g) {
  check_geometry("conv2d_backward_data", dx.shape(), w.shape(), dy.shape(), g);
  const tensor<float, cuda>& dya = readable(dy, slot::gradient);
  const tensor<float, cuda>& wa = readable(w, slot::weight);
  if (g.symmetric()) {
    write_aligned(dx, false, [&](tensor<float, cuda>& out) { run_backward_data(dya, wa, out, g); });
  } else {
    tensor<float, cuda>& dp = scratch(slot::padded, padded_shape(dx.shape(), g));
    run_backward_data(dya, wa, dp, without_padding(g));
    crop(dp, dx, g);
  }
}

void conv2d_backward_filter(const tensor<float, cuda>& x, const tensor<float, cuda>& dy, tensor<float, cuda>& dw,
                            const window& g, float beta) {
  check_geometry("conv2d_backward_filter", x.shape(), dw.shape(), dy.shape(), g);
  const tensor<float, cuda>& xa = g.symmetric() ? readable(x, slot::input) : pad(x, g);
  const tensor<float, cuda>& dya = readable(dy, slot::gradient);
  const window ga = g.symmetric() ? g : without_padding(g);
  write_aligned(dw, beta != 0.0f, [&](tensor<float, cuda>& out) { run_backward_filter(xa, dya, out, ga, beta); });
}

}  // namespace acne
