#pragma once
// One resolution of the skip-architecture synthesis network (the reference's SynthesisBlock): its
// features, a styled chain (conv0 upsampling 2x then conv1; at 4x4 the learned const then conv1),
// and torgb, which adds its image to the upsampled image of the block before:
// img_out = upsample(img_in) + torgb(x_out). A styled layer x -> x_out of num_ws() = its
// convolutions' ws; torgb reads the w after them (ws_ahead() = 1), which is also the next block's
// first, as in the reference. The image is the second stream: each block keeps its own (a
// skip_image) and reads and writes its predecessor's through link(), as dlib's tag layers link
// two places of a network, so a chain of blocks runs as any styled chain does.
#include <string>

#include "acne/backend.hpp"
#include "acne/layers/stylegan/learned_const.hpp"
#include "acne/layers/stylegan/styled_layer.hpp"
#include "acne/layers/stylegan/synthesis_layer.hpp"
#include "acne/layers/stylegan/to_rgb.hpp"
#include "acne/models/stylegan2/config.hpp"

namespace acne::stylegan2 {

// A block's running image, its tangent, and the gradients of both (written by the next block,
// or by the network for the last).
template <class T, class D>
struct skip_image {
  tensor<T, D> img, timg, dimg, tdimg;
};

template <class Features>
class synthesis_block : public layer_base<typename Features::value_type, typename Features::device_type> {
public:
  using T = typename Features::value_type;
  using D = typename Features::device_type;

  synthesis_block() = default;
  synthesis_block(Features features, to_rgb<T, D> torgb)
      : features_(std::move(features)), torgb_(with_name(std::move(torgb), "torgb")),
        upsample_(upsample2d(fir_filter::stylegan2())) {}

  std::size_t num_ws() const { return features_.num_ws(); }
  std::size_t ws_ahead() const { return 1; }

  // The image this block adds its own to (null: none, the first block); set before each pass.
  void link(skip_image<T, D>* before) { before_ = before; }
  skip_image<T, D>& image() { return image_; }

  shape4 setup(const shape4& x, const shape4& ws, parameter_registry<T, D>& reg) {
    const shape4 out = features_.setup(x, ws, reg);
    torgb_.place(ws, features_.num_ws());
    setup_child(torgb_, out, reg, 0);
    return out;
  }

  void forward(const tensor<T, D>& x, const tensor<T, D>& ws, tensor<T, D>& y, context& ctx) {
    features_.forward(x, ws, y, ctx);
    torgb_.bind(ws);
    torgb_.forward(y, rgb_, ctx);
    add_image(&skip_image<T, D>::img, rgb_);
  }

  // dy may be empty: the last block's features feed only its torgb. The image's gradient is
  // image().dimg; the previous block's is overwritten.
  void backward(const tensor<T, D>& x, const tensor<T, D>& ws, const tensor<T, D>& y, const tensor<T, D>& dy,
                tensor<T, D>* dx, tensor<T, D>& dws, context& ctx) {
    torgb_.backward(y, rgb_, image_.dimg, &dfeat_, ctx);
    torgb_.add_gradient(dws);
    if (!dy.empty()) axpy(T(1), dy, dfeat_);
    features_.backward(x, ws, y, dfeat_, dx, dws, ctx);
    image_gradient(&skip_image<T, D>::dimg);
  }

  void forward_tangent(const tensor<T, D>& x, const tensor<T, D>& ws, const tensor<T, D>& y, const tensor<T, D>& tx,
                       const tensor<T, D>& tws, tensor<T, D>& ty, context& ctx) {
    features_.forward_tangent(x, ws, y, tx, tws, ty, ctx);
    torgb_.bind_tangent(tws);
    torgb_.forward_tangent(y, rgb_, ty, trgb_, ctx);
    ty_ = &ty;
    add_image(&skip_image<T, D>::timg, trgb_);
  }
  // After backward and forward_tangent; dy and tdy may be empty, as in backward.
  void backward_tangent(const tensor<T, D>& x, const tensor<T, D>& ws, const tensor<T, D>& y, const tensor<T, D>& tx,
                        const tensor<T, D>& tws, const tensor<T, D>&, const tensor<T, D>& tdy, tensor<T, D>* tdx,
                        tensor<T, D>& tdws, context& ctx) {
    torgb_.backward_tangent(y, rgb_, *ty_, image_.dimg, image_.tdimg, &tdfeat_, ctx);
    torgb_.add_tangent_gradient(tdws);
    if (!tdy.empty()) axpy(T(1), tdy, tdfeat_);
    features_.backward_tangent(x, ws, y, tx, tws, dfeat_, tdfeat_, tdx, tdws, ctx);
    image_gradient(&skip_image<T, D>::tdimg);
  }

private:
  using stream = tensor<T, D> skip_image<T, D>::*;

  // image_.*s = upsample(before_->*s) + rgb.
  void add_image(stream s, const tensor<T, D>& rgb) {
    if (!before_) return void(image_.*s = rgb);
    (image_.*s).resize(rgb.shape());
    upfirdn2d_forward(before_->*s, image_.*s, upsample_);
    axpy(T(1), rgb, image_.*s);
  }
  // before_->*s = the upsampling's adjoint of image_.*s.
  void image_gradient(stream s) {
    if (!before_) return;
    const auto& g = image_.*s;
    (before_->*s).resize({g.shape().n, g.shape().c, g.shape().h / 2, g.shape().w / 2});
    upfirdn2d_backward(g, before_->*s, upsample_);
  }

  Features features_;
  styled_part<to_rgb<T, D>> torgb_;
  upfirdn_params upsample_;
  skip_image<T, D> image_;
  skip_image<T, D>* before_ = nullptr;
  const tensor<T, D>* ty_ = nullptr;  // forward_tangent's ty (torgb's input tangent), read by backward_tangent
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
          to_rgb<T, D>(c.img_channels, c.conv_clamp)};
}

template <class T, class D>
up_synthesis_block<T, D> make_up_synthesis_block(const config& c, std::size_t resolution) {
  const std::size_t ch = c.channels(resolution);
  const synthesis_layer_options conv{.filters = ch, .resolution = resolution, .conv_clamp = c.conv_clamp};
  synthesis_layer_options conv0 = conv;
  conv0.up = 2;
  return {styled_chain(with_name(synthesis_layer<T, D>(conv0), "conv0"), with_name(synthesis_layer<T, D>(conv), "conv1")),
          to_rgb<T, D>(c.img_channels, c.conv_clamp)};
}

}  // namespace acne::stylegan2
