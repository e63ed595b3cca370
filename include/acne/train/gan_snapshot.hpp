#pragma once
// A GAN network snapshot: one safetensors file with everything a run needs to continue exactly
// where it was written.
//   "G.<name>", "D.<name>", "G_ema.<name>"   the three networks (each tensor as its NCHW shape)
//   "G_opt.adam.m", "G_opt.adam.v", "D_opt..." both optimizers' state, flat like the parameters
//   metadata: format, config (network JSON), options (the run's gan_options), state (step, kimg,
//   tick, pl_mean, loader position, optimizer steps, elapsed time, the tick log)
// Files are network-snapshot-NNNNNN.safetensors, NNNNNN the tick; writes are atomic, so a killed
// run leaves its previous snapshots intact. A G_ema-only reader (generation) needs just the
// "G_ema." tensors and the config.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "acne/io/report.hpp"
#include "acne/io/safetensors/read.hpp"
#include "acne/io/safetensors/write.hpp"
#include "acne/models/stylegan2/weights.hpp"
#include "acne/optim/adam.hpp"
#include "acne/train/gan_options.hpp"

namespace acne::train {

inline constexpr const char* gan_snapshot_format = "acne.stylegan2.snapshot";

struct gan_state {
  std::uint64_t batch_idx = 0;        // minibatches done
  std::uint64_t cur_nimg = 0;         // real images shown to D
  std::uint64_t loader_position = 0;  // next entry of the real image stream
  std::size_t tick = 0;               // the last completed tick
  double pl_mean = 0;
  double seconds = 0;                 // training time so far, all sessions
  std::size_t g_opt_steps = 0, d_opt_steps = 0;

  nlohmann::json to_json() const {
    return {{"batch_idx", batch_idx}, {"cur_nimg", cur_nimg}, {"kimg", double(cur_nimg) / 1000},
            {"loader_position", loader_position}, {"tick", tick}, {"pl_mean", pl_mean}, {"seconds", seconds},
            {"g_opt_steps", g_opt_steps}, {"d_opt_steps", d_opt_steps}};
  }
  static gan_state from_json(const nlohmann::json& j) {
    gan_state s;
    s.batch_idx = j.at("batch_idx").get<std::uint64_t>();
    s.cur_nimg = j.at("cur_nimg").get<std::uint64_t>();
    s.loader_position = j.at("loader_position").get<std::uint64_t>();
    s.tick = j.at("tick").get<std::size_t>();
    s.pl_mean = j.at("pl_mean").get<double>();
    s.seconds = j.value("seconds", 0.0);
    s.g_opt_steps = j.at("g_opt_steps").get<std::size_t>();
    s.d_opt_steps = j.at("d_opt_steps").get<std::size_t>();
    return s;
  }
};

// What a snapshot says about itself, read without its tensors' values mattering.
struct gan_snapshot_info {
  stylegan2::config config;
  gan_options options;
  gan_state state;
  nlohmann::json ticks = nlohmann::json::array();
};

inline std::filesystem::path snapshot_path(const std::filesystem::path& dir, std::size_t tick) {
  char name[64];
  std::snprintf(name, sizeof name, "network-snapshot-%06zu.safetensors", tick);
  return dir / name;
}

// The snapshot with the highest tick in `dir`, if any.
inline std::optional<std::filesystem::path> find_latest_snapshot(const std::filesystem::path& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return std::nullopt;
  static const std::regex pattern(R"(network-snapshot-(\d+)\.safetensors)");
  std::optional<std::pair<unsigned long long, fs::path>> best;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::smatch m;
    const std::string name = entry.path().filename().string();
    if (!entry.is_regular_file() || !std::regex_match(name, m, pattern)) continue;
    const unsigned long long tick = std::stoull(m[1].str());
    if (!best || tick > best->first) best = {tick, entry.path()};
  }
  if (!best) return std::nullopt;
  return best->second;
}

