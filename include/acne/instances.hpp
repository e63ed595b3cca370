#pragma once
// Explicit instantiation of the library's heaviest entry points, one per device. A header declares
// each entry point once, as a macro of the device, and names it below its definition:
//   #define ACNE_TRAIN_STYLEGAN2(D) gan_result train_stylegan2<D>(const gan_options&, ...)
//   ACNE_EXTERN_INSTANCES(ACNE_TRAIN_STYLEGAN2)
// Where ACNE_PREBUILT_INSTANCES is defined (the project's own programs, tests and benchmarks), that
// line is an explicit instantiation declaration: the file including the header does not compile the
// entry point and all it instantiates, and links it instead from the acne_instances library, whose
// sources say ACNE_INSTANCES(ACNE_TRAIN_STYLEGAN2) for ACNE_INSTANCE_DEVICE. Elsewhere, in a
// user's code, the line is empty and the library is header-only.
#include "acne/device.hpp"

#ifdef ACNE_PREBUILT_INSTANCES
#ifdef ACNE_WITH_CUDA
#define ACNE_EXTERN_INSTANCES(entry) extern template entry(::acne::cpu); extern template entry(::acne::cuda);
#else
#define ACNE_EXTERN_INSTANCES(entry) extern template entry(::acne::cpu);
#endif
#else
#define ACNE_EXTERN_INSTANCES(entry)
#endif

// The explicit instantiation definition, in an acne_instances source.
#define ACNE_INSTANCES(entry) template entry(::acne::ACNE_INSTANCE_DEVICE);
