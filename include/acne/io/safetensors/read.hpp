#pragma once
// Reading safetensors from memory or from a file. Every allocation is bounded by sizes already
// checked against the file's length, so a hostile header cannot ask for more than the file holds.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <span>
#include <string>
#include <system_error>
#include <utility>

#include "acne/error.hpp"
#include "acne/io/safetensors/file.hpp"
#include "acne/io/safetensors/header.hpp"
#include "acne/io/safetensors/record.hpp"

namespace acne::io {

namespace detail {
// The u64 little-endian header length at the start of the file, checked against `total`.
template <class ReadAt>
std::uint64_t read_header_length(std::uint64_t total, ReadAt& read_at, const std::string& where) {
  ACNE_CHECK(total >= 8, where << "only " << total << " bytes, too short for the 8-byte header length");
  std::array<std::byte, 8> length_bytes;
  read_at(0, std::span(length_bytes));
  std::uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= std::uint64_t(std::to_integer<unsigned>(length_bytes[i])) << (8 * i);
  ACNE_CHECK(n <= max_header_size, where << "header length " << n << " exceeds the " << max_header_size
                                         << "-byte limit");
  ACNE_CHECK(n <= total - 8, where << "header length " << n << " runs past the end of the "
                                   << total << "-byte file");
  return n;
}

// read_at(offset, bytes) fills `bytes` from the file's absolute `offset`.
template <class ReadAt>
safetensors_file load(std::uint64_t total, ReadAt read_at, const std::string& source) {
  const auto where = "safetensors file '" + source + "': ";
  const std::uint64_t n = read_header_length(total, read_at, where);
  std::string text(n, '\0');
  read_at(8, std::as_writable_bytes(std::span(text)));
  auto header = parse_header(text, total - 8 - n, where);

  safetensors_file file;
  file.metadata = std::move(header.metadata);
  for (auto& e : header.entries) {
    tensor_record r{std::move(e.name), e.type, std::move(e.shape), {}};
    r.data.resize(e.end - e.begin);
    read_at(8 + n + e.begin, std::span(r.data));
    file.tensors.push_back(std::move(r));
  }
  return file;
}
}  // namespace detail

// Tensors come back in data order, which for files written here is the order they were saved in.
inline safetensors_file load_safetensors_from_memory(std::span<const std::byte> bytes,
                                                     const std::string& source = "<memory>") {
  return detail::load(bytes.size(), [&](std::uint64_t offset, std::span<std::byte> out) {
    if (!out.empty()) std::memcpy(out.data(), bytes.data() + offset, out.size());
  }, source);
}

inline safetensors_file load_safetensors(const std::filesystem::path& path) {
  const auto source = path.string();
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  ACNE_CHECK(!ec, "cannot read safetensors file '" << source << "': " << ec.message());
  std::ifstream in(path, std::ios::binary);
  ACNE_CHECK(in, "cannot open safetensors file '" << source << "'");
  return detail::load(size, [&](std::uint64_t offset, std::span<std::byte> out) {
    in.seekg(static_cast<std::streamoff>(offset));
    in.read(reinterpret_cast<char*>(out.data()), static_cast<std::streamsize>(out.size()));
    ACNE_CHECK(in && static_cast<std::size_t>(in.gcount()) == out.size(),
               "safetensors file '" << source << "': read failed at byte " << offset
                                    << " (was the file changed while loading?)");
  }, source);
}

}  // namespace acne::io
