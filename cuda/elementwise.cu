// Elementwise, per-channel and BLAS ops of the CUDA backend (backend/cuda/elementwise.hpp).
#include "acne/backend/cuda/elementwise.hpp"
#include "acne/backend/cuda/handles.hpp"
#include "kernels.cuh"

namespace acne {

using namespace cuda_backend;

namespace {

// One block per channel c of an [N, C, H, W] tensor: db[c] += gain * sum of dy over N, H, W.
__global__ void channel_sum_kernel(const float* dy, std::size_t n, std::size_t channels, std::size_t plane,
                                   float* db, float gain) {
  const std::size_t c = blockIdx.x;
  double acc = 0;
  for (std::size_t j = threadIdx.x; j < n * plane; j += blockDim.x)
    acc += dy[((j / plane) * channels + c) * plane + j % plane];
  acc = block_sum(acc);
  if (threadIdx.x == 0) db[c] += float(gain * acc);
}

}  // namespace

void fill(tensor<float, cuda>& t, float value) {
  float* p = t.data();
  for_each_index(t.size(), [=] __device__(std::size_t i) { p[i] = value; });
}

void copy(const tensor<float, cuda>& src, tensor<float, cuda>& dst) {
  ACNE_CHECK(src.size() == dst.size(), "copy: " << src.shape() << " into " << dst.shape());
  memory<cuda>::copy(dst.data(), src.data(), src.bytes());
}

void axpy(float alpha, const tensor<float, cuda>& x, tensor<float, cuda>& y) {
  ACNE_CHECK(x.size() == y.size(), "axpy: " << x.shape() << " and " << y.shape());
  const float* a = x.data();
  float* b = y.data();
  for_each_index(x.size(), [=] __device__(std::size_t i) { b[i] += alpha * a[i]; });
}

void axpby(float a, const tensor<float, cuda>& x, float b, tensor<float, cuda>& y) {
  ACNE_CHECK(x.size() == y.size(), "axpby: " << x.shape() << " and " << y.shape());
  const float* p = x.data();
  float* q = y.data();
  for_each_index(x.size(), [=] __device__(std::size_t i) { q[i] = a * p[i] + b * q[i]; });
}

void scale(tensor<float, cuda>& t, float alpha) {
  float* p = t.data();
  for_each_index(t.size(), [=] __device__(std::size_t i) { p[i] *= alpha; });
}

double sum(const tensor<float, cuda>& t) {
  const float* p = t.data();
  return device_sum(t.size(), [=] __device__(std::size_t i) { return double(p[i]); });
}

double dot(const tensor<float, cuda>& a, const tensor<float, cuda>& b) {
  ACNE_CHECK(a.size() == b.size(), "dot: " << a.shape() << " and " << b.shape());
  const float *p = a.data(), *q = b.data();
  return device_sum(a.size(), [=] __device__(std::size_t i) { return double(p[i]) * double(q[i]); });
}

void add_channel_bias(tensor<float, cuda>& y, const tensor<float, cuda>& bias, float gain) {
  const auto& s = y.shape();
  ACNE_CHECK(bias.size() == s.c, "bias of " << bias.size() << " values for " << s.c << " channels");
  float* out = y.data();
  const float* b = bias.data();
  const std::size_t plane = s.plane(), channels = s.c;
  for_each_index(y.size(), [=] __device__(std::size_t i) { out[i] += gain * b[(i / plane) % channels]; });
}

void channel_bias_grad(const tensor<float, cuda>& dy, tensor<float, cuda>& db, float gain) {
  const auto& s = dy.shape();
  ACNE_CHECK(db.size() == s.c, "bias gradient of " << db.size() << " values for " << s.c << " channels");
  if (s.c == 0) return;
  channel_sum_kernel<<<unsigned(s.c), block_threads>>>(dy.data(), s.n, s.c, s.plane(), db.data(), gain);
  ACNE_CUDA(cudaGetLastError());
}

void activation_forward(const activation& act, const tensor<float, cuda>& x, tensor<float, cuda>& y) {
  ACNE_CHECK(x.size() == y.size(), "activation_forward: " << x.shape() << " into " << y.shape());
  const float* a = x.data();
  float* b = y.data();
  for_each_index(x.size(), [=] __device__(std::size_t i) { b[i] = activation_apply(act, a[i]); });
}

void activation_backward(const activation& act, const tensor<float, cuda>& x, const tensor<float, cuda>& y,
                         const tensor<float, cuda>& dy, tensor<float, cuda>& dx) {
  ACNE_CHECK(x.size() == y.size() && x.size() == dy.size() && x.size() == dx.size(),
             "activation_backward: " << x.shape() << ", " << y.shape() << ", " << dy.shape() << ", " << dx.shape());
  const float *in = x.data(), *out = y.data(), *g = dy.data();
  float* d = dx.data();  // may alias dy: each element is read before it is written, by one thread
  for_each_index(x.size(), [=] __device__(std::size_t i) { d[i] = g[i] * activation_derivative(act, in[i], out[i]); });
}

void copy_channels(const tensor<float, cuda>& src, tensor<float, cuda>& dst, std::size_t offset, bool accumulate) {
  const auto& s = src.shape();
  const auto& d = dst.shape();
  ACNE_CHECK(s.n == d.n && s.h == d.h && s.w == d.w && offset + s.c <= d.c,
             "copy_channels: " << s << " at channel " << offset << " of " << d);
  const float* a = src.data();
  float* b = dst.data();
  const std::size_t sample = s.sample_size(), dst_sample = d.sample_size(), skip = offset * d.plane();
  for_each_index(src.size(), [=] __device__(std::size_t i) {
    float& out = b[(i / sample) * dst_sample + skip + i % sample];
    out = accumulate ? out + a[i] : a[i];
  });
}

void slice_channels(const tensor<float, cuda>& src, tensor<float, cuda>& dst, std::size_t offset) {
  const auto& s = src.shape();
  const auto& d = dst.shape();
  ACNE_CHECK(s.n == d.n && s.h == d.h && s.w == d.w && offset + d.c <= s.c,
             "slice_channels: " << d << " at channel " << offset << " of " << s);
  const float* a = src.data();
  float* b = dst.data();
  const std::size_t sample = d.sample_size(), src_sample = s.sample_size(), skip = offset * s.plane();
  for_each_index(dst.size(),
                 [=] __device__(std::size_t i) { b[i] = a[(i / sample) * src_sample + skip + i % sample]; });
}

// cuBLAS is column-major: a row-major C = op(A) op(B) is the column-major C^T = op(B)^T op(A)^T,
// so the operands swap places and every leading dimension is a row length of the row-major matrix.
void matmul(const tensor<float, cuda>& a, bool trans_a, const tensor<float, cuda>& b, bool trans_b,
            tensor<float, cuda>& c, float alpha, float beta) {
  const std::size_t ar = a.shape().n, ac = a.shape().sample_size();
  const std::size_t br = b.shape().n, bc = b.shape().sample_size();
  const std::size_t m = trans_a ? ac : ar, k = trans_a ? ar : ac;
  const std::size_t kb = trans_b ? bc : br, n = trans_b ? br : bc;
  ACNE_CHECK(k == kb && c.shape().n == m && c.shape().sample_size() == n,
             "matmul: " << a.shape() << (trans_a ? "^T" : "") << " x " << b.shape() << (trans_b ? "^T" : "")
                        << " into " << c.shape());
  if (m == 0 || n == 0) return;
  if (k == 0) {  // an empty product: cuBLAS rejects the zero leading dimensions
    if (beta == 0.0f) c.zero();
    else scale(c, beta);
    return;
  }
  ACNE_CUDA(cublas_library().sgemm(handles::this_thread().cublas(), trans_b ? CUBLAS_OP_T : CUBLAS_OP_N,
                           trans_a ? CUBLAS_OP_T : CUBLAS_OP_N, int(n), int(m), int(k), &alpha, b.data(), int(bc),
                           a.data(), int(ac), &beta, c.data(), int(n)));
}

void dropout_forward(const tensor<float, cuda>& x, tensor<float, cuda>& y, double rate, std::uint64_t seed) {
  ACNE_CHECK(x.size() == y.size(), "dropout: " << x.shape() << " into " << y.shape());
  const float keep_scale = float(1.0 / (1.0 - rate));
  const float* a = x.data();
  float* b = y.data();
  for_each_index(x.size(), [=] __device__(std::size_t i) {
    b[i] = cuda_backend::hash_uniform(seed, i) < rate ? 0.0f : a[i] * keep_scale;
  });
}

void dropout_backward(const tensor<float, cuda>& dy, tensor<float, cuda>& dx, double rate, std::uint64_t seed) {
  dropout_forward(dy, dx, rate, seed);
}

}  // namespace acne
