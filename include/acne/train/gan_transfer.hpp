#pragma once
// Transfer learning: start G, D and G_ema from pretrained weights and train all layers or chosen ones.
//
// Pretrained weights come as tools/convert_stylegan2.py writes them (one file per network, metadata
// "network" = G, D or G_ema; with several networks the files are <stem>.G.safetensors,
// <stem>.D.safetensors, <stem>.G_ema.safetensors) or as a training snapshot of this library. Either
// name one of the files or the common <stem>.safetensors. G falls back to G_ema and vice versa (the
// official FFHQ release is mostly used through G_ema); without a D, D starts from its random
// initialisation, which is said in the returned description. The model must have the weights'
// config: the first tensor that is missing, extra or shaped differently is named in the error,
// never skipped (the reference's silent skip of 2 vs 8 mapping layers is a known trap).
//
// Freezing: "G.<prefix>" / "D.<prefix>" freeze parameters by name; train_only freezes the rest of
// its network; Freeze-D (freeze_d = N) freezes the first N discriminator layers in the reference's
// order: the top block's fromrgb, conv0, conv1, skip, then conv0, conv1, skip of each lower block.
// The 4x4 epilogue is never frozen by Freeze-D.
#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "acne/io/safetensors/read.hpp"
#include "acne/models/stylegan2/weights.hpp"
#include "acne/models/stylegan2/weights_config.hpp"
#include "acne/train/gan_options.hpp"
#include "acne/train/gan_snapshot.hpp"

