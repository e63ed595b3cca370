#pragma once
// sequential<L...>: a fixed chain of layer policies composed at compile time; it keeps every
// intermediate output for the backward pass, which lends each to the buffer pool once past it, and
// borrows each gradient from the pool only while it is needed (tensor/buffer_pool.hpp). An
// in-place layer (relu) after one whose backward does not read its output (batch norm, conv)
// shares that layer's output buffer, unless the chain runs tangent passes, which read every output
// as forward wrote it (and after backward). repeated<L>: a run-time number of the same layer type
// (the 36 bottleneck blocks of ResNet152V2 are one instantiation, not 36). Both walk their chain
// with detail::chain, once for the four passes of the layer and tangent contracts.
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "acne/error.hpp"
#include "acne/layers/layer.hpp"
#include "acne/tensor/buffer_pool.hpp"

namespace acne {

namespace detail {
// Layer i reads the output of layer i-1 (x for the first) and writes its own (y for the last);
// backward hands grad[i] to layer i as its output gradient and layer i writes grad[i-1]. Derived
// provides count() and each(f) / each_reverse(f), which call f(layer, i). A chain of no layers is
// the identity (a discriminator at 4px has no block before its epilogue).
template <class Derived, class T, class D>
class chain : public layer_base<T, D> {
public:
  shape4 setup(const shape4& in, parameter_registry<T, D>& reg) {
    size_buffers();
    shape4 s = in;
    self().each([&](auto& l, std::size_t i) { s = setup_child(l, s, reg, i); });
    return s;
  }

  void forward(const tensor<T, D>& x, tensor<T, D>& y, context& ctx) {
    size_buffers();
    if (empty()) return void(y = x);
    self().each([&](auto& l, std::size_t i) {
      if (const std::size_t b = buffer_of(i); b < last()) take_back_output(out_[b], lent_[b]);
      l.forward(output(i - 1, x, y), output(i, x, y), ctx);
    });
    lent_out_ = false;
  }

  void backward(const tensor<T, D>& x, const tensor<T, D>& y, const tensor<T, D>& dy, tensor<T, D>* dx, context& ctx) {
    if (empty()) return pass(dy, dx);
    ACNE_CHECK(!lent_out_, "a backward pass of '" << this->name << "' needs the forward pass before it");
    auto& y_ = const_cast<tensor<T, D>&>(y);  // read only: output() hands out one type for both passes
    self().each_reverse([&](auto& l, std::size_t i) {
      if (i > 0) borrow_buffer(grad_[i - 1], output(i - 1, x, y_).shape(), Derived::tangent_children);
      l.backward(output(i - 1, x, y_), output(i, x, y_), at(grad_, i, dy), i == 0 ? dx : &grad_[i - 1], ctx);
      if (i < last()) return_buffer(grad_[i], Derived::tangent_children);
      // Output i is read by layers i and i + 1 only, unless layer i ran in place on its input's buffer.
      const std::size_t b = buffer_of(i);
      if (!Derived::tangent_children && b < last() && (i == 0 || buffer_of(i - 1) != b))
        lend_output(out_[b], lent_[b]);
    });
    lent_out_ = !Derived::tangent_children;
  }

  void forward_tangent(const tensor<T, D>& x, const tensor<T, D>& y, const tensor<T, D>& tx, tensor<T, D>& ty,
                       context& ctx)
    requires Derived::tangent_children
  {
    if (empty()) return void(ty = tx);
    self().each([&](auto& l, std::size_t i) {
      l.forward_tangent(at(out_, i - 1, x), at(out_, i, y), at(tout_, i - 1, tx), at(tout_, i, ty), ctx);
    });
  }
  void backward_tangent(const tensor<T, D>& x, const tensor<T, D>& y, const tensor<T, D>& tx, const tensor<T, D>& dy,
                        const tensor<T, D>& tdy, tensor<T, D>* tdx, context& ctx)
    requires Derived::tangent_children
  {
    if (empty()) return pass(tdy, tdx);
    self().each_reverse([&](auto& l, std::size_t i) {
      l.backward_tangent(at(out_, i - 1, x), at(out_, i, y), at(tout_, i - 1, tx), at(grad_, i, dy),
                         at(tgrad_, i, tdy), i == 0 ? tdx : &tgrad_[i - 1], ctx);
    });
  }

private:
  Derived& self() { return static_cast<Derived&>(*this); }
  bool empty() { return self().count() == 0; }
  static void pass(const tensor<T, D>& g, tensor<T, D>* dx) {
    if (dx) *dx = g;
  }
  std::size_t last() { return self().count() - 1; }
  void size_buffers() {
    for (auto* v : {&out_, &grad_, &tout_, &tgrad_}) v->resize(self().count());
    lent_.resize(self().count());
    if (shares_next_.size() == self().count()) return;  // the flags follow from the types alone
    shares_next_.assign(self().count(), false);
    if constexpr (Derived::tangent_children) return;
    bool previous_without_output = false;
    self().each([&](auto& l, std::size_t i) {
      using L = std::remove_cvref_t<decltype(l)>;
      if (i > 0) shares_next_[i - 1] = in_place_layer<L> && previous_without_output;
      previous_without_output = backward_without_output<L>;
    });
  }
  // Output i (-1: the input x) lives in buffer_of(i): its own, or that of the in-place layers after it.
  std::size_t buffer_of(std::size_t i) const {
    while (i + 1 < shares_next_.size() && shares_next_[i]) ++i;
    return i;
  }
  tensor<T, D>& output(std::size_t i, const tensor<T, D>& x, tensor<T, D>& y) {
    if (i == std::size_t(-1)) return const_cast<tensor<T, D>&>(x);  // only ever read
    return at(out_, buffer_of(i), y);
  }
  // v[i], or `edge` at either end of the chain (index -1 is the input, count()-1 the output).
  template <class Tensor>
  Tensor& at(std::vector<tensor<T, D>>& v, std::size_t i, Tensor& edge) {
    if (i == std::size_t(-1) || i + 1 == v.size()) return edge;
    return v[i];
  }

