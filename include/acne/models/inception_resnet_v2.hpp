#pragma once
// InceptionResNetV2 as keras.applications.inception_resnet_v2 builds it (Szegedy et al. 2016,
// TF-slim layout):
//   stem       conv 32 3/2 valid, 32 3 valid, 64 3, max 3/2, 80 1 valid, 192 3 valid, max 3/2
//   mixed_5b   Inception-A: [96 1x1 | 48 1x1 > 64 5x5 | 64 1x1 > 96 3x3 > 96 3x3 | avg 3/1 > 64 1x1]
//   block35 x10 (scale 0.17), mixed_6a (reduction A), block17 x20 (0.1), mixed_7a (reduction B),
//   block8 x9 (0.2) + block8 (scale 1, no activation), conv_7b 1536 1x1, head.
// Every convolution is Keras' conv2d_bn unit (conv without bias, BN without gamma, ReLU: the
// inception::unit InceptionV3 uses too) except each block's "up" 1x1 convolution (bias, no BN).
// Creation order matches Keras (which auto-numbers most layers: conv2d_N), so tools/convert_keras.py
// can pair tensors by order. Names: "stem.conv_1a", "mixed_5b.branch_1.0", "block17.3.conv" (up), ...
// width scales every filter count and `repeats` the block counts: reduced variants of one definition.
#include <array>
#include <string>

#include "acne/instances.hpp"
#include "acne/layers/activations.hpp"
#include "acne/layers/branches.hpp"
#include "acne/layers/conv2d.hpp"
#include "acne/layers/choice.hpp"
#include "acne/layers/pooling.hpp"
#include "acne/layers/residual.hpp"
#include "acne/layers/sequential.hpp"
#include "acne/layers/shape_ops.hpp"
#include "acne/models/classifier_head.hpp"
#include "acne/models/inception_blocks.hpp"
#include "acne/models/resnet_v2.hpp"
#include "acne/network.hpp"

