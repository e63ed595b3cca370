#pragma once
// A styled layer (layers/stylegan/styled_layer.hpp) as a plain layer for the gradient and tangent
// checks: its ws are a parameter, so the checks cover dL/dws too; tangents run along x only.
#include "acne/layers/layer.hpp"
#include "acne/layers/stylegan/styled_layer.hpp"

namespace acne::test {

template <styled_layer Inner>
class styled_probe : public layer_base<typename Inner::value_type, typename Inner::device_type> {
public:
  using T = typename Inner::value_type;
  using D = typename Inner::device_type;

  styled_probe(Inner inner, std::size_t w_dim) : inner_(std::move(inner)), w_dim_(w_dim) {}

  shape4 setup(const shape4& in, parameter_registry<T, D>& reg) {
    const shape4 ws{in.n, inner_.num_ws(), w_dim_, 1};
    reg.add("ws", ws, initializer::normal(0, 1), 1, 1, &ws_, &dws_);
    tws_.resize(ws);
    tws_.zero();
    return inner_.setup(in, ws, reg);
  }
  void forward(const tensor<T, D>& x, tensor<T, D>& y, context& ctx) {
    context noisy = ctx;
    noisy.noise = mode;
    inner_.forward(x, ws_, y, noisy);
  }
  void backward(const tensor<T, D>& x, const tensor<T, D>& y, const tensor<T, D>& dy, tensor<T, D>* dx, context& ctx) {
    inner_.backward(x, ws_, y, dy, dx, dws_, ctx);
  }
  void forward_tangent(const tensor<T, D>& x, const tensor<T, D>& y, const tensor<T, D>& tx, tensor<T, D>& ty,
                       context& ctx) {
    inner_.forward_tangent(x, ws_, y, tx, tws_, ty, ctx);
  }
  void backward_tangent(const tensor<T, D>& x, const tensor<T, D>& y, const tensor<T, D>& tx, const tensor<T, D>& dy,
                        const tensor<T, D>& tdy, tensor<T, D>* tdx, context& ctx) {
    inner_.backward_tangent(x, ws_, y, tx, tws_, dy, tdy, tdx, dws_, ctx);
  }

  noise_mode mode = noise_mode::random;

private:
  Inner inner_;
  std::size_t w_dim_;
  tensor<T, D> ws_, dws_, tws_;
};

}  // namespace acne::test
