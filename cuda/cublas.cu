// cuBLAS opened on first use (backend/cuda/cublas.hpp).
#include <dlfcn.h>

#include <string>

#include "acne/backend/cuda/cublas.hpp"
#include "acne/error.hpp"

namespace acne::cuda_backend {

namespace {

// The library of the major version the backend was compiled against, by the loader's search (the
// program's run path, LD_LIBRARY_PATH, the system's cache), else in the toolkit the build found.
void* open_cublas() {
  const std::string name = "libcublas.so." + std::to_string(CUBLAS_VER_MAJOR);
  void* library = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL);
  std::string why = library ? "" : dlerror();
#ifdef ACNE_CUBLAS_DIR
  if (!library) library = dlopen((std::string(ACNE_CUBLAS_DIR) + "/" + name).c_str(), RTLD_NOW | RTLD_LOCAL);
#endif
  ACNE_CHECK(library, "cannot open " << name << " (cuBLAS, for products on the GPU): " << why);
  return library;
}

template <class F>
void find(void* library, const char* symbol, F& f) {
  f = reinterpret_cast<F>(dlsym(library, symbol));
  ACNE_CHECK(f, "cuBLAS " << CUBLAS_VER_MAJOR << " has no " << symbol);
}

cublas_api load() {
  void* library = open_cublas();
  cublas_api api;
  find(library, "cublasCreate_v2", api.create);
  find(library, "cublasDestroy_v2", api.destroy);
  find(library, "cublasSetMathMode", api.set_math_mode);
  find(library, "cublasSgemm_v2", api.sgemm);
  find(library, "cublasGetStatusString", api.status_string);
  return api;
}

}  // namespace

const cublas_api& cublas_library() {
  static const cublas_api api = load();
  return api;
}

}  // namespace acne::cuda_backend
