#pragma once
// StyleGAN2's FullyConnectedLayer: a dense layer with equalised learning rate (gained_weight.hpp;
// the mapping network's lr_mult is 0.01) and an optional fused activation.
#include "acne/backend.hpp"
#include "acne/layers/dense.hpp"

namespace acne {

struct equalized_dense_options {
  std::size_t units = 1;
  bool bias = true;
  double bias_init = 0.0;  // stored value; the affine layers that produce styles start at 1
  double lr_mult = 1.0;
  activation act = activation::linear();  // activation::lrelu() has StyleGAN2's gain sqrt(2)
  std::string name = {};
};

template <class T, class D = cpu>
class equalized_dense : public layer_base<T, D> {
public:
  explicit equalized_dense(const equalized_dense_options& o = {})
      : opt_(o), fc_({.units = o.units, .bias = o.bias, .bias_init = initializer::constant(o.bias_init),
                      .equalized = equalized_lr{o.lr_mult}}) {
    this->name = o.name;
  }

  shape4 setup(const shape4& in, parameter_registry<T, D>& reg) { return fc_.setup(in, reg); }

  void forward(const tensor<T, D>& x, tensor<T, D>& y, context& ctx) {
    if (linear()) return fc_.forward(x, y, ctx);
    fc_.forward(x, pre_, ctx);
    y.resize(pre_.shape());
    activation_forward(opt_.act, pre_, y);
  }

  void backward(const tensor<T, D>& x, const tensor<T, D>& y, const tensor<T, D>& dy, tensor<T, D>* dx, context& ctx) {
    if (linear()) return fc_.backward(x, y, dy, dx, ctx);
    dpre_.resize(pre_.shape());
    activation_backward(opt_.act, pre_, y, dy, dpre_);
    fc_.backward(x, pre_, dpre_, dx, ctx);
  }

  void forward_tangent(const tensor<T, D>& x, const tensor<T, D>& y, const tensor<T, D>& tx, tensor<T, D>& ty,
                       context& ctx) {
    if (linear()) return fc_.forward_tangent(x, y, tx, ty, ctx);
    fc_.forward_tangent(x, pre_, tx, tpre_, ctx);
    ty.resize(tpre_.shape());
    activation_backward(opt_.act, pre_, y, tpre_, ty);  // the mask of forward, applied to the tangent
  }
  void backward_tangent(const tensor<T, D>& x, const tensor<T, D>& y, const tensor<T, D>& tx, const tensor<T, D>& dy,
                        const tensor<T, D>& tdy, tensor<T, D>* tdx, context& ctx) {
    if (linear()) return fc_.backward_tangent(x, y, tx, dy, tdy, tdx, ctx);
    tdpre_.resize(pre_.shape());
    activation_backward(opt_.act, pre_, y, tdy, tdpre_);
    fc_.backward_tangent(x, pre_, tx, dpre_, tdpre_, tdx, ctx);
  }

  const equalized_dense_options& options() const { return opt_; }

private:
  bool linear() const {
    return opt_.act.kind == activation_kind::linear && opt_.act.gain == 1.0 && opt_.act.clamp <= 0;
  }

  equalized_dense_options opt_;
  dense<T, D> fc_;
  tensor<T, D> pre_, dpre_, tpre_, tdpre_;
};

}  // namespace acne
