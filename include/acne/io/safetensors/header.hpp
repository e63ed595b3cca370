#pragma once
// Parsing a safetensors header as hostile input, accepting what the reference Rust reader accepts:
// known dtypes, shapes that match their byte ranges, string-only metadata, no repeated names, and
// data_offsets that tile the data area exactly (no gap, no overlap, nothing left over).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "acne/error.hpp"
#include "acne/io/safetensors/dtype.hpp"
#include "acne/io/safetensors/record.hpp"

namespace acne::io {

inline constexpr std::uint64_t max_header_size = 100'000'000;  // the reference reader's limit

namespace detail {
struct header_entry {
  std::string name;
  dtype type;
  std::vector<std::int64_t> shape;
  std::uint64_t begin, end;
};

struct parsed_header {
  std::vector<header_entry> entries;  // sorted by data offset
  std::map<std::string, std::string> metadata;
};

// Hostile input goes into error messages: keep it short.
inline std::string clip(std::string_view s) {
  return s.size() <= 80 ? std::string(s) : std::string(s.substr(0, 77)) + "...";
}
inline std::string describe(const nlohmann::json& j) {
  return j.is_primitive() ? clip(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))
                          : std::string("an ") + j.type_name();
}

// `at` prefixes every message with the file and the tensor.
inline const nlohmann::json& entry_field(const nlohmann::json& entry, const char* key, const std::string& at) {
  const auto it = entry.find(key);
  ACNE_CHECK(it != entry.end(), at << "field '" << key << "' is missing");
  return *it;
}

inline dtype parse_dtype(const nlohmann::json& entry, const std::string& at) {
  const auto& type = entry_field(entry, "dtype", at);
  ACNE_CHECK(type.is_string(), at << "field 'dtype' is " << describe(type) << ", not a string");
  const auto parsed = dtype_from_name(type.get_ref<const std::string&>());
  ACNE_CHECK(parsed, at << "unknown or unsupported dtype " << describe(type));
  return *parsed;
}

inline std::vector<std::int64_t> parse_shape(const nlohmann::json& entry, const std::string& at) {
  const auto& shape = entry_field(entry, "shape", at);
  ACNE_CHECK(shape.is_array(), at << "field 'shape' is " << describe(shape) << ", not an array");
  std::vector<std::int64_t> dims;
  for (const auto& d : shape) {
    ACNE_CHECK(d.is_number_unsigned() && d.get<std::uint64_t>() <= std::numeric_limits<std::int64_t>::max(),
               at << "field 'shape' holds " << describe(d) << ", not a non-negative integer");
    dims.push_back(d.get<std::int64_t>());
  }
  return dims;
}

// [begin, end] inside the data area.
inline std::pair<std::uint64_t, std::uint64_t> parse_offsets(const nlohmann::json& entry, std::uint64_t data_size,
                                                             const std::string& at) {
  const auto& offsets = entry_field(entry, "data_offsets", at);
  ACNE_CHECK(offsets.is_array() && offsets.size() == 2 && offsets[0].is_number_unsigned() &&
                 offsets[1].is_number_unsigned(),
             at << "field 'data_offsets' must be [begin, end] with non-negative integers");
  const auto begin = offsets[0].get<std::uint64_t>(), end = offsets[1].get<std::uint64_t>();
  ACNE_CHECK(begin <= end && end <= data_size,
             at << "data_offsets [" << begin << ", " << end << "] lie outside the " << data_size << "-byte data area");
  return {begin, end};
}

inline header_entry parse_entry(const std::string& name, const nlohmann::json& value, std::uint64_t data_size,
                                const std::string& where) {
  const auto at = where + "tensor '" + clip(name) + "': ";
  ACNE_CHECK(value.is_object(), at << "entry is " << describe(value) << ", not an object");
  header_entry e{name, parse_dtype(value, at), parse_shape(value, at), 0, 0};
  std::tie(e.begin, e.end) = parse_offsets(value, data_size, at);
  const auto bytes = byte_count(e.type, e.shape);
  ACNE_CHECK(bytes, at << "shape " << shape_string(e.shape) << " overflows");
  ACNE_CHECK(*bytes == e.end - e.begin, at << dtype_name(e.type) << " shape " << shape_string(e.shape)
                                           << " needs " << *bytes << " bytes but data_offsets span "
                                           << e.end - e.begin);
  return e;
}

// nlohmann keeps the last of repeated keys; a repeated tensor name must be an error instead.
inline nlohmann::json parse_header_json(std::string_view text, const std::string& where) {
  ACNE_CHECK(!text.empty() && text.front() == '{', where << "the header does not start with '{'");
  std::set<std::string> seen;
  const auto reject_duplicates = [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    if (depth == 1 && event == nlohmann::json::parse_event_t::key)
      ACNE_CHECK(seen.insert(parsed.get<std::string>()).second,
                 where << "duplicate tensor name '" << clip(parsed.get<std::string>()) << "'");
    return true;
  };
  try {
    return nlohmann::json::parse(text, reject_duplicates);
  } catch (const nlohmann::json::exception& e) {
    ACNE_THROW(where << "the header is not valid JSON: " << e.what());
  }
}

inline std::map<std::string, std::string> parse_metadata(const nlohmann::json& value, const std::string& where) {
  ACNE_CHECK(value.is_object() || value.is_null(), where << "'__metadata__' is " << describe(value)
                                                         << ", not an object");
  std::map<std::string, std::string> metadata;
  for (const auto& [key, v] : value.items()) {
    ACNE_CHECK(v.is_string(), where << "metadata '" << clip(key) << "' is " << describe(v) << ", not a string");
    metadata.emplace(key, v.get<std::string>());
  }
  return metadata;
}

// `entries` sorted by offset must tile [0, data_size): each starts where the previous one ended.
inline void check_tiling(const std::vector<header_entry>& entries, std::uint64_t data_size, const std::string& where) {
  std::uint64_t cursor = 0;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const auto& e = entries[i];
    ACNE_CHECK(e.begin <= cursor, where << "tensor '" << clip(e.name) << "': data starts at " << e.begin
                                        << ", leaving a gap after byte " << cursor);
    ACNE_CHECK(e.begin == cursor, where << "tensor '" << clip(e.name) << "': data [" << e.begin << ", "
                                        << e.end << "] overlaps tensor '" << clip(entries[i - 1].name) << "'");
    cursor = e.end;
  }
  ACNE_CHECK(cursor == data_size, where << "the tensors cover " << cursor << " of the " << data_size
                                        << " data bytes; the rest belongs to no tensor");
}

inline parsed_header parse_header(std::string_view text, std::uint64_t data_size, const std::string& where) {
  const nlohmann::json root = parse_header_json(text, where);
  parsed_header out;
  for (const auto& [name, value] : root.items()) {
    if (name == "__metadata__") out.metadata = parse_metadata(value, where);
    else out.entries.push_back(parse_entry(name, value, data_size, where));
  }
  std::sort(out.entries.begin(), out.entries.end(), [](const auto& a, const auto& b) {
    return std::tie(a.begin, a.end, a.name) < std::tie(b.begin, b.end, b.name);
  });
  check_tiling(out.entries, data_size, where);
  return out;
}
}  // namespace detail

}  // namespace acne::io
