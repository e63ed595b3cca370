#pragma once
// safetensors files (https://github.com/huggingface/safetensors), independent of the tensor class.
// Layout: u64 little-endian header length N, N bytes of JSON padded with spaces, then the raw
// little-endian data. Loading treats the file as hostile and accepts what the reference Rust reader
// accepts: data_offsets must tile the data area exactly, shapes must match their byte ranges.
#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "acne/error.hpp"
#include "acne/io/atomic_file.hpp"

namespace acne::io {

static_assert(std::endian::native == std::endian::little,
              "safetensors data is little-endian and is copied as is");

enum class dtype { f16, bf16, f32, f64, i8, u8, i16, i32, i64, u16, u32, u64, bool_ };

namespace detail {
struct dtype_info {
  dtype type;
  std::string_view name;
  std::size_t size;
};
inline constexpr std::array<dtype_info, 13> dtype_table{{
    {dtype::f16, "F16", 2}, {dtype::bf16, "BF16", 2}, {dtype::f32, "F32", 4}, {dtype::f64, "F64", 8},
    {dtype::i8, "I8", 1}, {dtype::u8, "U8", 1}, {dtype::i16, "I16", 2}, {dtype::i32, "I32", 4},
    {dtype::i64, "I64", 8}, {dtype::u16, "U16", 2}, {dtype::u32, "U32", 4}, {dtype::u64, "U64", 8},
    {dtype::bool_, "BOOL", 1},
}};
}  // namespace detail

constexpr std::size_t dtype_size(dtype t) { return detail::dtype_table[static_cast<int>(t)].size; }
constexpr std::string_view dtype_name(dtype t) { return detail::dtype_table[static_cast<int>(t)].name; }
inline std::optional<dtype> dtype_from_name(std::string_view name) {
  for (const auto& info : detail::dtype_table)
    if (info.name == name) return info.type;
  return std::nullopt;
}
constexpr bool is_floating(dtype t) {
  return t == dtype::f16 || t == dtype::bf16 || t == dtype::f32 || t == dtype::f64;
}

template <class T>
concept element = std::is_same_v<T, bool> || std::is_same_v<T, float> || std::is_same_v<T, double> ||
                  (std::is_integral_v<T> && (sizeof(T) == 1 || sizeof(T) == 2 || sizeof(T) == 4 ||
                                             sizeof(T) == 8));

// Integers map by size and signedness, so long and long long both read as I64.
template <element T>
constexpr dtype dtype_of() {
  if constexpr (std::is_same_v<T, bool>) return dtype::bool_;
  else if constexpr (std::is_same_v<T, float>) return dtype::f32;
  else if constexpr (std::is_same_v<T, double>) return dtype::f64;
  else if constexpr (sizeof(T) == 1) return std::is_signed_v<T> ? dtype::i8 : dtype::u8;
  else if constexpr (sizeof(T) == 2) return std::is_signed_v<T> ? dtype::i16 : dtype::u16;
  else if constexpr (sizeof(T) == 4) return std::is_signed_v<T> ? dtype::i32 : dtype::u32;
  else return std::is_signed_v<T> ? dtype::i64 : dtype::u64;
}

// IEEE half and bfloat16, rounding to nearest even.
inline float f16_to_float(std::uint16_t h) {
  const float sign = (h & 0x8000) ? -1.0f : 1.0f;
  const int exponent = (h >> 10) & 0x1f;
  const int mantissa = h & 0x3ff;
  if (exponent == 0) return sign * std::ldexp(static_cast<float>(mantissa), -24);
  if (exponent == 31)
    return mantissa ? std::numeric_limits<float>::quiet_NaN() : sign * std::numeric_limits<float>::infinity();
  return sign * std::ldexp(static_cast<float>(mantissa + 1024), exponent - 25);
}
inline std::uint16_t float_to_f16(float f) {
  const auto bits = std::bit_cast<std::uint32_t>(f);
  const auto sign = static_cast<std::uint16_t>((bits >> 16) & 0x8000);
  std::uint32_t magnitude = bits & 0x7fffffff;
  if (magnitude > 0x7f800000) return sign | 0x7e00;   // NaN
  if (magnitude >= 0x477ff000) return sign | 0x7c00;  // at least 65520: rounds to infinity
  if (magnitude < 0x38800000)                         // below 2^-14: subnormal, exact in float
    return sign | static_cast<std::uint16_t>(std::nearbyint(std::bit_cast<float>(magnitude) * 16777216.0f));
  magnitude += 0xfff + ((magnitude >> 13) & 1);
  return sign | static_cast<std::uint16_t>((magnitude - 0x38000000) >> 13);
}
inline float bf16_to_float(std::uint16_t h) { return std::bit_cast<float>(std::uint32_t{h} << 16); }
inline std::uint16_t float_to_bf16(float f) {
  const auto bits = std::bit_cast<std::uint32_t>(f);
  if ((bits & 0x7fffffff) > 0x7f800000) return static_cast<std::uint16_t>((bits >> 16) | 0x40);
  return static_cast<std::uint16_t>((bits + 0x7fff + ((bits >> 16) & 1)) >> 16);
}

namespace detail {
// Bytes needed for `shape` of `t`; nullopt for a negative dimension or an overflow.
inline std::optional<std::uint64_t> byte_count(dtype t, std::span<const std::int64_t> shape) {
  std::uint64_t n = dtype_size(t);
  for (const auto d : shape) {
    if (d < 0) return std::nullopt;
    const auto u = static_cast<std::uint64_t>(d);
    if (u != 0 && n > std::numeric_limits<std::uint64_t>::max() / u) return std::nullopt;
    n *= u;
  }
  return n;
}

inline std::string shape_string(std::span<const std::int64_t> shape) {
  std::ostringstream out;
  out << '[';
  for (std::size_t i = 0; i < shape.size(); ++i) out << (i ? ", " : "") << shape[i];
  out << ']';
  return out.str();
}

inline double load_floating(dtype t, const std::byte* p) {
  std::uint16_t h;
  float f;
  double d;
  switch (t) {
    case dtype::f16: std::memcpy(&h, p, 2); return f16_to_float(h);
    case dtype::bf16: std::memcpy(&h, p, 2); return bf16_to_float(h);
    case dtype::f32: std::memcpy(&f, p, 4); return f;
    default: std::memcpy(&d, p, 8); return d;
  }
}

inline void store_floating(dtype t, double value, std::byte* p) {
  const auto f = static_cast<float>(value);
  std::uint16_t h;
  switch (t) {
    case dtype::f16: h = float_to_f16(f); std::memcpy(p, &h, 2); break;
    case dtype::bf16: h = float_to_bf16(f); std::memcpy(p, &h, 2); break;
    case dtype::f32: std::memcpy(p, &f, 4); break;
    default: std::memcpy(p, &value, 8); break;
  }
}
}  // namespace detail

struct tensor_record {
  std::string name;
  dtype type = dtype::f32;
  std::vector<std::int64_t> shape;  // empty for a 0-d scalar (one element)
  std::vector<std::byte> data;      // little-endian, row-major

