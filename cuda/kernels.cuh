#pragma once
// Launch and reduction helpers shared by the .cu files. Every elementwise kernel is a grid-stride
// loop over a flat index, so one launch rule (256 threads, at most 4096 blocks) fits all of them.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <utility>

#include "acne/backend/activation.hpp"
#include "acne/backend/cuda/check.hpp"

namespace acne::cuda_backend {

inline constexpr unsigned block_threads = 256;

template <class F>
__global__ void for_each_index_kernel(std::size_t n, F f) {
  for (std::size_t i = blockIdx.x * std::size_t(blockDim.x) + threadIdx.x; i < n;
       i += std::size_t(gridDim.x) * blockDim.x)
    f(i);
}

// Runs f(i) for i in [0, n) on the device (f is a __device__ lambda), checking the launch.
template <class F>
void for_each_index(std::size_t n, F f) {
  if (n == 0) return;
  const unsigned blocks = unsigned(std::min<std::size_t>((n + block_threads - 1) / block_threads, 4096));
  for_each_index_kernel<<<blocks, block_threads>>>(n, f);
  ACNE_CUDA(cudaGetLastError());
}

template <class F>
__global__ void for_each_block_kernel(F f) {
  f(std::size_t(blockIdx.x));
}

// Runs f(b) for b in [0, blocks), one block of block_threads threads per b: the threads of f
// stride over b's items and may combine them with block_sum.
template <class F>
void for_each_block(std::size_t blocks, F f) {
  if (blocks == 0) return;
  for_each_block_kernel<<<unsigned(blocks), block_threads>>>(f);
  ACNE_CUDA(cudaGetLastError());
}

// Sum of v over the block (blockDim.x == block_threads), returned to every thread; all threads of
// the block must call it.
__device__ inline double block_sum(double v) {
  __shared__ double partial[block_threads];
  partial[threadIdx.x] = v;
  __syncthreads();
  for (unsigned stride = block_threads / 2; stride > 0; stride /= 2) {
    if (threadIdx.x < stride) partial[threadIdx.x] += partial[threadIdx.x + stride];
    __syncthreads();
  }
  const double total = partial[0];
  __syncthreads();  // partial[] may be reused by the caller's next block_sum
  return total;
}

// The formulas of activation::apply / activation::derivative (host-only members) for device code.
__device__ inline float activation_apply(const activation& a, float x) {
  float y = x;
  switch (a.kind) {
    case activation_kind::linear: break;
    case activation_kind::relu: y = x > 0.0f ? x : 0.0f; break;
    case activation_kind::lrelu: y = x > 0.0f ? x : float(a.alpha) * x; break;
    case activation_kind::tanh: y = tanhf(x); break;
    case activation_kind::sigmoid: y = 1.0f / (1.0f + expf(-x)); break;
  }
  y *= float(a.gain);
  if (a.clamp > 0) y = fminf(fmaxf(y, float(-a.clamp)), float(a.clamp));
  return y;
}
__device__ inline float activation_derivative(const activation& a, float x, float y) {
  if (a.clamp > 0 && fabsf(y) >= float(a.clamp)) return 0.0f;
  float d = 1.0f;
  switch (a.kind) {
    case activation_kind::linear: break;
    case activation_kind::relu: d = x > 0.0f ? 1.0f : 0.0f; break;
    case activation_kind::lrelu: d = x > 0.0f ? 1.0f : float(a.alpha); break;
    case activation_kind::tanh: { const float t = y / float(a.gain); d = 1.0f - t * t; break; }
    case activation_kind::sigmoid: { const float s = y / float(a.gain); d = s * (1.0f - s); break; }
  }
  return d * float(a.gain);
}

// Bit-for-bit the CPU's hash_uniform (backend/cpu/elementwise.hpp): dropout masks must agree.
__device__ inline double hash_uniform(std::uint64_t seed, std::uint64_t index) {
  std::uint64_t z = seed * 0x9E3779B97F4A7C15ull + index + 0x632BE59BD9B4E019ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return double(z >> 11) * 0x1.0p-53;
}

// Standard normal draws, bit-for-bit the CPU's hash_normal (backend/cpu/noise.hpp) up to the last
// ulp of the double log/cos, far below float rounding.
__device__ inline double hash_normal(std::uint64_t seed, std::uint64_t index) {
  const double u1 = 1.0 - hash_uniform(seed, 2 * index);
  const double u2 = hash_uniform(seed, 2 * index + 1);
  return sqrt(-2.0 * log(u1)) * cos(2.0 * 3.141592653589793 * u2);
}

// A device allocation owned for the duration of one call (labels, per-sample losses, padded copies).
template <class T>
class device_buffer {
public:
  explicit device_buffer(std::size_t count) : count_(count) {
    if (count) ACNE_CUDA(cudaMalloc(reinterpret_cast<void**>(&p_), count * sizeof(T)));
  }
  device_buffer(device_buffer&& other) noexcept
      : p_(std::exchange(other.p_, nullptr)), count_(std::exchange(other.count_, 0)) {}
  ~device_buffer() { cudaFree(p_); }
  device_buffer(const device_buffer&) = delete;
  device_buffer& operator=(const device_buffer&) = delete;
  T* get() const { return p_; }
  std::size_t size() const { return count_; }

private:
  T* p_ = nullptr;
  std::size_t count_ = 0;
};

// out += sum over i < n of f(i), one double atomic per block.
template <class F>
__global__ void sum_kernel(std::size_t n, F f, double* out) {
  double acc = 0;
  for (std::size_t i = blockIdx.x * std::size_t(blockDim.x) + threadIdx.x; i < n;
       i += std::size_t(gridDim.x) * blockDim.x)
    acc += f(i);
  acc = block_sum(acc);
  if (threadIdx.x == 0) atomicAdd(out, acc);
}

// Sum over i < n of f(i) (a __device__ lambda returning double), returned to the host.
template <class F>
double device_sum(std::size_t n, F f) {
  if (n == 0) return 0;
  device_buffer<double> total(1);
  ACNE_CUDA(cudaMemset(total.get(), 0, sizeof(double)));
  const unsigned blocks = unsigned(std::min<std::size_t>((n + block_threads - 1) / block_threads, 1024));
  sum_kernel<<<blocks, block_threads>>>(n, f, total.get());
  ACNE_CUDA(cudaGetLastError());
  double result = 0;
  ACNE_CUDA(cudaMemcpy(&result, total.get(), sizeof(double), cudaMemcpyDeviceToHost));
  return result;
}

}  // namespace acne::cuda_backend
