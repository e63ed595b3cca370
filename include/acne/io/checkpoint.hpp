#pragma once
// Network checkpoints as safetensors files (readable from Python):
//   "<parameter name>"        every parameter and saved state (batch-norm statistics), by the
//                             network's dotted names; shape = the parameter's NCHW shape without its
//                             trailing unit dimensions (conv [out,in,kh,kw], 1x1 conv and dense
//                             [out,in], bias and BN [c]); loading accepts either form
//   "optimizer.<state>"       optional optimizer state (e.g. "optimizer.adam.m"), one flat tensor
//                             mirroring the parameter buffer
//   metadata                  format, architecture, config (JSON), epoch, step, trainer state (JSON),
//                             optimizer (JSON: state names, steps, learning rate)
// Loading checks the architecture name first (a checkpoint of another model is a checkpoint_mismatch
// naming both), then every name and shape, listing each missing, extra and mis-shaped tensor.
// Writes are atomic: a crash while saving leaves the previous checkpoint intact.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "acne/error.hpp"
#include "acne/io/safetensors.hpp"
#include "acne/network.hpp"
#include "acne/optim/optimizer.hpp"

namespace acne::io {

// A checkpoint that does not fit the model it is loaded into (architecture, names or shapes).
class checkpoint_mismatch : public acne::error {
public:
  using acne::error::error;
};

inline constexpr const char* checkpoint_format = "acne.checkpoint";

struct checkpoint_meta {
  std::string architecture{};                        // e.g. "resnet50v2"; empty when unknown
  nlohmann::json config = nlohmann::json::object();  // how to rebuild the model
  std::size_t epoch = 0;                             // epochs completed
  std::size_t step = 0;                              // optimizer steps taken
  nlohmann::json state = nlohmann::json::object();   // trainer state (history, best score, ...)
};

struct checkpoint_load_options {
  std::string architecture{};              // expected architecture; empty: not checked
  std::vector<std::string> skip_prefixes{};  // model parameters kept as they are, file tensors ignored
};

namespace detail {
inline std::vector<std::int64_t> trimmed_shape(const shape4& s) {
  std::vector<std::int64_t> out{std::int64_t(s.n), std::int64_t(s.c), std::int64_t(s.h), std::int64_t(s.w)};
  while (out.size() > 1 && out.back() == 1) out.pop_back();
  return out;
}
inline void trim_unit_tail(std::vector<std::int64_t>& shape) {
  while (shape.size() > 1 && shape.back() == 1) shape.pop_back();
}
inline bool skipped(const std::string& name, const std::vector<std::string>& prefixes) {
  for (const auto& p : prefixes)
    if (name.rfind(p, 0) == 0) return true;
  return false;
}
inline std::string optimizer_tensor(const std::string& state) { return "optimizer." + state; }

template <class T, class D>
tensor_record host_record(const std::string& name, std::vector<std::int64_t> shape, const tensor<T, D>& t) {
  std::vector<T> host(t.size());
  memory<D>::to_host(host.data(), t.data(), t.bytes());
  return make_record(name, std::move(shape), host);
}

template <class T, class D>
void upload(const tensor_record& r, tensor<T, D>& t) {
  const std::vector<T> host = r.as<T>();
  ACNE_CHECK(host.size() == t.size(), "tensor '" << r.name << "' holds " << host.size() << " values, expected " << t.size());
  memory<D>::from_host(t.data(), host.data(), t.bytes());
}

inline std::string meta_string(const safetensors_file& f, const std::string& key) {
  const auto it = f.metadata.find(key);
  return it == f.metadata.end() ? std::string() : it->second;
}

inline checkpoint_meta read_meta(const safetensors_file& f) {
  checkpoint_meta m;
  m.architecture = meta_string(f, "architecture");
  if (f.metadata.contains("config")) m.config = f.metadata_json("config");
  if (f.metadata.contains("epoch")) m.epoch = f.metadata_json("epoch").get<std::size_t>();
  if (f.metadata.contains("step")) m.step = f.metadata_json("step").get<std::size_t>();
  if (f.metadata.contains("state")) m.state = f.metadata_json("state");
  return m;
}

inline void check_architecture(const safetensors_file& f, const std::filesystem::path& path, const std::string& expected) {
  const std::string found = meta_string(f, "architecture");
  if (expected.empty() || found.empty() || found == expected) return;
  throw checkpoint_mismatch("checkpoint '" + path.string() + "' holds a " + found + " model, not " + expected);
}

template <class Layer>
void load_parameters(safetensors_file& file, const std::filesystem::path& path, network<Layer>& net,
                     const checkpoint_load_options& options) {
  using T = typename network<Layer>::T;
  safetensors_file selected;  // takes the parameter tensors over; the optimizer's stay in `file`
  for (auto& t : file.tensors) {
    if (t.name.rfind("optimizer.", 0) == 0 || skipped(t.name, options.skip_prefixes)) continue;
    selected.tensors.push_back(std::move(t));
    trim_unit_tail(selected.tensors.back().shape);
  }
  std::vector<expected_tensor> expected;
  for (const auto& s : net.slots()) {
    if (skipped(s.name, options.skip_prefixes)) continue;
    const auto* t = selected.find(s.name);
    // Floating types convert on load (a float checkpoint into a double model); the rest must match.
    const dtype type = t && is_floating(t->type) ? t->type : dtype_of<T>();
    expected.push_back({s.name, type, trimmed_shape(s.shape)});
  }
  try {
    check_against(selected, expected, "checkpoint '" + path.string() + "'");
  } catch (const checkpoint_mismatch&) {
    throw;
  } catch (const acne::error& e) {
    throw checkpoint_mismatch(e.what());
  }
  for (auto& s : net.slots())
    if (!skipped(s.name, options.skip_prefixes)) upload(selected.at(s.name), *s.value);
}
}  // namespace detail

// The parameters of `net` as safetensors records, in the network's order.
template <class Layer>
std::vector<tensor_record> parameter_records(const network<Layer>& net) {
  std::vector<tensor_record> out;
  for (const auto& s : net.slots())
    out.push_back(detail::host_record(s.name, detail::trimmed_shape(s.shape), net.parameters().view(s.shape, s.offset)));
  return out;
}

inline safetensors_file make_checkpoint_file(std::vector<tensor_record> tensors, const checkpoint_meta& meta) {
  safetensors_file file;
  file.tensors = std::move(tensors);
  file.metadata["format"] = checkpoint_format;
  if (!meta.architecture.empty()) file.metadata["architecture"] = meta.architecture;
  file.set_metadata_json("config", meta.config);
  file.set_metadata_json("epoch", meta.epoch);
  file.set_metadata_json("step", meta.step);
  file.set_metadata_json("state", meta.state);
  return file;
}

template <class Layer>
void save_checkpoint(const std::filesystem::path& path, const network<Layer>& net, const checkpoint_meta& meta) {
  save_safetensors(path, make_checkpoint_file(parameter_records(net), meta));
}

// With the optimizer's state, so that training resumes exactly where it stopped.
template <class Layer, class Policy, class T, class D>
void save_checkpoint(const std::filesystem::path& path, const network<Layer>& net, optimizer<Policy, T, D>& opt,
                     const checkpoint_meta& meta) {
  auto file = make_checkpoint_file(parameter_records(net), meta);
  const auto names = opt.state_names();
  auto& state = opt.state();
  for (std::size_t i = 0; i < state.size(); ++i)
    file.tensors.push_back(detail::host_record(detail::optimizer_tensor(names[i]),
                                               {std::int64_t(state[i].size())}, state[i]));
  file.set_metadata_json("optimizer", {{"state_names", names}, {"steps", opt.steps()}, {"learning_rate", opt.learning_rate()}});
  save_safetensors(path, file);
}

// Metadata only (to pick the architecture before building the network).
inline checkpoint_meta read_checkpoint_meta(const std::filesystem::path& path) {
  return detail::read_meta(load_safetensors(path));
}

template <class Layer>
checkpoint_meta load_checkpoint(const std::filesystem::path& path, network<Layer>& net,
                                const checkpoint_load_options& options = {}) {
  auto file = load_safetensors(path);
  detail::check_architecture(file, path, options.architecture);
  detail::load_parameters(file, path, net, options);
  return detail::read_meta(file);
}

// Parameters and optimizer state; a checkpoint without optimizer state (or of another optimizer,
// or of a differently sized model) is a checkpoint_mismatch.
template <class Layer, class Policy, class T, class D>
checkpoint_meta load_checkpoint(const std::filesystem::path& path, network<Layer>& net, optimizer<Policy, T, D>& opt,
                                const checkpoint_load_options& options = {}) {
  auto file = load_safetensors(path);
  detail::check_architecture(file, path, options.architecture);
  detail::load_parameters(file, path, net, options);
  const auto names = opt.state_names();
  auto& state = opt.state();
  state.clear();
  for (const auto& name : names) {
    const auto* t = file.find(detail::optimizer_tensor(name));
    if (!t)
      throw checkpoint_mismatch("checkpoint '" + path.string() + "' has no optimizer state '" +
                                detail::optimizer_tensor(name) + "' (was it saved without the optimizer?)");
    if (t->numel() != net.parameters().size())
      throw checkpoint_mismatch("checkpoint '" + path.string() + "': optimizer state '" + t->name + "' holds " +
                                std::to_string(t->numel()) + " values for " +
                                std::to_string(net.parameters().size()) + " parameters");
    state.emplace_back(net.parameters().shape());
    detail::upload(*t, state.back());
  }
  const auto info = file.metadata.contains("optimizer") ? file.metadata_json("optimizer") : nlohmann::json::object();
  opt.set_steps(info.value("steps", std::size_t{0}));
  return detail::read_meta(file);
}

}  // namespace acne::io