  std::size_t numel() const { return data.size() / dtype_size(type); }

  // Exact dtype: a copy. Floating dtypes convert to float/double (e.g. F16 -> float); anything
  // else, say I64 read as float, is an error rather than a silent conversion.
  template <element T>
  std::vector<T> as() const {
    check_size();
    std::vector<T> out(numel());
    if (type == dtype_of<T>()) {
      if constexpr (std::is_same_v<T, bool>) {
        for (std::size_t i = 0; i < out.size(); ++i) out[i] = data[i] != std::byte{0};
      } else {
        if (!data.empty()) std::memcpy(out.data(), data.data(), data.size());
      }
      return out;
    }
    ACNE_CHECK(std::is_floating_point_v<T> && is_floating(type),
               "tensor '" << name << "' holds " << dtype_name(type) << " and cannot be read as "
                          << dtype_name(dtype_of<T>()));
    for (std::size_t i = 0; i < out.size(); ++i)
      out[i] = static_cast<T>(detail::load_floating(type, data.data() + i * dtype_size(type)));
    return out;
  }

  // The invariant save relies on: non-negative dims, and exactly product(shape) * size bytes.
  void check_size() const {
    const auto bytes = detail::byte_count(type, shape);
    ACNE_CHECK(bytes && *bytes == data.size(),
               "tensor '" << name << "': " << dtype_name(type) << " shape " << detail::shape_string(shape)
                          << " does not match its " << data.size() << " data bytes");
  }
};

// `stored` may differ from T between floating types, e.g. float values saved as F16 or BF16.
template <element T>
tensor_record make_record(std::string name, std::vector<std::int64_t> shape, std::span<const T> values,
                          dtype stored = dtype_of<T>()) {
  tensor_record r{std::move(name), stored, std::move(shape), {}};
  const auto bytes = detail::byte_count(stored, r.shape);
  ACNE_CHECK(bytes && *bytes / dtype_size(stored) == values.size(),
             "tensor '" << r.name << "': shape " << detail::shape_string(r.shape) << " does not hold "
                        << values.size() << " values");
  r.data.resize(*bytes);
  if (stored == dtype_of<T>()) {
    if constexpr (std::is_same_v<T, bool>) {
      for (std::size_t i = 0; i < values.size(); ++i) r.data[i] = values[i] ? std::byte{1} : std::byte{0};
    } else {
      if (!r.data.empty()) std::memcpy(r.data.data(), values.data(), r.data.size());
    }
    return r;
  }
  ACNE_CHECK(std::is_floating_point_v<T> && is_floating(stored),
             "tensor '" << r.name << "': " << dtype_name(dtype_of<T>()) << " values cannot be stored as "
                        << dtype_name(stored));
  for (std::size_t i = 0; i < values.size(); ++i)
    detail::store_floating(stored, static_cast<double>(values[i]), r.data.data() + i * dtype_size(stored));
  return r;
}

// The same from a vector, so T is deduced; std::vector<bool> has no contiguous storage to span.
template <element T>
tensor_record make_record(std::string name, std::vector<std::int64_t> shape, const std::vector<T>& values,
                          dtype stored = dtype_of<T>()) {
  if constexpr (std::is_same_v<T, bool>) {
    const auto copy = std::make_unique<bool[]>(values.size());
    std::copy(values.begin(), values.end(), copy.get());
    return make_record<bool>(std::move(name), std::move(shape), std::span<const bool>(copy.get(), values.size()),
                             stored);
  } else {
    return make_record<T>(std::move(name), std::move(shape), std::span<const T>(values), stored);
  }
}

struct safetensors_file {
  std::vector<tensor_record> tensors;
  std::map<std::string, std::string> metadata;  // the format allows string values only

