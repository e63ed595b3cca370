#pragma once
// The building blocks of InceptionV3 (Szegedy et al. 2016, "Rethinking the Inception Architecture"),
// laid out as torchvision's Inception3 names them so that converted weights keep their names:
//   unit     conv (no bias, kh x kw) > batch norm (eps 1e-3) > ReLU: torchvision's BasicConv2d and
//            Keras' conv2d_bn; tensors "conv.weight", "bn.{gamma,beta,moving_mean,moving_variance}"
//   block_a  Mixed_5b..5d  [1x1 64 | 1x1 48 > 5x5 64 | 1x1 64 > 3x3 96 > 3x3 96 | avg 3/1 > 1x1 pool]
//   block_b  Mixed_6a      [3x3/2 384 | 1x1 64 > 3x3 96 > 3x3/2 96 | max 3/2]
//   block_c  Mixed_6b..6e  [1x1 192 | 1x1 c > 1x7 c > 7x1 192 | 1x1 c > 7x1 > 1x7 > 7x1 > 1x7 192 | avg > 1x1 192]
//   block_d  Mixed_7a      [1x1 192 > 3x3/2 320 | 1x1 192 > 1x7 > 7x1 > 3x3/2 192 | max 3/2]
//   block_e  Mixed_7b, 7c  [1x1 320 | 1x1 384 > (1x3 | 3x1) | 1x1 448 > 3x3 384 > (1x3 | 3x1) | pool > 1x1 192]
// A chain's units are named "1", "2", ... and the parallel pair of block_e "a" and "b", so torchvision's
// "branch7x7dbl_3" is our "branch7x7dbl.3" and "branch3x3dbl_3a" our "branch3x3dbl.3.a".
// The pooling of each pool branch is chosen at run time: average pooling counts only in-bounds taps
// (TensorFlow's rule, pytorch-fid's count_include_pad=False); the FID network max-pools in Mixed_7c.
#include <cstddef>
#include <string>
#include <utility>

#include "acne/layers/activations.hpp"
#include "acne/layers/batch_norm.hpp"
#include "acne/layers/branches.hpp"
#include "acne/layers/conv2d.hpp"
#include "acne/layers/pooling.hpp"
#include "acne/layers/sequential.hpp"

namespace acne {

namespace inception {

template <class T, class D>
using unit = sequential<conv2d<T, D>, batch_norm<T, D>, relu<T, D>>;
template <class T, class D>
using chain2 = sequential<unit<T, D>, unit<T, D>>;
template <class T, class D>
using chain3 = sequential<unit<T, D>, unit<T, D>, unit<T, D>>;
template <class T, class D>
using chain4 = sequential<unit<T, D>, unit<T, D>, unit<T, D>, unit<T, D>>;
template <class T, class D>
using chain5 = sequential<unit<T, D>, unit<T, D>, unit<T, D>, unit<T, D>, unit<T, D>>;
// A pooling step, then a unit whose parameters sit in the branch's scope, so that torchvision's
// "Mixed_5b.branch_pool.conv.weight" keeps its name.
template <class T, class D>
using pool_branch = sequential<pool2d<T, D>, inlined<unit<T, D>>>;
template <class T, class D>
using pair = concat<unit<T, D>, unit<T, D>>;  // block_e's parallel 1x3 and 3x1 convolutions

template <class T, class D>
using block_a = concat<unit<T, D>, chain2<T, D>, chain3<T, D>, pool_branch<T, D>>;
template <class T, class D>
using block_b = concat<unit<T, D>, chain3<T, D>, pool2d<T, D>>;
template <class T, class D>
using block_c = concat<unit<T, D>, chain3<T, D>, chain5<T, D>, pool_branch<T, D>>;
template <class T, class D>
using block_d = concat<chain2<T, D>, chain4<T, D>, pool2d<T, D>>;
template <class T, class D>
using block_e = concat<unit<T, D>, sequential<unit<T, D>, pair<T, D>>, sequential<unit<T, D>, unit<T, D>, pair<T, D>>,
                       pool_branch<T, D>>;

struct unit_spec {
  std::size_t filters, kh, kw, stride = 1;
  padding_mode padding = padding_mode::same;
};

// Makes units and blocks with one batch-norm convention (Keras has no gamma, TF/pytorch-fid do).
struct block_maker {
  bool bn_scale = false;

