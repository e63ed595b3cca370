#pragma once
// The synthesis network ws -> image (skip architecture, config F): blocks b4 .. b{R}, each adding
// its ToRGB output to the upsampled image of the blocks before. Input ws [N, num_ws, w_dim, 1]
// (one w per layer, so styles can be mixed and truncated per layer), output [N, img_channels, R, R].
// The blocks pass two streams (features and image) to each other, so the network walks them itself;
// each block is a composition (models/stylegan2/synthesis_block.hpp).
#include <string>
#include <vector>

#include "acne/models/stylegan2/synthesis_block.hpp"

namespace acne::stylegan2 {

template <class T, class D = cpu>
class synthesis_network : public layer_base<T, D> {
public:
  using streams = synthesis_streams<T, D>;

  explicit synthesis_network(const config& c = {}) : cfg_(c), b4_(make_first_synthesis_block<T, D>(c)) {
    c.validate();
    for (std::size_t res = 8; res <= c.resolution; res *= 2) up_.push_back(make_up_synthesis_block<T, D>(c, res));
  }

  shape4 setup(const shape4& in, parameter_registry<T, D>& reg) {
    ACNE_CHECK(in.c == cfg_.num_ws() && in.h == cfg_.w_dim && in.w == 1,
               "synthesis network: ws " << in << ", expected [N," << cfg_.num_ws() << "," << cfg_.w_dim << ",1]");
    shape4 x{};
    each([&](auto& block, std::size_t i) {
      typename parameter_registry<T, D>::scope scope(reg, "b" + std::to_string(4u << i));
      x = block.setup(x, {in.n, block.num_ws(), in.h, in.w}, reg);
    });
    const std::size_t count = up_.size() + 1;
    for (auto* v : {&out_, &grad_, &tout_, &tgrad_}) v->resize(count);
    ws_.resize(count);
    tws_.resize(count);
    dws_.resize(count);
    return {in.n, cfg_.img_channels, cfg_.resolution, cfg_.resolution};
  }

  void forward(const tensor<T, D>& ws, tensor<T, D>& img, context& ctx) {
    ACNE_CHECK(ws.shape().c == cfg_.num_ws() && ws.shape().h == cfg_.w_dim,
               "synthesis network: ws " << ws.shape() << " for " << cfg_.num_ws() << " x " << cfg_.w_dim);
    context noisy = ctx;
    noisy.noise = mode_;
    each([&](auto& block, std::size_t i) {
      slice(ws, ws_, i, block);
      block.forward(before(out_, i), ws_[i], out_[i], noisy);
    });
    img = out_.back().img;
  }

  // dws is overwritten with dL/dws when not null.
  void backward(const tensor<T, D>& ws, const tensor<T, D>&, const tensor<T, D>& dimg, tensor<T, D>* dws,
                context& ctx) {
    grad_.back().img = dimg;
    each_reverse([&](auto& block, std::size_t i) {
      zeroed(dws_[i], ws_[i].shape());
      block.backward(before(out_, i), ws_[i], out_[i], grad_[i], !last(i), i == 0 ? nullptr : &grad_[i - 1], dws_[i],
                     ctx);
    });
    gather(ws.shape(), dws_, dws ? *dws : dws_scratch_);
  }

  // After forward(ws): the derivative of the image along tws (layers/layer.hpp's tangent contract).
  void forward_tangent(const tensor<T, D>& ws, const tensor<T, D>&, const tensor<T, D>& tws, tensor<T, D>& timg,
                       context& ctx) {
    check_shape("synthesis_network::forward_tangent", ws.shape(), tws.shape());
    each([&](auto& block, std::size_t i) {
      slice(tws, tws_, i, block);
      block.forward_tangent(before(out_, i), before(tout_, i), ws_[i], tws_[i], out_[i], tout_[i], ctx);
    });
    timg = tout_.back().img;
  }
  // After backward(ws, img, dimg) and forward_tangent: the derivative of that backward along tws
  // and tdimg; adds that of the parameter gradients and overwrites tdws with that of dL/dws.
  void backward_tangent(const tensor<T, D>& ws, const tensor<T, D>&, const tensor<T, D>&, const tensor<T, D>& tdimg,
                        tensor<T, D>& tdws, context& ctx) {
    tgrad_.back().img = tdimg;
    each_reverse([&](auto& block, std::size_t i) {
      zeroed(dws_[i], ws_[i].shape());
      block.backward_tangent(before(out_, i), before(tout_, i), ws_[i], tws_[i], out_[i], tout_[i], grad_[i], tgrad_[i],
                             !last(i), i == 0 ? nullptr : &tgrad_[i - 1], dws_[i], ctx);
    });
    gather(ws.shape(), dws_, tdws);
  }

  void set_noise_mode(noise_mode m) { mode_ = m; }
  noise_mode get_noise_mode() const { return mode_; }
  const config& cfg() const { return cfg_; }

private:
  // f(block, i) for b4 then each block that doubles the resolution.
  template <class F>
  void each(F&& f) {
    f(b4_, 0);
    for (std::size_t i = 0; i < up_.size(); ++i) f(up_[i], i + 1);
  }
  template <class F>
  void each_reverse(F&& f) {
    for (std::size_t i = up_.size(); i-- > 0;) f(up_[i], i + 1);
    f(b4_, 0);
  }
  // Block i's first w: every block before it used num_conv() of them.
  std::size_t first_w(std::size_t i) const { return i == 0 ? 0 : 2 * i - 1; }
  bool last(std::size_t i) const { return i == up_.size(); }
  const streams& before(const std::vector<streams>& v, std::size_t i) const { return i == 0 ? none_ : v[i - 1]; }

  template <class Block>
  void slice(const tensor<T, D>& ws, std::vector<tensor<T, D>>& to, std::size_t i, const Block& block) const {
    to[i].resize({ws.shape().n, block.num_ws(), ws.shape().h, ws.shape().w});
    slice_channels(ws, to[i], first_w(i));
  }
  void gather(const shape4& s, const std::vector<tensor<T, D>>& parts, tensor<T, D>& to) const {
    zeroed(to, s);
    for (std::size_t i = 0; i < parts.size(); ++i) copy_channels(parts[i], to, first_w(i), true);
  }
  static void zeroed(tensor<T, D>& t, const shape4& s) {
    t.resize(s);
    t.zero();
  }

  config cfg_;
  noise_mode mode_ = noise_mode::random;
  first_synthesis_block<T, D> b4_;
  std::vector<up_synthesis_block<T, D>> up_;  // b8 .. b{R}; the registry points into them: set up after the last push
  std::vector<streams> out_, grad_, tout_, tgrad_;
  std::vector<tensor<T, D>> ws_, tws_, dws_;
  streams none_;
  tensor<T, D> dws_scratch_;
};

}  // namespace acne::stylegan2
