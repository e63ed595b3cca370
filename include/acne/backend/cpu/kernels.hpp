#pragma once
// Which kernels the CPU backend runs, said where a user looks (the programs' "device:" line, every
// benchmark's header): OpenBLAS 0.3.21 picks its kernels from a table of CPU models and runs
// generic SSE3 code ("Prescott") on any CPU newer than its table, several times slower, without a
// word. When that is the case and oneDNN is not there to take the convolutions, this says so, with
// the fix.
#include <string>

#include "acne/backend/cpu/onednn.hpp"
#include "acne/backend/cpu/simd.hpp"

// Weak, so the library still links against a BLAS that is not OpenBLAS; it is then null.
extern "C" char* openblas_get_corename(void) __attribute__((weak));

namespace acne::cpu_backend {

inline std::string blas_core() { return openblas_get_corename ? openblas_get_corename() : "unknown (not OpenBLAS)"; }

// OpenBLAS's name for the best core this CPU's instruction set allows, where OpenBLAS has one.
inline std::string best_blas_core() {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")) return "SkylakeX";
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "Haswell";
  return "";
}

// True when OpenBLAS's `core` is one of the pre-AVX2 ones while the CPU allows `best` ("" when
// OpenBLAS has no better core for it).
inline bool core_older_than_cpu(const std::string& core, const std::string& best) {
  if (best.empty()) return false;
  for (const char* old : {"Prescott", "Core2", "Penryn", "Dunnington", "Nehalem", "Atom", "Katmai", "Coppermine",
                          "Northwood", "Banias", "Athlon", "Opteron", "Barcelona", "Bobcat", "Sandybridge"})
    if (core == old) return true;
  return false;
}

// One line: what runs the convolutions, the float products, the rest of BLAS and the own loops.
inline std::string kernels_summary() {
  std::string s;
#ifdef ACNE_WITH_ONEDNN
  if (onednn::enabled) s = "oneDNN " + onednn::version() + " (" + onednn::isa() + ") for convolutions and products, ";
#endif
  s += "OpenBLAS core " + blas_core() + ", own loops " + loop_isa();
  return s;
}

// A warning for the user when OpenBLAS's `core` is older than the `best` this CPU allows, with the
// fix, or "" when it is not.
inline std::string kernels_warning(const std::string& core, const std::string& best) {
  if (!core_older_than_cpu(core, best)) return "";
  std::string w = "warning: OpenBLAS runs its generic '" + core + "' kernels on this CPU, which has " +
                  (best == "SkylakeX" ? "AVX-512" : "AVX2") + "; ";
#ifdef ACNE_WITH_ONEDNN
  if (onednn::enabled)
    return w + "oneDNN runs the convolutions and float products, the rest of BLAS (double precision, FID's "
               "linear algebra) runs slower: start the program with OPENBLAS_CORETYPE=" +
           best + " to fix that";
#endif
  return w + "convolutions and products run several times slower than this CPU allows: install oneDNN "
             "(Debian libdnnl-dev, or tools/deps.sh) and rebuild, or start the program with OPENBLAS_CORETYPE=" +
         best;
}
inline std::string kernels_warning() {
  return openblas_get_corename ? kernels_warning(blas_core(), best_blas_core()) : "";
}

}  // namespace acne::cpu_backend
