#pragma once
// One resolution of the skip-architecture synthesis network (the reference's SynthesisBlock):
// conv0 (2x upsampling; absent in the 4x4 block, which starts from the learned `const`), conv1 and
// torgb; img_out = upsample(img_in) + torgb(x). The block reads its ws from the full
// [N, num_ws, w_dim, 1] tensor at index w_index (conv0, conv1, torgb in turn; torgb's w is also the
// next block's conv0 w) and adds dL/dws there.
#include <cmath>

#include "acne/backend.hpp"
#include "acne/layers/stylegan/synthesis_layer.hpp"
#include "acne/layers/stylegan/to_rgb.hpp"
#include "acne/models/stylegan2/config.hpp"

namespace acne::stylegan2 {

template <class T, class D = cpu>
class synthesis_block {
public:
  synthesis_block(const config& c, std::size_t resolution)
      : cfg_(c), res_(resolution), out_channels_(c.channels(resolution)), first_(resolution == 4),
        conv0_({.filters = out_channels_, .up = 2, .resolution = resolution, .conv_clamp = c.conv_clamp}),
        conv1_({.filters = out_channels_, .resolution = resolution, .conv_clamp = c.conv_clamp}),
        torgb_(c.img_channels, c.conv_clamp), upsample_(upsample2d(fir_filter::stylegan2())) {}

  std::size_t num_conv() const { return first_ ? 1 : 2; }
  std::size_t resolution() const { return res_; }

  void setup(parameter_registry<T, D>& reg) {
    using scope = typename parameter_registry<T, D>::scope;
    const shape4 w_shape{1, 1, cfg_.w_dim, 1};
    if (first_) {
      reg.add("const", {out_channels_, 4, 4, 1}, initializer::normal(0, 1), 1, 1, &const_, &dconst_);
    } else {
      scope s(reg, "conv0");
      conv0_.setup(cfg_.channels(res_ / 2), w_shape, reg);
    }
    {
      scope s(reg, "conv1");
      conv1_.setup(out_channels_, w_shape, reg);
    }
    scope s(reg, "torgb");
    torgb_.setup(out_channels_, w_shape, reg);
  }

  // x and img are the previous block's outputs (ignored by the 4x4 block).
  void forward(const tensor<T, D>& x, const tensor<T, D>& img, const tensor<T, D>& ws, std::size_t w_index,
               tensor<T, D>& x_out, tensor<T, D>& img_out, context& ctx, noise_mode mode) {
    const std::size_t n = ws.shape().n;
    for (std::size_t k = 0; k <= num_conv(); ++k) {
      w_[k].resize({n, 1, cfg_.w_dim, 1});
      slice_channels(ws, w_[k], w_index + k);
    }
    if (first_) {
      start_.resize({n, out_channels_, 4, 4});
      for (std::size_t i = 0; i < n; ++i) {
        auto dst = start_.sample(i);
        copy(const_, dst);
      }
      conv1_.forward(start_, w_[0], x_out, ctx, mode);
    } else {
      conv0_.forward(x, w_[0], mid_, ctx, mode);
      conv1_.forward(mid_, w_[1], x_out, ctx, mode);
    }
    torgb_.forward(x_out, w_[num_conv()], rgb_, ctx);
    if (first_) {
      img_out = rgb_;
      return;
    }
    img_out.resize(rgb_.shape());
    upfirdn2d_forward(img, img_out, upsample_);
    axpy(T(1), rgb_, img_out);
  }

  // dx_out may be null (the last block's features feed nothing but its ToRGB); dx and dimg are
  // overwritten unless null; parameter gradients and dL/dws are added.
  void backward(const tensor<T, D>& x, const tensor<T, D>& x_out, const tensor<T, D>* dx_out,
                const tensor<T, D>& dimg_out, tensor<T, D>* dx, tensor<T, D>* dimg, tensor<T, D>& dws,
                std::size_t w_index, context& ctx) {
    for (std::size_t k = 0; k <= num_conv(); ++k) {
      dw_[k].resize(w_[k].shape());
      dw_[k].zero();
    }
    torgb_.backward(x_out, w_[num_conv()], rgb_, dimg_out, &dfeat_, dw_[num_conv()], ctx);
    if (dx_out) axpy(T(1), *dx_out, dfeat_);
    if (first_) {
      conv1_.backward(start_, w_[0], x_out, dfeat_, ctx.parameter_gradients ? &dstart_ : nullptr, dw_[0], ctx);
      if (ctx.parameter_gradients) add_const_gradient(dstart_);
    } else {
      conv1_.backward(mid_, w_[1], x_out, dfeat_, &dmid_, dw_[1], ctx);
      conv0_.backward(x, w_[0], mid_, dmid_, dx, dw_[0], ctx);
      if (dimg) {
        dimg->resize({dimg_out.shape().n, dimg_out.shape().c, res_ / 2, res_ / 2});
        upfirdn2d_backward(dimg_out, *dimg, upsample_);
      }
    }
    for (std::size_t k = 0; k <= num_conv(); ++k) copy_channels(dw_[k], dws, w_index + k, true);
  }

