#pragma once
// ResNet50V2 / ResNet152V2 as keras.applications.resnet_v2 builds them (He et al., "Identity
// Mappings in Deep Residual Networks"):
//   conv1_pad (3) -> conv1_conv 7x7/2 with bias -> pool1_pad (1) -> pool1_pool max 3/2
//   -> stages conv2..conv5 of pre-activation bottleneck blocks ([3,4,6,3] or [3,8,36,3]; filters
//      64, 128, 256, 512, output 4x that; the LAST block of conv2..conv4 has stride 2)
//   -> post_bn -> post_relu -> head (avg pool + "predictions").
// Batch norms use eps 1.001e-5. Parameter names follow Keras' layer names with the stage and block
// as scopes: Keras "conv3_block2_1_conv/kernel" is "conv3.block2.1_conv.weight" here.
// width scales every filter count and `blocks` sets the depth, giving reduced variants of the same
// definition (a one-block stage puts the stride on its projection block, which Keras never builds).
#include <algorithm>
#include <array>
#include <cmath>
#include <string>

#include "acne/instances.hpp"
#include "acne/layers/activations.hpp"
#include "acne/layers/batch_norm.hpp"
#include "acne/layers/choice.hpp"
#include "acne/layers/conv2d.hpp"
#include "acne/layers/pooling.hpp"
#include "acne/layers/residual.hpp"
#include "acne/layers/sequential.hpp"
#include "acne/layers/shape_ops.hpp"
#include "acne/models/classifier_head.hpp"
#include "acne/network.hpp"

namespace acne {

inline constexpr double resnet_v2_bn_eps = 1.001e-5;

// A filter count scaled by a width multiplier, never below one.
inline std::size_t scaled_width(std::size_t filters, double width) {
  return std::max<std::size_t>(1, static_cast<std::size_t>(std::lround(double(filters) * width)));
}

struct resnet_v2_block_options {
  std::size_t filters = 64;  // bottleneck width; the block outputs 4x this
  std::size_t stride = 1;
  bool conv_shortcut = false;  // 1x1 projection of the pre-activated input (first block of a stage)
  std::string name{};
};

// Keras block2: preact = relu(bn(x)); out = shortcut + 1x1 -> bn relu -> pad 1, 3x3/stride -> bn relu
// -> 1x1 (4f, bias). The shortcut is a 1x1 projection of the pre-activated input, or reads the raw
// input (max-pool 1/stride, or identity); choice keeps all 16 or 50 blocks one repeated<> type.
namespace resnet_v2_parts {
template <class T, class D>
using preact = inlined<sequential<batch_norm<T, D>, relu<T, D>>>;
template <class T, class D>
using bottleneck = inlined<sequential<conv2d<T, D>, batch_norm<T, D>, relu<T, D>, zero_pad<T, D>, conv2d<T, D>,
                                      batch_norm<T, D>, relu<T, D>, conv2d<T, D>>>;
template <class T, class D>
using shortcut = choice<conv2d<T, D>, max_pool<T, D>, identity<T, D>>;
template <class T, class D>
using block = residual<preact<T, D>, bottleneck<T, D>, shortcut<T, D>>;

template <class T, class D>
block<T, D> make_block(const resnet_v2_block_options& o) {
  const auto bn = [](const char* name) { return batch_norm<T, D>({.eps = resnet_v2_bn_eps, .name = name}); };
  const auto shortcut_of = [&]() -> shortcut<T, D> {
    if (o.conv_shortcut)
      return conv2d<T, D>({.filters = 4 * o.filters, .kernel = 1, .stride = o.stride, .padding = padding_mode::valid,
                           .name = "0_conv"});
    if (o.stride > 1) return max_pool<T, D>(1, o.stride);
    return identity<T, D>();
  };
  return block<T, D>(
      preact<T, D>(bn("preact_bn"), relu<T, D>()),
      bottleneck<T, D>(conv2d<T, D>({.filters = o.filters, .kernel = 1, .padding = padding_mode::valid, .bias = false,
                                      .name = "1_conv"}),
                        bn("1_bn"), relu<T, D>(), zero_pad<T, D>(1),
                        conv2d<T, D>({.filters = o.filters, .kernel = 3, .stride = o.stride,
                                      .padding = padding_mode::valid, .bias = false, .name = "2_conv"}),
                        bn("2_bn"), relu<T, D>(),
                        conv2d<T, D>({.filters = 4 * o.filters, .kernel = 1, .padding = padding_mode::valid,
                                      .name = "3_conv"})),
      shortcut_of(), o.conv_shortcut ? shortcut_input::preactivated : shortcut_input::raw);
}
}  // namespace resnet_v2_parts

template <class T, class D = cpu>
class resnet_v2_block : public resnet_v2_parts::block<T, D> {
public:
  explicit resnet_v2_block(const resnet_v2_block_options& o = {})
      : resnet_v2_parts::block<T, D>(resnet_v2_parts::make_block<T, D>(o)), opt_(o) {
    this->name = o.name;
  }

