#pragma once
// cuBLAS, opened when the first GPU product needs it instead of linked: loading libcublas, and the
// libcublasLt it pulls in, costs a process about 150 MiB of resident memory (their relocations),
// which every program of a CUDA build used to pay when it ran on the CPU. The entry points the
// backend calls are looked up once; a library that cannot be opened is an error naming it.
#include <cublas_v2.h>

namespace acne::cuda_backend {

struct cublas_api {
  decltype(&cublasCreate_v2) create = nullptr;
  decltype(&cublasDestroy_v2) destroy = nullptr;
  decltype(&cublasSetMathMode) set_math_mode = nullptr;
  decltype(&cublasSgemm_v2) sgemm = nullptr;
  decltype(&cublasGetStatusString) status_string = nullptr;
};

// The entry points; the first call opens the library (thread-safe) and throws acne::error when it
// cannot. cuBLAS needs no GPU to be opened, only to be used.
const cublas_api& cublas_library();

}  // namespace acne::cuda_backend