  std::vector<tensor<T, D>> out_, grad_, tout_, tgrad_;  // the last entries stay unused: the caller owns y, dy
  std::vector<bool> shares_next_;                        // output i lives in output i + 1's buffer
  std::vector<shape4> lent_;                             // the shapes of the outputs lent to the pool
  bool lent_out_ = false;                                // by the last backward pass
};
}  // namespace detail

template <class First, class... Rest>
class sequential : public detail::chain<sequential<First, Rest...>, typename First::value_type,
                                        typename First::device_type> {
public:
  using T = typename First::value_type;
  using D = typename First::device_type;
  static constexpr std::size_t size = 1 + sizeof...(Rest);
  static constexpr bool tangent_children = (tangent_layer<First> && ... && tangent_layer<Rest>);
  static constexpr bool backward_reads_output =
      !backward_without_output<std::tuple_element_t<sizeof...(Rest), std::tuple<First, Rest...>>>;

  sequential() = default;
  explicit sequential(First first, Rest... rest) : layers_(std::move(first), std::move(rest)...) {}

  template <std::size_t I>
  auto& get() { return std::get<I>(layers_); }

  // The part named `name`, of type L (the first of that type and name); throws when there is none.
  template <class L>
  L& find(std::string_view name) {
    L* found = nullptr;
    each([&](auto& l, std::size_t) {
      if constexpr (std::is_same_v<std::remove_cvref_t<decltype(l)>, L>)
        if (!found && l.name == name) found = &l;
    });
    ACNE_CHECK(found, "sequential '" << this->name << "' has no part '" << name << "' of the type asked for");
    return *found;
  }
  template <class L>
  const L& find(std::string_view name) const { return const_cast<sequential&>(*this).template find<L>(name); }

  std::size_t count() const { return size; }
  template <class F>
  void each(F&& f) {
    [&]<std::size_t... I>(std::index_sequence<I...>) { (f(std::get<I>(layers_), I), ...); }
    (std::make_index_sequence<size>{});
  }
  template <class F>
  void each(F&& f) const {
    [&]<std::size_t... I>(std::index_sequence<I...>) { (f(std::get<I>(layers_), I), ...); }
    (std::make_index_sequence<size>{});
  }
  template <class F>
  void each_reverse(F&& f) {
    [&]<std::size_t... I>(std::index_sequence<I...>) { (f(std::get<size - 1 - I>(layers_), size - 1 - I), ...); }
    (std::make_index_sequence<size>{});
  }

private:
  std::tuple<First, Rest...> layers_;
};

template <class L>
class repeated : public detail::chain<repeated<L>, typename L::value_type, typename L::device_type> {
public:
  using T = typename L::value_type;
  using D = typename L::device_type;
  static constexpr bool tangent_children = tangent_layer<L>;
  static constexpr bool backward_reads_output = !backward_without_output<L>;

  repeated() = default;
  explicit repeated(std::vector<L> layers) : layers_(std::move(layers)) {}
  void push_back(L layer) { layers_.push_back(std::move(layer)); }
  std::size_t count() const { return layers_.size(); }
  L& operator[](std::size_t i) { return layers_[i]; }

  template <class F>
  void each(F&& f) {
    for (std::size_t i = 0; i < layers_.size(); ++i) f(layers_[i], i);
  }
  template <class F>
  void each(F&& f) const {
    for (std::size_t i = 0; i < layers_.size(); ++i) f(layers_[i], i);
  }
  template <class F>
  void each_reverse(F&& f) {
    for (std::size_t i = layers_.size(); i-- > 0;) f(layers_[i], i);
  }

private:
  std::vector<L> layers_;
};

}  // namespace acne
