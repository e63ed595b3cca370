#pragma once
// The residual discriminator image -> logit (config F): blocks b{R} .. b8, each halving the
// resolution, then the 4x4 epilogue "b4". Parameter names follow stylegan2-ada-pytorch, e.g.
// b256.fromrgb.weight (top block only), b64.conv0.weight, b64.conv1.bias, b64.skip.weight,
// b4.conv.weight, b4.fc.weight, b4.out.bias.
#include <memory>
#include <string>
#include <vector>

#include "acne/models/stylegan2/discriminator_block.hpp"
#include "acne/models/stylegan2/discriminator_epilogue.hpp"

namespace acne::stylegan2 {

// Input [N, img_channels, R, R] (images in [-1, 1]), output [N, 1, 1, 1] logits.
template <class T, class D = cpu>
class discriminator : public layer_base<T, D> {
public:
  explicit discriminator(const config& c = {}) : cfg_(c), epilogue_(c) { c.validate(); }

  shape4 setup(const shape4& in, parameter_registry<T, D>& reg) {
    ACNE_CHECK(in.c == cfg_.img_channels && in.h == cfg_.resolution && in.w == cfg_.resolution,
               "discriminator: input " << in << " for " << cfg_.img_channels << " x " << cfg_.resolution << "^2 images");
    blocks_.clear();
    shape4 s = in;
    for (std::size_t res = cfg_.resolution; res > 4; res /= 2) {
      blocks_.push_back(std::make_unique<discriminator_block<T, D>>(cfg_, res, res == cfg_.resolution));
      typename parameter_registry<T, D>::scope scope(reg, "b" + std::to_string(res));
      s = blocks_.back()->setup(s, reg);
    }
    acts_.resize(blocks_.size() + 1);
    grads_.resize(blocks_.size() + 1);
    typename parameter_registry<T, D>::scope scope(reg, "b4");
    const shape4 out = epilogue_.setup(s, reg);
    return {out.n, 1, 1, 1};
  }

  void forward(const tensor<T, D>& img, tensor<T, D>& y, context& ctx) {
    const tensor<T, D>* x = &img;
    for (std::size_t i = 0; i < blocks_.size(); ++i) {
      blocks_[i]->forward(*x, acts_[i], ctx);
      x = &acts_[i];
    }
    epilogue_.forward(*x, logits_, ctx);
    y.resize({img.shape().n, 1, 1, 1});
    copy(logits_, y);
  }

  void backward(const tensor<T, D>& img, const tensor<T, D>&, const tensor<T, D>& dy, tensor<T, D>* dimg, context& ctx) {
    const std::size_t nb = blocks_.size();
    const auto input = [&](std::size_t i) -> const tensor<T, D>& { return i == 0 ? img : acts_[i - 1]; };
    dlogits_.resize(logits_.shape());
    copy(dy, dlogits_);
    epilogue_.backward(input(nb), logits_, dlogits_, nb == 0 ? dimg : &grads_[nb], ctx);
    for (std::size_t i = nb; i-- > 0;)
      blocks_[i]->backward(input(i), acts_[i], grads_[i + 1], i == 0 ? dimg : &grads_[i], ctx);
  }

  void forward_tangent(const tensor<T, D>& img, const tensor<T, D>&, const tensor<T, D>& timg, tensor<T, D>& ty,
                       context& ctx) {
    tacts_.resize(blocks_.size());
    const tensor<T, D>* x = &img;
    const tensor<T, D>* tx = &timg;
    for (std::size_t i = 0; i < blocks_.size(); ++i) {
      blocks_[i]->forward_tangent(*x, acts_[i], *tx, tacts_[i], ctx);
      x = &acts_[i], tx = &tacts_[i];
    }
    epilogue_.forward_tangent(*x, logits_, *tx, ty, ctx);
  }
  void backward_tangent(const tensor<T, D>& img, const tensor<T, D>&, const tensor<T, D>& timg, const tensor<T, D>&,
                        const tensor<T, D>& tdy, tensor<T, D>* tdimg, context& ctx) {
    const std::size_t nb = blocks_.size();
    tgrads_.resize(nb + 1);
    const auto input = [&](std::size_t i) -> const tensor<T, D>& { return i == 0 ? img : acts_[i - 1]; };
    const auto tangent = [&](std::size_t i) -> const tensor<T, D>& { return i == 0 ? timg : tacts_[i - 1]; };
    epilogue_.backward_tangent(input(nb), logits_, tangent(nb), dlogits_, tdy, nb == 0 ? tdimg : &tgrads_[nb], ctx);
    for (std::size_t i = nb; i-- > 0;)
      blocks_[i]->backward_tangent(input(i), acts_[i], tangent(i), grads_[i + 1], tgrads_[i + 1],
                                   i == 0 ? tdimg : &tgrads_[i], ctx);
  }

  const config& cfg() const { return cfg_; }

private:
  config cfg_;
  std::vector<std::unique_ptr<discriminator_block<T, D>>> blocks_;
  discriminator_epilogue<T, D> epilogue_;
  std::vector<tensor<T, D>> acts_, grads_, tacts_, tgrads_;
  tensor<T, D> logits_, dlogits_;
};

}  // namespace acne::stylegan2
