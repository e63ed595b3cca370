#pragma once
// One resolution of the skip-architecture synthesis network (the reference's SynthesisBlock): its
// features, a styled chain (conv0 upsampling 2x then conv1; at 4x4 the learned const then conv1),
// and torgb, which reads the w after the features' and adds its image to the upsampled image of
// the blocks before: img_out = upsample(img_in) + torgb(x_out). The network hands each block its
// num_ws() ws; torgb's w is also the next block's first (the reference's overlapping ws).
#include <string>

#include "acne/backend.hpp"
#include "acne/layers/stylegan/learned_const.hpp"
#include "acne/layers/stylegan/styled_layer.hpp"
#include "acne/layers/stylegan/synthesis_layer.hpp"
#include "acne/layers/stylegan/to_rgb.hpp"
#include "acne/models/stylegan2/config.hpp"

namespace acne::stylegan2 {

// What flows between synthesis blocks: features x and the running image.
template <class T, class D>
struct synthesis_streams {
  tensor<T, D> x, img;
};

template <class Features>
class synthesis_block {
public:
  using T = typename Features::value_type;
  using D = typename Features::device_type;
  using streams = synthesis_streams<T, D>;

  synthesis_block() = default;
  synthesis_block(Features features, to_rgb<T, D> torgb, bool upsample_image)
      : features_(std::move(features)), torgb_(with_name(std::move(torgb), "torgb")), upsample_image_(upsample_image),
        upsample_(upsample2d(fir_filter::stylegan2())) {}

  std::size_t num_ws() const { return features_.num_ws() + 1; }
  std::size_t num_conv() const { return features_.num_ws(); }

  // Returns the shape of x_out.
  shape4 setup(const shape4& x, const shape4& ws, parameter_registry<T, D>& reg) {
    const shape4 out = features_.setup(x, ws, reg);
    torgb_.place(ws, features_.num_ws());
    setup_child(torgb_, out, reg, 0);
    return out;
  }

  void forward(const streams& in, const tensor<T, D>& ws, streams& out, context& ctx) {
    features_.forward(in.x, ws, out.x, ctx);
    torgb_.bind(ws);
    torgb_.forward(out.x, rgb_, ctx);
    add_image(in.img, rgb_, out.img);
  }

  // dout.x is ignored when has_dx_out is false (the last block's features feed only its torgb);
  // din is overwritten unless null; parameter gradients and dL/dws are added.
  void backward(const streams& in, const tensor<T, D>& ws, const streams& out, const streams& dout, bool has_dx_out,
                streams* din, tensor<T, D>& dws, context& ctx) {
    torgb_.backward(out.x, rgb_, dout.img, &dfeat_, ctx);
    torgb_.add_gradient(dws);
    if (has_dx_out) axpy(T(1), dout.x, dfeat_);
    features_.backward(in.x, ws, out.x, dfeat_, din ? &din->x : nullptr, dws, ctx);
    if (din) image_gradient(dout.img, din->img);
  }

  void forward_tangent(const streams& in, const streams& tin, const tensor<T, D>& ws, const tensor<T, D>& tws,
                       const streams& out, streams& tout, context& ctx) {
    features_.forward_tangent(in.x, ws, out.x, tin.x, tws, tout.x, ctx);
    torgb_.bind_tangent(tws);
    torgb_.forward_tangent(out.x, rgb_, tout.x, trgb_, ctx);
    add_image(tin.img, trgb_, tout.img);
  }
  // Arguments as backward's, with the tangents of forward_tangent and those of dout beside them.
  void backward_tangent(const streams& in, const streams& tin, const tensor<T, D>& ws, const tensor<T, D>& tws,
                        const streams& out, const streams& tout, const streams& dout, const streams& tdout,
                        bool has_dx_out, streams* tdin, tensor<T, D>& tdws, context& ctx) {
    torgb_.backward_tangent(out.x, rgb_, tout.x, dout.img, tdout.img, &tdfeat_, ctx);
    torgb_.add_tangent_gradient(tdws);
    if (has_dx_out) axpy(T(1), tdout.x, tdfeat_);
    features_.backward_tangent(in.x, ws, out.x, tin.x, tws, dfeat_, tdfeat_, tdin ? &tdin->x : nullptr, tdws, ctx);
    if (tdin) image_gradient(tdout.img, tdin->img);
  }

private:
  void add_image(const tensor<T, D>& img, const tensor<T, D>& rgb, tensor<T, D>& img_out) const {
    if (!upsample_image_) return void(img_out = rgb);
    img_out.resize(rgb.shape());
    upfirdn2d_forward(img, img_out, upsample_);
    axpy(T(1), rgb, img_out);
  }
  void image_gradient(const tensor<T, D>& dimg_out, tensor<T, D>& dimg) const {
    if (!upsample_image_) return;
    const auto& s = dimg_out.shape();
    dimg.resize({s.n, s.c, s.h / 2, s.w / 2});
    upfirdn2d_backward(dimg_out, dimg, upsample_);
  }

  Features features_;
  styled_part<to_rgb<T, D>> torgb_;
  bool upsample_image_ = true;
  upfirdn_params upsample_;
  tensor<T, D> rgb_, dfeat_, trgb_, tdfeat_;
};

// The 4x4 block (from the learned const) and the blocks that double the resolution.
template <class T, class D>
using first_synthesis_block = synthesis_block<styled_chain<learned_const<T, D>, synthesis_layer<T, D>>>;
template <class T, class D>
using up_synthesis_block = synthesis_block<styled_chain<synthesis_layer<T, D>, synthesis_layer<T, D>>>;

template <class T, class D>
first_synthesis_block<T, D> make_first_synthesis_block(const config& c) {
  const std::size_t ch = c.channels(4);
  return {styled_chain(learned_const<T, D>(ch, 4),
                       with_name(synthesis_layer<T, D>({.filters = ch, .resolution = 4, .conv_clamp = c.conv_clamp}),
                                 "conv1")),
          to_rgb<T, D>(c.img_channels, c.conv_clamp), false};
}

template <class T, class D>
up_synthesis_block<T, D> make_up_synthesis_block(const config& c, std::size_t resolution) {
  const std::size_t ch = c.channels(resolution);
  const synthesis_layer_options conv{.filters = ch, .resolution = resolution, .conv_clamp = c.conv_clamp};
  synthesis_layer_options conv0 = conv;
  conv0.up = 2;
  return {styled_chain(with_name(synthesis_layer<T, D>(conv0), "conv0"), with_name(synthesis_layer<T, D>(conv), "conv1")),
          to_rgb<T, D>(c.img_channels, c.conv_clamp), true};
}

}  // namespace acne::stylegan2
