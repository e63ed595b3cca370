#pragma once
// "random-conv-v1": a feature extractor that needs no downloaded weights, for machines without the
// Inception file and for tests. NOT a standard FID: its distances are comparable only with other
// "random-conv-v1" distances (the name is recorded in every statistics file and report).
//
// Definition (fixed forever; a change needs a new name):
//   input 128 x 128 RGB in [-1, 1]
//   4 x [conv 3x3, stride 2, "same" padding, no bias, ReLU] with 32, 64, 128, 256 filters
//   (128 -> 64 -> 32 -> 16 -> 8), global average pooling -> 256 features.
//   Weights, layer by layer in [out, in, kh, kw] order, are w = (2u - 1) * sqrt(6 / fan_in)
//   (He-uniform, fan_in = in * 9), u = (s >> 11) * 2^-53 for successive outputs s of SplitMix64
//   started at state 0x5eed0f1d0001 (SplitMix64: state += 0x9e3779b97f4a7c15; z = state;
//   z = (z ^ z >> 30) * 0xbf58476d1ce4e5b9; z = (z ^ z >> 27) * 0x94d049bb133111eb; s = z ^ z >> 31).
// Random ReLU features of this kind respond to colour, texture and layout statistics, which is what
// a GAN's progress changes; they carry no semantic knowledge, unlike a trained network.
#include <cmath>
#include <cstdint>
#include <memory>
#include <vector>

#include "acne/instances.hpp"
#include "acne/layers/activations.hpp"
#include "acne/layers/conv2d.hpp"
#include "acne/layers/pooling.hpp"
#include "acne/layers/sequential.hpp"
#include "acne/metrics/feature_extractor.hpp"

namespace acne::metrics {

inline constexpr const char* random_conv_name = "random-conv-v1";
inline constexpr std::size_t random_conv_input = 128;

template <class D = cpu>
using random_conv_net = sequential<conv2d<float, D>, relu<float, D>, conv2d<float, D>, relu<float, D>, conv2d<float, D>,
                                   relu<float, D>, conv2d<float, D>, relu<float, D>, global_avg_pool<float, D>>;

namespace detail {
class splitmix64 {
public:
  explicit splitmix64(std::uint64_t state) : state_(state) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  double uniform() { return double(next() >> 11) * 0x1.0p-53; }

private:
  std::uint64_t state_;
};
}  // namespace detail

template <class D = cpu>
network<random_conv_net<D>> make_random_conv_network() {
  const auto conv = [](std::size_t filters, const char* name) {
    return conv2d<float, D>({.filters = filters, .kernel = 3, .stride = 2, .padding = padding_mode::same, .bias = false,
                             .name = name});
  };
  network<random_conv_net<D>> net(random_conv_net<D>(conv(32, "conv1"), relu<float, D>(), conv(64, "conv2"),
                                                     relu<float, D>(), conv(128, "conv3"), relu<float, D>(),
                                                     conv(256, "conv4"), relu<float, D>(), global_avg_pool<float, D>()));
  net.setup({1, 3, random_conv_input, random_conv_input});
  detail::splitmix64 gen(0x5eed0f1d0001ULL);
  for (auto& slot : net.slots()) {
    const double limit = std::sqrt(6.0 / double(slot.shape.c * slot.shape.h * slot.shape.w));
    std::vector<float> host(slot.shape.size());
    for (float& v : host) v = float((2.0 * gen.uniform() - 1.0) * limit);
    memory<D>::from_host(slot.value->data(), host.data(), host.size() * sizeof(float));
  }
  return net;
}

template <class D = cpu>
std::unique_ptr<feature_extractor> make_random_conv_extractor() {
  return std::make_unique<network_extractor<random_conv_net<D>>>(make_random_conv_network<D>(), random_conv_name,
                                                                 random_conv_input, false);
}
#define ACNE_MAKE_RANDOM_CONV_EXTRACTOR(D) std::unique_ptr<feature_extractor> make_random_conv_extractor<D>()
ACNE_EXTERN_INSTANCES(ACNE_MAKE_RANDOM_CONV_EXTRACTOR)

}  // namespace acne::metrics
