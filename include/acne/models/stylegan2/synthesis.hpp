#pragma once
// The synthesis network ws -> image (skip architecture, config F): blocks b4 .. b{R} as one
// styled chain, each adding its ToRGB output to the upsampled image of the block before
// (models/stylegan2/synthesis_block.hpp). Input ws [N, num_ws, w_dim, 1] (one w per layer, so
// styles can be mixed and truncated per layer), output [N, img_channels, R, R]: the last block's
// image. Its features feed nothing further, so the chain's features gradient is empty.
#include <string>

#include "acne/models/stylegan2/synthesis_block.hpp"

namespace acne::stylegan2 {

template <class T, class D = cpu>
class synthesis_network : public layer_base<T, D> {
public:
  explicit synthesis_network(const config& c = {}) : cfg_(c), blocks_(make_blocks(c)) {}

  shape4 setup(const shape4& in, parameter_registry<T, D>& reg) {
    ACNE_CHECK(in.c == cfg_.num_ws() && in.h == cfg_.w_dim && in.w == 1,
               "synthesis network: ws " << in << ", expected [N," << cfg_.num_ws() << "," << cfg_.w_dim << ",1]");
    link();
    blocks_.setup({}, in, reg);
    return {in.n, cfg_.img_channels, cfg_.resolution, cfg_.resolution};
  }

  void forward(const tensor<T, D>& ws, tensor<T, D>& img, context& ctx) {
    ACNE_CHECK(ws.shape().c == cfg_.num_ws() && ws.shape().h == cfg_.w_dim,
               "synthesis network: ws " << ws.shape() << " for " << cfg_.num_ws() << " x " << cfg_.w_dim);
    context noisy = ctx;
    noisy.noise = mode_;
    link();
    blocks_.forward(none_, ws, features_, noisy);
    img = image().img;
  }

  // dws is overwritten with dL/dws when not null.
  void backward(const tensor<T, D>& ws, const tensor<T, D>&, const tensor<T, D>& dimg, tensor<T, D>* dws,
                context& ctx) {
    image().dimg = dimg;
    tensor<T, D>& to = dws ? *dws : dws_scratch_;
    zeroed(to, ws.shape());
    blocks_.backward(none_, ws, features_, none_, nullptr, to, ctx);
  }

  // After forward(ws): the derivative of the image along tws (layers/layer.hpp's tangent contract).
  void forward_tangent(const tensor<T, D>& ws, const tensor<T, D>&, const tensor<T, D>& tws, tensor<T, D>& timg,
                       context& ctx) {
    check_shape("synthesis_network::forward_tangent", ws.shape(), tws.shape());
    blocks_.forward_tangent(none_, ws, features_, none_, tws, tfeatures_, ctx);
    timg = image().timg;
  }
  // After backward(ws, img, dimg) and forward_tangent: the derivative of that backward along tws
  // and tdimg; adds that of the parameter gradients and overwrites tdws with that of dL/dws.
  void backward_tangent(const tensor<T, D>& ws, const tensor<T, D>&, const tensor<T, D>&, const tensor<T, D>& tdimg,
                        tensor<T, D>& tdws, context& ctx) {
    image().tdimg = tdimg;
    zeroed(tdws, ws.shape());
    blocks_.backward_tangent(none_, ws, features_, none_, none_, none_, none_, nullptr, tdws, ctx);
  }

  void set_noise_mode(noise_mode m) { mode_ = m; }
  noise_mode get_noise_mode() const { return mode_; }
  const config& cfg() const { return cfg_; }

private:
  using up_blocks = styled_repeated<up_synthesis_block<T, D>>;
  using blocks = styled_chain<first_synthesis_block<T, D>, inlined<up_blocks>>;

  static blocks make_blocks(const config& c) {
    c.validate();
    up_blocks up;
    for (std::size_t res = 8; res <= c.resolution; res *= 2)
      up.push_back(with_name(make_up_synthesis_block<T, D>(c, res), "b" + std::to_string(res)));
    return blocks(with_name(make_first_synthesis_block<T, D>(c), "b4"), inlined<up_blocks>(std::move(up)));
  }

  struct part_refs {
    first_synthesis_block<T, D>& first;
    up_blocks& rest;
  };
  part_refs parts() { return {blocks_.template get<0>(), blocks_.template get<1>()}; }

  // Each block reads the image of the one before; done before each pass, as blocks may have moved.
  void link() {
    auto [first, rest] = parts();
    skip_image<T, D>* before = &first.image();
    for (std::size_t i = 0; i < rest.count(); ++i) {
      rest[i].link(before);
      before = &rest[i].image();
    }
  }
  skip_image<T, D>& image() {
    auto [first, rest] = parts();
    return rest.count() == 0 ? first.image() : rest[rest.count() - 1].image();
  }
  static void zeroed(tensor<T, D>& t, const shape4& s) {
    t.resize(s);
    t.zero();
  }

  config cfg_;
  noise_mode mode_ = noise_mode::random;
  blocks blocks_;
  tensor<T, D> none_, features_, tfeatures_, dws_scratch_;
};

}  // namespace acne::stylegan2
