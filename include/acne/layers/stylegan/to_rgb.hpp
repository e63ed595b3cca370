#pragma once
// ToRGB: a 1x1 modulated convolution without demodulation (styles scaled by 1/sqrt(fan_in)),
// bias, linear output (clamped when conv_clamp > 0). In the skip generator every block adds its
// ToRGB output to the upsampled image of the previous blocks.
#include <cmath>

#include "acne/layers/stylegan/equalized_dense.hpp"
#include "acne/layers/stylegan/modulated_conv2d.hpp"

namespace acne {

template <class T, class D = cpu>
class to_rgb {
public:
  explicit to_rgb(std::size_t img_channels = 3, double conv_clamp = 0.0)
      : img_channels_(img_channels), act_(activation::linear()) {
    act_.clamp = conv_clamp;
  }

  void setup(std::size_t in_channels, const shape4& w_shape, parameter_registry<T, D>& reg) {
    {
      typename parameter_registry<T, D>::scope scope(reg, "affine");
      affine_ = equalized_dense<T, D>({.units = in_channels, .bias_init = 1.0});
      affine_.setup(w_shape, reg);
    }
    conv_ = modulated_conv2d<T, D>({.filters = img_channels_, .kernel = 1, .demodulate = false,
                                    .weight_gain = 1.0 / std::sqrt(double(in_channels))});
    conv_.setup(in_channels, reg);
    reg.add("bias", {img_channels_, 1, 1, 1}, initializer::zeros(), in_channels, img_channels_, &bias_, &dbias_);
  }

  shape4 output_shape(const shape4& in) const { return {in.n, img_channels_, in.h, in.w}; }

  void forward(const tensor<T, D>& x, const tensor<T, D>& w, tensor<T, D>& y, context& ctx) {
    affine_.forward(w, styles_, ctx);
    conv_.forward(x, styles_, pre_);
    add_channel_bias(pre_, bias_, T(1));
    y.resize(pre_.shape());
    activation_forward(act_, pre_, y);
  }

  // Adds parameter gradients and dL/dw into dw; overwrites dx when not null.
  void backward(const tensor<T, D>& x, const tensor<T, D>& w, const tensor<T, D>& y, const tensor<T, D>& dy,
                tensor<T, D>* dx, tensor<T, D>& dw, context& ctx) {
    dpre_.resize(pre_.shape());
    activation_backward(act_, pre_, y, dy, dpre_);
    channel_bias_grad(dpre_, dbias_, T(1));
    conv_.backward(x, styles_, dpre_, dx, dstyles_);
    affine_.backward(w, styles_, dstyles_, &dw_, ctx);
    axpy(T(1), dw_, dw);
  }

private:
  std::size_t img_channels_;
  activation act_;
  equalized_dense<T, D> affine_;
  modulated_conv2d<T, D> conv_;
  tensor<T, D> bias_, dbias_, styles_, dstyles_, pre_, dpre_, dw_;
};

}  // namespace acne
