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

#include "acne/layers/activations.hpp"
#include "acne/layers/batch_norm.hpp"
#include "acne/layers/conv2d.hpp"
#include "acne/layers/pooling.hpp"
#include "acne/layers/sequential.hpp"
#include "acne/layers/shape_ops.hpp"
#include "acne/models/classifier_head.hpp"

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
// -> 1x1 (4f, bias). The shortcut reads the pre-activated input (projection) or the raw input
// (identity, or max-pool 1/stride), which no fixed combinator expresses with one block type; one
// type keeps all 16 or 50 blocks a single repeated<> instantiation.
template <class T, class D = cpu>
class resnet_v2_block : public layer_base<T, D> {
  using main_path = sequential<conv2d<T, D>, batch_norm<T, D>, relu<T, D>, zero_pad<T, D>, conv2d<T, D>,
                               batch_norm<T, D>, relu<T, D>, conv2d<T, D>>;

public:
  explicit resnet_v2_block(const resnet_v2_block_options& o = {})
      : opt_(o),
        preact_bn_({.eps = resnet_v2_bn_eps, .name = "preact_bn"}),
        shortcut_conv_({.filters = 4 * o.filters, .kernel = 1, .stride = o.stride, .padding = padding_mode::valid,
                        .name = "0_conv"}),
        shortcut_pool_(1, o.stride),
        main_(conv2d<T, D>({.filters = o.filters, .kernel = 1, .padding = padding_mode::valid, .bias = false,
                            .name = "1_conv"}),
              batch_norm<T, D>({.eps = resnet_v2_bn_eps, .name = "1_bn"}), relu<T, D>(), zero_pad<T, D>(1),
              conv2d<T, D>({.filters = o.filters, .kernel = 3, .stride = o.stride, .padding = padding_mode::valid,
                            .bias = false, .name = "2_conv"}),
              batch_norm<T, D>({.eps = resnet_v2_bn_eps, .name = "2_bn"}), relu<T, D>(),
              conv2d<T, D>({.filters = 4 * o.filters, .kernel = 1, .padding = padding_mode::valid, .name = "3_conv"})) {
    this->name = o.name;
  }

  shape4 setup(const shape4& in, parameter_registry<T, D>& reg) {
    {
      typename parameter_registry<T, D>::scope s(reg, "preact_bn");
      preact_bn_.setup(in, reg);
    }
    shape4 shortcut = in;
    if (opt_.conv_shortcut) {
      typename parameter_registry<T, D>::scope s(reg, "0_conv");
      shortcut = shortcut_conv_.setup(in, reg);
    } else if (opt_.stride > 1) {
      shortcut = shortcut_pool_.setup(in, reg);
    }
    const shape4 out = main_.setup(in, reg);
    ACNE_CHECK(shortcut == out, "resnet_v2_block '" << this->name << "': shortcut " << shortcut << " and residual "
                                                    << out << " differ (an identity shortcut needs " << out.c
                                                    << " input channels)");
    return out;
  }

  void forward(const tensor<T, D>& x, tensor<T, D>& y, context& ctx) {
    preact_bn_.forward(x, bn_out_, ctx);
    preact_relu_.forward(bn_out_, preact_, ctx);
    main_.forward(preact_, main_out_, ctx);
    y = main_out_;
    if (opt_.conv_shortcut) {
      shortcut_conv_.forward(preact_, shortcut_, ctx);
      axpy(T(1), shortcut_, y);
    } else if (opt_.stride > 1) {
      shortcut_pool_.forward(x, shortcut_, ctx);
      axpy(T(1), shortcut_, y);
    } else {
      axpy(T(1), x, y);
    }
  }

  void backward(const tensor<T, D>& x, const tensor<T, D>&, const tensor<T, D>& dy, tensor<T, D>* dx, context& ctx) {
    main_.backward(preact_, main_out_, dy, &dpreact_, ctx);
    if (opt_.conv_shortcut) {
      shortcut_conv_.backward(preact_, shortcut_, dy, &dtmp_, ctx);
      axpy(T(1), dtmp_, dpreact_);
    }
    preact_relu_.backward(bn_out_, preact_, dpreact_, &dbn_, ctx);
    preact_bn_.backward(x, bn_out_, dbn_, dx, ctx);  // computes the BN parameter gradients even without dx
    if (!dx || opt_.conv_shortcut) return;
    if (opt_.stride > 1) {
      shortcut_pool_.backward(x, shortcut_, dy, &dtmp_, ctx);
      axpy(T(1), dtmp_, *dx);
    } else {
      axpy(T(1), dy, *dx);
    }
  }

  const resnet_v2_block_options& options() const { return opt_; }

private:
  resnet_v2_block_options opt_;
  batch_norm<T, D> preact_bn_;
  relu<T, D> preact_relu_;
  conv2d<T, D> shortcut_conv_;
  max_pool<T, D> shortcut_pool_;
  main_path main_;
  tensor<T, D> bn_out_, preact_, main_out_, shortcut_, dpreact_, dbn_, dtmp_;
};

// One stage ("conv2" .. "conv5"): a run-time number of blocks of one type.
template <class T, class D = cpu>
using resnet_v2_stage = repeated<resnet_v2_block<T, D>>;

template <class T, class D = cpu>
using resnet_v2 = sequential<zero_pad<T, D>, conv2d<T, D>, zero_pad<T, D>, max_pool<T, D>, resnet_v2_stage<T, D>,
                             resnet_v2_stage<T, D>, resnet_v2_stage<T, D>, resnet_v2_stage<T, D>, batch_norm<T, D>,
                             relu<T, D>, classifier_head<T, D>>;

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

template <class T, class D = cpu>
resnet_v2<T, D> make_resnet_v2(const resnet_v2_config& c = {}) {
  ACNE_CHECK(c.width > 0, "resnet_v2: width multiplier " << c.width << " must be positive");
  const auto f = [&](std::size_t n) { return scaled_width(n, c.width); };
  resnet_v2<T, D> net(zero_pad<T, D>(3),
                      conv2d<T, D>({.filters = f(64), .kernel = 7, .stride = 2, .padding = padding_mode::valid,
                                    .name = "conv1_conv"}),
                      zero_pad<T, D>(1), max_pool<T, D>(3, 2),
                      make_resnet_v2_stage<T, D>("conv2", f(64), c.blocks[0], 2),
                      make_resnet_v2_stage<T, D>("conv3", f(128), c.blocks[1], 2),
                      make_resnet_v2_stage<T, D>("conv4", f(256), c.blocks[2], 2),
                      make_resnet_v2_stage<T, D>("conv5", f(512), c.blocks[3], 1),
                      batch_norm<T, D>({.eps = resnet_v2_bn_eps, .name = "post_bn"}), relu<T, D>(),
                      classifier_head<T, D>(c.head));
  net.template get<0>().name = "conv1_pad";
  net.template get<2>().name = "pool1_pad";
  net.template get<3>().name = "pool1_pool";
  net.template get<9>().name = "post_relu";
  return net;
}

}  // namespace acne
