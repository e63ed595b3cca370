#pragma once
// StyleGAN2 weights in safetensors, one network per file, tensors named as the network's parameter
// slots (= stylegan2-ada-pytorch state_dict keys; tools/convert_stylegan2.py writes such files from
// the reference's checkpoints). Our tensors are 4-d NCHW; a file may hold either that shape or the
// reference's (a bias as [C], noise_strength as [], a dense weight as [out, in]): the two agree
// when the file's shape, right-padded with 1s, equals ours. Trained parameters and saved state
// (mapping.w_avg, noise_const buffers) are both stored.
#include <filesystem>
#include <string>
#include <vector>

#include "acne/backend/upfirdn_geometry.hpp"
#include "acne/io/safetensors.hpp"
#include "acne/models/stylegan2/config.hpp"
#include "acne/network.hpp"

namespace acne::stylegan2 {

inline std::vector<std::int64_t> shape_vector(const shape4& s) {
  return {std::int64_t(s.n), std::int64_t(s.c), std::int64_t(s.h), std::int64_t(s.w)};
}
inline bool same_layout(const std::vector<std::int64_t>& stored, const shape4& ours) {
  if (stored.size() > 4) return false;
  auto padded = stored;
  padded.resize(4, 1);
  return padded == shape_vector(ours);
}

// network: "G", "D" or "G_ema", recorded in the metadata with the config.
template <class L>
io::safetensors_file to_safetensors(network<L>& net, const config& cfg, const std::string& kind) {
  using T = typename L::value_type;
  using D = typename L::device_type;
  io::safetensors_file file;
  file.metadata["format"] = "acne.stylegan2";
  file.metadata["network"] = kind;
  file.set_metadata_json("config", cfg.to_json());
  for (const auto& s : net.slots()) {
    std::vector<T> host(s.shape.size());
    memory<D>::to_host(host.data(), s.value->data(), host.size() * sizeof(T));
    file.tensors.push_back(io::make_record(s.name, shape_vector(s.shape), host));
  }
  return file;
}

template <class L>
void save_weights(network<L>& net, const std::filesystem::path& path, const config& cfg, const std::string& kind) {
  io::save_safetensors(path, to_safetensors(net, cfg, kind));
}

// The official state dict's constant resample_filter buffers: accepted (and not loaded: the
// network builds its own) when they hold the [1,3,3,1] filter every layer here uses; any other
// filter is an error, since the network would resample differently from the weights' training.
// Returns how many there are.
inline std::size_t check_fir_buffers(const io::safetensors_file& file, const std::string& source) {
  std::size_t count = 0;
  const fir_filter expected = fir_filter::stylegan2();
  for (const auto& t : file.tensors) {
    if (!t.name.ends_with("resample_filter")) continue;
    const auto values = t.as<double>();
    bool same = values.size() == expected.h * expected.w;
    for (std::size_t i = 0; same && i < values.size(); ++i) same = std::abs(values[i] - expected.taps[i]) < 1e-7;
    ACNE_CHECK(same, source << ": " << t.name << " is not the [1,3,3,1] FIR filter (outer product, sum 1) that acne's "
                            "StyleGAN2 resamples with");
    ++count;
  }
  return count;
}

// Loads every parameter and state tensor by name. Fails, before changing anything, when the file
// does not hold exactly the network's tensors (the message lists each missing, extra and
// mis-shaped one: a config mismatch such as 2 vs 8 mapping layers is never skipped silently), or
// when its recorded config disagrees with `cfg` on a size. Returns the number of resample_filter
// buffers found equal to the network's FIR (see check_fir_buffers).
template <class L>
std::size_t load_weights(network<L>& net, const io::safetensors_file& stored, const config& cfg,
                         const std::string& source = "checkpoint") {
  using T = typename L::value_type;
  using D = typename L::device_type;
  const std::size_t fir_buffers = check_fir_buffers(stored, source);
  io::safetensors_file without_fir;  // copied only when there are buffers to leave out
  if (fir_buffers) {
    without_fir.metadata = stored.metadata;
    for (const auto& t : stored.tensors)
      if (!t.name.ends_with("resample_filter")) without_fir.tensors.push_back(t);
  }
  const io::safetensors_file& file = fir_buffers ? without_fir : stored;
  std::vector<io::expected_tensor> expected;
  for (const auto& s : net.slots()) {
    const auto* t = file.find(s.name);
    const bool usable = t && io::is_floating(t->type) && same_layout(t->shape, s.shape);
    expected.push_back({s.name, usable ? t->type : io::dtype_of<T>(), usable ? t->shape : shape_vector(s.shape)});
  }
  io::check_against(file, expected, source);
  if (file.metadata.contains("config")) {
    const auto theirs = file.metadata_json("config");
    const auto ours = cfg.to_json();
    for (const char* key : {"resolution", "img_channels", "z_dim", "w_dim", "mapping_layers", "channel_base", "channel_max",
                            "conv_clamp", "mbstd_group", "mbstd_channels"})
      ACNE_CHECK(!theirs.contains(key) || theirs.at(key) == ours.at(key),
                 source << " was made for " << key << " = " << theirs.at(key) << ", the model has " << ours.at(key));
  }
  for (auto& s : net.slots()) {
    const auto values = file.at(s.name).template as<T>();
    memory<D>::from_host(s.value->data(), values.data(), values.size() * sizeof(T));
  }
  return fir_buffers;
}

template <class L>
std::size_t load_weights(network<L>& net, const std::filesystem::path& path, const config& cfg) {
  return load_weights(net, io::load_safetensors(path), cfg, path.string());
}

}  // namespace acne::stylegan2
