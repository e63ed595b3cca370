#pragma once
// sequential<L...>: a fixed chain of layer policies composed at compile time; it keeps every
// intermediate output for the backward pass. repeated<L>: a run-time number of the same layer type
// (the 36 bottleneck blocks of ResNet152V2 are one instantiation, not 36).
#include <array>
#include <tuple>
#include <utility>
#include <vector>

#include "acne/layers/layer.hpp"

namespace acne {

template <class First, class... Rest>
class sequential : public layer_base<typename First::value_type, typename First::device_type> {
public:
  using T = typename First::value_type;
  using D = typename First::device_type;
  static constexpr std::size_t size = 1 + sizeof...(Rest);

  sequential() = default;
  explicit sequential(First first, Rest... rest) : layers_(std::move(first), std::move(rest)...) {}

  template <std::size_t I>
  auto& get() { return std::get<I>(layers_); }

  shape4 setup(const shape4& in, parameter_registry<T, D>& reg) {
    shape4 s = in;
    for_each([&](auto& l, std::size_t i) {
      typename parameter_registry<T, D>::scope scope(reg, layer_name(l, i));
      s = l.setup(s, reg);
    });
    return s;
  }

  void forward(const tensor<T, D>& x, tensor<T, D>& y, context& ctx) {
    for_each([&](auto& l, std::size_t i) {
      const tensor<T, D>& in = i == 0 ? x : out_[i - 1];
      l.forward(in, i + 1 == size ? y : out_[i], ctx);
    });
  }

  void backward(const tensor<T, D>& x, const tensor<T, D>& y, const tensor<T, D>& dy, tensor<T, D>* dx, context& ctx) {
    for_each_reverse([&](auto& l, std::size_t i) {
      const tensor<T, D>& in = i == 0 ? x : out_[i - 1];
      const tensor<T, D>& out = i + 1 == size ? y : out_[i];
      const tensor<T, D>& grad_out = i + 1 == size ? dy : grad_[i];
      l.backward(in, out, grad_out, i == 0 ? dx : &grad_[i - 1], ctx);
    });
  }

private:
  template <class F>
  void for_each(F&& f) {
    [&]<std::size_t... I>(std::index_sequence<I...>) { (f(std::get<I>(layers_), I), ...); }
    (std::make_index_sequence<size>{});
  }
  template <class F>
  void for_each_reverse(F&& f) {
    [&]<std::size_t... I>(std::index_sequence<I...>) { (f(std::get<size - 1 - I>(layers_), size - 1 - I), ...); }
    (std::make_index_sequence<size>{});
  }

  std::tuple<First, Rest...> layers_;
  std::array<tensor<T, D>, size> out_, grad_;  // index size-1 unused: the caller owns y and dy
};

template <class L>
class repeated : public layer_base<typename L::value_type, typename L::device_type> {
public:
  using T = typename L::value_type;
  using D = typename L::device_type;

  repeated() = default;
  explicit repeated(std::vector<L> layers) : layers_(std::move(layers)) {}
  void push_back(L layer) { layers_.push_back(std::move(layer)); }
  std::size_t count() const { return layers_.size(); }
  L& operator[](std::size_t i) { return layers_[i]; }

  shape4 setup(const shape4& in, parameter_registry<T, D>& reg) {
    ACNE_CHECK(!layers_.empty(), "repeated '" << this->name << "' holds no layer");
    out_.resize(layers_.size());
    grad_.resize(layers_.size());
    shape4 s = in;
    for (std::size_t i = 0; i < layers_.size(); ++i) {
      typename parameter_registry<T, D>::scope scope(reg, layer_name(layers_[i], i));
      s = layers_[i].setup(s, reg);
    }
    return s;
  }
  void forward(const tensor<T, D>& x, tensor<T, D>& y, context& ctx) {
    const std::size_t n = layers_.size();
    for (std::size_t i = 0; i < n; ++i) layers_[i].forward(i == 0 ? x : out_[i - 1], i + 1 == n ? y : out_[i], ctx);
  }
  void backward(const tensor<T, D>& x, const tensor<T, D>& y, const tensor<T, D>& dy, tensor<T, D>* dx, context& ctx) {
    const std::size_t n = layers_.size();
    for (std::size_t i = n; i-- > 0;)
      layers_[i].backward(i == 0 ? x : out_[i - 1], i + 1 == n ? y : out_[i], i + 1 == n ? dy : grad_[i],
                          i == 0 ? dx : &grad_[i - 1], ctx);
  }

private:
  std::vector<L> layers_;
  std::vector<tensor<T, D>> out_, grad_;
};

}  // namespace acne