  // The derivative of forward along tx, timg and tws (the learned const has none).
  void forward_tangent(const tensor<T, D>& x, const tensor<T, D>& tx, const tensor<T, D>& timg, const tensor<T, D>& tws,
                       std::size_t w_index, const tensor<T, D>& x_out, tensor<T, D>& tx_out, tensor<T, D>& timg_out,
                       context& ctx) {
    const std::size_t n = tws.shape().n;
    for (std::size_t k = 0; k <= num_conv(); ++k) {
      tw_[k].resize({n, 1, cfg_.w_dim, 1});
      slice_channels(tws, tw_[k], w_index + k);
    }
    if (first_) {
      tstart_.resize(start_.shape());
      tstart_.zero();
      conv1_.forward_tangent(start_, w_[0], x_out, tstart_, tw_[0], tx_out, ctx);
    } else {
      conv0_.forward_tangent(x, w_[0], mid_, tx, tw_[0], tmid_, ctx);
      conv1_.forward_tangent(mid_, w_[1], x_out, tmid_, tw_[1], tx_out, ctx);
    }
    torgb_.forward_tangent(x_out, w_[num_conv()], rgb_, tx_out, tw_[num_conv()], trgb_, ctx);
    if (first_) {
      timg_out = trgb_;
      return;
    }
    timg_out.resize(trgb_.shape());
    upfirdn2d_forward(timg, timg_out, upsample_);
    axpy(T(1), trgb_, timg_out);
  }

  // The derivative of the last backward along the tangents of forward_tangent and those of the
  // output gradients (tdx_out, tdimg_out); arguments as backward's, tdws added to.
  void backward_tangent(const tensor<T, D>& x, const tensor<T, D>& tx, const tensor<T, D>& x_out,
                        const tensor<T, D>& tx_out, const tensor<T, D>* tdx_out, const tensor<T, D>& tdimg_out,
                        tensor<T, D>* tdx, tensor<T, D>* tdimg, tensor<T, D>& tdws, std::size_t w_index, context& ctx) {
    for (std::size_t k = 0; k <= num_conv(); ++k) {
      tdw_[k].resize(w_[k].shape());
      tdw_[k].zero();
    }
    torgb_.backward_tangent(x_out, w_[num_conv()], rgb_, tx_out, tw_[num_conv()], tdimg_out, &tdfeat_,
                            tdw_[num_conv()], ctx);
    if (tdx_out) axpy(T(1), *tdx_out, tdfeat_);
    if (first_) {
      conv1_.backward_tangent(start_, w_[0], x_out, tstart_, tw_[0], tdfeat_, &tdstart_, tdw_[0], ctx);
      add_const_gradient(tdstart_);
    } else {
      conv1_.backward_tangent(mid_, w_[1], x_out, tmid_, tw_[1], tdfeat_, &tdmid_, tdw_[1], ctx);
      conv0_.backward_tangent(x, w_[0], mid_, tx, tw_[0], tdmid_, tdx, tdw_[0], ctx);
      if (tdimg) {
        tdimg->resize({tdimg_out.shape().n, tdimg_out.shape().c, res_ / 2, res_ / 2});
        upfirdn2d_backward(tdimg_out, *tdimg, upsample_);
      }
    }
    for (std::size_t k = 0; k <= num_conv(); ++k) copy_channels(tdw_[k], tdws, w_index + k, true);
  }

private:
  // The const is shared by every sample: its gradient sums theirs.
  void add_const_gradient(const tensor<T, D>& dstart) {
    for (std::size_t i = 0; i < dstart.shape().n; ++i) axpy(T(1), dstart.sample(i), dconst_);
  }

  config cfg_;
  std::size_t res_, out_channels_;
  bool first_;
  synthesis_layer<T, D> conv0_, conv1_;
  to_rgb<T, D> torgb_;
  upfirdn_params upsample_;
  tensor<T, D> const_, dconst_, start_, dstart_, mid_, dmid_, rgb_, dfeat_;
  tensor<T, D> w_[3], dw_[3], tw_[3], tdw_[3];
  tensor<T, D> tstart_, tdstart_, tmid_, tdmid_, trgb_, tdfeat_;
};

}  // namespace acne::stylegan2