namespace acne::train {

// Parameter prefixes of the first n discriminator layers ("b256.fromrgb.", "b256.conv0.", ...).
inline std::vector<std::string> freeze_d_prefixes(const stylegan2::config& c, std::size_t n) {
  std::vector<std::string> layers;
  for (std::size_t res = c.resolution; res > 4; res /= 2) {
    const std::string b = "b" + std::to_string(res) + ".";
    if (res == c.resolution) layers.push_back(b + "fromrgb.");
    for (const char* l : {"conv0.", "conv1.", "skip."}) layers.push_back(b + l);
  }
  ACNE_CHECK(n <= layers.size(), "Freeze-D: " << n << " layers asked, the discriminator has " << layers.size()
                                              << " outside its epilogue at " << c.resolution << "px");
  layers.resize(n);
  return layers;
}

namespace detail {
inline bool has_prefix(const std::string& name, const std::vector<std::string>& prefixes) {
  for (const auto& p : prefixes)
    if (name.rfind(p, 0) == 0) return true;
  return false;
}
// The prefixes of `list` that belong to network `net` ("G" or "D"), without "G." / "D.".
inline std::vector<std::string> for_network(const std::vector<std::string>& list, const std::string& net) {
  std::vector<std::string> out;
  for (const auto& p : list)
    if (p.rfind(net + ".", 0) == 0) out.push_back(p.substr(net.size() + 1));
  return out;
}
}  // namespace detail

// Applies options.freeze, train_only and freeze_d to one network ("G" or "D"); returns how many
// parameter tensors are frozen. A prefix that matches nothing is an error (a typo would otherwise
// train everything).
template <class L>
std::size_t apply_freezing(network<L>& net, const std::string& which, const gan_options& o) {
  auto frozen = detail::for_network(o.freeze, which);
  if (which == "D")
    for (const auto& p : freeze_d_prefixes(o.config, o.freeze_d)) frozen.push_back(p);
  const auto only = detail::for_network(o.train_only, which);
  for (const auto& list : {frozen, only})
    for (const auto& p : list) {
      bool used = false;
      for (const auto& s : net.slots()) used = used || s.name.rfind(p, 0) == 0;
      ACNE_CHECK(used, "no " << which << " parameter name starts with '" << p << "'");
    }
  std::size_t count = 0;
  for (auto& s : net.slots()) {
    if (!s.trainable()) continue;
    s.frozen = detail::has_prefix(s.name, frozen) || (!only.empty() && !detail::has_prefix(s.name, only));
    count += s.frozen ? 1 : 0;
  }
  return count;
}

// The first tensor on which `file` and `net` disagree, or "" when they agree.
template <class L>
std::string first_mismatch(const network<L>& net, const io::safetensors_file& file) {
  std::map<std::string, const io::tensor_record*> by_name;
  for (const auto& t : file.tensors) by_name[t.name] = &t;
  for (const auto& s : net.slots()) {
    const auto it = by_name.find(s.name);
    if (it == by_name.end()) return "'" + s.name + "' is missing from the file";
    if (!stylegan2::same_layout(it->second->shape, s.shape))
      return "'" + s.name + "' has shape " + io::detail::shape_string(it->second->shape) + " in the file, the model's is " +
             io::detail::shape_string(stylegan2::shape_vector(s.shape));
    by_name.erase(it);
  }
  for (const auto& t : file.tensors)
    if (by_name.contains(t.name)) return "'" + t.name + "' is in the file but not in the model";
  return {};
}

// Checks, naming the first mismatching tensor and the configs, then loads.
template <class L>
void load_pretrained_network(network<L>& net, const io::safetensors_file& file, const stylegan2::config& cfg,
                             const std::string& source) {
  const std::string bad = first_mismatch(net, file);
  if (!bad.empty()) {
    std::ostringstream msg;
    msg << source << " does not fit the model: " << bad;
    if (file.metadata.contains("config"))
      msg << " (the file's config: " << file.metadata_json("config").dump() << "; the model's: " << cfg.to_json().dump()
          << ")";
    ACNE_THROW(msg.str());
  }
  stylegan2::load_weights(net, file, cfg, source);
}

struct pretrained_files {
  std::map<std::string, io::safetensors_file> networks;  // "G", "D", "G_ema"
  std::map<std::string, std::string> sources;
};

// Finds and reads the networks of a pretrained path (see the header comment).
inline pretrained_files read_pretrained(const std::filesystem::path& path) {
  namespace fs = std::filesystem;
  pretrained_files out;
  const auto add = [&](const fs::path& p) {
    auto file = io::load_safetensors(p);
    const auto format = file.metadata.find("format");
    if (format != file.metadata.end() && format->second == gan_snapshot_format) {
      for (const char* net : {"G_ema", "G", "D"}) {
        auto sub = detail::take_prefixed(file, std::string(net) + ".");
        if (!sub.tensors.empty() && !out.networks.contains(net)) {
          out.networks[net] = std::move(sub);
          out.sources[net] = p.string() + " [" + net + "]";
        }
      }
      return;
    }
    const auto kind = file.metadata.find("network");
    ACNE_CHECK(kind != file.metadata.end() && (kind->second == "G" || kind->second == "D" || kind->second == "G_ema"),
               "pretrained file " << p.string() << " does not say which network it holds (metadata 'network')");
    if (!out.networks.contains(kind->second)) {
      out.sources[kind->second] = p.string();
      out.networks[kind->second] = std::move(file);
    }
  };
  std::error_code ec;
  if (fs::is_regular_file(path, ec)) add(path);
  // Siblings: <stem>.G.safetensors etc., from "<stem>.safetensors" or "<stem>.<net>.safetensors".
  std::string stem = path.stem().string();
  for (const char* net : {".G_ema", ".G", ".D"})
    if (stem.size() > std::string(net).size() && stem.ends_with(net)) {
      stem.resize(stem.size() - std::string(net).size());
      break;
    }
  for (const char* net : {"G", "D", "G_ema"}) {
    const fs::path sibling = path.parent_path() / (stem + "." + net + ".safetensors");
    if (!out.networks.contains(net) && sibling != path && fs::is_regular_file(sibling, ec)) add(sibling);
  }
  ACNE_CHECK(!out.networks.empty(), "no pretrained StyleGAN2 weights at " << path.string());
  return out;
}

// The network that pretrained weights hold (recorded config, else the tensor shapes: see
// models/stylegan2/weights_config.hpp): the generator's sizes, the discriminator's minibatch-stddev
// settings when a D is there. `notes` receives the choices the files did not record.
inline stylegan2::config pretrained_config(const std::filesystem::path& path, std::vector<std::string>* notes = nullptr) {
  const auto files = read_pretrained(path);
  const std::string g = files.networks.contains("G_ema") ? "G_ema" : "G";
  ACNE_CHECK(files.networks.contains(g), "pretrained weights at " << path.string() << " hold no generator");
  auto [cfg, said] = stylegan2::read_weights_config(files.networks.at(g), files.sources.at(g));
  if (files.networks.contains("D")) {
    auto [dcfg, dsaid] = stylegan2::read_weights_config(files.networks.at("D"), files.sources.at("D"));
    cfg.mbstd_group = dcfg.mbstd_group, cfg.mbstd_channels = dcfg.mbstd_channels;
    said.insert(said.end(), dsaid.begin(), dsaid.end());
  }
  if (notes) *notes = std::move(said);
  return cfg;
}

// Loads G, D and G_ema from `path`; returns one line per network saying where it came from.
template <class GL, class DL>
std::vector<std::string> load_pretrained(const std::filesystem::path& path, network<GL>& g, network<DL>& d,
                                         network<GL>& g_ema, const stylegan2::config& cfg) {
  const auto files = read_pretrained(path);
  std::vector<std::string> said;
  const auto pick = [&](const std::string& first, const std::string& second) -> std::string {
    return files.networks.contains(first) ? first : files.networks.contains(second) ? second : std::string();
  };
  const std::string g_src = pick("G", "G_ema"), ema_src = pick("G_ema", "G");
  ACNE_CHECK(!g_src.empty(), "pretrained weights at " << path.string() << " hold no generator");
  load_pretrained_network(g, files.networks.at(g_src), cfg, files.sources.at(g_src));
  said.push_back("G from " + files.sources.at(g_src));
  load_pretrained_network(g_ema, files.networks.at(ema_src), cfg, files.sources.at(ema_src));
  said.push_back("G_ema from " + files.sources.at(ema_src));
  if (files.networks.contains("D")) {
    load_pretrained_network(d, files.networks.at("D"), cfg, files.sources.at("D"));
    said.push_back("D from " + files.sources.at("D"));
  } else {
    said.push_back("D: no pretrained discriminator found, it starts from its random initialisation");
  }
  return said;
}

}  // namespace acne::train
