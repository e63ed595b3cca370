#pragma once
// One resolution of the residual discriminator (the reference's DiscriminatorBlock, 'resnet').
#include <cmath>

#include "acne/layers/stylegan/equalized_conv2d.hpp"
#include "acne/models/stylegan2/config.hpp"

namespace acne::stylegan2 {

// fromrgb (1x1, top block only), conv0 3x3, conv1 3x3 with 2x downsampling, plus a 1x1
// downsampling skip without bias; both paths scaled by sqrt(0.5) so the sum keeps its variance.
template <class T, class D = cpu>
class discriminator_block : public layer_base<T, D> {
public:
  discriminator_block(const config& c, std::size_t resolution, bool top) : top_(top) {
    const std::size_t tmp = c.channels(resolution), out = c.channels(resolution / 2);
    const double half = std::sqrt(0.5);
    fromrgb_ = equalized_conv2d<T, D>({.filters = tmp, .kernel = 1, .act = activation::lrelu(), .conv_clamp = c.conv_clamp});
    conv0_ = equalized_conv2d<T, D>({.filters = tmp, .kernel = 3, .act = activation::lrelu(), .conv_clamp = c.conv_clamp});
    conv1_ = equalized_conv2d<T, D>(
        {.filters = out, .kernel = 3, .down = 2, .act = activation::lrelu(), .gain = half, .conv_clamp = c.conv_clamp});
    skip_ = equalized_conv2d<T, D>({.filters = out, .kernel = 1, .down = 2, .bias = false, .gain = half});
  }

  shape4 setup(const shape4& in, parameter_registry<T, D>& reg) {
    using scope = typename parameter_registry<T, D>::scope;
    shape4 s = in;
    if (top_) {
      scope sc(reg, "fromrgb");
      s = fromrgb_.setup(in, reg);
    }
    shape4 main;
    {
      scope sc(reg, "conv0");
      main = conv0_.setup(s, reg);
    }
    {
      scope sc(reg, "conv1");
      main = conv1_.setup(main, reg);
    }
    scope sc(reg, "skip");
    return skip_.setup(s, reg);
  }

  void forward(const tensor<T, D>& x, tensor<T, D>& y, context& ctx) {
    if (top_) fromrgb_.forward(x, h_, ctx);
    const tensor<T, D>& h = top_ ? h_ : x;
    skip_.forward(h, skip_out_, ctx);
    conv0_.forward(h, a_, ctx);
    conv1_.forward(a_, c_, ctx);
    y = c_;
    axpy(T(1), skip_out_, y);
  }

  void backward(const tensor<T, D>& x, const tensor<T, D>&, const tensor<T, D>& dy, tensor<T, D>* dx, context& ctx) {
    const tensor<T, D>& h = top_ ? h_ : x;
    conv1_.backward(a_, c_, dy, &da_, ctx);
    conv0_.backward(h, a_, da_, &dh_, ctx);
    const bool need_dh = top_ || dx;
    skip_.backward(h, skip_out_, dy, need_dh ? &dskip_ : nullptr, ctx);
    if (!need_dh) return;
    axpy(T(1), dskip_, dh_);
    if (top_) fromrgb_.backward(x, h_, dh_, dx, ctx);
    else *dx = dh_;
  }

  void forward_tangent(const tensor<T, D>& x, const tensor<T, D>& y, const tensor<T, D>& tx, tensor<T, D>& ty,
                       context& ctx) {
    if (top_) fromrgb_.forward_tangent(x, h_, tx, th_, ctx);
    const tensor<T, D>& h = top_ ? h_ : x;
    const tensor<T, D>& th = top_ ? th_ : tx;
    skip_.forward_tangent(h, skip_out_, th, tskip_, ctx);
    conv0_.forward_tangent(h, a_, th, ta_, ctx);
    conv1_.forward_tangent(a_, c_, ta_, ty, ctx);
    check_shape("discriminator_block::forward_tangent", y.shape(), ty.shape());
    axpy(T(1), tskip_, ty);
  }
  // Needs the input gradient of the last backward (dx not null there), as R1 always asks for it.
  void backward_tangent(const tensor<T, D>& x, const tensor<T, D>&, const tensor<T, D>& tx, const tensor<T, D>& dy,
                        const tensor<T, D>& tdy, tensor<T, D>* tdx, context& ctx) {
    const tensor<T, D>& h = top_ ? h_ : x;
    const tensor<T, D>& th = top_ ? th_ : tx;
    conv1_.backward_tangent(a_, c_, ta_, dy, tdy, &tda_, ctx);
    conv0_.backward_tangent(h, a_, th, da_, tda_, &tdh_, ctx);
    const bool need_dh = top_ || tdx;
    skip_.backward_tangent(h, skip_out_, th, dy, tdy, need_dh ? &tdskip_ : nullptr, ctx);
    if (!need_dh) return;
    axpy(T(1), tdskip_, tdh_);
    if (top_) fromrgb_.backward_tangent(x, h_, tx, dh_, tdh_, tdx, ctx);
    else *tdx = tdh_;
  }

private:
  bool top_;
  equalized_conv2d<T, D> fromrgb_, conv0_, conv1_, skip_;
  tensor<T, D> h_, a_, c_, skip_out_, dh_, da_, dskip_;
  tensor<T, D> th_, ta_, tskip_, tdh_, tda_, tdskip_;
};

}  // namespace acne::stylegan2
