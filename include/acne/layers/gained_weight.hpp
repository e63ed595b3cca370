#pragma once
// StyleGAN2's equalised learning rate, defined once here and applied the same way by conv2d,
// conv2d_transpose, dense (and through them equalized_dense), equalized_conv2d and the to-RGB
// modulated convolution: weights stored as N(0, 1/lr_mult) draws and used as
// w * lr_mult / sqrt(fan_in), biases as b * lr_mult, so Adam's per-parameter step moves every
// layer at the same relative speed and lr_mult slows a layer down without a separate rate.
// The convolution backends take no alpha, so a layer passes a scaled copy of its weights to them
// and collects the weight gradient through a scratch tensor; with gain 1 it uses neither.
#include <cmath>
#include <optional>

#include "acne/backend.hpp"
#include "acne/tensor/random.hpp"
#include "acne/tensor/tensor.hpp"

namespace acne {

struct equalized_lr {
  double lr_mult = 1.0;

  double weight_gain(std::size_t fan_in) const { return lr_mult / std::sqrt(double(fan_in)); }
  double bias_gain() const { return lr_mult; }
  initializer weight_init() const { return initializer::normal(0.0, 1.0 / lr_mult); }
};

// The gains and weight initialiser a layer uses: its equalised-lr policy's when it has one, else
// the ones its options name.
struct weight_gains {
  double weight = 1.0, bias = 1.0;
  initializer weight_init;

  static weight_gains of(const std::optional<equalized_lr>& eq, std::size_t fan_in, double weight_gain,
                         double bias_gain, const initializer& init) {
    if (!eq) return {weight_gain, bias_gain, init};
    return {eq->weight_gain(fan_in), eq->bias_gain(), eq->weight_init()};
  }
};

// w * gain, in `scaled` unless gain is 1.
template <class T, class D>
const tensor<T, D>& gained(const tensor<T, D>& w, double gain, tensor<T, D>& scaled) {
  if (gain == 1.0) return w;
  scaled = w;
  scale(scaled, T(gain));
  return scaled;
}

// dw += gain * g, where filter_grad(out, beta) writes g into out (beta 0) or adds it (beta 1).
template <class T, class D, class F>
void add_gained_gradient(tensor<T, D>& dw, double gain, tensor<T, D>& scratch, F&& filter_grad) {
  if (gain == 1.0) return filter_grad(dw, T(1));
  scratch.resize(dw.shape());
  filter_grad(scratch, T(0));
  axpy(T(gain), scratch, dw);
}

}  // namespace acne
