#pragma once
// StyleGAN2's Conv2dLayer as the discriminator uses it: equalised-lr weights (gained_weight.hpp,
// lr_mult 1), optional 2x downsampling, bias and a fused activation with an extra gain and
// clamp. Downsampling follows the reference: FIR blur then a stride-2 convolution, or for a 1x1
// kernel FIR downsampling then the 1x1 convolution (same result, four times fewer products).
#include "acne/backend/conv_geometry.hpp"
#include "acne/backend.hpp"
#include "acne/layers/gained_weight.hpp"
#include "acne/layers/layer.hpp"

namespace acne {

struct equalized_conv2d_options {
  std::size_t filters = 1;
  std::size_t kernel = 3;
  std::size_t down = 1;  // 1 or 2
  bool bias = true;
  activation act = activation::linear();
  double gain = 1.0;        // multiplies the activation's gain and clamp (the residual blocks use sqrt(0.5))
  double conv_clamp = 0.0;  // clamp of the output before `gain`; 0: none
  fir_filter filter = fir_filter::stylegan2();
  std::string name = {};
};

template <class T, class D = cpu>
class equalized_conv2d : public layer_base<T, D> {
public:
  explicit equalized_conv2d(const equalized_conv2d_options& o = {}) : opt_(o) {
    this->name = o.name;
    ACNE_CHECK(o.down == 1 || o.down == 2, "equalized_conv2d: down must be 1 or 2, not " << o.down);
    act_ = o.act;
    act_.gain *= o.gain;
    act_.clamp = o.conv_clamp > 0 ? o.conv_clamp * o.gain : 0.0;
    const int p = int(o.kernel / 2), fw = int(o.filter.w), fh = int(o.filter.h), d = int(o.down);
    fir_.filter = o.filter;
    fir_.pad_x0 = p + (fw - d + 1) / 2, fir_.pad_x1 = p + (fw - d) / 2;
    fir_.pad_y0 = p + (fh - d + 1) / 2, fir_.pad_y1 = p + (fh - d) / 2;
    const bool pointwise = o.kernel == 1;
    if (pointwise) fir_.down = o.down;
    const std::size_t stride = pointwise ? 1 : o.down, pad = o.down > 1 ? 0 : o.kernel / 2;
    window_ = {o.kernel, o.kernel, stride, stride, 1, 1, pad, pad, pad, pad};
  }

  shape4 setup(const shape4& in, parameter_registry<T, D>& reg) {
    in_channels_ = in.c;
    const std::size_t k = opt_.kernel, fan_in = in.c * k * k;
    const equalized_lr eq;
    weight_gain_ = eq.weight_gain(fan_in);
    reg.add("weight", {opt_.filters, in.c, k, k}, eq.weight_init(), fan_in, opt_.filters * k * k, &weight_, &dweight_);
    if (opt_.bias) reg.add("bias", {opt_.filters, 1, 1, 1}, initializer::zeros(), fan_in, opt_.filters, &bias_, &dbias_);
    return output_shape(in);
  }

  shape4 output_shape(const shape4& in) const {
    const shape4 c = conv_input_shape(in);
    return {in.n, opt_.filters, window_.out_h(c.h), window_.out_w(c.w)};
  }

  void forward(const tensor<T, D>& x, tensor<T, D>& y, context&) {
    ACNE_CHECK(x.shape().c == in_channels_, "equalized_conv2d '" << this->name << "': input " << x.shape()
                                                                 << " for " << in_channels_ << " channels");
    in_shape_ = x.shape();
    const tensor<T, D>& in = resampled(x);
    pre_.resize(output_shape(x.shape()));
    conv2d_forward(in, gained(weight_, weight_gain_, scaled_), pre_, window_);
    if (opt_.bias) add_channel_bias(pre_, bias_, T(1));
    y.resize(pre_.shape());
    activation_forward(act_, pre_, y);
  }

  void backward(const tensor<T, D>& x, const tensor<T, D>& y, const tensor<T, D>& dy, tensor<T, D>* dx, context& ctx) {
    dpre_.resize(pre_.shape());
    activation_backward(act_, pre_, y, dy, dpre_);
    if (ctx.parameter_gradients) add_parameter_gradients(opt_.down > 1 ? fir_out_ : x, dpre_);
    if (dx) input_gradient(dpre_, *dx, dfir_);
  }