namespace detail {
template <class L>
void append_network(io::safetensors_file& file, network<L>& net, const std::string& prefix) {
  using T = typename L::value_type;
  using D = typename L::device_type;
  for (const auto& s : net.slots()) {
    std::vector<T> host(s.shape.size());
    memory<D>::to_host(host.data(), s.value->data(), host.size() * sizeof(T));
    file.tensors.push_back(io::make_record(prefix + s.name, stylegan2::shape_vector(s.shape), host));
  }
}

template <class T, class D>
void append_optimizer(io::safetensors_file& file, adam<T, D>& opt, const std::string& prefix) {
  const auto names = opt.state_names();
  for (std::size_t i = 0; i < opt.state().size(); ++i) {
    const auto& t = opt.state()[i];
    std::vector<T> host(t.size());
    memory<D>::to_host(host.data(), t.data(), t.bytes());
    file.tensors.push_back(io::make_record(prefix + names[i], {std::int64_t(t.size())}, host));
  }
}

// Moves the tensors named "<prefix>..." out of `file`, prefix removed.
inline io::safetensors_file take_prefixed(io::safetensors_file& file, const std::string& prefix) {
  io::safetensors_file out;
  out.metadata = file.metadata;
  std::vector<io::tensor_record> rest;
  for (auto& t : file.tensors) {
    if (t.name.rfind(prefix, 0) == 0) {
      t.name.erase(0, prefix.size());
      out.tensors.push_back(std::move(t));
    } else {
      rest.push_back(std::move(t));
    }
  }
  file.tensors = std::move(rest);
  return out;
}

template <class L>
void load_optimizer(io::safetensors_file& file, const std::string& prefix, network<L>& net,
                    adam<typename L::value_type, typename L::device_type>& opt, std::size_t steps,
                    const std::string& source) {
  using T = typename L::value_type;
  using D = typename L::device_type;
  auto& state = opt.state();
  state.clear();
  for (const auto& name : opt.state_names()) {
    const auto* t = file.find(prefix + name);
    if (!t) {
      // A snapshot written before the first step has no optimizer state yet.
      ACNE_CHECK(steps == 0, source << " has no optimizer state '" << prefix + name << "' after " << steps << " steps");
      state.clear();
      break;
    }
    ACNE_CHECK(t->numel() == net.parameters().size(),
               source << ": optimizer state '" << t->name << "' holds " << t->numel() << " values for "
                      << net.parameters().size() << " parameters");
    const auto host = t->template as<T>();
    state.emplace_back(net.parameters().shape());
    memory<D>::from_host(state.back().data(), host.data(), state.back().bytes());
  }
  opt.set_steps(steps);
}
}  // namespace detail

template <class GL, class DL, class T, class D>
void save_gan_snapshot(const std::filesystem::path& path, network<GL>& g, network<DL>& d, network<GL>& g_ema,
                       adam<T, D>& g_opt, adam<T, D>& d_opt, const gan_options& options, const gan_state& state,
                       const nlohmann::json& ticks) {
  io::safetensors_file file;
  file.metadata["format"] = gan_snapshot_format;
  file.set_metadata_json("config", options.config.to_json());
  file.set_metadata_json("options", options.to_json());
  file.set_metadata_json("state", state.to_json());
  file.set_metadata_json("ticks", ticks);
  detail::append_network(file, g, "G.");
  detail::append_network(file, d, "D.");
  detail::append_network(file, g_ema, "G_ema.");
  detail::append_optimizer(file, g_opt, "G_opt.");
  detail::append_optimizer(file, d_opt, "D_opt.");
  io::create_parent_directories(path);
  io::save_safetensors(path, file);
}

inline gan_snapshot_info read_snapshot_info(const io::safetensors_file& file, const std::string& source) {
  const auto it = file.metadata.find("format");
  ACNE_CHECK(it != file.metadata.end() && it->second == gan_snapshot_format,
             source << " is not a StyleGAN2 training snapshot (format '"
                    << (it == file.metadata.end() ? std::string() : it->second) << "')");
  gan_snapshot_info info;
  info.config = stylegan2::config::from_json(file.metadata_json("config"));
  info.options = gan_options::from_json(file.metadata_json("options"));
  info.state = gan_state::from_json(file.metadata_json("state"));
  if (file.metadata.contains("ticks")) info.ticks = file.metadata_json("ticks");
  return info;
}

inline gan_snapshot_info read_snapshot_info(const std::filesystem::path& path) {
  return read_snapshot_info(io::load_safetensors(path), path.string());
}

// Loads networks and optimizers (which must have the snapshot's config) and returns the rest.
template <class GL, class DL, class T, class D>
gan_snapshot_info load_gan_snapshot(const std::filesystem::path& path, network<GL>& g, network<DL>& d,
                                    network<GL>& g_ema, adam<T, D>& g_opt, adam<T, D>& d_opt,
                                    const stylegan2::config& config) {
  auto file = io::load_safetensors(path);
  const std::string source = path.string();
  auto info = read_snapshot_info(file, source);
  const auto load = [&](auto& net, const std::string& prefix) {
    stylegan2::load_weights(net, detail::take_prefixed(file, prefix), config, source + " [" + prefix + "]");
  };
  load(g, "G.");
  load(g_ema, "G_ema.");
  load(d, "D.");
  detail::load_optimizer(file, "G_opt.", g, g_opt, info.state.g_opt_steps, source);
  detail::load_optimizer(file, "D_opt.", d, d_opt, info.state.d_opt_steps, source);
  return info;
}

}  // namespace acne::train
