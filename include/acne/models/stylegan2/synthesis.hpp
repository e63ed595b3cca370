#pragma once
// The synthesis network ws -> image (skip architecture, config F): blocks b4 .. b{R}, each adding
// its ToRGB output to the upsampled image of the blocks before. Input ws [N, num_ws, w_dim, 1]
// (one w per layer, so styles can be mixed and truncated per layer), output [N, img_channels, R, R].
#include <memory>
#include <string>
#include <vector>

#include "acne/models/stylegan2/synthesis_block.hpp"

namespace acne::stylegan2 {

template <class T, class D = cpu>
class synthesis_network : public layer_base<T, D> {
public:
  explicit synthesis_network(const config& c = {}) : cfg_(c) { c.validate(); }

  shape4 setup(const shape4& in, parameter_registry<T, D>& reg) {
    ACNE_CHECK(in.c == cfg_.num_ws() && in.h == cfg_.w_dim && in.w == 1,
               "synthesis network: ws " << in << ", expected [N," << cfg_.num_ws() << "," << cfg_.w_dim << ",1]");
    blocks_.clear();
    for (std::size_t res = 4; res <= cfg_.resolution; res *= 2) {
      blocks_.push_back(std::make_unique<synthesis_block<T, D>>(cfg_, res));
      typename parameter_registry<T, D>::scope scope(reg, "b" + std::to_string(res));
      blocks_.back()->setup(reg);
    }
    x_.resize(blocks_.size());
    img_.resize(blocks_.size());
    dx_.resize(blocks_.size());
    dimg_.resize(blocks_.size());
    return {in.n, cfg_.img_channels, cfg_.resolution, cfg_.resolution};
  }

  void forward(const tensor<T, D>& ws, tensor<T, D>& img, context& ctx) {
    ACNE_CHECK(ws.shape().c == cfg_.num_ws() && ws.shape().h == cfg_.w_dim,
               "synthesis network: ws " << ws.shape() << " for " << cfg_.num_ws() << " x " << cfg_.w_dim);
    std::size_t w_index = 0;
    for (std::size_t i = 0; i < blocks_.size(); ++i) {
      const std::size_t prev = i == 0 ? 0 : i - 1;
      blocks_[i]->forward(x_[prev], img_[prev], ws, w_index, x_[i], last(i) ? img : img_[i], ctx, mode_);
      w_index += blocks_[i]->num_conv();
    }
  }

  // dws is overwritten with dL/dws when not null.
  void backward(const tensor<T, D>& ws, const tensor<T, D>& img, const tensor<T, D>& dimg, tensor<T, D>* dws,
                context& ctx) {
    tensor<T, D>& dw = dws ? *dws : dws_scratch_;
    dw.resize(ws.shape());
    dw.zero();
    std::size_t w_index = cfg_.num_ws() - 1;
    for (std::size_t i = blocks_.size(); i-- > 0;) {
      w_index -= blocks_[i]->num_conv();
      const std::size_t prev = i == 0 ? 0 : i - 1;
      blocks_[i]->backward(x_[prev], x_[i], last(i) ? nullptr : &dx_[i], last(i) ? dimg : dimg_[i],
                           i == 0 ? nullptr : &dx_[prev], i == 0 ? nullptr : &dimg_[prev], dw, w_index, ctx);
    }
  }

  // After forward(ws): the derivative of the image along tws (layers/layer.hpp's tangent contract).
  void forward_tangent(const tensor<T, D>& ws, const tensor<T, D>&, const tensor<T, D>& tws, tensor<T, D>& timg,
                       context& ctx) {
    check_shape("synthesis_network::forward_tangent", ws.shape(), tws.shape());
    tws_ = tws;
    tx_.resize(blocks_.size());
    timg_.resize(blocks_.size());
    std::size_t w_index = 0;
    for (std::size_t i = 0; i < blocks_.size(); ++i) {
      const std::size_t prev = i == 0 ? 0 : i - 1;
      blocks_[i]->forward_tangent(x_[prev], tx_[prev], timg_[prev], tws_, w_index, x_[i], tx_[i],
                                  last(i) ? timg : timg_[i], ctx);
      w_index += blocks_[i]->num_conv();
    }
  }
  // After backward(ws, img, dimg) and forward_tangent: the derivative of that backward along tws
  // and tdimg; adds that of the parameter gradients and overwrites tdws with that of dL/dws.
  void backward_tangent(const tensor<T, D>& ws, const tensor<T, D>&, const tensor<T, D>&, const tensor<T, D>& tdimg,
                        tensor<T, D>& tdws, context& ctx) {
    tdws.resize(ws.shape());
    tdws.zero();
    tdx_.resize(blocks_.size());
    tdimg_.resize(blocks_.size());
    std::size_t w_index = cfg_.num_ws() - 1;
    for (std::size_t i = blocks_.size(); i-- > 0;) {
      w_index -= blocks_[i]->num_conv();
      const std::size_t prev = i == 0 ? 0 : i - 1;
      blocks_[i]->backward_tangent(x_[prev], tx_[prev], x_[i], tx_[i], last(i) ? nullptr : &tdx_[i],
                                   last(i) ? tdimg : tdimg_[i], i == 0 ? nullptr : &tdx_[prev],
                                   i == 0 ? nullptr : &tdimg_[prev], tdws, w_index, ctx);
    }
  }

  void set_noise_mode(noise_mode m) { mode_ = m; }
  noise_mode get_noise_mode() const { return mode_; }
  const config& cfg() const { return cfg_; }

private:
  bool last(std::size_t i) const { return i + 1 == blocks_.size(); }

  config cfg_;
  noise_mode mode_ = noise_mode::random;
  std::vector<std::unique_ptr<synthesis_block<T, D>>> blocks_;  // stable addresses: the registry points into them
  std::vector<tensor<T, D>> x_, img_, dx_, dimg_, tx_, timg_, tdx_, tdimg_;
  tensor<T, D> dws_scratch_, tws_;
};

}  // namespace acne::stylegan2
