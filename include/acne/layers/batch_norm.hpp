#pragma once
// Batch normalisation with Keras defaults (momentum 0.99, eps 1e-3) and optional scale (gamma),
// as InceptionResNetV2's conv2d_bn uses scale=False. Running statistics are saved, not trained.
#include "acne/backend.hpp"
#include "acne/layers/layer.hpp"

namespace acne {

struct batch_norm_options {
  double momentum = 0.99;
  double eps = 1e-3;
  bool scale = true;
  bool center = true;
  std::string name;
};

template <class T, class D = cpu>
class batch_norm : public layer_base<T, D> {
public:
  explicit batch_norm(const batch_norm_options& o = {}) : opt_(o) { this->name = o.name; }

  static constexpr bool backward_reads_output = false;
  shape4 setup(const shape4& in, parameter_registry<T, D>& reg) {
    const shape4 s{in.c, 1, 1, 1};
    if (opt_.scale) reg.add("gamma", s, initializer::ones(), in.c, in.c, &gamma_, &dgamma_);
    else gamma_ = tensor<T, D>(s), unit_fill(gamma_);
    if (opt_.center) reg.add("beta", s, initializer::zeros(), in.c, in.c, &beta_, &dbeta_);
    else beta_ = tensor<T, D>(s);
    reg.add_state("moving_mean", s, initializer::zeros(), &running_mean_);
    reg.add_state("moving_variance", s, initializer::ones(), &running_var_);
    mean_ = tensor<T, D>(s);
    invstd_ = tensor<T, D>(s);
    return in;
  }

  void forward(const tensor<T, D>& x, tensor<T, D>& y, context& ctx) {
    ACNE_CHECK(x.shape().c == gamma_.size(), "batch_norm '" << this->name << "': input " << x.shape()
                                                            << " for " << gamma_.size() << " channels");
    y.resize(x.shape());
    if (ctx.training)
      batch_norm_forward_train(x, gamma_, beta_, y, mean_, invstd_, running_mean_, running_var_, opt_.momentum, opt_.eps);
    else
      batch_norm_forward_inference(x, gamma_, beta_, y, running_mean_, running_var_, opt_.eps);
  }

  void backward(const tensor<T, D>& x, const tensor<T, D>&, const tensor<T, D>& dy, tensor<T, D>* dx, context&) {
    tensor<T, D>& out = dx ? *dx : scratch_;
    out.resize(x.shape());
    dgamma_.resize(gamma_.shape());  // unused buffers when scale/center are off
    dbeta_.resize(beta_.shape());
    batch_norm_backward(x, dy, gamma_, mean_, invstd_, out, dgamma_, dbeta_);
  }

private:
  static void unit_fill(tensor<T, D>& t) {
    tensor<T, cpu> ones(t.shape(), T(1));
    memory<D>::from_host(t.data(), ones.data(), ones.bytes());
  }
  batch_norm_options opt_;
  tensor<T, D> gamma_, dgamma_, beta_, dbeta_, running_mean_, running_var_, mean_, invstd_, scratch_;
};

}  // namespace acne
