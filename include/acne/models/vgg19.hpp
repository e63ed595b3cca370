#pragma once
// VGG19's convolutional features as torchvision builds them (Simonyan & Zisserman 2015), the feature
// extractor of DFDNet and of perceptual losses. Inputs in [-1, 1] are mapped to [0, 1] and
// normalised by ImageNet's channel mean and deviation (kept as the state RGB_mean and RGB_std, as a
// DFDNet checkpoint stores them), then run through four stages whose outputs are the taps: relu2_2
// (128 channels at 1/2), relu3_4 (256 at 1/4), relu4_4 (512 at 1/8) and conv5_4 before its ReLU
// (512 at 1/16). DFDNet's code splits torchvision's `features` at indices 8, 17, 26 and 35, so each
// split ends on a convolution; the next split starts with that convolution's in-place ReLU, which
// rewrites the tap it hands out, and no split applies the ReLU of conv5_4. Convolutions are named by
// their torchvision index under "model.features" ("model.features.34.weight"); width_divisor
// divides every width, for tests.
#include <array>
#include <string>
#include <vector>

#include "acne/backend.hpp"
#include "acne/instances.hpp"
#include "acne/layers/activations.hpp"
#include "acne/layers/conv2d.hpp"
#include "acne/layers/pooling.hpp"
#include "acne/layers/sequential.hpp"
#include "acne/network.hpp"

namespace acne {

template <class T, class D = cpu>
class vgg19_features : public layer_base<T, D> {
  using conv = conv2d<T, D>;
  using act = relu<T, D>;
  using pool = max_pool<T, D>;

public:
  static constexpr std::size_t taps = 4;

  explicit vgg19_features(std::size_t width_divisor = 1)
      : stage1_(c(64, 0, width_divisor), act(), c(64, 2, width_divisor), act(), p(), c(128, 5, width_divisor), act(),
                c(128, 7, width_divisor), act()),
        stage2_(p(), c(256, 10, width_divisor), act(), c(256, 12, width_divisor), act(), c(256, 14, width_divisor),
                act(), c(256, 16, width_divisor), act()),
        stage3_(p(), c(512, 19, width_divisor), act(), c(512, 21, width_divisor), act(), c(512, 23, width_divisor),
                act(), c(512, 25, width_divisor), act()),
        stage4_(p(), c(512, 28, width_divisor), act(), c(512, 30, width_divisor), act(), c(512, 32, width_divisor),
                act(), c(512, 34, width_divisor)),
        divisor_(width_divisor) {}

  shape4 setup(const shape4& in, parameter_registry<T, D>& reg) {
    ACNE_CHECK(in.c == 3 && in.h % 16 == 0 && in.w % 16 == 0,
               "vgg19 '" << this->name << "': input " << in << ", expected 3 channels and sides divisible by 16");
    reg.add_state("RGB_mean", {1, 3, 1, 1}, initializer::of_values({0.485, 0.456, 0.406}), &mean_);
    reg.add_state("RGB_std", {1, 3, 1, 1}, initializer::of_values({0.229, 0.224, 0.225}), &std_);
    typename parameter_registry<T, D>::scope scope(reg, "model.features");
    shape4 s = stage1_.setup(in, reg);
    s = stage2_.setup(s, reg);
    s = stage3_.setup(s, reg);
    return stage4_.setup(s, reg);
  }

  // y = conv5_4; every tap is kept (tap(i)).
  void forward(const tensor<T, D>& x, tensor<T, D>& y, context& ctx) {
    normalize(x, ctx);
    stage1_.forward(normalized_, tap_[0], ctx);
    stage2_.forward(tap_[0], tap_[1], ctx);
    stage3_.forward(tap_[1], tap_[2], ctx);
    stage4_.forward(tap_[2], tap_[3], ctx);
    y = tap_[3];
  }

