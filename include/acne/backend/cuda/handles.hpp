#pragma once
// Per-thread cuDNN and cuBLAS handles and convolution workspace. cuDNN and cuBLAS handles must not
// be shared between host threads, so each thread lazily creates its own and frees them on exit.
#include <cstddef>

#include "acne/backend/cuda/check.hpp"

namespace acne::cuda_backend {

class handles {
public:
  static handles& this_thread();

  handles(const handles&) = delete;
  handles& operator=(const handles&) = delete;
  ~handles();

  cudnnHandle_t cudnn() const { return cudnn_; }
  cublasHandle_t cublas() const { return cublas_; }
  // A device buffer of at least `bytes`, reused by every call on this thread (stream-ordered use).
  void* workspace(std::size_t bytes);

private:
  handles();
  cudnnHandle_t cudnn_ = nullptr;
  cublasHandle_t cublas_ = nullptr;
  void* workspace_ = nullptr;
  std::size_t workspace_bytes_ = 0;
};

}  // namespace acne::cuda_backend
