#pragma once
// The input of the 4x4 synthesis block: a learned [C, 4, 4] tensor, the same for every sample. A
// styled layer of no ws that ignores x: it reads only the batch size, from ws. Its parameter sits
// in the enclosing scope ("b4.const"), as the reference names it.
#include "acne/backend.hpp"
#include "acne/layers/layer.hpp"

namespace acne {

template <class T, class D = cpu>
class learned_const : public layer_base<T, D> {
public:
  static constexpr bool inline_parameters = true;

  explicit learned_const(std::size_t channels = 1, std::size_t size = 4) : channels_(channels), size_(size) {}

  std::size_t num_ws() const { return 0; }

  shape4 setup(const shape4&, const shape4& ws, parameter_registry<T, D>& reg) {
    reg.add("const", {channels_, size_, size_, 1}, initializer::normal(0, 1), 1, 1, &const_, &dconst_);
    return output_shape(ws.n);
  }

  void forward(const tensor<T, D>&, const tensor<T, D>& ws, tensor<T, D>& y, context&) {
    y.resize(output_shape(ws.shape().n));
    for (std::size_t i = 0; i < y.shape().n; ++i) {
      auto dst = y.sample(i);
      copy(const_, dst);
    }
  }
  void backward(const tensor<T, D>& x, const tensor<T, D>&, const tensor<T, D>&, const tensor<T, D>& dy,
                tensor<T, D>* dx, tensor<T, D>&, context& ctx) {
    if (ctx.parameter_gradients) add_gradient(dy);
    no_input_gradient(x, dx);
  }
  void forward_tangent(const tensor<T, D>&, const tensor<T, D>&, const tensor<T, D>& y, const tensor<T, D>&,
                       const tensor<T, D>&, tensor<T, D>& ty, context&) {
    ty.resize(y.shape());
    ty.zero();
  }
  void backward_tangent(const tensor<T, D>& x, const tensor<T, D>&, const tensor<T, D>&, const tensor<T, D>&,
                        const tensor<T, D>&, const tensor<T, D>&, const tensor<T, D>& tdy, tensor<T, D>* tdx,
                        tensor<T, D>&, context&) {
    add_gradient(tdy);
    no_input_gradient(x, tdx);
  }

private:
  shape4 output_shape(std::size_t n) const { return {n, channels_, size_, size_}; }
  // Every sample reads the same const: its gradient sums theirs.
  void add_gradient(const tensor<T, D>& dy) {
    for (std::size_t i = 0; i < dy.shape().n; ++i) axpy(T(1), dy.sample(i), dconst_);
  }
  static void no_input_gradient(const tensor<T, D>& x, tensor<T, D>* dx) {
    if (!dx) return;
    dx->resize(x.shape());
    dx->zero();
  }

  std::size_t channels_, size_;
  tensor<T, D> const_, dconst_;
};

}  // namespace acne
