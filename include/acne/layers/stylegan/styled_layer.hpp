#pragma once
// The styled-layer contract: a layer of StyleGAN2's synthesis network reads features x and, per
// sample, num_ws() latents, ws [N, >= num_ws(), w_dim, 1] (it reads the first num_ws()):
//   shape4 setup(const shape4& x, const shape4& ws, parameter_registry<T, D>&)
//   std::size_t num_ws() const
//   void forward(const tensor& x, const tensor& ws, tensor& y, context&)
//   void backward(x, ws, y, dy, tensor* dx, tensor& dws, context&)        adds dL/dws into dws
//   void forward_tangent(x, ws, y, tx, tws, tensor& ty, context&)
//   void backward_tangent(x, ws, y, tx, tws, dy, tdy, tensor* tdx, tensor& tdws, context&)
// These are the passes of a conditioned layer (layers/layer.hpp) whose condition is ws. A layer
// may also read ws_ahead() ws past its own, which are the next layer's first: the skip block's
// ToRGB reads the w after its convolutions', as the reference's overlapping block ws do.
// styled_chain<L...> and styled_repeated<L> compose styled layers, each reading the next num_ws()
// ws (and its ws_ahead() beyond), and are styled layers themselves; they run their parts as a
// plain sequential or repeated, each part holding its slice of the ws.
#include <concepts>
#include <utility>
#include <vector>

#include "acne/backend.hpp"
#include "acne/layers/sequential.hpp"

namespace acne {

template <class L>
concept styled_layer = conditioned_tangent_layer<L> && requires(const L& cl) {
  { cl.num_ws() } -> std::convertible_to<std::size_t>;
};

// The ws a styled layer reads: its own num_ws() and the ws_ahead() after them.
template <styled_layer L>
std::size_t ws_read(const L& l) {
  if constexpr (requires { l.ws_ahead(); })
    return l.num_ws() + l.ws_ahead();
  else
    return l.num_ws();
}

// A styled layer as a plain chain sees it: bind() gives it ws channels [offset, offset + read()),
// add_gradient() hands its dL/dws back. A part of no ws reads the whole ws (for the batch size).
template <styled_layer L>
class styled_part : public L {
public:
  using T = typename L::value_type;
  using D = typename L::device_type;

  styled_part() = default;
  explicit styled_part(L l) : L(std::move(l)) {}

  void place(const shape4& ws, std::size_t offset) {
    ws_shape_ = {ws.n, read(), ws.h, ws.w};
    offset_ = offset;
  }
  shape4 setup(const shape4& in, parameter_registry<T, D>& reg) { return L::setup(in, ws_shape_, reg); }

  // The number of ws channels it reads.
  std::size_t read() const { return ws_read(static_cast<const L&>(*this)); }

  void bind(const tensor<T, D>& ws) { w_ = slice(ws, w_slice_); }
  void bind_tangent(const tensor<T, D>& tws) { tw_ = slice(tws, tw_slice_); }
  void add_gradient(tensor<T, D>& dws) const { gather(dw_, dws); }
  void add_tangent_gradient(tensor<T, D>& tdws) const { gather(tdw_, tdws); }

  void forward(const tensor<T, D>& x, tensor<T, D>& y, context& ctx) { L::forward(x, *w_, y, ctx); }
  void backward(const tensor<T, D>& x, const tensor<T, D>& y, const tensor<T, D>& dy, tensor<T, D>* dx, context& ctx) {
    zeroed(dw_, w_->shape());
    L::backward(x, *w_, y, dy, dx, dw_, ctx);
  }
  void forward_tangent(const tensor<T, D>& x, const tensor<T, D>& y, const tensor<T, D>& tx, tensor<T, D>& ty,
                       context& ctx) {
    L::forward_tangent(x, *w_, y, tx, *tw_, ty, ctx);
  }
  void backward_tangent(const tensor<T, D>& x, const tensor<T, D>& y, const tensor<T, D>& tx, const tensor<T, D>& dy,
                        const tensor<T, D>& tdy, tensor<T, D>* tdx, context& ctx) {
    zeroed(tdw_, w_->shape());
    L::backward_tangent(x, *w_, y, tx, *tw_, dy, tdy, tdx, tdw_, ctx);
  }

private:
  const tensor<T, D>* slice(const tensor<T, D>& ws, tensor<T, D>& own) const {
    if (read() == 0 || (offset_ == 0 && ws.shape().c == read())) return &ws;
    own.resize({ws.shape().n, read(), ws.shape().h, ws.shape().w});
    slice_channels(ws, own, offset_);
    return &own;
  }
  void gather(const tensor<T, D>& g, tensor<T, D>& dws) const {
    if (read() > 0) copy_channels(g, dws, offset_, true);
  }
  static void zeroed(tensor<T, D>& t, const shape4& s) {
    t.resize(s);
    t.zero();
  }