namespace acne {

// y = act(x + scale * up(mixed(x))), up a biased 1x1 convolution back to x's `channels` (Keras'
// inception_resnet_block, which reads them as K.int_shape(x); the last block8 has scale 1 and no
// activation). The residual and its main path are inlined: the branches and "conv" sit directly
// under the block's name.
template <class Mixed, class T = typename Mixed::value_type, class D = typename Mixed::device_type>
using inception_resnet_block =
    sequential<inlined<residual<identity<T, D>, inlined<sequential<inlined<Mixed>, conv2d<T, D>, scale_layer<T, D>>>,
                                identity<T, D>>>,
               choice<relu<T, D>, identity<T, D>>>;

template <class Mixed>
inception_resnet_block<Mixed> make_inception_resnet_block(std::size_t channels, Mixed mixed, double scale, bool activate,
                                                          std::string name) {
  using T = typename Mixed::value_type;
  using D = typename Mixed::device_type;
  using main_path = sequential<inlined<Mixed>, conv2d<T, D>, scale_layer<T, D>>;
  using sum = residual<identity<T, D>, inlined<main_path>, identity<T, D>>;
  using activation = choice<relu<T, D>, identity<T, D>>;
  const conv2d_options up{.filters = channels, .kernel = 1, .padding = padding_mode::valid, .name = "conv"};
  inception_resnet_block<Mixed> block(
      inlined<sum>(sum({}, inlined<main_path>(main_path(inlined<Mixed>(std::move(mixed)), conv2d<T, D>(up),
                                                        scale_layer<T, D>(scale))),
                       {}, shortcut_input::raw)),
      activate ? activation(relu<T, D>()) : activation(identity<T, D>()));
  block.name = std::move(name);
  return block;
}

namespace irv2 {
using inception::chain2;
using inception::chain3;
using inception::unit;

template <class T, class D>
using stem = sequential<unit<T, D>, unit<T, D>, unit<T, D>, max_pool<T, D>, unit<T, D>, unit<T, D>, max_pool<T, D>>;
template <class T, class D>
using mixed_5b = concat<unit<T, D>, chain2<T, D>, chain3<T, D>, sequential<avg_pool<T, D>, unit<T, D>>>;
template <class T, class D>
using block35 = inception_resnet_block<concat<unit<T, D>, chain2<T, D>, chain3<T, D>>>;
template <class T, class D>
using mixed_6a = concat<unit<T, D>, chain3<T, D>, max_pool<T, D>>;
// block17 and block8 share one shape: [1x1 | 1x1 > 1xk > kx1].
template <class T, class D>
using block17_8 = inception_resnet_block<concat<unit<T, D>, chain3<T, D>>>;
template <class T, class D>
using mixed_7a = concat<chain2<T, D>, chain2<T, D>, chain3<T, D>, max_pool<T, D>>;
}  // namespace irv2

struct inception_resnet_v2_config {
  std::array<std::size_t, 3> repeats{10, 20, 10};  // block35, block17, block8 (the last block8 is linear)
  double width = 1.0;                              // multiplies every filter count
  classifier_head_options head{};
};

namespace irv2 {
// Builds Keras' conv2d_bn(x, filters, (kh, kw), strides, padding) with the width applied.
struct unit_maker {
  double width;
  std::size_t channels(std::size_t filters) const { return scaled_width(filters, width); }
  template <class T, class D>
  unit<T, D> make(std::size_t filters, std::size_t kh, std::size_t kw, std::size_t stride = 1,
                  padding_mode padding = padding_mode::same, std::string name = {}) const {
    return inception::block_maker{.bn_scale = false}.make<T, D>({scaled_width(filters, width), kh, kw, stride, padding},
                                                                 std::move(name));
  }
};

template <class L>
L named(L layer, std::string name) {
  return inception::block_maker::named(std::move(layer), std::move(name));
}

template <class T, class D>
block35<T, D> make_block35(const unit_maker& u, std::size_t channels, std::size_t index, double scale) {
  using mixed = concat<unit<T, D>, chain2<T, D>, chain3<T, D>>;
  return make_inception_resnet_block(
      channels,
      mixed(u.make<T, D>(32, 1, 1, 1, padding_mode::same, "branch_0"),
            named(chain2<T, D>(u.make<T, D>(32, 1, 1), u.make<T, D>(32, 3, 3)), "branch_1"),
            named(chain3<T, D>(u.make<T, D>(32, 1, 1), u.make<T, D>(48, 3, 3), u.make<T, D>(64, 3, 3)), "branch_2")),
      scale, true, std::to_string(index));
}

// block17: [192 | 128 > 160 1x7 > 192 7x1]; block8: [192 | 192 > 224 1x3 > 256 3x1].
template <class T, class D>
block17_8<T, D> make_block17_8(const unit_maker& u, std::size_t channels, bool is_block17, std::size_t index, double scale,
                               bool activate) {
  using mixed = concat<unit<T, D>, chain3<T, D>>;
  const std::size_t k = is_block17 ? 7 : 3;
  const std::size_t b1[3] = {is_block17 ? 128u : 192u, is_block17 ? 160u : 224u, is_block17 ? 192u : 256u};
  return make_inception_resnet_block(
      channels,
      mixed(u.make<T, D>(192, 1, 1, 1, padding_mode::same, "branch_0"),
            named(chain3<T, D>(u.make<T, D>(b1[0], 1, 1), u.make<T, D>(b1[1], 1, k), u.make<T, D>(b1[2], k, 1)),
                  "branch_1")),
      scale, activate, std::to_string(index));
}
}  // namespace irv2

// The whole network, written once: inception_resnet_v2<T, D> is the type this returns.
template <class T, class D = cpu>
auto make_inception_resnet_v2(const inception_resnet_v2_config& c = {}) {
  using namespace irv2;
  ACNE_CHECK(c.width > 0, "inception_resnet_v2: width multiplier " << c.width << " must be positive");
  ACNE_CHECK(c.repeats[0] > 0 && c.repeats[1] > 0 && c.repeats[2] > 0,
             "inception_resnet_v2: every block group needs at least one block");
  const unit_maker u{c.width};
  constexpr auto valid = padding_mode::valid;
  constexpr auto same = padding_mode::same;

  stem<T, D> s(u.make<T, D>(32, 3, 3, 2, valid, "conv_1a"), u.make<T, D>(32, 3, 3, 1, valid, "conv_2a"),
               u.make<T, D>(64, 3, 3, 1, same, "conv_2b"), max_pool<T, D>(3, 2), u.make<T, D>(80, 1, 1, 1, valid, "conv_3b"),
               u.make<T, D>(192, 3, 3, 1, valid, "conv_4a"), max_pool<T, D>(3, 2));
  s.name = "stem";

  irv2::mixed_5b<T, D> m5b(
      u.make<T, D>(96, 1, 1, 1, same, "branch_0"),
      named(chain2<T, D>(u.make<T, D>(48, 1, 1), u.make<T, D>(64, 5, 5)), "branch_1"),
      named(chain3<T, D>(u.make<T, D>(64, 1, 1), u.make<T, D>(96, 3, 3), u.make<T, D>(96, 3, 3)), "branch_2"),
      named(sequential<avg_pool<T, D>, unit<T, D>>(avg_pool<T, D>(3, 1, same), u.make<T, D>(64, 1, 1)), "branch_pool"));
  m5b.name = "mixed_5b";

  // The blocks' widths, as the mixed layers before them concatenate (a pooling branch keeps its input's).
  const std::size_t c35 = u.channels(96) + u.channels(64) + u.channels(96) + u.channels(64);
  const std::size_t c17 = u.channels(384) + u.channels(384) + c35;
  const std::size_t c8 = u.channels(384) + u.channels(288) + u.channels(320) + c17;

  repeated<block35<T, D>> b35;
  b35.name = "block35";
  for (std::size_t i = 1; i <= c.repeats[0]; ++i) b35.push_back(make_block35<T, D>(u, c35, i, 0.17));

  irv2::mixed_6a<T, D> m6a(
      u.make<T, D>(384, 3, 3, 2, valid, "branch_0"),
      named(chain3<T, D>(u.make<T, D>(256, 1, 1), u.make<T, D>(256, 3, 3), u.make<T, D>(384, 3, 3, 2, valid)),
            "branch_1"),
      named(max_pool<T, D>(3, 2), "branch_pool"));
  m6a.name = "mixed_6a";

  repeated<block17_8<T, D>> b17;
  b17.name = "block17";
  for (std::size_t i = 1; i <= c.repeats[1]; ++i) b17.push_back(make_block17_8<T, D>(u, c17, true, i, 0.1, true));

  irv2::mixed_7a<T, D> m7a(
      named(chain2<T, D>(u.make<T, D>(256, 1, 1), u.make<T, D>(384, 3, 3, 2, valid)), "branch_0"),
      named(chain2<T, D>(u.make<T, D>(256, 1, 1), u.make<T, D>(288, 3, 3, 2, valid)), "branch_1"),
      named(chain3<T, D>(u.make<T, D>(256, 1, 1), u.make<T, D>(288, 3, 3), u.make<T, D>(320, 3, 3, 2, valid)),
            "branch_2"),
      named(max_pool<T, D>(3, 2), "branch_pool"));
  m7a.name = "mixed_7a";

  repeated<block17_8<T, D>> b8;
  b8.name = "block8";
  for (std::size_t i = 1; i <= c.repeats[2]; ++i) {
    const bool last = i == c.repeats[2];
    b8.push_back(make_block17_8<T, D>(u, c8, false, i, last ? 1.0 : 0.2, !last));
  }

  return sequential(std::move(s), std::move(m5b), std::move(b35), std::move(m6a), std::move(b17), std::move(m7a),
                    std::move(b8), u.make<T, D>(1536, 1, 1, 1, same, "conv_7b"), classifier_head<T, D>(c.head));
}

template <class T, class D = cpu>
using inception_resnet_v2 = decltype(make_inception_resnet_v2<T, D>());

}  // namespace acne

// Its network, compiled once for the project's programs and tests (acne/instances.hpp).
#define ACNE_INCEPTION_RESNET_V2_NETWORK(D) class acne::network<acne::inception_resnet_v2<float, D>>
ACNE_EXTERN_INSTANCES(ACNE_INCEPTION_RESNET_V2_NETWORK)
