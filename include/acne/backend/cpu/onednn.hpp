#pragma once
// oneDNN as the CPU backend's engine for float convolutions and products: it picks its kernels by
// the instruction set it finds at run time (cpuid), where OpenBLAS 0.3.21 picks them from a table
// of CPU models and falls back to generic SSE3 code on any CPU newer than its table. Present when
// the build found oneDNN (ACNE_WITH_ONEDNN, Debian libdnnl-dev); without it the im2col + BLAS path
// runs alone and cpu_kernels.hpp says so. Through the C API: dnnl.hpp costs every file that
// includes it most of a second of compile time.
#ifdef ACNE_WITH_ONEDNN
#include <cstddef>
#include <cstdlib>
#include <initializer_list>
#include <memory>
#include <string>
#include <utility>

#include <oneapi/dnnl/dnnl.h>
#include <oneapi/dnnl/dnnl_debug.h>

#include "acne/error.hpp"

namespace acne::cpu_backend::onednn {

// Whether oneDNN runs the float convolutions and products; a variable, so the parity tests and
// bench_conv can run the portable path in the same process.
inline bool enabled = true;

inline void check(dnnl_status_t status, const char* what) {
  if (status != dnnl_success) throw error(std::string("oneDNN: ") + what + " failed: " + dnnl_status2str(status));
}

// A oneDNN handle that destroys itself.
template <class H, dnnl_status_t (*destroy)(H)>
class handle {
public:
  handle() = default;
  explicit handle(H h) : h_(h) {}
  handle(handle&& o) noexcept : h_(std::exchange(o.h_, nullptr)) {}
  handle& operator=(handle&& o) noexcept {
    std::swap(h_, o.h_);
    return *this;
  }
  ~handle() {
    if (h_) destroy(h_);
  }
  H get() const { return h_; }
  explicit operator bool() const { return h_ != nullptr; }

private:
  H h_ = nullptr;
};
using primitive_desc = handle<dnnl_primitive_desc_t, dnnl_primitive_desc_destroy>;
using primitive = handle<dnnl_primitive_t, dnnl_primitive_destroy>;
using memory = handle<dnnl_memory_t, dnnl_memory_destroy>;

inline dnnl_engine_t engine() {
  static const auto e = [] {
    dnnl_engine_t h = nullptr;
    check(dnnl_engine_create(&h, dnnl_cpu, 0), "engine creation");
    return handle<dnnl_engine_t, dnnl_engine_destroy>(h);
  }();
  return e.get();
}
// One stream per thread: a stream is not to be shared by threads that submit at the same time.
inline dnnl_stream_t stream() {
  thread_local const auto s = [] {
    dnnl_stream_t h = nullptr;
    check(dnnl_stream_create(&h, engine(), dnnl_stream_default_flags), "stream creation");
    return handle<dnnl_stream_t, dnnl_stream_destroy>(h);
  }();
  return s.get();
}

inline memory make_memory(const dnnl_memory_desc_t& md) {
  dnnl_memory_t m = nullptr;
  check(dnnl_memory_create(&m, &md, engine(), DNNL_MEMORY_NONE), "memory creation");
  return memory(m);
}
inline void bind(const memory& m, const void* data) {
  check(dnnl_memory_set_data_handle(m.get(), const_cast<void*>(data)), "binding a buffer");
}
inline primitive make_primitive(const primitive_desc& pd) {
  dnnl_primitive_t p = nullptr;
  check(dnnl_primitive_create(&p, pd.get()), "primitive creation");
  return primitive(p);
}
inline void execute(const primitive& p, std::initializer_list<dnnl_exec_arg_t> args) {
  check(dnnl_primitive_execute(p.get(), stream(), int(args.size()), args.begin()), "execution");
}

// The instruction set oneDNN dispatches to on this CPU, e.g. "avx512_core_bf16".
inline std::string isa() {
  switch (dnnl_get_effective_cpu_isa()) {
    case dnnl_cpu_isa_sse41: return "sse41";
    case dnnl_cpu_isa_avx: return "avx";
    case dnnl_cpu_isa_avx2: return "avx2";
    case dnnl_cpu_isa_avx2_vnni: return "avx2_vnni";
    case dnnl_cpu_isa_avx512_core: return "avx512_core";
    case dnnl_cpu_isa_avx512_core_vnni: return "avx512_core_vnni";
    case dnnl_cpu_isa_avx512_core_bf16: return "avx512_core_bf16";
    case dnnl_cpu_isa_avx512_core_amx: return "avx512_core_amx";
    default: return "generic";
  }
}
inline std::string version() {
  const auto* v = dnnl_version();
  return std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch);
}

// A per-thread buffer that only grows, 64-byte aligned as oneDNN's kernels prefer; one per use
// (`slot`), so the blocked copies of one call's arguments and its scratchpad never overlap.
template <int slot>
void* workspace(std::size_t bytes) {
  struct deleter {
    void operator()(void* p) const { std::free(p); }
  };
  thread_local std::unique_ptr<void, deleter> data;
  thread_local std::size_t size = 0;
  if (bytes > size) {
    size = (bytes + 63) / 64 * 64;
    data.reset(std::aligned_alloc(64, size));
    if (!data) throw error("oneDNN workspace: cannot allocate " + std::to_string(size) + " bytes");
  }
  return data.get();
}

// Row-major C[m,n] = alpha * op(A) * op(B) + beta * C: on the calling thread inside a parallel
// region, on oneDNN's OpenMP threads outside one.
inline void sgemm(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k, float alpha, const float* a,
                  std::size_t lda, const float* b, std::size_t ldb, float beta, float* c, std::size_t ldc) {
  if (k == 0) {  // which dnnl_sgemm refuses: C = beta C
    for (std::size_t i = 0; i < m; ++i)
      for (std::size_t j = 0; j < n; ++j) c[i * ldc + j] = beta == 0.0f ? 0.0f : beta * c[i * ldc + j];
    return;
  }
  check(dnnl_sgemm(trans_a ? 'T' : 'N', trans_b ? 'T' : 'N', dnnl_dim_t(m), dnnl_dim_t(n), dnnl_dim_t(k), alpha, a,
                   dnnl_dim_t(lda), b, dnnl_dim_t(ldb), beta, c, dnnl_dim_t(ldc)),
        "sgemm");
}

}  // namespace acne::cpu_backend::onednn
#endif