  shape4 ws_shape_;
  std::size_t offset_ = 0;
  const tensor<T, D>* w_ = nullptr;
  const tensor<T, D>* tw_ = nullptr;
  tensor<T, D> w_slice_, tw_slice_, dw_, tdw_;
};

// The passes shared by styled_chain and styled_repeated: Parts is a sequential or repeated of
// styled parts.
template <class Parts>
class styled_composition : public layer_base<typename Parts::value_type, typename Parts::device_type> {
public:
  using T = typename Parts::value_type;
  using D = typename Parts::device_type;

  styled_composition() = default;
  explicit styled_composition(Parts parts) : parts_(std::move(parts)) {}

  std::size_t num_ws() const {
    std::size_t count = 0;
    parts_.each([&](const auto& p, std::size_t) { count += p.num_ws(); });
    return count;
  }
  // The ws its last part reads past the composition's own.
  std::size_t ws_ahead() const {
    std::size_t ahead = 0;
    parts_.each([&](const auto& p, std::size_t) { ahead = p.read() - p.num_ws(); });
    return ahead;
  }

  // The parts register in this chain's scope, under their own names.
  shape4 setup(const shape4& x, const shape4& ws, parameter_registry<T, D>& reg) {
    ACNE_CHECK(ws.c >= ws_read(*this),
               "styled chain '" << this->name << "': ws " << ws << " for " << ws_read(*this) << " styled layers");
    std::size_t offset = 0;
    parts_.each([&](auto& p, std::size_t) {
      p.place(ws, offset);
      offset += p.num_ws();
    });
    return parts_.setup(x, reg);
  }

  void forward(const tensor<T, D>& x, const tensor<T, D>& ws, tensor<T, D>& y, context& ctx) {
    parts_.each([&](auto& p, std::size_t) { p.bind(ws); });
    parts_.forward(x, y, ctx);
  }
  void backward(const tensor<T, D>& x, const tensor<T, D>&, const tensor<T, D>& y, const tensor<T, D>& dy,
                tensor<T, D>* dx, tensor<T, D>& dws, context& ctx) {
    parts_.backward(x, y, dy, dx, ctx);
    parts_.each([&](auto& p, std::size_t) { p.add_gradient(dws); });
  }
  void forward_tangent(const tensor<T, D>& x, const tensor<T, D>&, const tensor<T, D>& y, const tensor<T, D>& tx,
                       const tensor<T, D>& tws, tensor<T, D>& ty, context& ctx) {
    parts_.each([&](auto& p, std::size_t) { p.bind_tangent(tws); });
    parts_.forward_tangent(x, y, tx, ty, ctx);
  }
  void backward_tangent(const tensor<T, D>& x, const tensor<T, D>&, const tensor<T, D>& y, const tensor<T, D>& tx,
                        const tensor<T, D>&, const tensor<T, D>& dy, const tensor<T, D>& tdy, tensor<T, D>* tdx,
                        tensor<T, D>& tdws, context& ctx) {
    parts_.backward_tangent(x, y, tx, dy, tdy, tdx, ctx);
    parts_.each([&](auto& p, std::size_t) { p.add_tangent_gradient(tdws); });
  }

protected:
  Parts parts_;
};

template <styled_layer First, styled_layer... Rest>
class styled_chain : public styled_composition<sequential<styled_part<First>, styled_part<Rest>...>> {
  using parts = sequential<styled_part<First>, styled_part<Rest>...>;

public:
  styled_chain() : styled_chain(First{}, Rest{}...) {}
  explicit styled_chain(First first, Rest... rest)
      : styled_composition<parts>(parts(styled_part<First>(std::move(first)), styled_part<Rest>(std::move(rest))...)) {}

  template <std::size_t I>
  auto& get() { return this->parts_.template get<I>(); }
};

// A run-time number of styled layers of one type (the synthesis blocks above 4x4).
template <styled_layer L>
class styled_repeated : public styled_composition<repeated<styled_part<L>>> {
public:
  void push_back(L layer) { this->parts_.push_back(styled_part<L>(std::move(layer))); }
  std::size_t count() const { return this->parts_.count(); }
  L& operator[](std::size_t i) { return this->parts_[i]; }
};

}  // namespace acne
