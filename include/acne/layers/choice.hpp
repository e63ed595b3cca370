#pragma once
// choice<L...>: one layer out of several types, picked at construction, so that blocks which differ
// only in one part (a projection, pooling or identity shortcut) stay one type and one repeated<>
// instantiation. It takes the picked layer's name, so that layer's parameters keep their names.
#include <type_traits>
#include <utility>
#include <variant>

#include "acne/layers/layer.hpp"

namespace acne {

template <class First, class... Rest>
class choice : public layer_base<typename First::value_type, typename First::device_type> {
public:
  using T = typename First::value_type;
  using D = typename First::device_type;
  static constexpr bool backward_reads_output =
      !(backward_without_output<First> && ... && backward_without_output<Rest>);

  choice() = default;
  template <class L>
    requires(std::is_same_v<L, First> || ... || std::is_same_v<L, Rest>)
  choice(L picked) : picked_(std::move(picked)) {
    this->name = std::get<L>(picked_).name;
  }

  template <class L>
  bool holds() const { return std::holds_alternative<L>(picked_); }

  shape4 setup(const shape4& in, parameter_registry<T, D>& reg) {
    return std::visit([&](auto& l) { return l.setup(in, reg); }, picked_);
  }
  void forward(const tensor<T, D>& x, tensor<T, D>& y, context& ctx) {
    std::visit([&](auto& l) { l.forward(x, y, ctx); }, picked_);
  }
  void backward(const tensor<T, D>& x, const tensor<T, D>& y, const tensor<T, D>& dy, tensor<T, D>* dx, context& ctx) {
    std::visit([&](auto& l) { l.backward(x, y, dy, dx, ctx); }, picked_);
  }
  void forward_tangent(const tensor<T, D>& x, const tensor<T, D>& y, const tensor<T, D>& tx, tensor<T, D>& ty,
                       context& ctx)
    requires(tangent_layer<First> && ... && tangent_layer<Rest>)
  {
    std::visit([&](auto& l) { l.forward_tangent(x, y, tx, ty, ctx); }, picked_);
  }
  void backward_tangent(const tensor<T, D>& x, const tensor<T, D>& y, const tensor<T, D>& tx, const tensor<T, D>& dy,
                        const tensor<T, D>& tdy, tensor<T, D>* tdx, context& ctx)
    requires(tangent_layer<First> && ... && tangent_layer<Rest>)
  {
    std::visit([&](auto& l) { l.backward_tangent(x, y, tx, dy, tdy, tdx, ctx); }, picked_);
  }

private:
  std::variant<First, Rest...> picked_;
};

}  // namespace acne
