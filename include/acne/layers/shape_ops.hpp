#pragma once
// Layers that move or scale values without parameters: identity, flatten, scale, zero padding, dropout.
#include "acne/backend.hpp"
#include "acne/layers/layer.hpp"

namespace acne {

template <class T, class D = cpu>
struct identity : layer_base<T, D> {
  static constexpr bool backward_reads_output = false;
  shape4 setup(const shape4& in, parameter_registry<T, D>&) { return in; }
  void forward(const tensor<T, D>& x, tensor<T, D>& y, context&) { y = x; }
  void backward(const tensor<T, D>&, const tensor<T, D>&, const tensor<T, D>& dy, tensor<T, D>* dx, context&) {
    if (dx) *dx = dy;
  }
  void forward_tangent(const tensor<T, D>&, const tensor<T, D>&, const tensor<T, D>& tx, tensor<T, D>& ty, context&) {
    ty = tx;
  }
  void backward_tangent(const tensor<T, D>&, const tensor<T, D>&, const tensor<T, D>&, const tensor<T, D>&,
                        const tensor<T, D>& tdy, tensor<T, D>* tdx, context&) {
    if (tdx) *tdx = tdy;
  }
};

template <class T, class D = cpu>
struct flatten : layer_base<T, D> {
  static constexpr bool backward_reads_output = false;
  shape4 setup(const shape4& in, parameter_registry<T, D>&) { return {in.n, in.sample_size(), 1, 1}; }
  void forward(const tensor<T, D>& x, tensor<T, D>& y, context&) {
    y.resize({x.shape().n, x.shape().sample_size(), 1, 1});
    copy(x, y);
  }
  void backward(const tensor<T, D>& x, const tensor<T, D>&, const tensor<T, D>& dy, tensor<T, D>* dx, context&) {
    if (!dx) return;
    dx->resize(x.shape());
    copy(dy, *dx);
  }
};

// y = factor * x: the residual scaling of Inception-ResNet blocks.
template <class T, class D = cpu>
class scale_layer : public layer_base<T, D> {
public:
  explicit scale_layer(double factor) : factor_(factor) {}
  static constexpr bool backward_reads_output = false;
  shape4 setup(const shape4& in, parameter_registry<T, D>&) { return in; }
  void forward(const tensor<T, D>& x, tensor<T, D>& y, context&) {
    y = x;
    scale(y, T(factor_));
  }
  void backward(const tensor<T, D>&, const tensor<T, D>&, const tensor<T, D>& dy, tensor<T, D>* dx, context&) {
    if (!dx) return;
    *dx = dy;
    scale(*dx, T(factor_));
  }
private:
  double factor_;
};

// Keras ZeroPadding2D: explicit zeros around the image.
template <class T, class D = cpu>
class zero_pad : public layer_base<T, D> {
public:
  zero_pad(std::size_t top, std::size_t bottom, std::size_t left, std::size_t right)
      : top_(top), bottom_(bottom), left_(left), right_(right) {}
  explicit zero_pad(std::size_t p) : zero_pad(p, p, p, p) {}
  static constexpr bool backward_reads_output = false;
  shape4 setup(const shape4& in, parameter_registry<T, D>&) { return out(in); }
  void forward(const tensor<T, D>& x, tensor<T, D>& y, context&) {
    y.resize(out(x.shape()));
    zero_pad_forward(x, y, top_, left_);
  }
  void backward(const tensor<T, D>& x, const tensor<T, D>&, const tensor<T, D>& dy, tensor<T, D>* dx, context&) {
    if (!dx) return;
    dx->resize(x.shape());
    zero_pad_backward(dy, *dx, top_, left_);
  }
private:
  shape4 out(const shape4& in) const { return {in.n, in.c, in.h + top_ + bottom_, in.w + left_ + right_}; }
  std::size_t top_, bottom_, left_, right_;
};

// Inverted dropout (Keras): scales kept units by 1/(1-rate) in training, identity in inference.
template <class T, class D = cpu>
class dropout : public layer_base<T, D> {
public:
  explicit dropout(double rate) : rate_(rate) { ACNE_CHECK(rate >= 0 && rate < 1, "dropout rate " << rate); }
  static constexpr bool backward_reads_output = false;
  shape4 setup(const shape4& in, parameter_registry<T, D>&) { return in; }
  void forward(const tensor<T, D>& x, tensor<T, D>& y, context& ctx) {
    y.resize(x.shape());
    if (!ctx.training) return copy(x, y);
    seed_ = ctx.seed * 1000003u + ctx.step;
    dropout_forward(x, y, rate_, seed_);
  }
  void backward(const tensor<T, D>&, const tensor<T, D>&, const tensor<T, D>& dy, tensor<T, D>* dx, context& ctx) {
    if (!dx) return;
    dx->resize(dy.shape());
    if (!ctx.training) return copy(dy, *dx);
    dropout_backward(dy, *dx, rate_, seed_);
  }
private:
  double rate_;
  std::uint64_t seed_ = 0;
};

}  // namespace acne
