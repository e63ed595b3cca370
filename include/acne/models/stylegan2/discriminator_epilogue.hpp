#pragma once
// The discriminator's 4x4 epilogue "b4" (the reference's DiscriminatorEpilogue, unconditional):
// minibatch stddev, conv 3x3 (C+1 -> C), fc (C*16 -> C), out (C -> 1).
#include "acne/layers/sequential.hpp"
#include "acne/layers/stylegan/equalized_conv2d.hpp"
#include "acne/layers/stylegan/equalized_dense.hpp"
#include "acne/layers/stylegan/minibatch_stddev.hpp"
#include "acne/models/stylegan2/config.hpp"

namespace acne::stylegan2 {

template <class T, class D = cpu>
using discriminator_epilogue =
    sequential<minibatch_stddev<T, D>, equalized_conv2d<T, D>, equalized_dense<T, D>, equalized_dense<T, D>>;

template <class T, class D = cpu>
discriminator_epilogue<T, D> make_discriminator_epilogue(const config& c) {
  return with_name(
      discriminator_epilogue<T, D>(
          minibatch_stddev<T, D>(c.mbstd_group, c.mbstd_channels),
          equalized_conv2d<T, D>({.filters = c.channels(4), .kernel = 3, .act = activation::lrelu(),
                                  .conv_clamp = c.conv_clamp, .name = "conv"}),
          equalized_dense<T, D>({.units = c.channels(4), .act = activation::lrelu(), .name = "fc"}),
          equalized_dense<T, D>({.units = 1, .name = "out"})),
      "b4");
}

}  // namespace acne::stylegan2
