#pragma once
// Branch combinators: every branch reads the same input. sum_of<B...> adds the branch outputs
// (a residual block is sum_of<identity, main>); concat<B...> stacks them along channels
// (the Inception modules).
#include <array>
#include <tuple>
#include <utility>

#include "acne/backend.hpp"
#include "acne/layers/layer.hpp"
#include "acne/tensor/buffer_pool.hpp"

namespace acne {

namespace detail {
// The passes of a branch combinator; Derived says how branch shapes and outputs merge
// (merged_shape(shapes), merge(outs, y)) and how an output gradient splits into theirs
// (split(dy, grads)), the same for values and tangents.
template <class Derived, class First, class... Rest>
class branches : public layer_base<typename First::value_type, typename First::device_type> {
public:
  using T = typename First::value_type;
  using D = typename First::device_type;
  static constexpr std::size_t size = 1 + sizeof...(Rest);
  static constexpr bool tangent_children = (tangent_layer<First> && ... && tangent_layer<Rest>);

  branches() = default;
  explicit branches(First first, Rest... rest) : layers_(std::move(first), std::move(rest)...) {}
  template <std::size_t I>
  auto& get() { return std::get<I>(layers_); }

  shape4 setup(const shape4& in, parameter_registry<T, D>& reg) {
    std::array<shape4, size> shapes;
    for_each([&](auto& l, std::size_t i) { shapes[i] = setup_child(l, in, reg, i); });
    return self().merged_shape(shapes);
  }
  void forward(const tensor<T, D>& x, tensor<T, D>& y, context& ctx) {
    for_each([&](auto& l, std::size_t i) { l.forward(x, out_[i], ctx); });
    self().merge(out_, y);
  }
  void backward(const tensor<T, D>& x, const tensor<T, D>&, const tensor<T, D>& dy, tensor<T, D>* dx, context& ctx) {
    for (std::size_t i = 0; i < size; ++i) borrow_buffer(dgrad_[i], out_[i].shape(), tangent_children);
    self().split(dy, dgrad_);
    if (dx) borrow_buffer(din_, x.shape(), tangent_children);
    sum_inputs(x, dx, [&](auto& l, std::size_t i, tensor<T, D>* din) {
      l.backward(x, out_[i], dgrad_[i], din, ctx);
      return_buffer(dgrad_[i], tangent_children);
    });
    return_buffer(din_, tangent_children);
  }
  void forward_tangent(const tensor<T, D>& x, const tensor<T, D>&, const tensor<T, D>& tx, tensor<T, D>& ty,
                       context& ctx)
    requires tangent_children
  {
    for_each([&](auto& l, std::size_t i) { l.forward_tangent(x, out_[i], tx, tout_[i], ctx); });
    self().merge(tout_, ty);
  }
  void backward_tangent(const tensor<T, D>& x, const tensor<T, D>&, const tensor<T, D>& tx, const tensor<T, D>&,
                        const tensor<T, D>& tdy, tensor<T, D>* tdx, context& ctx)
    requires tangent_children
  {
    self().split(tdy, tdgrad_);
    sum_inputs(x, tdx, [&](auto& l, std::size_t i, tensor<T, D>* din) {
      l.backward_tangent(x, out_[i], tx, dgrad_[i], tdgrad_[i], din, ctx);
    });
  }

private:
  Derived& self() { return static_cast<Derived&>(*this); }
  // Runs pass(branch, i, din) for every branch and sums the input gradients din in dx.
  template <class Pass>
  void sum_inputs(const tensor<T, D>& x, tensor<T, D>* dx, Pass&& pass) {
    if (dx) dx->resize(x.shape());
    for_each([&](auto& l, std::size_t i) {
      pass(l, i, dx ? &din_ : nullptr);
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
  std::array<tensor<T, D>, size> out_, dgrad_, tout_, tdgrad_;
  tensor<T, D> din_;
};
}  // namespace detail

template <class... B>
class sum_of : public detail::branches<sum_of<B...>, B...> {
  using base = detail::branches<sum_of<B...>, B...>;
public:
  using typename base::T;
  using typename base::D;
  using base::base;

  shape4 merged_shape(const std::array<shape4, base::size>& shapes) const {
    for (const auto& s : shapes)
      ACNE_CHECK(s == shapes[0], "sum_of '" << this->name << "': branch shapes " << shapes[0] << " and " << s << " differ");
    return shapes[0];
  }
  void merge(const std::array<tensor<T, D>, base::size>& outs, tensor<T, D>& y) {
    y = outs[0];
    for (std::size_t i = 1; i < base::size; ++i) {
      ACNE_CHECK(outs[i].shape() == y.shape(), "sum_of '" << this->name << "': branch outputs " << y.shape() << " and "
                                                          << outs[i].shape() << " differ");
      axpy(T(1), outs[i], y);
    }
  }
  void split(const tensor<T, D>& dy, std::array<tensor<T, D>, base::size>& grads) {
    for (auto& g : grads) g = dy;
  }
};

template <class... B>
sum_of(B...) -> sum_of<B...>;

template <class... B>
class concat : public detail::branches<concat<B...>, B...> {
  using base = detail::branches<concat<B...>, B...>;
public:
  using typename base::T;
  using typename base::D;
  using base::base;

  shape4 merged_shape(const std::array<shape4, base::size>& shapes) {
    shape4 out = shapes[0];
    out.c = 0;
    for (const auto& s : shapes) {
      ACNE_CHECK(s.h == shapes[0].h && s.w == shapes[0].w,
                 "concat '" << this->name << "': branch shapes " << shapes[0] << " and " << s << " differ in size");
      out.c += s.c;
    }
    channels_ = shapes;
    return out;
  }
  void merge(const std::array<tensor<T, D>, base::size>& outs, tensor<T, D>& y) {
    shape4 s = outs[0].shape();
    s.c = 0;
    for (const auto& o : outs) s.c += o.shape().c;
    y.resize(s);
    std::size_t offset = 0;
    for (const auto& o : outs) {
      copy_channels(o, y, offset);
      offset += o.shape().c;
    }
  }
  void split(const tensor<T, D>& dy, std::array<tensor<T, D>, base::size>& grads) {
    std::size_t offset = 0;
    for (std::size_t i = 0; i < base::size; ++i) {
      grads[i].resize({dy.shape().n, channels_[i].c, dy.shape().h, dy.shape().w});
      slice_channels(dy, grads[i], offset);
      offset += channels_[i].c;
    }
  }

private:
  std::array<shape4, base::size> channels_;  // the branch output shapes of setup (their channel counts)
};

template <class... B>
concat(B...) -> concat<B...>;

}  // namespace acne