  const resnet_v2_block_options& options() const { return opt_; }

private:
  resnet_v2_block_options opt_;
};

// One stage ("conv2" .. "conv5"): a run-time number of blocks of one type.
template <class T, class D = cpu>
using resnet_v2_stage = repeated<resnet_v2_block<T, D>>;

struct resnet_v2_config {
  std::array<std::size_t, 4> blocks{3, 4, 6, 3};  // blocks per stage conv2..conv5
  double width = 1.0;                              // multiplies every filter count
  classifier_head_options head{};

  static resnet_v2_config resnet50v2() { return {{3, 4, 6, 3}}; }
  static resnet_v2_config resnet152v2() { return {{3, 8, 36, 3}}; }
};

// Keras stack2: block1 projects (stride 1), the middle blocks are identities, the last block
// carries the stage's stride.
template <class T, class D = cpu>
resnet_v2_stage<T, D> make_resnet_v2_stage(const std::string& name, std::size_t filters, std::size_t blocks,
                                           std::size_t stride) {
  ACNE_CHECK(blocks > 0, "resnet_v2: stage " << name << " needs at least one block");
  resnet_v2_stage<T, D> stage;
  stage.name = name;
  for (std::size_t i = 1; i <= blocks; ++i)
    stage.push_back(resnet_v2_block<T, D>({.filters = filters,
                                           .stride = i == blocks ? stride : 1,
                                           .conv_shortcut = i == 1,
                                           .name = "block" + std::to_string(i)}));
  return stage;
}

// The whole network, written once: resnet_v2<T, D> is the type this returns.
template <class T, class D = cpu>
auto make_resnet_v2(const resnet_v2_config& c = {}) {
  ACNE_CHECK(c.width > 0, "resnet_v2: width multiplier " << c.width << " must be positive");
  const auto f = [&](std::size_t n) { return scaled_width(n, c.width); };
  return sequential(with_name(zero_pad<T, D>(3), "conv1_pad"),
                    conv2d<T, D>({.filters = f(64), .kernel = 7, .stride = 2, .padding = padding_mode::valid,
                                  .name = "conv1_conv"}),
                    with_name(zero_pad<T, D>(1), "pool1_pad"), with_name(max_pool<T, D>(3, 2), "pool1_pool"),
                    make_resnet_v2_stage<T, D>("conv2", f(64), c.blocks[0], 2),
                    make_resnet_v2_stage<T, D>("conv3", f(128), c.blocks[1], 2),
                    make_resnet_v2_stage<T, D>("conv4", f(256), c.blocks[2], 2),
                    make_resnet_v2_stage<T, D>("conv5", f(512), c.blocks[3], 1),
                    batch_norm<T, D>({.eps = resnet_v2_bn_eps, .name = "post_bn"}),
                    with_name(relu<T, D>(), "post_relu"), classifier_head<T, D>(c.head));
}

template <class T, class D = cpu>
using resnet_v2 = decltype(make_resnet_v2<T, D>());

}  // namespace acne

// Its network, compiled once for the project's programs and tests (acne/instances.hpp).
#define ACNE_RESNET_V2_NETWORK(D) class acne::network<acne::resnet_v2<float, D>>
ACNE_EXTERN_INSTANCES(ACNE_RESNET_V2_NETWORK)