  const tensor_record* find(std::string_view name) const {
    const auto it = std::find_if(tensors.begin(), tensors.end(), [&](const auto& t) { return t.name == name; });
    return it == tensors.end() ? nullptr : &*it;
  }
  tensor_record* find(std::string_view name) {
    return const_cast<tensor_record*>(std::as_const(*this).find(name));
  }
  const tensor_record& at(std::string_view name) const {
    const auto* t = find(name);
    ACNE_CHECK(t, "no tensor named '" << name << "'");
    return *t;
  }

  // Structured metadata (a config, a training step) travels as a JSON-encoded string.
  void set_metadata_json(const std::string& key, const nlohmann::json& value) { metadata[key] = value.dump(); }
  nlohmann::json metadata_json(const std::string& key) const {
    const auto it = metadata.find(key);
    ACNE_CHECK(it != metadata.end(), "no metadata entry '" << key << "'");
    auto value = nlohmann::json::parse(it->second, nullptr, false);
    ACNE_CHECK(!value.is_discarded(), "metadata entry '" << key << "' is not JSON");
    return value;
  }
};

inline constexpr std::uint64_t max_header_size = 100'000'000;  // the reference reader's limit

namespace detail {
// Header JSON in the reference writer's form: __metadata__ first, then tensors in data order.
inline std::string header_text(const safetensors_file& file, const std::string& where) {
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!file.metadata.empty()) header["__metadata__"] = file.metadata;
  std::set<std::string_view> names;
  std::uint64_t offset = 0;
  for (const auto& t : file.tensors) {
    const auto bytes = byte_count(t.type, t.shape);
    ACNE_CHECK(bytes && *bytes == t.data.size(),
               where << "tensor '" << t.name << "': " << dtype_name(t.type) << " shape "
                     << shape_string(t.shape) << " does not match its " << t.data.size() << " data bytes");
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

namespace detail {
struct header_entry {
  std::string name;
  dtype type;
  std::vector<std::int64_t> shape;
  std::uint64_t begin, end;
};

// Hostile input goes into error messages: keep it short.
inline std::string clip(std::string_view s) {
  return s.size() <= 80 ? std::string(s) : std::string(s.substr(0, 77)) + "...";
}
inline std::string describe(const nlohmann::json& j) {
  return j.is_primitive() ? clip(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))
                          : std::string("an ") + j.type_name();
}

inline header_entry parse_entry(const std::string& name, const nlohmann::json& value, std::uint64_t data_size,
                                const std::string& where) {
  const auto at = where + "tensor '" + clip(name) + "': ";
  ACNE_CHECK(value.is_object(), at << "entry is " << describe(value) << ", not an object");
  const auto field = [&](const char* key) -> const nlohmann::json& {
    const auto it = value.find(key);
    ACNE_CHECK(it != value.end(), at << "field '" << key << "' is missing");
    return *it;
  };
  const auto& type = field("dtype");
  ACNE_CHECK(type.is_string(), at << "field 'dtype' is " << describe(type) << ", not a string");
  const auto parsed_type = dtype_from_name(type.get_ref<const std::string&>());
  ACNE_CHECK(parsed_type, at << "unknown or unsupported dtype " << describe(type));

  const auto& shape = field("shape");
  ACNE_CHECK(shape.is_array(), at << "field 'shape' is " << describe(shape) << ", not an array");
  header_entry e{name, *parsed_type, {}, 0, 0};
  for (const auto& d : shape) {
    ACNE_CHECK(d.is_number_unsigned() && d.get<std::uint64_t>() <= std::numeric_limits<std::int64_t>::max(),
               at << "field 'shape' holds " << describe(d) << ", not a non-negative integer");
    e.shape.push_back(d.get<std::int64_t>());
  }

  const auto& offsets = field("data_offsets");
  ACNE_CHECK(offsets.is_array() && offsets.size() == 2 && offsets[0].is_number_unsigned() &&
                 offsets[1].is_number_unsigned(),
             at << "field 'data_offsets' must be [begin, end] with non-negative integers");
  e.begin = offsets[0].get<std::uint64_t>();
  e.end = offsets[1].get<std::uint64_t>();
  ACNE_CHECK(e.begin <= e.end && e.end <= data_size,
             at << "data_offsets [" << e.begin << ", " << e.end << "] lie outside the " << data_size
                << "-byte data area");
  const auto bytes = byte_count(e.type, e.shape);
  ACNE_CHECK(bytes, at << "shape " << shape_string(e.shape) << " overflows");
  ACNE_CHECK(*bytes == e.end - e.begin, at << dtype_name(e.type) << " shape " << shape_string(e.shape)
                                           << " needs " << *bytes << " bytes but data_offsets span "
                                           << e.end - e.begin);
  return e;
}

struct parsed_header {
  std::vector<header_entry> entries;  // sorted by data offset
  std::map<std::string, std::string> metadata;
};

inline parsed_header parse_header(std::string_view text, std::uint64_t data_size, const std::string& where) {
  ACNE_CHECK(!text.empty() && text.front() == '{', where << "the header does not start with '{'");
  // nlohmann keeps the last of repeated keys; a repeated tensor name must be an error instead.
  std::set<std::string> seen;
  const auto reject_duplicates = [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    if (depth == 1 && event == nlohmann::json::parse_event_t::key)
      ACNE_CHECK(seen.insert(parsed.get<std::string>()).second,
                 where << "duplicate tensor name '" << clip(parsed.get<std::string>()) << "'");
    return true;
  };
  nlohmann::json root;
  try {
    root = nlohmann::json::parse(text, reject_duplicates);
  } catch (const nlohmann::json::exception& e) {
    ACNE_THROW(where << "the header is not valid JSON: " << e.what());
  }

  parsed_header out;
  for (const auto& [name, value] : root.items()) {
    if (name != "__metadata__") {
      out.entries.push_back(parse_entry(name, value, data_size, where));
      continue;
    }
    ACNE_CHECK(value.is_object() || value.is_null(), where << "'__metadata__' is " << describe(value)
                                                           << ", not an object");
    for (const auto& [key, v] : value.items()) {
      ACNE_CHECK(v.is_string(), where << "metadata '" << clip(key) << "' is " << describe(v)
                                      << ", not a string");
      out.metadata.emplace(key, v.get<std::string>());
    }
  }

  auto& entries = out.entries;
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
    return std::tie(a.begin, a.end, a.name) < std::tie(b.begin, b.end, b.name);
  });
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
  return out;
}

// read_at(offset, bytes) fills `bytes` from the file's absolute `offset`. Every allocation is
// bounded by sizes already checked against `total`.
template <class ReadAt>
safetensors_file load(std::uint64_t total, ReadAt read_at, const std::string& source) {
  const auto where = "safetensors file '" + source + "': ";
  ACNE_CHECK(total >= 8, where << "only " << total << " bytes, too short for the 8-byte header length");
  std::array<std::byte, 8> length_bytes;
  read_at(0, std::span(length_bytes));
  std::uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= std::uint64_t(std::to_integer<unsigned>(length_bytes[i])) << (8 * i);
  ACNE_CHECK(n <= max_header_size, where << "header length " << n << " exceeds the " << max_header_size
                                         << "-byte limit");
  ACNE_CHECK(n <= total - 8, where << "header length " << n << " runs past the end of the "
                                   << total << "-byte file");
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

struct expected_tensor {
  std::string name;
  dtype type;
  std::vector<std::int64_t> shape;
};

// For checkpoint loading: lists every missing, extra and mis-shaped tensor, in order, so a config
// mismatch (e.g. 2 vs 8 mapping layers) fails loudly instead of silently skipping layers.
inline void check_against(const safetensors_file& file, const std::vector<expected_tensor>& expected,
                          const std::string& source = "checkpoint") {
  const auto describe = [](dtype t, const std::vector<std::int64_t>& shape) {
    return std::string(dtype_name(t)) + " " + detail::shape_string(shape);
  };
  std::set<std::string_view> wanted;
  std::vector<std::string> missing, mismatched, extra;
  for (const auto& e : expected) {
    wanted.insert(e.name);
    const auto* t = file.find(e.name);
    if (!t)
      missing.push_back(e.name + " (" + describe(e.type, e.shape) + ")");
    else if (t->type != e.type || t->shape != e.shape)
      mismatched.push_back(e.name + ": expected " + describe(e.type, e.shape) + ", found " +
                           describe(t->type, t->shape));
  }
  for (const auto& t : file.tensors)
    if (!wanted.contains(t.name)) extra.push_back(t.name + " (" + describe(t.type, t.shape) + ")");
  if (missing.empty() && mismatched.empty() && extra.empty()) return;

  std::ostringstream out;
  out << source << " does not match the model: " << missing.size() << " missing, " << extra.size()
      << " extra, " << mismatched.size() << " mismatched";
  const auto list = [&](const char* title, const std::vector<std::string>& items) {
    for (const auto& item : items) out << "\n  " << title << ": " << item;
  };
  list("missing", missing);
  list("extra", extra);
  list("mismatched", mismatched);
  ACNE_THROW(out.str());
}

}  // namespace acne::io
