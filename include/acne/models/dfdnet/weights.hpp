#pragma once
// DFDNet weights in one safetensors file (tools/convert_dfdnet.py writes it from the official
// release; metadata format "acne-dfdnet-v1"): the generator's tensors under the official state-dict
// names, and the 16 component dictionaries as "dictionary.<part>.<size>" [K, C, s, s]. Loading
// checks everything before it changes anything: every parameter and spectral-norm vector present
// with its shape, no tensor the generator does not have, every dictionary present with the width
// of this generator and its part's atom size, and a file converted at reduced widths (a test file)
// only into a generator of the same widths. The first mismatch is named, never skipped: the
// official loader's silent skip of a missing checkpoint is how its users got garbage faces.
#include <filesystem>
#include <string>

#include "acne/io/safetensors.hpp"
#include "acne/models/dfdnet/dictionaries.hpp"
#include "acne/models/dfdnet/generator.hpp"
#include "acne/models/pretrained.hpp"

namespace acne::dfdnet {

inline constexpr const char* file_format = "acne-dfdnet-v1";

// The widths a file was converted at (its "reduced" metadata, 1 when absent).
inline std::size_t file_width_divisor(const io::safetensors_file& file) {
  return file.metadata.contains("reduced") ? std::stoul(file.metadata.at("reduced")) : 1;
}

inline void check_format(const io::safetensors_file& file, const std::string& source, std::size_t width_divisor) {
  ACNE_CHECK(file.metadata.contains("format") && file.metadata.at("format") == file_format,
             source << " is not a DFDNet file of acne (metadata format \"" << file_format
                    << "\"; tools/convert_dfdnet.py writes one from the official release)");
  ACNE_CHECK(file_width_divisor(file) == width_divisor,
             source << " holds a DFDNet at widths / " << file_width_divisor(file) << ", the generator has widths / "
                    << width_divisor);
}

template <class T, class D>
component_dictionaries<T, D> load_dictionaries(const io::safetensors_file& file, const std::string& source,
                                               std::size_t width_divisor = 1) {
  check_format(file, source, width_divisor);
  component_dictionaries<T, D> out;
  const std::array<std::size_t, 4> channels{128, 256, 512, 512};
  for (std::size_t i = 0; i < 4; ++i)
    for (face_part p : face_parts_in_order) {
      const std::string name = dictionary_name(p, feature_sides[i]);
      const auto* t = file.find(name);
      ACNE_CHECK(t, source << " holds no dictionary " << name);
      const std::size_t c = channels[i] / width_divisor, s = atom_side(p, feature_sides[i]);
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
  check_format(file, source, net.layer().cfg().width_divisor);
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
inline io::safetensors_file dfdnet_file(const std::string& source, const std::string& contents, std::size_t width_divisor) {
  io::safetensors_file file;
  file.metadata["format"] = file_format;
  file.metadata["source"] = source;
  file.metadata["contents"] = contents;
  if (width_divisor != 1) file.metadata["reduced"] = std::to_string(width_divisor);
  return file;
}
}  // namespace detail

// A generator and its dictionaries as one file of the same form (a trained or a test DFDNet).
template <class T, class D>
void save_dfdnet(network<generator<T, D>>& net, const component_dictionaries<T, D>& dictionaries,
                 const std::filesystem::path& path, const std::string& source) {
  auto file = detail::dfdnet_file(source, "generator+dictionaries", net.layer().cfg().width_divisor);
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

// The dictionaries alone (acne-dfdnet dictionaries), for generators of `width_divisor`.
template <class T, class D>
void save_dictionaries(const component_dictionaries<T, D>& dictionaries, std::size_t width_divisor,
                       const std::filesystem::path& path, const std::string& source) {
  auto file = detail::dfdnet_file(source, "dictionaries", width_divisor);
  detail::add_dictionaries(file, dictionaries);
  io::save_safetensors(path, file);
}

// Both, from one file.
template <class T, class D>
component_dictionaries<T, D> load_dfdnet(network<generator<T, D>>& net, const std::filesystem::path& path) {
  const auto file = io::load_safetensors(path);
  const std::string source = "DFDNet weights '" + path.string() + "'";
  check_format(file, source, net.layer().cfg().width_divisor);
  auto dictionaries = load_dictionaries<T, D>(file, source, net.layer().cfg().width_divisor);
  load_generator(net, file, source);
  return dictionaries;
}

}  // namespace acne::dfdnet
