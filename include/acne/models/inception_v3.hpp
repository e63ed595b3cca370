#pragma once
// InceptionV3 in two variants of one definition (blocks in inception_blocks.hpp):
//   keras  keras.applications.inception_v3: batch norm without gamma (scale=False), average pooling in
//          every pool branch; 23,851,784 parameters with the 1000-class top, 21,802,784 without.
//   fid    the network FID is defined with: TensorFlow's inception-2015-12-05 graph as pytorch-fid
//          ports it (FIDInceptionA/C/E_1/E_2): batch norm with gamma (eps 1e-3), average pools that
//          count only in-bounds taps, and a max pool in Mixed_7c's pool branch.
// Input: [N, 3, 299, 299] RGB scaled to [-1, 1] (any size from 75 px keeps every block valid).
// pytorch-fid's blocks: 0 stem to the first max pool (64 channels), 1 to the second max pool (192),
// 2 Mixed_5b..Mixed_6e (768), 3 Mixed_7a..Mixed_7c (2048). `last_block` stops after one of them, which
// is how pytorch-fid's --dims 64/192/768/2048 taps are taken; the head then global-average-pools the
// tap (pytorch-fid's adaptive_avg_pool2d) or, for Keras with include_top, adds the dense "predictions".
// Parameter names follow torchvision ("Conv2d_1a_3x3.conv.weight", "Mixed_6b.branch7x7dbl.3.bn.beta");
// the Keras layer mixed0..mixed10 is our Mixed_5b..Mixed_7c.
#include <cstddef>
#include <utility>

#include "acne/instances.hpp"
#include "acne/layers/choice.hpp"
#include "acne/layers/shape_ops.hpp"
#include "acne/models/classifier_head.hpp"
#include "acne/models/inception_blocks.hpp"
#include "acne/network.hpp"

namespace acne {

enum class inception_v3_variant { keras, fid };

struct inception_v3_config {
  inception_v3_variant variant = inception_v3_variant::keras;
  std::size_t last_block = 3;  // 0..3, see above
  classifier_head_options head{};
};

// Feature size of each pytorch-fid block (its --dims) and back.
inline constexpr std::size_t inception_block_dims[4] = {64, 192, 768, 2048};
inline std::size_t inception_block_for_dims(std::size_t dims) {
  for (std::size_t b = 0; b < 4; ++b)
    if (inception_block_dims[b] == dims) return b;
  ACNE_THROW("InceptionV3 FID features come in 64, 192, 768 or 2048 dimensions, not " << dims);
}

namespace inception {
template <class T, class D>
using stem0 = sequential<unit<T, D>, unit<T, D>, unit<T, D>, pool2d<T, D>>;
template <class T, class D>
using stem1 = sequential<unit<T, D>, unit<T, D>, pool2d<T, D>>;
template <class T, class D>
using mixed_5_6 = sequential<block_a<T, D>, block_a<T, D>, block_a<T, D>, block_b<T, D>, block_c<T, D>, block_c<T, D>,
                             block_c<T, D>, block_c<T, D>>;
template <class T, class D>
using mixed_7 = sequential<block_d<T, D>, block_e<T, D>, block_e<T, D>>;

// A block after `last_block` is left out: an identity stands in its place. The blocks set up
// their children at the top level, so names start with "Conv2d_1a_3x3" or "Mixed_5b".
template <class Block>
using optional_block = inlined<choice<Block, identity<typename Block::value_type, typename Block::device_type>>>;

template <class T, class D>
using layers = sequential<optional_block<stem0<T, D>>, optional_block<stem1<T, D>>, optional_block<mixed_5_6<T, D>>,
                          optional_block<mixed_7<T, D>>, classifier_head<T, D>>;
}  // namespace inception

template <class T, class D = cpu>
class inception_v3 : public inception::layers<T, D> {
public:
  inception_v3() : inception_v3(inception_v3_config{}) {}
  explicit inception_v3(const inception_v3_config& c) : inception::layers<T, D>(make_layers(checked(c))), config_(c) {}

