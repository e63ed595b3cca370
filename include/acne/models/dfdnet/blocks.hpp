#pragma once
// DFDNet's building blocks (Li et al., ECCV 2020; csxmli2016/DFDNet models/networks.py), each a
// composition of layers, named as the official state dict names their parameters:
//   sn_conv           a 3x3 spectral-normalised convolution ("same" padding, dilation d pads d)
//   attention_block   sn_conv, LReLU 0.2, sn_conv ("le_256.0", "le_256.2"): the weights given to
//                     the difference between a dictionary atom and the face's feature
//   ms_dilate_block   four branches (sn_conv, LReLU, sn_conv) dilated 4, 3, 2, 1 ("conv1".."conv4"),
//                     concatenated, fused by "convi", plus the input
//   up_res_block      x + conv(LReLU(conv(x))), plain convolutions ("Model.0", "Model.2")
//   dfdnet_head       the last stage "up4": sn_conv, LReLU, two up_res_blocks, conv to RGB, tanh
#include "acne/layers/activations.hpp"
#include "acne/layers/branches.hpp"
#include "acne/layers/conv2d.hpp"
#include "acne/layers/residual.hpp"
#include "acne/layers/sequential.hpp"
#include "acne/layers/shape_ops.hpp"

namespace acne::dfdnet {

template <class T, class D>
conv2d<T, D> sn_conv(std::size_t filters, std::size_t dilation = 1, std::string name = {}) {
  return conv2d<T, D>({.filters = filters, .kernel = 3, .padding = padding_mode::explicit_, .pad = dilation,
                       .dilation = dilation, .name = std::move(name), .spectral = spectral_norm{}});
}

template <class T, class D>
conv2d<T, D> plain_conv(std::size_t filters, std::string name = {}) {
  return conv2d<T, D>({.filters = filters, .kernel = 3, .name = std::move(name)});
}

template <class T, class D>
using conv_lrelu_conv = sequential<conv2d<T, D>, leaky_relu<T, D>, conv2d<T, D>>;

template <class T, class D>
using attention_block = conv_lrelu_conv<T, D>;

template <class T, class D>
attention_block<T, D> make_attention_block(std::size_t channels, std::string name) {
  return with_name(attention_block<T, D>(sn_conv<T, D>(channels), leaky_relu<T, D>(0.2), sn_conv<T, D>(channels)),
                   std::move(name));
}

template <class T, class D>
using ms_dilate_block =
    residual<identity<T, D>,
             inlined<sequential<inlined<concat<conv_lrelu_conv<T, D>, conv_lrelu_conv<T, D>, conv_lrelu_conv<T, D>,
                                               conv_lrelu_conv<T, D>>>,
                                conv2d<T, D>>>,
             identity<T, D>>;

template <class T, class D>
ms_dilate_block<T, D> make_ms_dilate_block(std::size_t channels) {
  const auto branch = [&](std::size_t dilation, const char* name) {
    return with_name(conv_lrelu_conv<T, D>(sn_conv<T, D>(channels, dilation), leaky_relu<T, D>(0.2),
                                           sn_conv<T, D>(channels, dilation)),
                     name);
  };
  using branches = inlined<concat<conv_lrelu_conv<T, D>, conv_lrelu_conv<T, D>, conv_lrelu_conv<T, D>, conv_lrelu_conv<T, D>>>;
  using fused = inlined<sequential<branches, conv2d<T, D>>>;
  return with_name(ms_dilate_block<T, D>(identity<T, D>(),
                                         fused(branches(branch(4, "conv1"), branch(3, "conv2"), branch(2, "conv3"),
                                                        branch(1, "conv4")),
                                               sn_conv<T, D>(channels, 1, "convi")),
                                         identity<T, D>(), shortcut_input::raw),
                   "MSDilate");
}

template <class T, class D>
using up_res_block = residual<identity<T, D>, conv_lrelu_conv<T, D>, identity<T, D>>;

template <class T, class D>
up_res_block<T, D> make_up_res_block(std::size_t channels) {
  return up_res_block<T, D>(
      identity<T, D>(),
      with_name(conv_lrelu_conv<T, D>(plain_conv<T, D>(channels), leaky_relu<T, D>(0.2), plain_conv<T, D>(channels)),
                "Model"),
      identity<T, D>(), shortcut_input::raw);
}

template <class T, class D>
using dfdnet_head = sequential<conv2d<T, D>, leaky_relu<T, D>, up_res_block<T, D>, up_res_block<T, D>, conv2d<T, D>,
                               tanh_layer<T, D>>;

template <class T, class D>
dfdnet_head<T, D> make_head(std::size_t ngf, std::size_t img_channels) {
  return with_name(dfdnet_head<T, D>(sn_conv<T, D>(ngf), leaky_relu<T, D>(0.2), make_up_res_block<T, D>(ngf),
                                     make_up_res_block<T, D>(ngf), plain_conv<T, D>(img_channels), tanh_layer<T, D>()),
                   "up4");
}

}  // namespace acne::dfdnet
