// Device memory, device discovery and the per-thread library handles.
#include "acne/backend/cuda/handles.hpp"
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
  void* p = nullptr;
  ACNE_CUDA(cudaMalloc(&p, bytes));
  const cudaError_t status = cudaMemset(p, 0, bytes);
  if (status != cudaSuccess) {
    cudaFree(p);
    cuda_backend::check(status, "cudaMemset(p, 0, bytes)", __FILE__, __LINE__);
  }
  return p;
}

// Errors are dropped: this runs from tensor destructors, possibly after the runtime has shut down.
void memory<cuda>::release(void* p) noexcept {
  if (p) cudaFree(p);
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

namespace cuda_backend {

handles& handles::this_thread() {
  thread_local handles h;
  return h;
}

handles::handles() {
  ACNE_CUDA(cudnnCreate(&cudnn_));
  const cublasStatus_t status = cublasCreate(&cublas_);
  if (status != CUBLAS_STATUS_SUCCESS) {
    cudnnDestroy(cudnn_);
    check(status, "cublasCreate(&cublas_)", __FILE__, __LINE__);
  }
  // Full FP32 GEMMs: TF32 tensor cores would lose the parity with the CPU backend.
  ACNE_CUDA(cublasSetMathMode(cublas_, CUBLAS_DEFAULT_MATH));
}

handles::~handles() {
  cudaFree(workspace_);
  cublasDestroy(cublas_);
  cudnnDestroy(cudnn_);
}

void* handles::workspace(std::size_t bytes) {
  if (bytes > workspace_bytes_) {
    // Earlier kernels on the stream may still read the old buffer.
    ACNE_CUDA(cudaDeviceSynchronize());
    cudaFree(workspace_);
    workspace_ = nullptr;
    workspace_bytes_ = 0;
    ACNE_CUDA(cudaMalloc(&workspace_, bytes));
    workspace_bytes_ = bytes;
  }
  return workspace_;
}

}  // namespace cuda_backend
}  // namespace acne
