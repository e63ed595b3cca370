#pragma once
// Parameter-free activation layers, and fused bias + activation (StyleGAN2's bias_act).
#include "acne/backend.hpp"
#include "acne/layers/layer.hpp"

namespace acne {

template <class T, class D = cpu>
class activation_layer : public layer_base<T, D> {
public:
  explicit activation_layer(activation a = {}) : act_(a) {}
  shape4 setup(const shape4& in, parameter_registry<T, D>&) { return in; }
  void forward(const tensor<T, D>& x, tensor<T, D>& y, context&) {
    y.resize(x.shape());
    activation_forward(act_, x, y);
  }
  void backward(const tensor<T, D>& x, const tensor<T, D>& y, const tensor<T, D>& dy, tensor<T, D>* dx, context&) {
    if (!dx) return;
    dx->resize(x.shape());
    activation_backward(act_, x, y, dy, *dx);
  }
private:
  activation act_;
};

template <class T, class D = cpu>
struct relu : activation_layer<T, D> {
  static constexpr bool runs_in_place = true;
  relu() : activation_layer<T, D>(activation::relu()) {}
};

template <class T, class D = cpu>
struct leaky_relu : activation_layer<T, D> {
  static constexpr bool runs_in_place = true;
  explicit leaky_relu(double alpha = 0.2, double gain = 1.0) : activation_layer<T, D>(activation::lrelu(alpha, gain)) {
    ACNE_CHECK(alpha >= 0 && gain > 0, "leaky_relu: alpha " << alpha << " and gain " << gain
                                                            << " must keep the sign of the input");
  }
};

template <class T, class D = cpu>
struct tanh_layer : activation_layer<T, D> {
  tanh_layer() : activation_layer<T, D>(activation::tanh()) {}
};

template <class T, class D = cpu>
struct sigmoid_layer : activation_layer<T, D> {
  sigmoid_layer() : activation_layer<T, D>(activation::sigmoid()) {}
};

// y = act(x + bias * bias_gain) * gain, clamped: one pass instead of a bias layer and an activation.
template <class T, class D = cpu>
class bias_act : public layer_base<T, D> {
public:
  explicit bias_act(activation a = activation::lrelu(), double bias_gain = 1.0, double lr_mult = 1.0,
                    initializer init = initializer::zeros())
      : act_(a), bias_gain_(bias_gain), lr_mult_(lr_mult), init_(init) {}
  shape4 setup(const shape4& in, parameter_registry<T, D>& reg) {
    reg.add("bias", {in.c, 1, 1, 1}, init_, in.c, in.c, &bias_, &dbias_, lr_mult_);
    return in;
  }
  void forward(const tensor<T, D>& x, tensor<T, D>& y, context&) {
    pre_ = x;
    add_channel_bias(pre_, bias_, T(bias_gain_));
    y.resize(x.shape());
    activation_forward(act_, pre_, y);
  }
  void backward(const tensor<T, D>& x, const tensor<T, D>& y, const tensor<T, D>& dy, tensor<T, D>* dx, context&) {
    dpre_.resize(x.shape());
    activation_backward(act_, pre_, y, dy, dpre_);
    channel_bias_grad(dpre_, dbias_, T(bias_gain_));
    if (dx) *dx = dpre_;
  }
private:
  activation act_;
  double bias_gain_, lr_mult_;
  initializer init_;
  tensor<T, D> bias_, dbias_, pre_, dpre_;
};

}  // namespace acne
