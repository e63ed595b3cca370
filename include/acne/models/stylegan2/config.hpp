#pragma once
// Run-time configuration of StyleGAN2 (generator and discriminator), with the reference's presets.
// config_f(R) is the paper's config F as stylegan2-ada-pytorch's 'stylegan2' cfg builds it;
// paper256() is its 'paper256' cfg (half the feature maps, minibatch-stddev groups of 8).
#include <algorithm>
#include <bit>
#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

#include "acne/error.hpp"

namespace acne::stylegan2 {

struct config {
  std::size_t resolution = 1024;
  std::size_t img_channels = 3;
  std::size_t z_dim = 512, w_dim = 512;
  std::size_t mapping_layers = 8;
  double mapping_lr_mult = 0.01;
  double w_avg_beta = 0.995;
  std::size_t channel_base = 32768, channel_max = 512;
  double conv_clamp = 0.0;  // 0: none (the paper, TF); stylegan2-ada-pytorch trains with 256
  std::size_t mbstd_group = 4, mbstd_channels = 1;

  static config config_f(std::size_t resolution) {
    config c;
    c.resolution = resolution;
    return c;
  }
  static config paper256() {
    config c;
    c.resolution = 256;
    c.channel_base = 16384;
    c.mbstd_group = 8;
    return c;
  }

  // Feature maps at a resolution: min(channel_base / res, channel_max).
  std::size_t channels(std::size_t res) const { return std::min(channel_base / res, channel_max); }
  std::size_t log2_resolution() const { return std::size_t(std::bit_width(resolution) - 1); }
  // Two per block (conv0, conv1) except the 4x4 block's one, plus the last ToRGB: 2 log2(R) - 2.
  std::size_t num_ws() const { return 2 * log2_resolution() - 2; }

  void validate() const {
    ACNE_CHECK(resolution >= 4 && std::has_single_bit(resolution),
               "StyleGAN2 resolution must be a power of two >= 4, not " << resolution);
    ACNE_CHECK(img_channels > 0 && z_dim > 0 && w_dim > 0 && mapping_layers > 0 && mbstd_group > 0,
               "StyleGAN2 config has a zero size");
    ACNE_CHECK(channels(resolution) > 0, "channel_base " << channel_base << " gives no channels at " << resolution << "px");
  }

  // The one architecture built here, as the reference names it (G 'skip', D 'resnet'), recorded so
  // that weights of another one are refused rather than loaded into the wrong wiring.
  static constexpr const char* architecture = "skip/resnet";

  nlohmann::json to_json() const;
  // Missing keys keep base's values, so a partial description (e.g. from a converter) reads too.
  static config from_json(const nlohmann::json& j) { return from_json(j, config{}); }
  static config from_json(const nlohmann::json& j, const config& base);
};

// The JSON keys are the field names.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(config, resolution, img_channels, z_dim, w_dim, mapping_layers,
                                                mapping_lr_mult, w_avg_beta, channel_base, channel_max, conv_clamp,
                                                mbstd_group, mbstd_channels)

inline nlohmann::json config::to_json() const {
  nlohmann::json j = *this;
  j["architecture"] = architecture;
  return j;
}

inline config config::from_json(const nlohmann::json& j, const config& base) {
  if (j.contains("architecture"))
    ACNE_CHECK(j.at("architecture") == architecture, "StyleGAN2 architecture " << j.at("architecture")
                                                         << ": acne builds " << architecture << " (G skip, D resnet)");
  nlohmann::json merged = base;
  merged.update(j);
  return merged.get<config>();
}

}  // namespace acne::stylegan2
