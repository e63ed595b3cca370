#pragma once
// The CPU backend: every operation of backend/operations.hpp for tensor<T, cpu>, T = float or double.
#include "acne/backend/cpu/batch_norm.hpp"
#include "acne/backend/cpu/conv.hpp"
#include "acne/backend/cpu/elementwise.hpp"
#include "acne/backend/cpu/loss.hpp"
#include "acne/backend/cpu/minibatch_stddev.hpp"
#include "acne/backend/cpu/modulation.hpp"
#include "acne/backend/cpu/noise.hpp"
#include "acne/backend/cpu/normalize.hpp"
#include "acne/backend/cpu/optim.hpp"
#include "acne/backend/cpu/pool.hpp"
#include "acne/backend/cpu/resampling.hpp"
#include "acne/backend/cpu/upfirdn2d.hpp"
#include "acne/backend/operations.hpp"

static_assert(acne::backend_operations<float, acne::cpu>, "the CPU backend lacks an operation for float");
static_assert(acne::backend_operations<double, acne::cpu>, "the CPU backend lacks an operation for double");
