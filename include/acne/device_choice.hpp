#pragma once
// The device a program runs on, chosen at run time among those compiled in: `--device cpu|cuda`,
// or, without the flag, the GPU when this build has the CUDA backend and a device is present. The
// choice is always said, and asking for a device that cannot run is an error: a job meant for the
// GPU never creeps along on the CPU unnoticed.
#include <ostream>
#include <string>

#include "acne/backend/cpu/kernels.hpp"
#include "acne/device.hpp"
#include "acne/error.hpp"

#ifdef ACNE_WITH_CUDA
#include "acne/backend/cuda/memory.hpp"  // cuda_available()
#endif

namespace acne {

// A device name that this build or this machine cannot honour.
class device_unavailable : public error {
public:
  using error::error;
};

// "cpu" or "cuda" for `requested` ("" = automatic); throws device_unavailable otherwise.
inline std::string resolve_device(const std::string& requested) {
  if (!requested.empty() && requested != "cpu" && requested != "cuda")
    throw device_unavailable("unknown device '" + requested + "' (cpu or cuda)");
#ifdef ACNE_WITH_CUDA
  const bool gpu = cuda_available();
  if (requested == "cuda" && !gpu) throw device_unavailable("--device cuda, but no CUDA device is available");
  return requested.empty() ? (gpu ? "cuda" : "cpu") : requested;
#else
  if (requested == "cuda") throw device_unavailable("--device cuda, but this program was built without CUDA");
  return "cpu";
#endif
}

// Calls f(cpu{}) or f(cuda{}) as `requested` resolves, after writing "device: <name>" to `log`;
// on the CPU with the kernels it runs, and a warning line when they are slower than the CPU allows.
template <class F>
decltype(auto) on_device(const std::string& requested, std::ostream& log, F&& f) {
  const std::string name = resolve_device(requested);
  log << "device: " << name;
  if (name == "cpu") {
    log << " (" << cpu_backend::kernels_summary() << ")";
    if (const auto warning = cpu_backend::kernels_warning(); !warning.empty()) log << "\n" << warning;
  }
  log << "\n";
#ifdef ACNE_WITH_CUDA
  if (name == "cuda") return f(cuda{});
#endif
  return f(cpu{});
}

}  // namespace acne
