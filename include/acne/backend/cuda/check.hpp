#pragma once
// Check macros for CUDA runtime, cuDNN and cuBLAS calls: a failure raises acne::error naming the
// call, the library's own error text and file:line, so a failing kernel is found from the message.
#include <cuda_runtime_api.h>
#include <cudnn.h>

#include <string>

#include "acne/backend/cuda/cublas.hpp"
#include "acne/error.hpp"

namespace acne::cuda_backend {

inline void check(cudaError_t status, const char* call, const char* file, int line) {
  if (status != cudaSuccess) {
    // Reset the runtime's last error, or the next launch check would report this failure again.
    cudaGetLastError();
    detail::throw_error(file, line, std::string(call) + " failed: " + cudaGetErrorString(status));
  }
}
inline void check(cudnnStatus_t status, const char* call, const char* file, int line) {
  if (status != CUDNN_STATUS_SUCCESS)
    detail::throw_error(file, line, std::string(call) + " failed: " + cudnnGetErrorString(status));
}
inline void check(cublasStatus_t status, const char* call, const char* file, int line) {
  if (status != CUBLAS_STATUS_SUCCESS)
    detail::throw_error(file, line, std::string(call) + " failed: " + cublas_library().status_string(status));
}

}  // namespace acne::cuda_backend

// ACNE_CUDA(call): runs a CUDA, cuDNN or cuBLAS call and throws acne::error when it fails.
#define ACNE_CUDA(call) ::acne::cuda_backend::check((call), #call, __FILE__, __LINE__)
