#pragma once
// Loads published weights (converted to safetensors, e.g. by tools/convert_pytorch_fid.py) into a
// network by parameter name. Every parameter of the network must be in the file with its shape
// (trailing unit dimensions ignored, so a 1x1 convolution may be [out, in] or [out, in, 1, 1]); a
// missing or mis-shaped tensor is an error that names it. Tensors the network does not use (a
// classifier the features skip, blocks past a feature tap) are ignored when `ignore_extra` is set,
// and listed in the result. Floating-point files of any precision load into float or double models.
#include <cstdint>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "acne/error.hpp"
#include "acne/io/safetensors.hpp"
#include "acne/network.hpp"

namespace acne {

struct pretrained_options {
  bool ignore_extra = false;
  std::string only_prefix{};  // set: only the network's parameters of this prefix are loaded (the rest kept)
};

struct pretrained_result {
  std::size_t loaded = 0;            // tensors copied into the network
  std::vector<std::string> ignored;  // file tensors the network has no parameter for
};

namespace detail {
inline std::vector<std::int64_t> without_unit_tail(std::vector<std::int64_t> shape) {
  while (shape.size() > 1 && shape.back() == 1) shape.pop_back();
  return shape;
}
}  // namespace detail

// `source` names the file in messages.
template <class Layer>
pretrained_result load_pretrained(io::safetensors_file file, const std::string& source, network<Layer>& net,
                                  const pretrained_options& options = {}) {
  using T = typename network<Layer>::T;
  using D = typename network<Layer>::D;
  ACNE_CHECK(!net.slots().empty(), "load_pretrained: set the network up before loading " << source);
  const auto loads = [&](const std::string& name) { return name.starts_with(options.only_prefix); };
  std::set<std::string> wanted;
  for (const auto& s : net.slots())
    if (loads(s.name)) wanted.insert(s.name);

  pretrained_result result;
  io::safetensors_file used;
  for (auto& t : file.tensors) {
    if (!wanted.contains(t.name)) {
      result.ignored.push_back(t.name);
      if (options.ignore_extra) continue;
    }
    t.shape = detail::without_unit_tail(std::move(t.shape));
    used.tensors.push_back(std::move(t));
  }
  std::vector<io::expected_tensor> expected;
  for (const auto& s : net.slots()) {
    if (!loads(s.name)) continue;
    const auto* t = used.find(s.name);
    const io::dtype type = t && io::is_floating(t->type) ? t->type : io::dtype_of<T>();
    expected.push_back({s.name, type, detail::without_unit_tail({std::int64_t(s.shape.n), std::int64_t(s.shape.c),
                                                                 std::int64_t(s.shape.h), std::int64_t(s.shape.w)})});
  }
  io::check_against(used, expected, source);
  for (auto& s : net.slots()) {
    if (!loads(s.name)) continue;
    const std::vector<T> host = used.at(s.name).template as<T>();
    memory<D>::from_host(s.value->data(), host.data(), s.value->bytes());
    ++result.loaded;
  }
  return result;
}

template <class Layer>
pretrained_result load_pretrained(const std::filesystem::path& path, network<Layer>& net,
                                  const pretrained_options& options = {}) {
  return load_pretrained(io::load_safetensors(path), "weights '" + path.string() + "'", net, options);
}

}  // namespace acne
