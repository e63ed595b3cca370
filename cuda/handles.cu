// The per-thread cuBLAS / cuDNN handles and workspace (backend/cuda/handles.hpp).
#include "acne/backend/cuda/handles.hpp"

namespace acne {

namespace cuda_backend {

handles& handles::this_thread() {
  thread_local handles h;
  return h;
}

handles::handles() {
  ACNE_CUDA(cudnnCreate(&cudnn_));
  const cublasStatus_t status = cublas_library().create(&cublas_);
  if (status != CUBLAS_STATUS_SUCCESS) {
    cudnnDestroy(cudnn_);
    check(status, "cublasCreate(&cublas_)", __FILE__, __LINE__);
  }
  // Full FP32 GEMMs: TF32 tensor cores would lose the parity with the CPU backend.
  ACNE_CUDA(cublas_library().set_math_mode(cublas_, CUBLAS_DEFAULT_MATH));
}

handles::~handles() {
  cudaFree(workspace_);
  cublas_library().destroy(cublas_);
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
