#pragma once
// 2-D convolution: Keras "same"/"valid" or explicit padding, stride, dilation, optional bias, and
// a weight policy: gains on weight and bias (weights used as w * weight_gain, bias as
// b * bias_gain), which `equalized` sets to StyleGAN2's equalised learning rate (gained_weight.hpp),
// or `spectral`, the weight divided by its largest singular value (spectral_norm.hpp).
#include "acne/backend/conv_geometry.hpp"
#include <optional>

#include "acne/backend.hpp"
#include "acne/layers/gained_weight.hpp"
#include "acne/layers/layer.hpp"
#include "acne/layers/spectral_norm.hpp"

namespace acne {

struct conv2d_options {
  std::size_t filters = 1;
  std::size_t kernel = 3;
  std::size_t kernel_h = 0, kernel_w = 0;  // non-zero: a rectangular kernel (Inception's 1x7 / 7x1)
  std::size_t stride = 1;
  padding_mode padding = padding_mode::same;
  std::size_t pad = 0;  // with padding_mode::explicit_, zeros on every side
  std::size_t dilation = 1;
  bool bias = true;
  double weight_gain = 1.0;
  double bias_gain = 1.0;
  double lr_mult = 1.0;
  initializer weight_init = initializer::glorot_uniform();
  initializer bias_init = initializer::zeros();
  std::string name;
  std::optional<equalized_lr> equalized{};  // set: gains and weight_init from fan_in, as StyleGAN2
  std::optional<spectral_norm> spectral{};  // set: the weight is stored as weight_orig, used as W / sigma
};

template <class T, class D = cpu>
class conv2d : public layer_base<T, D> {
public:
  explicit conv2d(const conv2d_options& o = {}) : opt_(o) { this->name = o.name; }

  static constexpr bool backward_reads_output = false;
  shape4 setup(const shape4& in, parameter_registry<T, D>& reg) {
    in_channels_ = in.c;
    const std::size_t kh = kernel_h(), kw = kernel_w();
    const std::size_t fan_in = in.c * kh * kw, fan_out = opt_.filters * kh * kw;
    ACNE_CHECK(!(opt_.spectral && opt_.equalized),
               "conv2d '" << this->name << "': spectral norm and the equalised learning rate exclude each other");
    gains_ = weight_gains::of(opt_.equalized, fan_in, opt_.weight_gain, opt_.bias_gain, opt_.weight_init);
    const shape4 w{opt_.filters, in.c, kh, kw};
    reg.add(opt_.spectral ? "weight_orig" : "weight", w, gains_.weight_init, fan_in, fan_out, &weight_, &dweight_,
            opt_.lr_mult);
    if (opt_.bias) reg.add("bias", {opt_.filters, 1, 1, 1}, opt_.bias_init, fan_in, fan_out, &bias_, &dbias_, opt_.lr_mult);
    if (opt_.spectral) {
      spectral_ = spectral_normalizer<T, D>(*opt_.spectral);
      spectral_.setup(w, reg);
    }
    return output_shape(in);
  }

  shape4 output_shape(const shape4& in) const {
    const window g = geometry(in);
    return {in.n, opt_.filters, g.out_h(in.h), g.out_w(in.w)};
  }
  window geometry(const shape4& in) const {
    window g{kernel_h(), kernel_w(), opt_.stride, opt_.stride, opt_.dilation, opt_.dilation,
             opt_.pad, opt_.pad, opt_.pad, opt_.pad};
    return resolve_padding(g, opt_.padding, in.h, in.w);
  }

  void forward(const tensor<T, D>& x, tensor<T, D>& y, context& ctx) {
    ACNE_CHECK(x.shape().c == in_channels_, "conv2d '" << this->name << "': input " << x.shape() << " has "
                                                       << x.shape().c << " channels, weights expect " << in_channels_);
    y.resize(output_shape(x.shape()));
    conv2d_forward(x, effective_weight(ctx.training), y, geometry(x.shape()));
    if (opt_.bias) add_channel_bias(y, bias_, T(gains_.bias));
  }

  void backward(const tensor<T, D>& x, const tensor<T, D>&, const tensor<T, D>& dy, tensor<T, D>* dx, context&) {
    const window g = geometry(x.shape());
    if (opt_.bias) channel_bias_grad(dy, dbias_, T(gains_.bias));
    const auto filter_grad = [&](tensor<T, D>& out, T beta) { conv2d_backward_filter(x, dy, out, g, beta); };
    if (opt_.spectral) {
      scratch_.resize(dweight_.shape());
      filter_grad(scratch_, T(0));
      spectral_.add_gradient(scratch_, weight_, dweight_);
    } else {
      add_gained_gradient(dweight_, gains_.weight, scratch_, filter_grad);
    }
    if (dx) {
      dx->resize(x.shape());
      conv2d_backward_data(dy, opt_.spectral ? spectral_.last() : gained(weight_, gains_.weight, scaled_), *dx, g);
    }
  }

  const conv2d_options& options() const { return opt_; }
  std::size_t kernel_h() const { return opt_.kernel_h ? opt_.kernel_h : opt_.kernel; }
  std::size_t kernel_w() const { return opt_.kernel_w ? opt_.kernel_w : opt_.kernel; }
  tensor<T, D>& weight() { return weight_; }
  tensor<T, D>& bias() { return bias_; }

private:
  const tensor<T, D>& effective_weight(bool training) {
    return opt_.spectral ? spectral_.normalized(weight_, training) : gained(weight_, gains_.weight, scaled_);
  }

  conv2d_options opt_;
  std::size_t in_channels_ = 0;
  weight_gains gains_;
  spectral_normalizer<T, D> spectral_;
  tensor<T, D> weight_, dweight_, bias_, dbias_, scaled_, scratch_;
};

}  // namespace acne
