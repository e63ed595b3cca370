#pragma once
// DFDNet weights in one safetensors file (tools/convert_dfdnet.py writes it from the official
// release; metadata format "acne-dfdnet-v1"): the generator's tensors under the official state-dict
// names, and the 16 component dictionaries as "dictionary.<part>.<size>" [K, C, s, s]. Loading
// checks everything before it changes anything: every parameter and spectral-norm vector present
// with its shape, no tensor the generator does not have, every dictionary present with the width
// of this generator and its part's atom size, and a file made at reduced widths or a reduced face
// side (a test file; metadata "reduced" and "face_side") only into a generator of the same. The
// first mismatch is named, never skipped: the official loader's silent skip of a missing
// checkpoint is how its users got garbage faces.
#include <filesystem>
#include <string>

#include "acne/io/safetensors.hpp"
#include "acne/models/dfdnet/dictionaries.hpp"
#include "acne/models/dfdnet/generator.hpp"
#include "acne/models/pretrained.hpp"

namespace acne::dfdnet {

inline constexpr const char* file_format = "acne-dfdnet-v1";

// The widths and face side a file was made for (its "reduced" and "face_side" metadata; the
// official 1 and 512 when absent).
inline config file_config(const io::safetensors_file& file) {
  const auto number = [&](const char* key, std::size_t official) {
    return file.metadata.contains(key) ? std::stoul(file.metadata.at(key)) : official;
  };
  return {.width_divisor = number("reduced", 1), .face_side = number("face_side", face_side)};
}

inline void check_format(const io::safetensors_file& file, const std::string& source, const config& c) {
  ACNE_CHECK(file.metadata.contains("format") && file.metadata.at("format") == file_format,
             source << " is not a DFDNet file of acne (metadata format \"" << file_format
                    << "\"; tools/convert_dfdnet.py writes one from the official release)");
  const config f = file_config(file);
  ACNE_CHECK(f.width_divisor == c.width_divisor,
             source << " holds a DFDNet at widths / " << f.width_divisor << ", the generator has widths / " << c.width_divisor);
  ACNE_CHECK(f.face_side == c.face_side,
             source << " holds a DFDNet of " << f.face_side << " px faces, the generator restores " << c.face_side << " px faces");
}

template <class T, class D>
component_dictionaries<T, D> load_dictionaries(const io::safetensors_file& file, const std::string& source,
                                               const config& cfg = {}) {
  check_format(file, source, cfg);
  component_dictionaries<T, D> out;
  const std::array<std::size_t, 4> channels{128, 256, 512, 512};
  for (std::size_t i = 0; i < 4; ++i)
    for (face_part p : face_parts_in_order) {
      const std::string name = dictionary_name(p, feature_sides[i]);
      const auto* t = file.find(name);
      ACNE_CHECK(t, source << " holds no dictionary " << name);
      const std::size_t c = channels[i] / cfg.width_divisor, s = atom_side(p, tap_side(cfg.face_side, i));
      ACNE_CHECK(t->shape.size() == 4 && t->shape[0] > 0 && std::size_t(t->shape[1]) == c &&
                     std::size_t(t->shape[2]) == s && std::size_t(t->shape[3]) == s,
                 source << ": dictionary " << name << " is " << io::detail::shape_string(t->shape) << ", expected [K, " << c << ", "
                        << s << ", " << s << "]");
      tensor<float> atoms({std::size_t(t->shape[0]), c, s, s});
      const auto values = t->template as<float>();
      std::copy(values.begin(), values.end(), atoms.begin());
      out.at(p, i) = component_dictionary<T, D>(atoms);
    }
  return out;
}

// Loads the generator's tensors; the dictionaries are left to load_dictionaries.
template <class T, class D>
void load_generator(network<generator<T, D>>& net, const io::safetensors_file& file, const std::string& source) {
  check_format(file, source, net.layer().cfg());
  io::safetensors_file tensors;
  tensors.metadata = file.metadata;
  for (const auto& t : file.tensors)
    if (!t.name.starts_with("dictionary.")) tensors.tensors.push_back(t);
  load_pretrained(std::move(tensors), source, net);
}

namespace detail {
template <class T, class D>
void add_dictionaries(io::safetensors_file& file, const component_dictionaries<T, D>& dictionaries) {
  for (std::size_t i = 0; i < 4; ++i)
    for (face_part p : face_parts_in_order) {
      const auto atoms = dictionaries.at(p, i).host_atoms();
      const auto& sh = atoms.shape();
      file.tensors.push_back(io::make_record(
          dictionary_name(p, feature_sides[i]),
          std::vector<std::int64_t>{std::int64_t(sh.n), std::int64_t(sh.c), std::int64_t(sh.h), std::int64_t(sh.w)},
          std::vector<float>(atoms.begin(), atoms.end())));
    }
}
inline io::safetensors_file dfdnet_file(const std::string& source, const std::string& contents, const config& c) {
  io::safetensors_file file;
  file.metadata["format"] = file_format;
  file.metadata["source"] = source;
  file.metadata["contents"] = contents;
  if (c.width_divisor != 1) file.metadata["reduced"] = std::to_string(c.width_divisor);
  if (c.face_side != face_side) file.metadata["face_side"] = std::to_string(c.face_side);
  return file;
}
}  // namespace detail

// A generator and its dictionaries as one file of the same form (a trained or a test DFDNet).
template <class T, class D>
void save_dfdnet(network<generator<T, D>>& net, const component_dictionaries<T, D>& dictionaries,
                 const std::filesystem::path& path, const std::string& source) {
  auto file = detail::dfdnet_file(source, "generator+dictionaries", net.layer().cfg());
  for (const auto& s : net.slots()) {
    std::vector<T> host(s.shape.size());
    memory<D>::to_host(host.data(), s.value->data(), host.size() * sizeof(T));
    file.tensors.push_back(io::make_record(s.name, std::vector<std::int64_t>{std::int64_t(s.shape.n), std::int64_t(s.shape.c),
                                                                              std::int64_t(s.shape.h), std::int64_t(s.shape.w)},
                                           host));
  }
  detail::add_dictionaries(file, dictionaries);
  io::save_safetensors(path, file);
}

// The dictionaries alone (acne-dfdnet dictionaries), for generators of config `c`.
template <class T, class D>
void save_dictionaries(const component_dictionaries<T, D>& dictionaries, const config& c,
                       const std::filesystem::path& path, const std::string& source) {
  auto file = detail::dfdnet_file(source, "dictionaries", c);
  detail::add_dictionaries(file, dictionaries);
  io::save_safetensors(path, file);
}

// Both, from one file.
template <class T, class D>
component_dictionaries<T, D> load_dfdnet(network<generator<T, D>>& net, const std::filesystem::path& path) {
  const auto file = io::load_safetensors(path);
  const std::string source = "DFDNet weights '" + path.string() + "'";
  auto dictionaries = load_dictionaries<T, D>(file, source, net.layer().cfg());
  load_generator(net, file, source);
  return dictionaries;
}

}  // namespace acne::dfdnet
