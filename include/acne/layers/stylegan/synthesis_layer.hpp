#pragma once
// One styled convolution of the synthesis network (the reference's SynthesisLayer, and with
// `to_rgb` its ToRGBLayer): styles from w through an affine layer (bias initialised to 1, so
// modulation starts as the identity), a modulated convolution (optionally upsampling 2x), noise,
// bias and an activation. SynthesisLayer: demodulated, leaky ReLU (gain sqrt(2)). ToRGB: 1x1, not
// demodulated, weights scaled by 1/sqrt(fan_in), no noise, linear. Both clamp at conv_clamp when
// it is > 0. A styled layer (layers/stylegan/styled_layer.hpp) of one w; noise as ctx.noise says.
#include "acne/layers/gained_weight.hpp"
#include "acne/layers/stylegan/equalized_dense.hpp"
#include "acne/layers/stylegan/modulated_conv2d.hpp"
#include "acne/layers/stylegan/noise.hpp"
#include "acne/layers/stylegan/styled_layer.hpp"

namespace acne {

struct synthesis_layer_options {
  std::size_t filters = 1;
  std::size_t kernel = 3;
  std::size_t up = 1;
  std::size_t resolution = 4;  // of the output, for the noise buffer
  bool use_noise = true;
  double conv_clamp = 0.0;  // 0: none
  fir_filter filter = fir_filter::stylegan2();
  bool to_rgb = false;  // the ToRGB variant (kernel 1, no demodulation, no noise, linear)
};

template <class T, class D = cpu>
class synthesis_layer : public layer_base<T, D> {
public:
  explicit synthesis_layer(const synthesis_layer_options& o = {}) : opt_(o) {
    if (o.to_rgb) opt_.kernel = 1, opt_.use_noise = false, opt_.up = 1;
    act_ = o.to_rgb ? activation::linear() : activation::lrelu();
    act_.clamp = o.conv_clamp;
  }

  std::size_t num_ws() const { return 1; }

  // ws: one w per sample, [N, 1, w_dim, 1].
  shape4 setup(const shape4& x, const shape4& ws, parameter_registry<T, D>& reg) {
    ACNE_CHECK(ws.c == 1, "synthesis layer '" << this->name << "': ws " << ws << ", expected one w per sample");
    const std::size_t in_channels = x.c;
    const shape4 w_shape = ws;
    {
      typename parameter_registry<T, D>::scope scope(reg, "affine");
      affine_ = equalized_dense<T, D>({.units = in_channels, .bias_init = 1.0});
      affine_.setup(w_shape, reg);
    }
    conv_ = modulated_conv2d<T, D>({.filters = opt_.filters, .kernel = opt_.kernel, .up = opt_.up,
                                    .demodulate = !opt_.to_rgb,
                                    .weight_gain = opt_.to_rgb ? equalized_lr{}.weight_gain(in_channels) : 1.0,
                                    .filter = opt_.filter});
    conv_.setup(x, {x.n, in_channels, 1, 1}, reg);
    if (opt_.use_noise) noise_.setup(opt_.resolution, reg);
    reg.add("bias", {opt_.filters, 1, 1, 1}, initializer::zeros(), in_channels, opt_.filters, &bias_, &dbias_);
    return conv_.output_shape(x);
  }

  void forward(const tensor<T, D>& x, const tensor<T, D>& w, tensor<T, D>& y, context& ctx) {
    affine_.forward(w, styles_, ctx);
    conv_.forward(x, styles_, pre_, ctx);
    if (opt_.use_noise) noise_.forward(pre_, ctx);
    add_channel_bias(pre_, bias_, T(1));
    y.resize(pre_.shape());
    activation_forward(act_, pre_, y);
  }

  // Adds parameter gradients (unless ctx.parameter_gradients is false) and dL/dw into dw;
  // overwrites dx when not null.
  void backward(const tensor<T, D>& x, const tensor<T, D>& w, const tensor<T, D>& y, const tensor<T, D>& dy,
                tensor<T, D>* dx, tensor<T, D>& dw, context& ctx) {
    dpre_.resize(pre_.shape());
    activation_backward(act_, pre_, y, dy, dpre_);
    if (ctx.parameter_gradients) {
      channel_bias_grad(dpre_, dbias_, T(1));
      if (opt_.use_noise) noise_.backward(dpre_);
    }
    zeroed(dstyles_, styles_.shape());
    conv_.backward(x, styles_, pre_, dpre_, dx, dstyles_, ctx);
    affine_.backward(w, styles_, dstyles_, &dw_, ctx);
    axpy(T(1), dw_, dw);
  }

  // The derivative of forward along (tx, tw), the activation's mask held (see layers/layer.hpp).
  void forward_tangent(const tensor<T, D>& x, const tensor<T, D>& w, const tensor<T, D>& y, const tensor<T, D>& tx,
                       const tensor<T, D>& tw, tensor<T, D>& ty, context& ctx) {
    affine_.forward_tangent(w, styles_, tw, tstyles_, ctx);
    conv_.forward_tangent(x, styles_, pre_, tx, tstyles_, tpre_, ctx);
    ty.resize(pre_.shape());
    activation_backward(act_, pre_, y, tpre_, ty);
  }
  // The derivative of backward along (tx, tw, tdy): adds that of the parameter gradients, adds
  // that of dL/dw into tdw, overwrites tdx when not null.
  void backward_tangent(const tensor<T, D>& x, const tensor<T, D>& w, const tensor<T, D>& y, const tensor<T, D>& tx,
                        const tensor<T, D>& tw, const tensor<T, D>&, const tensor<T, D>& tdy, tensor<T, D>* tdx,
                        tensor<T, D>& tdw, context& ctx) {
    tdpre_.resize(pre_.shape());
    activation_backward(act_, pre_, y, tdy, tdpre_);
    channel_bias_grad(tdpre_, dbias_, T(1));
    if (opt_.use_noise) noise_.backward(tdpre_);
    zeroed(tdstyles_, styles_.shape());
    conv_.backward_tangent(x, styles_, pre_, tx, tstyles_, dpre_, tdpre_, tdx, tdstyles_, ctx);
    affine_.backward_tangent(w, styles_, tw, dstyles_, tdstyles_, &dw_, ctx);
    axpy(T(1), dw_, tdw);
  }

private:
  static void zeroed(tensor<T, D>& t, const shape4& s) {
    t.resize(s);
    t.zero();
  }

  synthesis_layer_options opt_;
  activation act_;
  equalized_dense<T, D> affine_;
  modulated_conv2d<T, D> conv_;
  noise_injection<T, D> noise_;
  tensor<T, D> bias_, dbias_, styles_, dstyles_, pre_, dpre_, dw_, tstyles_, tdstyles_, tpre_, tdpre_;
};

static_assert(styled_layer<synthesis_layer<float>>);

}  // namespace acne
