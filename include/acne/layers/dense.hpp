#pragma once
// Fully connected layer on [N, C*H*W] inputs: y = x W^T * weight_gain + b * bias_gain; W is [out, in]
// (PyTorch layout). `equalized` sets the gains to StyleGAN2's equalised learning rate
// (gained_weight.hpp).
#include <optional>

#include "acne/backend.hpp"
#include "acne/layers/gained_weight.hpp"
#include "acne/layers/layer.hpp"

namespace acne {

struct dense_options {
  std::size_t units = 1;
  bool bias = true;
  double weight_gain = 1.0;
  double bias_gain = 1.0;
  double lr_mult = 1.0;
  initializer weight_init = initializer::glorot_uniform();
  initializer bias_init = initializer::zeros();
  std::string name;
  std::optional<equalized_lr> equalized{};  // set: gains and weight_init from fan_in, as StyleGAN2
};

template <class T, class D = cpu>
class dense : public layer_base<T, D> {
public:
  explicit dense(const dense_options& o = {}) : opt_(o) { this->name = o.name; }

  static constexpr bool backward_reads_output = false;
  shape4 setup(const shape4& in, parameter_registry<T, D>& reg) {
    in_features_ = in.sample_size();
    gains_ = weight_gains::of(opt_.equalized, in_features_, opt_.weight_gain, opt_.bias_gain, opt_.weight_init);
    reg.add("weight", {opt_.units, in_features_, 1, 1}, gains_.weight_init, in_features_, opt_.units, &weight_, &dweight_,
            opt_.lr_mult);
    if (opt_.bias) reg.add("bias", {opt_.units, 1, 1, 1}, opt_.bias_init, in_features_, opt_.units, &bias_, &dbias_, opt_.lr_mult);
    return {in.n, opt_.units, 1, 1};
  }

  void forward(const tensor<T, D>& x, tensor<T, D>& y, context&) {
    ACNE_CHECK(x.shape().sample_size() == in_features_, "dense '" << this->name << "': input " << x.shape() << " has "
               << x.shape().sample_size() << " features, weights expect " << in_features_);
    y.resize({x.shape().n, opt_.units, 1, 1});
    matmul(x, false, weight_, true, y, T(gains_.weight), T(0));
    if (opt_.bias) add_channel_bias(y, bias_, T(gains_.bias));
  }

  void backward(const tensor<T, D>& x, const tensor<T, D>&, const tensor<T, D>& dy, tensor<T, D>* dx, context& ctx) {
    if (ctx.parameter_gradients) {
      if (opt_.bias) channel_bias_grad(dy, dbias_, T(gains_.bias));
      matmul(dy, true, x, false, dweight_, T(gains_.weight), T(1));
    }
    if (dx) {
      dx->resize(x.shape());
      matmul(dy, false, weight_, false, *dx, T(gains_.weight), T(0));
    }
  }

  // Linear in x: the tangent is the product itself, and the weight gradient dy^T x has the
  // derivative tdy^T x + dy^T tx.
  void forward_tangent(const tensor<T, D>&, const tensor<T, D>&, const tensor<T, D>& tx, tensor<T, D>& ty, context&) {
    ty.resize({tx.shape().n, opt_.units, 1, 1});
    matmul(tx, false, weight_, true, ty, T(gains_.weight), T(0));
  }
  void backward_tangent(const tensor<T, D>& x, const tensor<T, D>&, const tensor<T, D>& tx, const tensor<T, D>& dy,
                        const tensor<T, D>& tdy, tensor<T, D>* tdx, context&) {
    if (opt_.bias) channel_bias_grad(tdy, dbias_, T(gains_.bias));
    matmul(tdy, true, x, false, dweight_, T(gains_.weight), T(1));
    matmul(dy, true, tx, false, dweight_, T(gains_.weight), T(1));
    if (tdx) {
      tdx->resize(x.shape());
      matmul(tdy, false, weight_, false, *tdx, T(gains_.weight), T(0));
    }
  }

  tensor<T, D>& weight() { return weight_; }
  tensor<T, D>& bias() { return bias_; }

private:
  dense_options opt_;
  std::size_t in_features_ = 0;
  weight_gains gains_;
  tensor<T, D> weight_, dweight_, bias_, dbias_;
};

}  // namespace acne