  template <class T, class D>
  unit<T, D> make(const unit_spec& s, std::string name) const {
    return named(unit<T, D>(conv2d<T, D>({.filters = s.filters, .kernel_h = s.kh, .kernel_w = s.kw,
                                               .stride = s.stride, .padding = s.padding, .bias = false,
                                               .name = "conv"}),
                            batch_norm<T, D>({.eps = 1e-3, .scale = bn_scale, .name = "bn"}), relu<T, D>()),
                 std::move(name));
  }
  // A chain of units named "1", "2", ...
  template <class Chain, class T, class D, std::size_t N>
  Chain chain(const unit_spec (&specs)[N], std::string name) const {
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
      return named(Chain(make<T, D>(specs[I], std::to_string(I + 1))...), std::move(name));
    }(std::make_index_sequence<N>{});
  }
  template <class T, class D>
  pair<T, D> split(std::size_t filters, std::string name) const {
    return named(pair<T, D>(make<T, D>({filters, 1, 3}, "a"), make<T, D>({filters, 3, 1}, "b")), std::move(name));
  }
  template <class T, class D>
  pool_branch<T, D> pooled(pool_kind kind, std::size_t filters) const {
    return named(pool_branch<T, D>(pool2d<T, D>(kind, 3, 1, padding_mode::same),
                                   inlined<unit<T, D>>(make<T, D>({filters, 1, 1}, ""))),
                 "branch_pool");
  }

  template <class T, class D>
  block_a<T, D> a(std::size_t pool_features, std::string name) const {
    return named(block_a<T, D>(make<T, D>({64, 1, 1}, "branch1x1"),
                               chain<chain2<T, D>, T, D>({{48, 1, 1}, {64, 5, 5}}, "branch5x5"),
                               chain<chain3<T, D>, T, D>({{64, 1, 1}, {96, 3, 3}, {96, 3, 3}}, "branch3x3dbl"),
                               pooled<T, D>(pool_kind::average, pool_features)),
                 std::move(name));
  }
  template <class T, class D>
  block_b<T, D> b(std::string name) const {
    constexpr auto valid = padding_mode::valid;
    return named(block_b<T, D>(make<T, D>({384, 3, 3, 2, valid}, "branch3x3"),
                               chain<chain3<T, D>, T, D>({{64, 1, 1}, {96, 3, 3}, {96, 3, 3, 2, valid}}, "branch3x3dbl"),
                               named(pool2d<T, D>(pool_kind::max, 3, 2), "branch_pool")),
                 std::move(name));
  }
  template <class T, class D>
  block_c<T, D> c(std::size_t c7, std::string name) const {
    return named(block_c<T, D>(make<T, D>({192, 1, 1}, "branch1x1"),
                               chain<chain3<T, D>, T, D>({{c7, 1, 1}, {c7, 1, 7}, {192, 7, 1}}, "branch7x7"),
                               chain<chain5<T, D>, T, D>(
                                   {{c7, 1, 1}, {c7, 7, 1}, {c7, 1, 7}, {c7, 7, 1}, {192, 1, 7}}, "branch7x7dbl"),
                               pooled<T, D>(pool_kind::average, 192)),
                 std::move(name));
  }
  template <class T, class D>
  block_d<T, D> d(std::string name) const {
    constexpr auto valid = padding_mode::valid;
    return named(block_d<T, D>(chain<chain2<T, D>, T, D>({{192, 1, 1}, {320, 3, 3, 2, valid}}, "branch3x3"),
                               chain<chain4<T, D>, T, D>(
                                   {{192, 1, 1}, {192, 1, 7}, {192, 7, 1}, {192, 3, 3, 2, valid}}, "branch7x7x3"),
                               named(pool2d<T, D>(pool_kind::max, 3, 2), "branch_pool")),
                 std::move(name));
  }
  template <class T, class D>
  block_e<T, D> e(pool_kind pool, std::string name) const {
    using branch3x3 = sequential<unit<T, D>, pair<T, D>>;
    using branch3x3dbl = sequential<unit<T, D>, unit<T, D>, pair<T, D>>;
    return named(block_e<T, D>(make<T, D>({320, 1, 1}, "branch1x1"),
                               named(branch3x3(make<T, D>({384, 1, 1}, "1"), split<T, D>(384, "2")), "branch3x3"),
                               named(branch3x3dbl(make<T, D>({448, 1, 1}, "1"), make<T, D>({384, 3, 3}, "2"),
                                                  split<T, D>(384, "3")),
                                     "branch3x3dbl"),
                               pooled<T, D>(pool, 192)),
                 std::move(name));
  }

  template <class L>
  static L named(L layer, std::string name) {
    layer.name = std::move(name);
    return layer;
  }
};

}  // namespace inception
}  // namespace acne
