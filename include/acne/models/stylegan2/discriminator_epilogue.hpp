#pragma once
// The discriminator's 4x4 epilogue (the reference's DiscriminatorEpilogue, unconditional).
#include "acne/layers/stylegan/equalized_conv2d.hpp"
#include "acne/layers/stylegan/equalized_dense.hpp"
#include "acne/layers/stylegan/minibatch_stddev.hpp"
#include "acne/models/stylegan2/config.hpp"

namespace acne::stylegan2 {

// At 4x4: minibatch stddev, conv 3x3 (C+1 -> C), fc (C*16 -> C), out (C -> 1).
template <class T, class D = cpu>
class discriminator_epilogue : public layer_base<T, D> {
public:
  explicit discriminator_epilogue(const config& c = {})
      : mbstd_(c.mbstd_group, c.mbstd_channels),
        conv_({.filters = c.channels(4), .kernel = 3, .act = activation::lrelu(), .conv_clamp = c.conv_clamp}),
        fc_({.units = c.channels(4), .act = activation::lrelu()}), out_({.units = 1}) {}

  shape4 setup(const shape4& in, parameter_registry<T, D>& reg) {
    using scope = typename parameter_registry<T, D>::scope;
    shape4 s = mbstd_.setup(in, reg);
    {
      scope sc(reg, "conv");
      s = conv_.setup(s, reg);
    }
    {
      scope sc(reg, "fc");
      s = fc_.setup(s, reg);
    }
    scope sc(reg, "out");
    return out_.setup(s, reg);
  }

  void forward(const tensor<T, D>& x, tensor<T, D>& y, context& ctx) {
    mbstd_.forward(x, m_, ctx);
    conv_.forward(m_, c_, ctx);
    fc_.forward(c_, f_, ctx);
    out_.forward(f_, y, ctx);
  }
  void backward(const tensor<T, D>& x, const tensor<T, D>& y, const tensor<T, D>& dy, tensor<T, D>* dx, context& ctx) {
    out_.backward(f_, y, dy, &df_, ctx);
    fc_.backward(c_, f_, df_, &dc_, ctx);
    conv_.backward(m_, c_, dc_, dx ? &dm_ : nullptr, ctx);
    if (dx) mbstd_.backward(x, m_, dm_, dx, ctx);
  }
  void forward_tangent(const tensor<T, D>& x, const tensor<T, D>& y, const tensor<T, D>& tx, tensor<T, D>& ty,
                       context& ctx) {
    mbstd_.forward_tangent(x, m_, tx, tm_, ctx);
    conv_.forward_tangent(m_, c_, tm_, tc_, ctx);
    fc_.forward_tangent(c_, f_, tc_, tf_, ctx);
    out_.forward_tangent(f_, y, tf_, ty, ctx);
  }
  void backward_tangent(const tensor<T, D>& x, const tensor<T, D>& y, const tensor<T, D>& tx, const tensor<T, D>& dy,
                        const tensor<T, D>& tdy, tensor<T, D>* tdx, context& ctx) {
    out_.backward_tangent(f_, y, tf_, dy, tdy, &tdf_, ctx);
    fc_.backward_tangent(c_, f_, tc_, df_, tdf_, &tdc_, ctx);
    conv_.backward_tangent(m_, c_, tm_, dc_, tdc_, tdx ? &tdm_ : nullptr, ctx);
    if (tdx) mbstd_.backward_tangent(x, m_, tx, dm_, tdm_, tdx, ctx);
  }

private:
  minibatch_stddev<T, D> mbstd_;
  equalized_conv2d<T, D> conv_;
  equalized_dense<T, D> fc_, out_;
  tensor<T, D> m_, c_, f_, dm_, dc_, df_, tm_, tc_, tf_, tdm_, tdc_, tdf_;
};

}  // namespace acne::stylegan2
