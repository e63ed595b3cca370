#pragma once
// The styled-layer contract: a layer of StyleGAN2's synthesis network reads features x and, per
// sample, num_ws() latents, ws [N, >= num_ws(), w_dim, 1] (it reads the first num_ws()):
//   shape4 setup(const shape4& x, const shape4& ws, parameter_registry<T, D>&)
//   std::size_t num_ws() const
//   void forward(const tensor& x, const tensor& ws, tensor& y, context&)
//   void backward(x, ws, y, dy, tensor* dx, tensor& dws, context&)        adds dL/dws into dws
//   void forward_tangent(x, ws, y, tx, tws, tensor& ty, context&)
//   void backward_tangent(x, ws, y, tx, tws, dy, tdy, tensor* tdx, tensor& tdws, context&)
// These are the passes of a conditioned layer (layers/layer.hpp) whose condition is ws.
// styled_chain<L...> composes styled layers, each reading the next num_ws() ws, and is one itself;
// it runs its parts as a plain sequential, each part holding its slice of the chain's ws.
#include <concepts>
#include <utility>

#include "acne/backend.hpp"
#include "acne/layers/sequential.hpp"

namespace acne {

template <class L>
concept styled_layer = conditioned_tangent_layer<L> && requires(const L& cl) {
  { cl.num_ws() } -> std::convertible_to<std::size_t>;
};

// A styled layer as a plain chain sees it: bind() gives it ws channels [offset, offset + num_ws()),
// add_gradient() hands its dL/dws back. A part of no ws reads the whole ws (for the batch size).
template <styled_layer L>
class styled_part : public L {
public:
  using T = typename L::value_type;
  using D = typename L::device_type;

  styled_part() = default;
  explicit styled_part(L l) : L(std::move(l)) {}

  void place(const shape4& ws, std::size_t offset) {
    ws_shape_ = {ws.n, this->num_ws(), ws.h, ws.w};
    offset_ = offset;
  }
  shape4 setup(const shape4& in, parameter_registry<T, D>& reg) { return L::setup(in, ws_shape_, reg); }

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
    if (this->num_ws() == 0 || (offset_ == 0 && ws.shape().c == this->num_ws())) return &ws;
    own.resize({ws.shape().n, this->num_ws(), ws.shape().h, ws.shape().w});
    slice_channels(ws, own, offset_);
    return &own;
  }
  void gather(const tensor<T, D>& g, tensor<T, D>& dws) const {
    if (this->num_ws() > 0) copy_channels(g, dws, offset_, true);
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

template <styled_layer First, styled_layer... Rest>
class styled_chain : public layer_base<typename First::value_type, typename First::device_type> {
public:
  using T = typename First::value_type;
  using D = typename First::device_type;

  styled_chain() : styled_chain(First{}, Rest{}...) {}
  explicit styled_chain(First first, Rest... rest)
      : count_((first.num_ws() + ... + rest.num_ws())),
        parts_(styled_part<First>(std::move(first)), styled_part<Rest>(std::move(rest))...) {}

  std::size_t num_ws() const { return count_; }

  // The parts register in this chain's scope, under their own names.
  shape4 setup(const shape4& x, const shape4& ws, parameter_registry<T, D>& reg) {
    std::size_t offset = 0;
    parts_.each([&](auto& p, std::size_t) {
      p.place(ws, offset);
      offset += p.num_ws();
    });
    ACNE_CHECK(ws.c >= count_, "styled chain '" << this->name << "': ws " << ws << " for " << count_ << " styled layers");
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

  template <std::size_t I>
  auto& get() { return parts_.template get<I>(); }

private:
  std::size_t count_;
  sequential<styled_part<First>, styled_part<Rest>...> parts_;
};

}  // namespace acne
