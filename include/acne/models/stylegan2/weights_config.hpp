#pragma once
// The StyleGAN2 config of a weights file: what its metadata "config" records, completed from its
// tensor shapes, so that a file of any official configuration ('auto' at 2 mapping layers and
// channel_base 16384, 'paper256', 'stylegan2' = config F, or reduced ones) builds the network it
// holds instead of falling back to config F. Read from the shapes: resolution, img_channels,
// z_dim, w_dim, mapping_layers (generator), channel_base and channel_max (the channel count of
// every block), mbstd channels (discriminator). Not in the shapes: conv_clamp (256 when the file
// holds the raw official state dict's resample_filter buffers, as the official train.py trains
// every cfg with it; none otherwise) and the minibatch-stddev group (4): each such choice is noted.
#include <algorithm>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "acne/io/safetensors.hpp"
#include "acne/models/stylegan2/config.hpp"

namespace acne::stylegan2 {

struct weights_config {
  config cfg;
  std::vector<std::string> notes;  // choices the file did not record
};

namespace detail {
// channel_base and channel_max with min(base / res, max) == channels[res] for every block.
inline std::pair<std::size_t, std::size_t> solve_channels(const std::map<std::size_t, std::size_t>& channels,
                                                          const std::string& source) {
  std::size_t top = 0;
  for (const auto& [res, c] : channels) top = std::max(top, c);
  std::vector<std::size_t> bases{top * channels.rbegin()->first};  // every block at the maximum
  for (const auto& [res, c] : channels)
    if (c < top) bases.push_back(c * res);
  for (std::size_t base : bases) {
    bool fits = true;
    for (const auto& [res, c] : channels) fits = fits && std::min(base / res, top) == c;
    if (fits) return {base, top};
  }
  std::ostringstream msg;
  msg << source << ": the blocks' channel counts fit no channel_base/channel_max rule:";
  for (const auto& [res, c] : channels) msg << " " << res << "px " << c;
  ACNE_THROW(msg.str());
}
}  // namespace detail

inline weights_config read_weights_config(const io::safetensors_file& file, const std::string& source) {
  static const std::regex g_block(R"(synthesis\.b(\d+)\.conv1\.weight)"), d_block(R"(b(\d+)\.conv0\.weight)"),
      fc(R"(mapping\.fc(\d+)\.weight)");
  weights_config out;
  config& c = out.cfg;
  std::map<std::size_t, std::size_t> channels;
  std::size_t mapping_layers = 0;
  bool generator = false, discriminator = false, fir_buffers = false;
  std::smatch m;
  for (const auto& t : file.tensors) {
    if (t.name.ends_with("resample_filter")) fir_buffers = true;
    if (t.shape.empty()) continue;
    const std::size_t out_ch = std::size_t(t.shape[0]), in_ch = t.shape.size() > 1 ? std::size_t(t.shape[1]) : 1;
    if (std::regex_match(t.name, m, g_block)) {
      generator = true;
      channels[std::stoul(m[1])] = out_ch;
    } else if (std::regex_match(t.name, m, d_block)) {
      discriminator = true;
      channels[std::stoul(m[1])] = out_ch;
    } else if (std::regex_match(t.name, m, fc)) {
      const std::size_t i = std::stoul(m[1]);
      mapping_layers = std::max(mapping_layers, i + 1);
      if (i == 0) c.z_dim = in_ch;
    } else if (t.name == "b4.conv.weight") {
      discriminator = true;
      channels[4] = out_ch;
      c.mbstd_channels = in_ch - out_ch;
    }
  }
  ACNE_CHECK(generator != discriminator && !channels.empty(),
             source << " holds " << (generator ? "both a generator's and a discriminator's" : "no StyleGAN2")
                    << " blocks (e.g. synthesis.b4.conv1.weight or b4.conv.weight)");
  c.resolution = channels.rbegin()->first;
  std::tie(c.channel_base, c.channel_max) = detail::solve_channels(channels, source);
  if (generator) {
    ACNE_CHECK(mapping_layers > 0, source << " holds a synthesis network but no mapping.fc0.weight");
    c.mapping_layers = mapping_layers;
    const auto* last = file.find("mapping.fc" + std::to_string(mapping_layers - 1) + ".weight");
    ACNE_CHECK(last, source << " lacks mapping.fc" << mapping_layers - 1 << ".weight");
    c.w_dim = std::size_t(last->shape[0]);
    if (const auto* rgb = file.find("synthesis.b" + std::to_string(c.resolution) + ".torgb.weight"))
      c.img_channels = std::size_t(rgb->shape[0]);
  } else if (const auto* rgb = file.find("b" + std::to_string(c.resolution) + ".fromrgb.weight")) {
    c.img_channels = std::size_t(rgb->shape.size() > 1 ? rgb->shape[1] : 1);
  }
  const auto recorded = file.metadata.contains("config") ? file.metadata_json("config") : nlohmann::json::object();
  if (!recorded.contains("conv_clamp")) {
    c.conv_clamp = fir_buffers ? 256.0 : 0.0;
    out.notes.push_back(fir_buffers ? "conv_clamp not recorded: 256, as the official train.py trains (the file is a raw "
                                      "stylegan2-ada-pytorch state dict)"
                                    : "conv_clamp not recorded: none (the TensorFlow original's)");
  }
  if (discriminator && !recorded.contains("mbstd_group"))
    out.notes.push_back("minibatch-stddev group not recorded: " + std::to_string(c.mbstd_group));
  // Recorded fields win; load_weights then checks every tensor's shape against the network.
  c = config::from_json(recorded, c);
  c.validate();
  return out;
}

}  // namespace acne::stylegan2
