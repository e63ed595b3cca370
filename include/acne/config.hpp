#pragma once
// Library version and the compile-time switch for the CUDA backend (defined by the acne::cuda target).
#define ACNE_VERSION_MAJOR 0
#define ACNE_VERSION_MINOR 1
#define ACNE_VERSION_PATCH 0

namespace acne {
inline constexpr const char* version = "0.1.0";
#ifdef ACNE_WITH_CUDA
inline constexpr bool with_cuda = true;
#else
inline constexpr bool with_cuda = false;
#endif
}  // namespace acne
