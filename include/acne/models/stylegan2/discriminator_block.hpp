#pragma once
// One resolution of the residual discriminator (the reference's DiscriminatorBlock, 'resnet'):
// conv0 3x3, conv1 3x3 with 2x downsampling, plus a 1x1 downsampling skip without bias; both paths
// scaled by sqrt(0.5) so the sum keeps its variance. The top block's fromrgb is the layer before
// the blocks (discriminator.hpp).
#include <cmath>
#include <string>

#include "acne/layers/branches.hpp"
#include "acne/layers/sequential.hpp"
#include "acne/layers/stylegan/equalized_conv2d.hpp"
#include "acne/models/stylegan2/config.hpp"

namespace acne::stylegan2 {

template <class T, class D = cpu>
using discriminator_block =
    sum_of<inlined<sequential<equalized_conv2d<T, D>, equalized_conv2d<T, D>>>, equalized_conv2d<T, D>>;

// Block "b{resolution}": parameters b{res}.conv0.*, b{res}.conv1.*, b{res}.skip.weight.
template <class T, class D = cpu>
discriminator_block<T, D> make_discriminator_block(const config& c, std::size_t resolution) {
  using conv = equalized_conv2d<T, D>;
  const std::size_t tmp = c.channels(resolution), out = c.channels(resolution / 2);
  const double half = std::sqrt(0.5);
  return with_name(
      discriminator_block<T, D>(
          inlined(sequential(
              conv({.filters = tmp, .kernel = 3, .act = activation::lrelu(), .conv_clamp = c.conv_clamp, .name = "conv0"}),
              conv({.filters = out, .kernel = 3, .down = 2, .act = activation::lrelu(), .gain = half,
                    .conv_clamp = c.conv_clamp, .name = "conv1"}))),
          conv({.filters = out, .kernel = 1, .down = 2, .bias = false, .gain = half, .name = "skip"})),
      "b" + std::to_string(resolution));
}

}  // namespace acne::stylegan2
