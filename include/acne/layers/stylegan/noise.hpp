#pragma once
// StyleGAN2's noise injection: a [N,1,H,W] noise image times a learned scalar strength (initially 0)
// added to every channel after the modulated convolution. "random" draws fresh noise per call from
// (context seed, step, layer): repeating a forward pass with the same context repeats the noise,
// which the gradient checks and the regularisers' finite differences rely on. "constant" uses the
// saved per-layer noise_const buffer (the reference's noise_mode='const'), "none" adds nothing.
#include <cstdint>
#include <string>

#include "acne/backend.hpp"
#include "acne/layers/layer.hpp"

namespace acne {

// FNV-1a: a stream id from a parameter name that is the same on every platform.
inline std::uint64_t name_stream(const std::string& name) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : name) h = (h ^ c) * 0x100000001b3ull;
  return h;
}

template <class T, class D = cpu>
class noise_injection {
public:
  void setup(std::size_t resolution, parameter_registry<T, D>& reg) {
    resolution_ = resolution;
    reg.add_state("noise_const", {resolution, resolution, 1, 1}, initializer::normal(0, 1), &const_);
    reg.add("noise_strength", {1, 1, 1, 1}, initializer::zeros(), 1, 1, &strength_, &dstrength_);
    stream_ = name_stream(reg.qualified("noise_strength"));
  }

  void forward(tensor<T, D>& y, const context& ctx) {
    const noise_mode mode = mode_ = ctx.noise;
    const auto& s = y.shape();
    ACNE_CHECK(s.h == resolution_ && s.w == resolution_, "noise injection at " << resolution_ << "px got " << s);
    if (mode == noise_mode::none) return;
    if (mode == noise_mode::random) {
      noise_.resize({s.n, 1, s.h, s.w});
      fill_normal(noise_, mix_seed(ctx.seed, ctx.step, stream_));
    }
    add_noise(y, current(), strength_);
  }
  // Adds dL/dstrength given dL/dy.
  void backward(const tensor<T, D>& dy) {
    if (mode_ != noise_mode::none) noise_strength_grad(dy, current(), dstrength_);
  }

  tensor<T, D>& strength() { return strength_; }
  tensor<T, D>& noise_const() { return const_; }

private:
  const tensor<T, D>& current() {
    if (mode_ == noise_mode::random) return noise_;
    const_view_ = const_.reshaped({1, 1, resolution_, resolution_});
    return const_view_;
  }

  std::size_t resolution_ = 0;
  std::uint64_t stream_ = 0;
  noise_mode mode_ = noise_mode::random;
  tensor<T, D> const_, strength_, dstrength_, noise_, const_view_;
};

}  // namespace acne
