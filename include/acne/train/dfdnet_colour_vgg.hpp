#pragma once
// A stand-in for ImageNet VGG19 weights where they cannot be had (the tests, bench_dfdnet_training):
// the generator's own VGG19 with the first three channels of every convolution carrying the image's
// colour planes (an identity kernel; at the first convolution a bias of 3 keeps the
// ImageNet-normalised planes above ReLU's kink), the other channels as they were. DFDNet decodes
// the face from VGG19's taps alone, with no path from its input, so a VGG19 that loses the colours
// (random weights: a linear probe of relu2_2 reads 17.7 dB at widths / 16) bounds what any training
// can reach; ImageNet weights keep them, and so does this one (39.7 dB).
#include <string>

#include "acne/models/dfdnet/generator.hpp"
#include "acne/network.hpp"

namespace acne::dfdnet {

inline void keep_colour_planes(network<generator<float>>& g) {
  const std::string prefix = "VggExtract.model.features.";
  for (auto& s : g.slots()) {
    if (!s.name.starts_with(prefix)) continue;
    tensor<float>& t = *s.value;
    if (s.name.ends_with(".weight")) {
      const std::size_t in = s.shape.c, taps = s.shape.h * s.shape.w;
      for (std::size_t o = 0; o < 3; ++o)
        for (std::size_t i = 0; i < in * taps; ++i) t[o * in * taps + i] = i == o * taps + taps / 2 ? 1.0f : 0.0f;
    } else if (s.name.ends_with(".bias")) {
      for (std::size_t o = 0; o < 3; ++o) t[o] = s.name == prefix + "0.bias" ? 3.0f : 0.0f;
    }
  }
}

}  // namespace acne::dfdnet
