#pragma once
// ToRGB: the synthesis layer's 1x1 variant without demodulation (styles scaled by 1/sqrt(fan_in)),
// bias, linear output (clamped when conv_clamp > 0). In the skip generator every block adds its
// ToRGB output to the upsampled image of the previous blocks.
#include "acne/layers/stylegan/synthesis_layer.hpp"

namespace acne {

template <class T, class D = cpu>
class to_rgb : public synthesis_layer<T, D> {
public:
  explicit to_rgb(std::size_t img_channels = 3, double conv_clamp = 0.0)
      : synthesis_layer<T, D>({.filters = img_channels, .conv_clamp = conv_clamp, .to_rgb = true}) {}
};

}  // namespace acne
