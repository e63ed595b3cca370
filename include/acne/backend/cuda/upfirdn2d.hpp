#pragma once
// upfirdn2d on CUDA (backend/cpu/upfirdn2d.hpp): forward gathers over the filter window per output,
// backward gathers per input over the outputs that read it, so neither needs atomics.
#include "acne/backend/cuda/memory.hpp"
#include "acne/backend/upfirdn_geometry.hpp"
#include "acne/tensor/tensor.hpp"

namespace acne {

void upfirdn2d_forward(const tensor<float, cuda>& x, tensor<float, cuda>& y, const upfirdn_params& p);
void upfirdn2d_backward(const tensor<float, cuda>& dy, tensor<float, cuda>& dx, const upfirdn_params& p);

}  // namespace acne
