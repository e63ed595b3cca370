#pragma once
// The CPU backend: every op the layers call, for tensor<T, cpu> with T = float or double.
#include "acne/backend/cpu/batch_norm.hpp"
#include "acne/backend/cpu/conv.hpp"
#include "acne/backend/cpu/elementwise.hpp"
#include "acne/backend/cpu/loss.hpp"
#include "acne/backend/cpu/optim.hpp"
#include "acne/backend/cpu/pool.hpp"
