#pragma once
// The layer contract. A layer policy L<T, Device> provides
//   shape4 setup(const shape4& in, parameter_registry<T, D>&)   declare parameters, return output shape
//   void forward(const tensor& x, tensor& y, context&)            y is resized by the layer
//   void backward(const tensor& x, const tensor& y, const tensor& dy, tensor* dx, context&)
//        adds parameter gradients (+=) unless ctx.parameter_gradients is false and, when dx is not
//        null, overwrites dx with dL/dx.
// Layers on the paths of StyleGAN2's regularisers also provide the second-order extension
// (tangent_layer): forward-mode derivatives along a direction tx of the input, every activation
// mask held as forward found it, which is what automatic differentiation's double backward does.
//   void forward_tangent(const tensor& x, const tensor& y, const tensor& tx, tensor& ty, context&)
//        after forward(x, y): ty = (dy/dx) tx.
//   void backward_tangent(const tensor& x, const tensor& y, const tensor& tx, const tensor& dy,
//                         const tensor& tdy, tensor* tdx, context&)
//        after backward(x, y, dy, ...) and forward_tangent(x, y, tx, ...): the derivative along tx
//        (and tdy, the derivative of dy) of that backward pass. It adds the derivative of the
//        parameter gradients to the gradients and, when tdx is not null, overwrites tdx with the
//        derivative of dL/dx. Exact Hessian-vector products come out of it, with no step size.
// Combinators (sequential, repeated, sum_of, concat, residual, choice) are layers built from
// layers; they register each child's parameters under the child's name, and are tangent layers
// when all their children are.
#include <concepts>
#include <cstdint>
#include <string>
#include <utility>

#include "acne/layers/parameters.hpp"
#include "acne/tensor/tensor.hpp"

namespace acne {

// How StyleGAN2's noise layers draw their noise (layers/stylegan/noise.hpp).
enum class noise_mode { random, constant, none };

struct context {
  bool training = true;
  std::uint64_t seed = 0;  // mixed with `step` by layers that draw random numbers
  std::uint64_t step = 0;
  bool parameter_gradients = true;  // false: backward computes dL/dx only (network::backward_input)
  noise_mode noise = noise_mode::random;
};

// Turns parameter gradients off for one backward pass (and back on when it ends, also on an exception).
class parameter_gradients_off {
public:
  explicit parameter_gradients_off(context& ctx) : ctx_(ctx), was_(ctx.parameter_gradients) { ctx.parameter_gradients = false; }
  ~parameter_gradients_off() { ctx_.parameter_gradients = was_; }
  parameter_gradients_off(const parameter_gradients_off&) = delete;
  parameter_gradients_off& operator=(const parameter_gradients_off&) = delete;

private:
  context& ctx_;
  bool was_;
};

template <class L>
concept layer_policy = requires(L l, const shape4& s,
                                parameter_registry<typename L::value_type, typename L::device_type>& r,
                                const tensor<typename L::value_type, typename L::device_type>& x,
                                tensor<typename L::value_type, typename L::device_type>& y,
                                tensor<typename L::value_type, typename L::device_type>* dx, context& ctx) {
  { l.setup(s, r) } -> std::same_as<shape4>;
  l.forward(x, y, ctx);
  l.backward(x, y, x, dx, ctx);
};

template <class L>
concept tangent_layer =
    layer_policy<L> && requires(L l, const tensor<typename L::value_type, typename L::device_type>& x,
                                tensor<typename L::value_type, typename L::device_type>& y,
                                tensor<typename L::value_type, typename L::device_type>* dx, context& ctx) {
      l.forward_tangent(x, x, x, y, ctx);
      l.backward_tangent(x, x, x, x, x, dx, ctx);
    };

// Layers of two inputs, features x and a condition c (StyleGAN2's styles or latents, DFDNet's
// dictionary-updated VGG features): the passes of the contract above with c beside x,
//   shape4 setup(const shape4& x, const shape4& c, parameter_registry<T, D>&)
//   void forward(const tensor& x, const tensor& c, tensor& y, context&)
//   void backward(x, c, y, dy, tensor* dx, tensor& dc, context&)   adds dL/dc into dc (sized by the caller)
// and, for the second-order passes, forward_tangent(x, c, y, tx, tc, ty, ctx) and
// backward_tangent(x, c, y, tx, tc, dy, tdy, tensor* tdx, tensor& tdc, ctx) (adds into tdc).
template <class L>
concept conditioned_layer = requires(L l, const shape4& s,
                                     parameter_registry<typename L::value_type, typename L::device_type>& r,
                                     const tensor<typename L::value_type, typename L::device_type>& x,
                                     tensor<typename L::value_type, typename L::device_type>& y,
                                     tensor<typename L::value_type, typename L::device_type>* dx, context& ctx) {
  { l.setup(s, s, r) } -> std::same_as<shape4>;
  l.forward(x, x, y, ctx);
  l.backward(x, x, x, x, dx, y, ctx);
};

template <class L>
concept conditioned_tangent_layer =
    conditioned_layer<L> && requires(L l, const tensor<typename L::value_type, typename L::device_type>& x,
                                     tensor<typename L::value_type, typename L::device_type>& y,
                                     tensor<typename L::value_type, typename L::device_type>* dx, context& ctx) {
      l.forward_tangent(x, x, x, x, x, y, ctx);
      l.backward_tangent(x, x, x, x, x, x, x, dx, y, ctx);
    };

// Common members of layer policies: element type, device and an optional name used in parameter names.
template <class T, class D>
struct layer_base {
  using value_type = T;
  using device_type = D;
  std::string name;
};

template <class L>
std::string layer_name(const L& l, std::size_t index) {
  if constexpr (requires { l.name; }) {
    if (!l.name.empty()) return l.name;
  }
  return std::to_string(index);
}

// Facts a layer may declare about its passes, as static constexpr bool members, which let the
// combinators share buffers; a layer that declares nothing is assumed to need every buffer.
//   backward_reads_output = false  backward reads x and dy, never y, so y's buffer may be written
//                                  over once the next layer has read it;
//   runs_in_place = true           forward may be handed the same tensor as x and y, and backward
//                                  then reads the result as x (relu and leaky relu, whose output
//                                  keeps the sign their derivative depends on).
template <class L>
concept backward_without_output = requires { requires !L::backward_reads_output; };
template <class L>
concept in_place_layer = requires { requires L::runs_in_place; };

// A layer whose parameters register in its parent's scope, not under a name of its own: a chain
// that only groups layers (a block's main path) keeps the names its parts would have unwrapped.
template <class L>
struct inlined : L {
  using L::L;
  explicit inlined(L l) : L(std::move(l)) {}
  static constexpr bool inline_parameters = true;
};

// Sets up child `index` of a combinator in the scope of its name (inlined layers in the current one).
template <class L, class T, class D>
shape4 setup_child(L& l, const shape4& in, parameter_registry<T, D>& reg, std::size_t index) {
  if constexpr (requires { L::inline_parameters; }) {
    return l.setup(in, reg);
  } else {
    typename parameter_registry<T, D>::scope scope(reg, layer_name(l, index));
    return l.setup(in, reg);
  }
}

// A layer with its name set, for layers whose options carry none (padding, pooling, activations).
template <class L>
L with_name(L l, std::string name) {
  l.name = std::move(name);
  return l;
}

}  // namespace acne