  const inception_v3_config& config() const { return config_; }

private:
  static const inception_v3_config& checked(const inception_v3_config& c) {
    ACNE_CHECK(c.last_block <= 3, "inception_v3: last_block " << c.last_block << " is not a block index (0..3)");
    ACNE_CHECK(c.last_block == 3 || !c.head.include_top, "inception_v3: a classifier top needs every block");
    return c;
  }

  static inception::layers<T, D> make_layers(const inception_v3_config& c) {
    using namespace inception;
    const block_maker m{c.variant == inception_v3_variant::fid};
    constexpr auto valid = padding_mode::valid;
    const auto max_pool = [](const char* name) { return block_maker::named(pool2d<T, D>(pool_kind::max, 3, 2), name); };
    // TF's graph (and so FID) max-pools in its last block, which Keras and the paper do not.
    const pool_kind last_pool = c.variant == inception_v3_variant::fid ? pool_kind::max : pool_kind::average;
    const auto kept = [&c]<class Block>(std::size_t index, Block block) {
      if (index <= c.last_block) return optional_block<Block>(std::move(block));
      return optional_block<Block>(identity<T, D>());
    };
    return inception::layers<T, D>(
        kept(0, stem0<T, D>(m.make<T, D>({32, 3, 3, 2, valid}, "Conv2d_1a_3x3"),
                            m.make<T, D>({32, 3, 3, 1, valid}, "Conv2d_2a_3x3"),
                            m.make<T, D>({64, 3, 3}, "Conv2d_2b_3x3"), max_pool("maxpool1"))),
        kept(1, stem1<T, D>(m.make<T, D>({80, 1, 1, 1, valid}, "Conv2d_3b_1x1"),
                            m.make<T, D>({192, 3, 3, 1, valid}, "Conv2d_4a_3x3"), max_pool("maxpool2"))),
        kept(2, mixed_5_6<T, D>(m.a<T, D>(32, "Mixed_5b"), m.a<T, D>(64, "Mixed_5c"), m.a<T, D>(64, "Mixed_5d"),
                                m.b<T, D>("Mixed_6a"), m.c<T, D>(128, "Mixed_6b"), m.c<T, D>(160, "Mixed_6c"),
                                m.c<T, D>(160, "Mixed_6d"), m.c<T, D>(192, "Mixed_6e"))),
        kept(3, mixed_7<T, D>(m.d<T, D>("Mixed_7a"), m.e<T, D>(pool_kind::average, "Mixed_7b"),
                              m.e<T, D>(last_pool, "Mixed_7c"))),
        classifier_head<T, D>(c.head));
  }

  inception_v3_config config_;
};

// keras.applications.InceptionV3(include_top, classes, pooling): 299 x 299 input, "tf" preprocessing.
template <class T, class D = cpu>
inception_v3<T, D> make_inception_v3(const classifier_head_options& head = {}) {
  return inception_v3<T, D>({.variant = inception_v3_variant::keras, .last_block = 3, .head = head});
}

// pytorch-fid's InceptionV3 for a feature size of 64, 192, 768 or 2048: [N, dims, 1, 1] out.
template <class T, class D = cpu>
inception_v3<T, D> make_fid_inception_v3(std::size_t dims = 2048) {
  return inception_v3<T, D>({.variant = inception_v3_variant::fid,
                             .last_block = inception_block_for_dims(dims),
                             .head = {.include_top = false, .pooling = head_pooling::avg}});
}

}  // namespace acne

// Its network, compiled once for the project's programs and tests (acne/instances.hpp).
#define ACNE_INCEPTION_V3_NETWORK(D) class acne::network<acne::inception_v3<float, D>>
ACNE_EXTERN_INSTANCES(ACNE_INCEPTION_V3_NETWORK)
