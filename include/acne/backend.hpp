#pragma once
// The backend front end that layers, losses and optimizers include: the operations listed in
// backend/operations.hpp, for every device this build has (the CPU always; CUDA with ACNE_WITH_CUDA).
#include "acne/backend/cpu.hpp"
#ifdef ACNE_WITH_CUDA
#include "acne/backend/cuda.hpp"
#endif
