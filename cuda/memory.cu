// Device memory and device discovery (backend/cuda/memory.hpp).
#include "acne/backend/cuda/check.hpp"
#include "acne/backend/cuda/memory.hpp"

namespace acne {

bool cuda_available() {
  int count = 0;
  const cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess) {
    cudaGetLastError();  // no driver or no device: clear the sticky error, report "unavailable"
    return false;
  }
  return count > 0;
}

void* memory<cuda>::allocate(std::size_t bytes) {
  if (bytes == 0) return nullptr;
  const bool large = bytes >= idle_memory::large;
  if (large) idle_memory::allocating<cuda>(bytes);
  void* p = nullptr;
  cudaError_t status = cudaMalloc(&p, bytes);
  if (status == cudaSuccess) {
    status = cudaMemset(p, 0, bytes);
    if (status != cudaSuccess) cudaFree(p);
  }
  if (status != cudaSuccess) {
    if (large) idle_memory::released<cuda>(bytes);
    cuda_backend::check(status, "cudaMalloc + cudaMemset", __FILE__, __LINE__);
  }
  return p;
}

// Errors are dropped: this runs from tensor destructors, possibly after the runtime has shut down.
void memory<cuda>::release(void* p, std::size_t bytes) noexcept {
  if (!p) return;
  cudaFree(p);
  if (bytes >= idle_memory::large) idle_memory::released<cuda>(bytes);
}

void memory<cuda>::copy(void* dst, const void* src, std::size_t bytes) {
  if (bytes) ACNE_CUDA(cudaMemcpy(dst, src, bytes, cudaMemcpyDeviceToDevice));
}
void memory<cuda>::zero(void* dst, std::size_t bytes) {
  if (bytes) ACNE_CUDA(cudaMemset(dst, 0, bytes));
}
void memory<cuda>::to_host(void* dst, const void* src, std::size_t bytes) {
  if (bytes) ACNE_CUDA(cudaMemcpy(dst, src, bytes, cudaMemcpyDeviceToHost));
}
void memory<cuda>::from_host(void* dst, const void* src, std::size_t bytes) {
  if (bytes) ACNE_CUDA(cudaMemcpy(dst, src, bytes, cudaMemcpyHostToDevice));
}

}  // namespace acne