  // pre = conv(fir(x), w) + b is linear in x and the activation's mask is held, so the tangent runs
  // the same convolution on tx; the weight gradient corr(fir(x), dpre) has the derivative
  // corr(fir(tx), dpre) + corr(fir(x), tdpre).
  void forward_tangent(const tensor<T, D>& x, const tensor<T, D>& y, const tensor<T, D>& tx, tensor<T, D>& ty, context&) {
    check_shape("equalized_conv2d::forward_tangent", x.shape(), tx.shape());
    const tensor<T, D>* in = &tx;
    if (opt_.down > 1) {
      tfir_out_.resize(fir_out_.shape());
      upfirdn2d_forward(tx, tfir_out_, fir_);
      in = &tfir_out_;
    }
    tpre_.resize(pre_.shape());
    conv2d_forward(*in, used_weight(), tpre_, window_);
    ty.resize(pre_.shape());
    activation_backward(act_, pre_, y, tpre_, ty);
  }
  void backward_tangent(const tensor<T, D>& x, const tensor<T, D>& y, const tensor<T, D>& tx, const tensor<T, D>&,
                        const tensor<T, D>& tdy, tensor<T, D>* tdx, context&) {
    tdpre_.resize(pre_.shape());
    activation_backward(act_, pre_, y, tdy, tdpre_);
    add_parameter_gradients(opt_.down > 1 ? fir_out_ : x, tdpre_);
    add_gained_gradient(dweight_, weight_gain_, scratch_, [&](tensor<T, D>& out, T beta) {
      conv2d_backward_filter(opt_.down > 1 ? tfir_out_ : tx, dpre_, out, window_, beta);
    });
    if (tdx) input_gradient(tdpre_, *tdx, tdfir_);
  }

  tensor<T, D>& weight() { return weight_; }
  tensor<T, D>& bias() { return bias_; }

private:
  const tensor<T, D>& used_weight() const { return weight_gain_ == 1.0 ? weight_ : scaled_; }  // what forward used
  // The bias and weight gradients of the pre-activation gradient g on the convolution's input `in`.
  void add_parameter_gradients(const tensor<T, D>& in, const tensor<T, D>& g) {
    if (opt_.bias) channel_bias_grad(g, dbias_, T(1));
    add_gained_gradient(dweight_, weight_gain_, scratch_,
                        [&](tensor<T, D>& out, T beta) { conv2d_backward_filter(in, g, out, window_, beta); });
  }
  // dx of the pre-activation gradient g (through the FIR, via `fir_grad`, when downsampling).
  void input_gradient(const tensor<T, D>& g, tensor<T, D>& dx, tensor<T, D>& fir_grad) {
    dx.resize(in_shape_);
    if (opt_.down == 1) return conv2d_backward_data(g, used_weight(), dx, window_);
    fir_grad.resize(fir_out_.shape());
    conv2d_backward_data(g, used_weight(), fir_grad, window_);
    upfirdn2d_backward(fir_grad, dx, fir_);
  }

  shape4 conv_input_shape(const shape4& in) const {
    return opt_.down == 1 ? in : shape4{in.n, in.c, fir_.out_h(in.h), fir_.out_w(in.w)};
  }
  const tensor<T, D>& resampled(const tensor<T, D>& x) {
    if (opt_.down == 1) return x;
    fir_out_.resize(conv_input_shape(x.shape()));
    upfirdn2d_forward(x, fir_out_, fir_);
    return fir_out_;
  }

  equalized_conv2d_options opt_;
  activation act_;
  upfirdn_params fir_;
  window window_;
  std::size_t in_channels_ = 0;
  shape4 in_shape_;
  double weight_gain_ = 1;
  tensor<T, D> weight_, dweight_, bias_, dbias_, scaled_, scratch_, pre_, dpre_, fir_out_, dfir_;
  tensor<T, D> tpre_, tdpre_, tfir_out_, tdfir_;
};

}  // namespace acne
