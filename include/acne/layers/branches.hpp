#pragma once
// Branch combinators: every branch reads the same input. sum_of<B...> adds the branch outputs
// (a residual block is sum_of<identity, main>); concat<B...> stacks them along channels
// (the Inception modules).
#include <array>
#include <tuple>
#include <utility>

#include "acne/backend/cpu.hpp"
#include "acne/layers/layer.hpp"

namespace acne {

namespace detail {
template <class First, class... Rest>
class branches : public layer_base<typename First::value_type, typename First::device_type> {
public:
  using T = typename First::value_type;
  using D = typename First::device_type;
  static constexpr std::size_t size = 1 + sizeof...(Rest);

  branches() = default;
  explicit branches(First first, Rest... rest) : layers_(std::move(first), std::move(rest)...) {}
  template <std::size_t I>
  auto& get() { return std::get<I>(layers_); }

protected:
  std::array<shape4, size> setup_branches(const shape4& in, parameter_registry<T, D>& reg) {
    std::array<shape4, size> shapes;
    for_each([&](auto& l, std::size_t i) {
      typename parameter_registry<T, D>::scope scope(reg, layer_name(l, i));
      shapes[i] = l.setup(in, reg);
    });
    return shapes;
  }
  void forward_branches(const tensor<T, D>& x, context& ctx) {
    for_each([&](auto& l, std::size_t i) { l.forward(x, out_[i], ctx); });
  }
  // Runs every branch backward with its own output gradient and sums their input gradients in dx.
  void backward_branches(const tensor<T, D>& x, tensor<T, D>* dx, context& ctx) {
    if (dx) dx->resize(x.shape());
    for_each([&](auto& l, std::size_t i) {
      l.backward(x, out_[i], dgrad_[i], dx ? &din_ : nullptr, ctx);
      if (!dx) return;
      if (i == 0) copy(din_, *dx);
      else axpy(T(1), din_, *dx);
    });
  }
  template <class F>
  void for_each(F&& f) {
    [&]<std::size_t... I>(std::index_sequence<I...>) { (f(std::get<I>(layers_), I), ...); }
    (std::make_index_sequence<size>{});
  }

  std::tuple<First, Rest...> layers_;
  std::array<tensor<T, D>, size> out_, dgrad_;
  tensor<T, D> din_;
};
}  // namespace detail

template <class... B>
class sum_of : public detail::branches<B...> {
  using base = detail::branches<B...>;
public:
  using typename base::T;
  using typename base::D;
  using base::base;

  shape4 setup(const shape4& in, parameter_registry<T, D>& reg) {
    const auto shapes = this->setup_branches(in, reg);
    for (const auto& s : shapes)
      ACNE_CHECK(s == shapes[0], "sum_of '" << this->name << "': branch shapes " << shapes[0] << " and " << s << " differ");
    return shapes[0];
  }
  void forward(const tensor<T, D>& x, tensor<T, D>& y, context& ctx) {
    this->forward_branches(x, ctx);
    y = this->out_[0];
    for (std::size_t i = 1; i < base::size; ++i) {
      ACNE_CHECK(this->out_[i].shape() == y.shape(), "sum_of '" << this->name << "': branch outputs " << y.shape()
                                                               << " and " << this->out_[i].shape() << " differ");
      axpy(T(1), this->out_[i], y);
    }
  }
  void backward(const tensor<T, D>& x, const tensor<T, D>&, const tensor<T, D>& dy, tensor<T, D>* dx, context& ctx) {
    for (auto& g : this->dgrad_) g = dy;
    this->backward_branches(x, dx, ctx);
  }
};

template <class... B>
class concat : public detail::branches<B...> {
  using base = detail::branches<B...>;
public:
  using typename base::T;
  using typename base::D;
  using base::base;

  shape4 setup(const shape4& in, parameter_registry<T, D>& reg) {
    const auto shapes = this->setup_branches(in, reg);
    shape4 out = shapes[0];
    out.c = 0;
    for (const auto& s : shapes) {
      ACNE_CHECK(s.h == shapes[0].h && s.w == shapes[0].w,
                 "concat '" << this->name << "': branch shapes " << shapes[0] << " and " << s << " differ in size");
      out.c += s.c;
    }
    return out;
  }
  void forward(const tensor<T, D>& x, tensor<T, D>& y, context& ctx) {
    this->forward_branches(x, ctx);
    shape4 s = this->out_[0].shape();
    s.c = 0;
    for (const auto& o : this->out_) s.c += o.shape().c;
    y.resize(s);
    std::size_t offset = 0;
    for (const auto& o : this->out_) {
      copy_channels(o, y, offset);
      offset += o.shape().c;
    }
  }
  void backward(const tensor<T, D>& x, const tensor<T, D>&, const tensor<T, D>& dy, tensor<T, D>* dx, context& ctx) {
    std::size_t offset = 0;
    for (std::size_t i = 0; i < base::size; ++i) {
      this->dgrad_[i].resize(this->out_[i].shape());
      slice_channels(dy, this->dgrad_[i], offset);
      offset += this->out_[i].shape().c;
    }
    this->backward_branches(x, dx, ctx);
  }
};

}  // namespace acne
