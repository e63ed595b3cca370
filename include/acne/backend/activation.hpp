#pragma once
// The activations every backend implements, StyleGAN2's bias_act conventions included:
// y = clamp(act(x) * gain, -clamp, clamp) (clamp <= 0 means none).
#include <cmath>

namespace acne {

enum class activation_kind { linear, relu, lrelu, tanh, sigmoid };

struct activation {
  activation_kind kind = activation_kind::linear;
  double alpha = 0.2;  // leaky-ReLU slope
  double gain = 1.0;
  double clamp = 0.0;

  static activation linear() { return {}; }
  static activation relu() { return {activation_kind::relu}; }
  static activation lrelu(double alpha = 0.2, double gain = std::sqrt(2.0)) {
    return {activation_kind::lrelu, alpha, gain};
  }
  static activation tanh() { return {activation_kind::tanh}; }
  static activation sigmoid() { return {activation_kind::sigmoid}; }

  template <class T>
  T apply(T x) const {
    T y = x;
    switch (kind) {
      case activation_kind::linear: break;
      case activation_kind::relu: y = x > T(0) ? x : T(0); break;
      case activation_kind::lrelu: y = x > T(0) ? x : T(alpha) * x; break;
      case activation_kind::tanh: y = std::tanh(x); break;
      case activation_kind::sigmoid: y = T(1) / (T(1) + std::exp(-x)); break;
    }
    y *= T(gain);
    if (clamp > 0) y = std::fmin(std::fmax(y, T(-clamp)), T(clamp));
    return y;
  }
  // dy/dx from the input x and the output y (both known in backward).
  template <class T>
  T derivative(T x, T y) const {
    if (clamp > 0 && std::fabs(y) >= T(clamp)) return T(0);
    T d = T(1);
    switch (kind) {
      case activation_kind::linear: break;
      case activation_kind::relu: d = x > T(0) ? T(1) : T(0); break;
      case activation_kind::lrelu: d = x > T(0) ? T(1) : T(alpha); break;
      case activation_kind::tanh: { const T t = y / T(gain); d = T(1) - t * t; break; }
      case activation_kind::sigmoid: { const T s = y / T(gain); d = s * (T(1) - s); break; }
    }
    return d * T(gain);
  }
};

}  // namespace acne