  // Gradients of a loss on several taps at once (a perceptual loss): dtaps[i] is dL/d tap(i), an
  // empty tensor for a tap the loss does not read. Adds parameter gradients; dx when not null.
  void backward_taps(const std::array<const tensor<T, D>*, taps>& dtaps, tensor<T, D>* dx, context& ctx) {
    const auto at = [&](std::size_t i, tensor<T, D>& g) {
      if (dtaps[i] && !dtaps[i]->empty()) axpy(T(1), *dtaps[i], g);
    };
    g_[3] = *dtaps[3];
    stage4_.backward(tap_[2], tap_[3], g_[3], &g_[2], ctx);
    at(2, g_[2]);
    stage3_.backward(tap_[1], tap_[2], g_[2], &g_[1], ctx);
    at(1, g_[1]);
    stage2_.backward(tap_[0], tap_[1], g_[1], &g_[0], ctx);
    at(0, g_[0]);
    stage1_.backward(normalized_, tap_[0], g_[0], dx ? &dnormalized_ : nullptr, ctx);
    if (!dx) return;
    dx->resize(dnormalized_.shape());
    scale_planes(dnormalized_, factors_, *dx);
  }
  void backward(const tensor<T, D>&, const tensor<T, D>&, const tensor<T, D>& dy, tensor<T, D>* dx, context& ctx) {
    backward_taps({nullptr, nullptr, nullptr, &dy}, dx, ctx);
  }

  const tensor<T, D>& tap(std::size_t i) const { return tap_.at(i); }
  std::size_t tap_channels(std::size_t i) const { return std::array<std::size_t, taps>{128, 256, 512, 512}.at(i) / divisor_; }

private:
  static conv c(std::size_t filters, int index, std::size_t divisor) {
    ACNE_CHECK(divisor >= 1 && 64 % divisor == 0, "vgg19: width divisor " << divisor << " must divide 64");
    return conv({.filters = filters / divisor, .kernel = 3, .name = std::to_string(index)});
  }
  static pool p() { return pool(2, 2); }

  // (x + 1) / 2 normalised by mean and deviation: x * 0.5 / std + (0.5 - mean) / std per channel.
  void normalize(const tensor<T, D>& x, context&) {
    std::array<T, 3> mean{}, dev{};
    memory<D>::to_host(mean.data(), mean_.data(), sizeof mean);
    memory<D>::to_host(dev.data(), std_.data(), sizeof dev);
    const auto& s = x.shape();
    std::vector<T> f(s.n * 3), b(3);
    for (std::size_t c = 0; c < 3; ++c) {
      ACNE_CHECK(dev[c] > T(0), "vgg19 '" << this->name << "': RGB_std[" << c << "] is " << dev[c]);
      for (std::size_t n = 0; n < s.n; ++n) f[n * 3 + c] = T(0.5) / dev[c];
      b[c] = (T(0.5) - mean[c]) / dev[c];
    }
    factors_.resize({s.n, 3, 1, 1});
    shift_.resize({3, 1, 1, 1});
    memory<D>::from_host(factors_.data(), f.data(), f.size() * sizeof(T));
    memory<D>::from_host(shift_.data(), b.data(), b.size() * sizeof(T));
    normalized_.resize(s);
    scale_planes(x, factors_, normalized_);
    add_channel_bias(normalized_, shift_, T(1));
  }

  using head_stage = inlined<sequential<conv, act, conv, act, pool, conv, act, conv, act>>;
  using middle_stage = inlined<sequential<pool, conv, act, conv, act, conv, act, conv, act>>;
  using last_stage = inlined<sequential<pool, conv, act, conv, act, conv, act, conv>>;
  head_stage stage1_;
  middle_stage stage2_, stage3_;
  last_stage stage4_;
  std::size_t divisor_ = 1;
  tensor<T, D> mean_, std_, factors_, shift_, normalized_, dnormalized_;
  std::array<tensor<T, D>, taps> tap_, g_;
};

}  // namespace acne

// Its network, compiled once for the project's programs and tests (acne/instances.hpp).
#define ACNE_VGG19_FEATURES_NETWORK(D) class acne::network<acne::vgg19_features<float, D>>
ACNE_EXTERN_INSTANCES(ACNE_VGG19_FEATURES_NETWORK)
