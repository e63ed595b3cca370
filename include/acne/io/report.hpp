#pragma once
// Writing report files (JSON, CSV, text, PNG bytes) atomically: the content goes to a temporary
// file in the destination's directory, which is then renamed over the destination. A reader never
// sees a half-written file, and a crash leaves the previous version in place.
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

#include <nlohmann/json.hpp>

#include "acne/error.hpp"

namespace acne::io {

namespace detail {
// A name for the temporary file, unique per process and call: ".<name>.tmp.<random>.<counter>".
inline std::filesystem::path temporary_sibling(const std::filesystem::path& destination) {
  static const std::uint64_t process_tag = [] {
    std::random_device device;
    return (std::uint64_t{device()} << 32) ^ device();
  }();
  static std::atomic<std::uint64_t> counter{0};
  const std::string name = "." + destination.filename().string() + ".tmp." +
                           std::to_string(process_tag % 1000000007ULL) + "." + std::to_string(counter++);
  return destination.parent_path() / name;
}
}  // namespace detail

// Writes `bytes` to `path` atomically (temporary sibling file, then rename). Creates missing
// parent directories. Throws acne::error on any failure; the temporary file is removed.
inline void write_file_atomically(const std::filesystem::path& path, std::span<const char> bytes) {
  ACNE_CHECK(!path.empty() && !path.filename().empty(), "write_file_atomically: empty file name");
  const auto parent = path.parent_path();
  std::error_code ec;
  if (!parent.empty()) {
    std::filesystem::create_directories(parent, ec);
    ACNE_CHECK(!ec, "cannot create directory '" << parent.string() << "': " << ec.message());
  }
  const auto temporary = detail::temporary_sibling(path);
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    ACNE_CHECK(out, "cannot open '" << temporary.string() << "' for writing");
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.flush();
    if (!out) {
      out.close();
      std::filesystem::remove(temporary, ec);
      ACNE_THROW("failed writing " << bytes.size() << " bytes to '" << temporary.string() << "'");
    }
  }
  std::filesystem::rename(temporary, path, ec);
  if (ec) {
    std::error_code ignored;
    std::filesystem::remove(temporary, ignored);
    ACNE_THROW("cannot rename '" << temporary.string() << "' to '" << path.string() << "': " << ec.message());
  }
}

inline void write_text_file(const std::filesystem::path& path, std::string_view text) {
  write_file_atomically(path, std::span<const char>(text.data(), text.size()));
}

// Pretty-printed JSON (indent 2) with a trailing newline.
inline void write_json_file(const std::filesystem::path& path, const nlohmann::json& value) {
  write_text_file(path, value.dump(2) + "\n");
}

// Reads a whole file into a string; throws acne::error if it cannot be opened or read.
inline std::string read_text_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  ACNE_CHECK(in, "cannot open '" << path.string() << "' for reading");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ACNE_CHECK(!in.bad(), "failed reading '" << path.string() << "'");
  return text;
}

inline nlohmann::json read_json_file(const std::filesystem::path& path) {
  const std::string text = read_text_file(path);
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    ACNE_THROW("'" << path.string() << "' is not valid JSON: " << e.what());
  }
}

// One CSV field, quoted when it holds a comma, quote or line break (RFC 4180).
inline std::string csv_field(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace acne::io
