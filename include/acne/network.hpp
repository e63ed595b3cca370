#pragma once
// network<Layer>: owns a composed layer, its single contiguous parameter and gradient buffers,
// and the training context. This is what optimizers, checkpoints and trainers work with.
#include <functional>
#include <memory>
#include <string>

#include "acne/backend.hpp"
#include "acne/layers/layer.hpp"

namespace acne {

template <layer_policy Layer>
class network {
public:
  using T = typename Layer::value_type;
  using D = typename Layer::device_type;
  using layer_type = Layer;

  explicit network(Layer layer = Layer{}) : layer_(std::make_unique<Layer>(std::move(layer))) {}

  // Declares the parameters for inputs shaped like `input` (its batch size does not matter),
  // allocates the buffers and initialises every parameter from `seed`.
  shape4 setup(const shape4& input, std::uint64_t seed = 0);

  const tensor<T, D>& forward(const tensor<T, D>& x);
  // Adds the parameter gradients of the last forward's output gradient `dy` (call zero_grad() to
  // start a new step); returns dL/dx.
  const tensor<T, D>& backward(const tensor<T, D>& dy, bool need_input_grad = true);
  // dL/dx of the last forward's output gradient `dy`, leaving the parameter gradients as they are.
  const tensor<T, D>& backward_input(const tensor<T, D>& dy);
  // Second order (layers that satisfy tangent_layer): after forward(x), the derivative of the
  // output along the input direction tx.
  const tensor<T, D>& forward_tangent(const tensor<T, D>& tx) requires tangent_layer<Layer>;
  // After backward(dy) (or backward_input) and forward_tangent(tx): adds the derivative along tx of
  // the parameter gradients of `dy` (tdy: the derivative of dy itself) and returns that of dL/dx.
  const tensor<T, D>& backward_tangent(const tensor<T, D>& dy, const tensor<T, D>& tdy) requires tangent_layer<Layer>;
  void zero_grad() { grads_.zero(); }

  void train(bool on = true) { ctx_.training = on; }
  void eval() { ctx_.training = false; }
  context& ctx() { return ctx_; }
  Layer& layer() { return *layer_; }
  const tensor<T, D>& output() const { return output_; }
  const shape4& input_shape() const { return input_shape_; }
  const shape4& output_shape() const { return output_shape_; }

  tensor<T, D>& parameters() { return params_; }
  const tensor<T, D>& parameters() const { return params_; }
  tensor<T, D>& gradients() { return grads_; }
  std::vector<parameter_slot<T, D>>& slots() { return registry_.slots(); }
  const std::vector<parameter_slot<T, D>>& slots() const { return registry_.slots(); }

  // Every stored value, running statistics included (Keras' "Total params").
  std::size_t parameter_count() const { return params_.size(); }
  // Values an optimizer updates (Keras' "Trainable params" when nothing is frozen).
  std::size_t trainable_parameter_count() const {
    std::size_t n = 0;
    for (const auto& s : registry_.slots())
      if (s.trainable() && !s.frozen) n += s.shape.size();
    return n;
  }

  // Freezes (or unfreezes) every parameter whose name starts with `prefix`; returns how many.
  std::size_t freeze(const std::string& prefix, bool frozen = true) {
    return for_prefix(prefix, [&](auto& s) { s.frozen = frozen; });
  }
  std::size_t set_lr_mult(const std::string& prefix, double mult) {
    return for_prefix(prefix, [&](auto& s) { s.lr_mult = mult; });
  }

private:
  shape4 setup_root(const shape4& input, bool scoped) {
    if (!scoped) return layer_->setup(input, registry_);
    typename parameter_registry<T, D>::scope scope(registry_, layer_->name);
    return layer_->setup(input, registry_);
  }
  template <class F>
  std::size_t for_prefix(const std::string& prefix, F&& f) {
    std::size_t n = 0;
    for (auto& s : registry_.slots())
      if (s.name.rfind(prefix, 0) == 0) f(s), ++n;
    return n;
  }

  std::unique_ptr<Layer> layer_;  // stable address: the registry points into it
  parameter_registry<T, D> registry_;
  tensor<T, D> params_, grads_, input_, output_, input_grad_, input_tangent_, output_tangent_, input_grad_tangent_;
  shape4 input_shape_, output_shape_;
  context ctx_;
};

// The passes are defined outside the class so that a model's network<> can be compiled once
// (acne/instances.hpp): members defined in the class are inline, and compilers instantiate those of
// an extern template anyway, to inline them.
template <layer_policy Layer>
shape4 network<Layer>::setup(const shape4& input, std::uint64_t seed) {
  ACNE_CHECK(registry_.slots().empty(), "network set up twice");
  input_shape_ = input;
  // A named root layer prefixes every parameter name, as a named layer inside a model does.
  output_shape_ = setup_root(input, !layer_->name.empty());
  std::size_t total = 0;
  for (auto& s : registry_.slots()) total += s.shape.size();
  params_ = tensor<T, D>({total, 1, 1, 1});
  grads_ = tensor<T, D>({total, 1, 1, 1});
  rng gen(seed);
  std::size_t offset = 0;
  for (auto& s : registry_.slots()) {
    s.offset = offset;
    *s.value = params_.view(s.shape, offset);
    if (s.grad) *s.grad = grads_.view(s.shape, offset);
    tensor<T, cpu> host(s.shape);
    initialize(host, s.init, s.fan_in, s.fan_out, gen);
    memory<D>::from_host(s.value->data(), host.data(), host.bytes());
    offset += s.shape.size();
  }
  return output_shape_;
}

template <layer_policy Layer>
auto network<Layer>::forward(const tensor<T, D>& x) -> const tensor<T, D>& {
  ACNE_CHECK(!registry_.slots().empty() || params_.empty(), "network used before setup()");
  input_ = x;
  layer_->forward(input_, output_, ctx_);
  return output_;
}

template <layer_policy Layer>
auto network<Layer>::backward(const tensor<T, D>& dy, bool need_input_grad) -> const tensor<T, D>& {
  check_shape("network::backward (output gradient)", output_.shape(), dy.shape());
  layer_->backward(input_, output_, dy, need_input_grad ? &input_grad_ : nullptr, ctx_);
  return input_grad_;
}

template <layer_policy Layer>
auto network<Layer>::backward_input(const tensor<T, D>& dy) -> const tensor<T, D>& {
  check_shape("network::backward_input (output gradient)", output_.shape(), dy.shape());
  parameter_gradients_off off(ctx_);
  layer_->backward(input_, output_, dy, &input_grad_, ctx_);
  return input_grad_;
}

template <layer_policy Layer>
auto network<Layer>::forward_tangent(const tensor<T, D>& tx) -> const tensor<T, D>&
  requires tangent_layer<Layer>
{
  check_shape("network::forward_tangent (input direction)", input_.shape(), tx.shape());
  input_tangent_ = tx;
  layer_->forward_tangent(input_, output_, input_tangent_, output_tangent_, ctx_);
  return output_tangent_;
}

template <layer_policy Layer>
auto network<Layer>::backward_tangent(const tensor<T, D>& dy, const tensor<T, D>& tdy) -> const tensor<T, D>&
  requires tangent_layer<Layer>
{
  check_shape("network::backward_tangent (output gradient)", output_.shape(), dy.shape());
  check_shape("network::backward_tangent (its derivative)", output_.shape(), tdy.shape());
  layer_->backward_tangent(input_, output_, input_tangent_, dy, tdy, &input_grad_tangent_, ctx_);
  return input_grad_tangent_;
}

}  // namespace acne
