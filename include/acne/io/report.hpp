#pragma once
// Report files: JSON, CSV and text written atomically (through io/atomic_file.hpp: a temporary
// sibling file renamed over the target, so a reader never sees a half-written report), and the
// matching readers. Missing parent directories are created.
#include <filesystem>
#include <fstream>
#include <iterator>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

#include <nlohmann/json.hpp>

#include "acne/error.hpp"
#include "acne/io/atomic_file.hpp"

namespace acne::io {

inline void create_parent_directories(const std::filesystem::path& path) {
  const auto parent = path.parent_path();
  if (parent.empty()) return;
  std::error_code ec;
  std::filesystem::create_directories(parent, ec);
  ACNE_CHECK(!ec, "cannot create directory '" << parent.string() << "': " << ec.message());
}

// Writes `text` to `path` atomically, creating missing parent directories.
inline void write_text_file(const std::filesystem::path& path, std::string_view text) {
  create_parent_directories(path);
  write_file_atomically(path, text);
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
