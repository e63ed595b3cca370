#pragma once
// residual<Pre, Main, Shortcut>: y = main(pre(x)) + shortcut(s), where the shortcut reads s = pre(x)
// or the raw input x. He et al.'s full pre-activation unit needs both: a projection shortcut reads
// the normalised input, an identity (or pooling) shortcut the input itself, which sum_of, whose
// branches all read x, cannot express. Parameters register in the order pre, shortcut, main. An
// identity pre or shortcut (also one picked by a choice<>) is read in place: a residual adds its
// input, it does not copy it. Its pre-activation is lent to the buffer pool once backward is done.
#include <type_traits>

#include "acne/backend.hpp"
#include "acne/layers/layer.hpp"
#include "acne/layers/shape_ops.hpp"
#include "acne/tensor/buffer_pool.hpp"

namespace acne {

enum class shortcut_input { raw, preactivated };

template <class Pre, class Main, class Shortcut>
class residual : public layer_base<typename Main::value_type, typename Main::device_type> {
public:
  using T = typename Main::value_type;
  using D = typename Main::device_type;

  residual() = default;
  residual(Pre pre, Main main, Shortcut shortcut, shortcut_input from)
      : pre_(std::move(pre)), main_(std::move(main)), shortcut_(std::move(shortcut)), from_(from) {}

  shape4 setup(const shape4& in, parameter_registry<T, D>& reg) {
    const shape4 p = setup_child(pre_, in, reg, 0);
    const shape4 s = setup_child(shortcut_, preactivated() ? p : in, reg, 1);
    const shape4 out = setup_child(main_, p, reg, 2);
    ACNE_CHECK(s == out, "residual '" << this->name << "': shortcut " << s << " and main path " << out
                                      << " differ (an identity shortcut needs " << out.c << " input channels)");
    return out;
  }

  // The main path writes y itself when its backward never reads its output, and y then adds the
  // shortcut: no copy of either. A shortcut whose backward never reads its output (a projection,
  // a pooling) writes into a buffer borrowed for the addition only.
  void forward(const tensor<T, D>& x, tensor<T, D>& y, context& ctx) {
    if constexpr (!identity_pre) {
      take_back_output(pre_out_, lent_pre_);
      pre_.forward(x, pre_out_, ctx);
    }
    if constexpr (main_writes_y) {
      main_.forward(pre_out(x), y, ctx);
    } else {
      take_back_output(main_out_, lent_main_);
      main_.forward(pre_out(x), main_out_, ctx);
      y = main_out_;
    }
    const tensor<T, D>& s = shortcut_input_of(x);
    if (shortcut_is_identity()) return axpy(T(1), s, y);
    if (shortcut_transient) borrow_buffer(short_out_, y.shape(), false);
    shortcut_.forward(s, short_out_, ctx);
    axpy(T(1), short_out_, y);
    if (shortcut_transient) return_buffer(short_out_, false);
  }

  static constexpr bool backward_reads_output = false;

  // The main path and a projection shortcut meet in the gradient of pre(x); a raw shortcut's
  // gradient joins dx after pre's backward, which runs even without dx for pre's parameters.
  void backward(const tensor<T, D>& x, const tensor<T, D>& y, const tensor<T, D>& dy, tensor<T, D>* dx, context& ctx) {
    borrow_buffer(dpre_, pre_out(x).shape(), false);
    main_.backward(pre_out(x), main_writes_y ? y : main_out_, dy, &dpre_, ctx);
    if (preactivated()) add_shortcut_gradient(pre_out(x), y, dy, dpre_, ctx);
    if constexpr (identity_pre) {
      if (dx) *dx = dpre_;
    } else {
      pre_.backward(x, pre_out_, dpre_, dx, ctx);
    }
    if (!preactivated() && dx) add_shortcut_gradient(x, y, dy, *dx, ctx);
    if (!preactivated() && !dx && !shortcut_is_identity()) shortcut_.backward(x, shortcut_output(y), dy, nullptr, ctx);
    return_buffer(dpre_, false);
    return_buffer(dshort_, false);
    if constexpr (!identity_pre) lend_output(pre_out_, lent_pre_);
    if constexpr (!main_writes_y) lend_output(main_out_, lent_main_);
  }

  Pre& pre() { return pre_; }
  Main& main() { return main_; }
  Shortcut& shortcut() { return shortcut_; }

private:
  static constexpr bool identity_pre = std::is_same_v<Pre, identity<T, D>>;
  static constexpr bool identity_shortcut = std::is_same_v<Shortcut, identity<T, D>>;
  static constexpr bool main_writes_y = backward_without_output<Main>;
  static constexpr bool shortcut_transient = backward_without_output<Shortcut>;

  // An identity shortcut, by type or as the pick of a choice<>: read in place, never run.
  bool shortcut_is_identity() const {
    if constexpr (identity_shortcut) return true;
    else if constexpr (requires { shortcut_.template holds<identity<T, D>>(); })
      return shortcut_.template holds<identity<T, D>>();
    else return false;
  }

  bool preactivated() const { return from_ == shortcut_input::preactivated; }
  const tensor<T, D>& pre_out(const tensor<T, D>& x) const { return identity_pre ? x : pre_out_; }
  const tensor<T, D>& shortcut_input_of(const tensor<T, D>& x) const { return preactivated() ? pre_out(x) : x; }
  // What the shortcut's backward reads as its output: y stands in, with its shape, for a transient one.
  const tensor<T, D>& shortcut_output(const tensor<T, D>& y) const { return shortcut_transient ? y : short_out_; }
  // g += dL/d(shortcut input).
  void add_shortcut_gradient(const tensor<T, D>& s, const tensor<T, D>& y, const tensor<T, D>& dy, tensor<T, D>& g,
                             context& ctx) {
    if (shortcut_is_identity()) {
      axpy(T(1), dy, g);
    } else {
      borrow_buffer(dshort_, s.shape(), false);
      shortcut_.backward(s, shortcut_output(y), dy, &dshort_, ctx);
      axpy(T(1), dshort_, g);
    }
  }

  Pre pre_;
  Main main_;
  Shortcut shortcut_;
  shortcut_input from_ = shortcut_input::raw;
  tensor<T, D> pre_out_, main_out_, short_out_, dpre_, dshort_;
  shape4 lent_pre_, lent_main_;  // the shapes of pre_out_ and main_out_ while lent to the pool
};

}  // namespace acne
