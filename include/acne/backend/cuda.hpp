#pragma once
// The CUDA backend: every operation of backend/operations.hpp for tensor<float, cuda> (defined in
// cuda/<name>.cu beside each backend/cuda/<name>.hpp), device memory and transfers. Include it (and
// link acne::cuda) to instantiate layers and networks with D = acne::cuda.
#include "acne/backend/cuda/batch_norm.hpp"
#include "acne/backend/cuda/conv.hpp"
#include "acne/backend/cuda/elementwise.hpp"
#include "acne/backend/cuda/loss.hpp"
#include "acne/backend/cuda/memory.hpp"
#include "acne/backend/cuda/minibatch_stddev.hpp"
#include "acne/backend/cuda/modulation.hpp"
#include "acne/backend/cuda/noise.hpp"
#include "acne/backend/cuda/normalize.hpp"
#include "acne/backend/cuda/optim.hpp"
#include "acne/backend/cuda/pool.hpp"
#include "acne/backend/cuda/resampling.hpp"
#include "acne/backend/cuda/transfer.hpp"
#include "acne/backend/cuda/upfirdn2d.hpp"
#include "acne/backend/operations.hpp"

static_assert(acne::backend_operations<float, acne::cuda>, "the CUDA backend lacks an operation for float");
