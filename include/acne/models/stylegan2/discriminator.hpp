#pragma once
// The residual discriminator image -> logit (config F): blocks b{R} .. b8, each halving the
// resolution, then the 4x4 epilogue "b4". Parameter names follow stylegan2-ada-pytorch, e.g.
// b256.fromrgb.weight (top block only), b64.conv0.weight, b64.conv1.bias, b64.skip.weight,
// b4.conv.weight, b4.fc.weight, b4.out.bias.
#include <string>
#include <vector>

#include "acne/instances.hpp"
#include "acne/layers/choice.hpp"
#include "acne/layers/sequential.hpp"
#include "acne/layers/shape_ops.hpp"
#include "acne/models/stylegan2/discriminator_block.hpp"
#include "acne/models/stylegan2/discriminator_epilogue.hpp"
#include "acne/network.hpp"

namespace acne::stylegan2 {

// fromrgb belongs to the top block; at 4px there is no block and the epilogue reads the image.
template <class T, class D = cpu>
using discriminator_layers = sequential<choice<equalized_conv2d<T, D>, identity<T, D>>,
                                        inlined<repeated<discriminator_block<T, D>>>, discriminator_epilogue<T, D>>;

// Input [N, img_channels, R, R] (images in [-1, 1]), output [N, 1, 1, 1] logits.
template <class T, class D = cpu>
class discriminator : public discriminator_layers<T, D> {
  using base = discriminator_layers<T, D>;

public:
  explicit discriminator(const config& c = {}) : base(layers(c)), cfg_(c) {}

  shape4 setup(const shape4& in, parameter_registry<T, D>& reg) {
    ACNE_CHECK(in.c == cfg_.img_channels && in.h == cfg_.resolution && in.w == cfg_.resolution,
               "discriminator: input " << in << " for " << cfg_.img_channels << " x " << cfg_.resolution << "^2 images");
    return base::setup(in, reg);
  }

  const config& cfg() const { return cfg_; }

private:
  static base layers(const config& c) {
    c.validate();
    const std::string top = "b" + std::to_string(c.resolution);
    choice<equalized_conv2d<T, D>, identity<T, D>> fromrgb = identity<T, D>();
    if (c.resolution > 4)
      fromrgb = equalized_conv2d<T, D>({.filters = c.channels(c.resolution), .kernel = 1, .act = activation::lrelu(),
                                        .conv_clamp = c.conv_clamp, .name = top + ".fromrgb"});
    std::vector<discriminator_block<T, D>> blocks;
    for (std::size_t res = c.resolution; res > 4; res /= 2) blocks.push_back(make_discriminator_block<T, D>(c, res));
    return base(std::move(fromrgb), inlined(repeated(std::move(blocks))), make_discriminator_epilogue<T, D>(c));
  }

  config cfg_;
};

}  // namespace acne::stylegan2

// Its network, compiled once for the project's programs and tests (acne/instances.hpp).
#define ACNE_STYLEGAN2_DISCRIMINATOR_NETWORK(D) class acne::network<acne::stylegan2::discriminator<float, D>>
ACNE_EXTERN_INSTANCES(ACNE_STYLEGAN2_DISCRIMINATOR_NETWORK)
