#pragma once
// Writing safetensors: an 8-byte little-endian header length, the JSON header padded with spaces
// to a multiple of 8, then every tensor's bytes back to back.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "acne/error.hpp"
#include "acne/io/atomic_file.hpp"
#include "acne/io/safetensors/dtype.hpp"
#include "acne/io/safetensors/file.hpp"
#include "acne/io/safetensors/record.hpp"

namespace acne::io {

namespace detail {
// Header JSON in the reference writer's form: __metadata__ first, then tensors in data order.
inline std::string header_text(const safetensors_file& file, const std::string& where) {
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!file.metadata.empty()) header["__metadata__"] = file.metadata;
  std::set<std::string_view> names;
  std::uint64_t offset = 0;
  for (const auto& t : file.tensors) {
    check_data_size(t.name, t.type, t.shape, t.data.size(), where);
    ACNE_CHECK(t.name != "__metadata__", where << "'__metadata__' is reserved and cannot name a tensor");
    ACNE_CHECK(names.insert(t.name).second, where << "two tensors are named '" << t.name << "'");
    auto& entry = header[t.name];
    entry["dtype"] = dtype_name(t.type);
    entry["shape"] = t.shape;
    entry["data_offsets"] = {offset, offset + t.data.size()};
    offset += t.data.size();
  }
  std::string text;
  try {
    text = header.dump();
  } catch (const nlohmann::json::exception& e) {
    ACNE_THROW(where << "a tensor name or metadata string is not valid UTF-8: " << e.what());
  }
  text.append((8 - text.size() % 8) % 8, ' ');
  return text;
}

inline std::array<std::byte, 8> little_endian(std::uint64_t n) {
  std::array<std::byte, 8> out;
  for (int i = 0; i < 8; ++i) out[i] = static_cast<std::byte>(n >> (8 * i));
  return out;
}
}  // namespace detail

inline std::vector<std::byte> serialize_safetensors(const safetensors_file& file) {
  const auto header = detail::header_text(file, "cannot serialize safetensors: ");
  std::size_t size = 8 + header.size();
  for (const auto& t : file.tensors) size += t.data.size();
  std::vector<std::byte> out(size);
  const auto length = detail::little_endian(header.size());
  std::memcpy(out.data(), length.data(), 8);
  std::memcpy(out.data() + 8, header.data(), header.size());
  std::size_t offset = 8 + header.size();
  for (const auto& t : file.tensors) {
    if (!t.data.empty()) std::memcpy(out.data() + offset, t.data.data(), t.data.size());
    offset += t.data.size();
  }
  return out;
}

// Atomic: the target keeps its old content unless the whole new file reached the disk.
inline void save_safetensors(const std::filesystem::path& path, const safetensors_file& file) {
  const auto header = detail::header_text(file, "cannot save safetensors file '" + path.string() + "': ");
  atomic_file out(path);
  out.write(detail::little_endian(header.size()));
  out.write(header);
  for (const auto& t : file.tensors) out.write(t.data);
  out.commit();
}

}  // namespace acne::io
