#pragma once
// The layer contract. A layer policy L<T, Device> provides
//   shape4 setup(const shape4& in, parameter_registry<T, D>&)   declare parameters, return output shape
//   void forward(const tensor& x, tensor& y, context&)            y is resized by the layer
//   void backward(const tensor& x, const tensor& y, const tensor& dy, tensor* dx, context&)
//        adds parameter gradients (+=) and, when dx is not null, overwrites dx with dL/dx.
// Combinators (sequential, sum_of, concat, repeated) are layers built from layers.
#include <concepts>
#include <cstdint>
#include <string>

#include "acne/layers/parameters.hpp"
#include "acne/tensor/tensor.hpp"

namespace acne {

struct context {
  bool training = true;
  std::uint64_t seed = 0;  // mixed with `step` by layers that draw random numbers
  std::uint64_t step = 0;
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

}  // namespace acne
