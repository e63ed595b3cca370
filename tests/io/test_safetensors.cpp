#include <sys/wait.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>

#include "acne/io/safetensors.hpp"
#include "io_test_util.hpp"

namespace test_io_safetensors {

namespace fs = std::filesystem;
using namespace acne::io;
using acne_io_test::mentions;
using acne_io_test::temp_dir;

namespace {

std::vector<std::byte> bytes_of(std::string_view s) {
  const auto b = std::as_bytes(std::span(s.data(), s.size()));
  return {b.begin(), b.end()};
}

// A file assembled by hand: length prefix, header as given (no padding), data.
std::vector<std::byte> raw_file(std::string_view header, const std::vector<std::byte>& data = {}) {
  std::vector<std::byte> out;
  for (int i = 0; i < 8; ++i) out.push_back(std::byte(std::uint64_t(header.size()) >> (8 * i)));
  const auto h = bytes_of(header);
  out.insert(out.end(), h.begin(), h.end());
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

std::vector<std::byte> zeros(std::size_t n) { return std::vector<std::byte>(n); }

void write_bytes(const fs::path& path, std::span<const std::byte> bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

std::vector<std::byte> read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> chars((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto b = std::as_bytes(std::span(chars));
  return {b.begin(), b.end()};
}

safetensors_file sample() {
  safetensors_file f;
  f.tensors.push_back(make_record("conv.weight", {2, 3}, std::vector<float>{1.5f, -2, 0, 3.25f, 1e-3f, -7}));
  f.tensors.push_back(make_record("scale", {}, std::vector<double>{0.1}));  // 0-d scalar
  f.tensors.push_back(make_record("empty", {0, 4}, std::vector<float>{}));
  f.tensors.push_back(make_record("step", {1}, std::vector<std::int64_t>{std::int64_t{1} << 40}));
  f.tensors.push_back(make_record("half", {3}, std::vector<float>{0.5f, -2, 65504}, dtype::f16));
  f.tensors.push_back(make_record("brain", {2}, std::vector<float>{1, -0.375f}, dtype::bf16));
  f.tensors.push_back(make_record("i8", {2}, std::vector<std::int8_t>{-128, 127}));
  f.tensors.push_back(make_record("u8", {2, 1}, std::vector<std::uint8_t>{0, 255}));
  f.tensors.push_back(make_record("i16", {1}, std::vector<std::int16_t>{-300}));
  f.tensors.push_back(make_record("u16", {1}, std::vector<std::uint16_t>{60000}));
  f.tensors.push_back(make_record("i32", {2}, std::vector<std::int32_t>{-70000, 5}));
  f.tensors.push_back(make_record("u32", {1}, std::vector<std::uint32_t>{4000000000u}));
  f.tensors.push_back(make_record("u64", {1}, std::vector<std::uint64_t>{std::uint64_t{1} << 50}));
  f.tensors.push_back(make_record("mask", {3}, std::vector<bool>{true, false, true}));
  f.metadata["format"] = "acne";
  f.set_metadata_json("config", {{"resolution", 256}, {"mapping_layers", 8}});
  return f;
}

template <class T>
std::vector<double> widen(const tensor_record& r) {
  const auto v = r.as<T>();
  return {v.begin(), v.end()};
}

std::vector<double> values_of(const tensor_record& r) {
  switch (r.type) {
    case dtype::i8: return widen<std::int8_t>(r);
    case dtype::u8: return widen<std::uint8_t>(r);
    case dtype::i16: return widen<std::int16_t>(r);
    case dtype::u16: return widen<std::uint16_t>(r);
    case dtype::i32: return widen<std::int32_t>(r);
    case dtype::u32: return widen<std::uint32_t>(r);
    case dtype::i64: return widen<std::int64_t>(r);
    case dtype::u64: return widen<std::uint64_t>(r);
    case dtype::bool_: return widen<bool>(r);
    default: return r.as<double>();
  }
}

void check_same(const safetensors_file& a, const safetensors_file& b) {
  BOOST_TEST(a.metadata == b.metadata);
  BOOST_TEST_REQUIRE(a.tensors.size() == b.tensors.size());
  for (std::size_t i = 0; i < a.tensors.size(); ++i) {
    BOOST_TEST_CONTEXT("tensor " << a.tensors[i].name) {
      BOOST_TEST(a.tensors[i].name == b.tensors[i].name);
      BOOST_TEST((a.tensors[i].type == b.tensors[i].type));
      BOOST_TEST(a.tensors[i].shape == b.tensors[i].shape);
      BOOST_TEST((a.tensors[i].data == b.tensors[i].data));
    }
  }
}

// Loading must give acne::error and nothing else (no crash, no foreign exception).
bool rejected(std::span<const std::byte> bytes) {
  try {
    load_safetensors_from_memory(bytes);
  } catch (const acne::error&) {
    return true;
  }
  return false;
}

const std::string tensor_a = R"("a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]})";

}  // namespace

BOOST_AUTO_TEST_SUITE(safetensors)

BOOST_AUTO_TEST_CASE(dtype_names_and_sizes) {
  BOOST_TEST(dtype_name(dtype::f32) == "F32");
  BOOST_TEST(dtype_name(dtype::bf16) == "BF16");
  BOOST_TEST(dtype_name(dtype::bool_) == "BOOL");
  BOOST_TEST(dtype_size(dtype::f64) == 8u);
  BOOST_TEST(dtype_size(dtype::f16) == 2u);
  BOOST_TEST(dtype_size(dtype::bool_) == 1u);
  for (const auto& info : detail::dtype_table) {
    BOOST_TEST((dtype_from_name(info.name) == info.type));
    BOOST_TEST(dtype_size(info.type) == info.size);
  }
  BOOST_TEST(!dtype_from_name("f32").has_value());
  static_assert(dtype_of<float>() == dtype::f32 && dtype_of<double>() == dtype::f64);
  static_assert(dtype_of<long long>() == dtype::i64 && dtype_of<std::int64_t>() == dtype::i64);
  static_assert(dtype_of<std::uint16_t>() == dtype::u16 && dtype_of<bool>() == dtype::bool_);
}

BOOST_AUTO_TEST_CASE(half_precision_conversions) {
  BOOST_TEST(float_to_f16(1.0f) == 0x3c00);
  BOOST_TEST(float_to_f16(-2.0f) == 0xc000);
  BOOST_TEST(float_to_f16(65504.0f) == 0x7bff);
  BOOST_TEST(float_to_f16(65520.0f) == 0x7c00);             // rounds up to infinity
  BOOST_TEST(float_to_f16(std::ldexp(1.0f, -24)) == 0x0001);  // smallest subnormal
  BOOST_TEST(float_to_f16(1.0f + std::ldexp(1.0f, -11)) == 0x3c00);  // tie rounds to even
  BOOST_TEST(float_to_f16(1.0f + 3 * std::ldexp(1.0f, -11)) == 0x3c02);
  BOOST_TEST(std::isnan(f16_to_float(float_to_f16(std::numeric_limits<float>::quiet_NaN()))));
  int mismatches = 0;
  for (std::uint32_t h = 0; h < 0x10000; ++h) {
    const bool nan = (h & 0x7c00) == 0x7c00 && (h & 0x3ff);
    if (!nan && float_to_f16(f16_to_float(static_cast<std::uint16_t>(h))) != h) ++mismatches;
  }
  BOOST_TEST(mismatches == 0);
  BOOST_TEST(float_to_bf16(1.0f) == 0x3f80);
  BOOST_TEST(float_to_bf16(1.0f + std::ldexp(1.0f, -8)) == 0x3f80);  // tie rounds to even
  BOOST_TEST(float_to_bf16(1.0f + 3 * std::ldexp(1.0f, -8)) == 0x3f82);
  BOOST_TEST(bf16_to_float(0xc0c0) == -6.0f);
}

BOOST_AUTO_TEST_CASE(round_trip_through_file_and_memory) {
  temp_dir dir;
  const auto original = sample();
  save_safetensors(dir.path / "model.safetensors", original);
  check_same(load_safetensors(dir.path / "model.safetensors"), original);
  check_same(load_safetensors_from_memory(serialize_safetensors(original)), original);
  BOOST_TEST((read_bytes(dir.path / "model.safetensors") == serialize_safetensors(original)));

  const auto loaded = load_safetensors(dir.path / "model.safetensors");
  BOOST_TEST(loaded.at("scale").shape.empty());
  BOOST_TEST(loaded.at("scale").as<double>() == std::vector<double>{0.1});
  BOOST_TEST(loaded.at("empty").numel() == 0u);
  BOOST_TEST(loaded.at("half").as<float>() == (std::vector<float>{0.5f, -2, 65504}));
  BOOST_TEST(loaded.at("brain").as<double>() == (std::vector<double>{1, -0.375}));
  BOOST_TEST(loaded.at("mask").as<bool>() == (std::vector<bool>{true, false, true}));
  BOOST_TEST(loaded.metadata_json("config")["mapping_layers"] == 8);
  BOOST_TEST(loaded.find("nothing") == nullptr);
  BOOST_CHECK_EXCEPTION(loaded.at("nothing"), acne::error, mentions("nothing"));
  BOOST_CHECK_EXCEPTION(loaded.metadata_json("format"), acne::error, mentions("format"));

  safetensors_file nothing;  // no tensors, no metadata: "{}" padded to 8 bytes
  BOOST_TEST((serialize_safetensors(nothing) == raw_file("{}      ")));
  check_same(load_safetensors_from_memory(serialize_safetensors(nothing)), nothing);
}

BOOST_AUTO_TEST_CASE(typed_access_converts_floats_only) {
  const auto f = sample();
  BOOST_TEST(f.at("conv.weight").as<double>()[3] == 3.25);
  BOOST_TEST(f.at("step").as<std::int64_t>() == std::vector<std::int64_t>{std::int64_t{1} << 40});
  BOOST_CHECK_EXCEPTION(f.at("step").as<float>(), acne::error, mentions("I64"));
  BOOST_CHECK_EXCEPTION(f.at("conv.weight").as<std::int32_t>(), acne::error, mentions("conv.weight"));
  BOOST_CHECK_EXCEPTION(make_record("x", {2, 2}, std::vector<float>{1, 2, 3}), acne::error, mentions("[2, 2]"));
  BOOST_CHECK_EXCEPTION(make_record("x", {-1}, std::vector<float>{}), acne::error, mentions("'x'"));
  BOOST_CHECK_EXCEPTION(make_record("x", {1}, std::vector<std::int32_t>{1}, dtype::f32), acne::error,
                        mentions("cannot be stored as F32"));
}

BOOST_AUTO_TEST_CASE(byte_exact_against_the_specification) {
  safetensors_file f;
  f.metadata["step"] = "7";
  f.tensors.push_back(make_record("a", {2}, std::vector<float>{1.0f, -2.0f}));
  f.tensors.push_back(make_record("b", {}, std::vector<std::int16_t>{3}));
  // 135 bytes of JSON plus one space of padding make N = 136 = 0x88.
  const std::string json =
      R"({"__metadata__":{"step":"7"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
      R"("b":{"dtype":"I16","shape":[],"data_offsets":[8,10]}} )";
  std::vector<std::byte> expected = {std::byte{0x88}, {}, {}, {}, {}, {}, {}, {}};
  const auto header = bytes_of(json);
  expected.insert(expected.end(), header.begin(), header.end());
  for (int b : {0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xc0, 0x03, 0x00}) expected.push_back(std::byte(b));
  BOOST_TEST(json.size() == 136u);
  BOOST_TEST((serialize_safetensors(f) == expected));
  check_same(load_safetensors_from_memory(expected), f);
}

BOOST_AUTO_TEST_CASE(reads_the_reference_example_with_unpadded_header) {
  // The example from the Rust crate's documentation: a 60-byte header, no padding.
  const auto bytes = raw_file(R"({"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}})", zeros(16));
  const auto f = load_safetensors_from_memory(bytes);
  BOOST_TEST_REQUIRE(f.tensors.size() == 1u);
  BOOST_TEST(f.tensors[0].name == "test");
  BOOST_TEST(f.tensors[0].as<std::int32_t>() == std::vector<std::int32_t>(4, 0));
  BOOST_TEST(f.metadata.empty());
}

BOOST_AUTO_TEST_CASE(loads_in_data_order_whatever_the_header_order) {
  const auto bytes = raw_file(R"({"z":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},)"
                              R"("a":{"dtype":"U8","shape":[2],"data_offsets":[1,3]},"__metadata__":null})",
                              {std::byte{1}, std::byte{2}, std::byte{3}});
  const auto f = load_safetensors_from_memory(bytes);
  BOOST_TEST_REQUIRE(f.tensors.size() == 2u);
  BOOST_TEST(f.tensors[0].name == "z");
  BOOST_TEST(f.tensors[1].as<std::uint8_t>() == (std::vector<std::uint8_t>{2, 3}));
}

// Python's own reader when installed; a stdlib struct/json reader always, as a second opinion.
BOOST_AUTO_TEST_CASE(python_interop) {
  temp_dir dir;
  const auto original = sample();
  save_safetensors(dir.path / "ours.safetensors", original);
  std::ofstream(dir.path / "check.py") << R"PY(
import json, struct, sys
ours, report, theirs = sys.argv[1:4]
FORMATS = {"F16": "e", "F32": "f", "F64": "d", "I8": "b", "U8": "B", "I16": "h", "U16": "H",
           "I32": "i", "U32": "I", "I64": "q", "U64": "Q", "BOOL": "?", "BF16": "H"}
raw = open(ours, "rb").read()
n, = struct.unpack("<Q", raw[:8])
assert n % 8 == 0, "header not padded to 8 bytes"
header = json.loads(raw[8:8 + n].decode("utf-8"))
data = raw[8 + n:]
result = {"stdlib": {"metadata": header.pop("__metadata__", {}), "tensors": {}}, "safetensors": None}
for name, info in header.items():
    begin, end = info["data_offsets"]
    fmt = FORMATS[info["dtype"]]
    values = struct.unpack("<%d%s" % ((end - begin) // struct.calcsize(fmt), fmt), data[begin:end])
    if info["dtype"] == "BF16":
        values = [struct.unpack("<f", struct.pack("<I", v << 16))[0] for v in values]
    result["stdlib"]["tensors"][name] = {"shape": info["shape"], "values": [float(v) for v in values]}
assert max(i["data_offsets"][1] for i in header.values()) == len(data)
try:
    import numpy as np
    from safetensors import safe_open
    from safetensors.numpy import save_file
except ImportError:
    pass
else:
    tensors = {}
    with safe_open(ours, framework="np") as f:
        metadata = f.metadata() or {}
        for name in f.keys():
            try:
                a = f.get_tensor(name)
            except Exception:  # numpy has no bfloat16
                tensors[name] = None
                continue
            tensors[name] = {"shape": list(a.shape), "values": [float(v) for v in a.astype(np.float64).ravel()]}
    result["safetensors"] = {"metadata": metadata, "tensors": tensors}
    save_file({"py_f32": np.arange(6, dtype=np.float32).reshape(2, 3),
               "py_i64": np.array([-1, 2**40], dtype=np.int64),
               "py_f16": np.array([0.5, -2.0], dtype=np.float16)}, theirs, metadata={"from": "python"})
json.dump(result, open(report, "w"))
)PY";
  const auto command = "python3 '" + (dir.path / "check.py").string() + "' '" +
                       (dir.path / "ours.safetensors").string() + "' '" + (dir.path / "report.json").string() +
                       "' '" + (dir.path / "theirs.safetensors").string() + "' > '" +
                       (dir.path / "log.txt").string() + "' 2>&1";
  const int status = std::system(command.c_str());
  if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
    BOOST_TEST_MESSAGE("python3 not found: skipping the Python interop check");
    return;
  }
  std::ifstream log(dir.path / "log.txt");
  const std::string log_text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  BOOST_TEST_REQUIRE(status == 0, "python check failed:\n" << log_text);
  const auto report = nlohmann::json::parse(std::ifstream(dir.path / "report.json"));

  for (const char* reader : {"stdlib", "safetensors"}) {
    if (report[reader].is_null()) {
      BOOST_TEST_MESSAGE("Python safetensors/numpy not installed: checked with the stdlib reader only");
      continue;
    }
    BOOST_TEST_CONTEXT("reader " << reader) {
      const auto metadata = report[reader]["metadata"].get<std::map<std::string, std::string>>();
      BOOST_TEST((metadata == original.metadata));
      BOOST_TEST(report[reader]["tensors"].size() == original.tensors.size());
      for (const auto& t : original.tensors) {
        const auto& got = report[reader]["tensors"][t.name];
        if (got.is_null() && t.type == dtype::bf16) continue;
        BOOST_TEST_CONTEXT("tensor " << t.name) {
          BOOST_TEST(got["shape"].get<std::vector<std::int64_t>>() == t.shape);
          BOOST_TEST(got["values"].get<std::vector<double>>() == values_of(t));
        }
      }
    }
  }
  if (!report["safetensors"].is_null()) {
    const auto theirs = load_safetensors(dir.path / "theirs.safetensors");
    BOOST_TEST(theirs.metadata.at("from") == "python");
    BOOST_TEST(theirs.at("py_f32").shape == (std::vector<std::int64_t>{2, 3}));
    BOOST_TEST(theirs.at("py_f32").as<float>() == (std::vector<float>{0, 1, 2, 3, 4, 5}));
    BOOST_TEST(theirs.at("py_i64").as<std::int64_t>() == (std::vector<std::int64_t>{-1, std::int64_t{1} << 40}));
    BOOST_TEST(theirs.at("py_f16").as<float>() == (std::vector<float>{0.5f, -2.0f}));
  }
}

BOOST_AUTO_TEST_SUITE(hostile_input)

BOOST_AUTO_TEST_CASE(every_truncation_is_an_error) {
  temp_dir dir;
  const auto bytes = serialize_safetensors(sample());
  int accepted = 0;
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    const std::span prefix(bytes.data(), n);
    if (!rejected(prefix)) ++accepted;
    write_bytes(dir.path / "cut.safetensors", prefix);
    try {
      load_safetensors(dir.path / "cut.safetensors");
      ++accepted;
    } catch (const acne::error& e) {
      if (n == bytes.size() / 2) BOOST_TEST(std::string(e.what()).find("cut.safetensors") != std::string::npos);
    }
  }
  BOOST_TEST(accepted == 0);
  BOOST_TEST(!rejected(bytes));
}

BOOST_AUTO_TEST_CASE(header_length_is_checked) {
  auto bytes = raw_file("{" + tensor_a + "}", zeros(8));
  BOOST_TEST(!rejected(bytes));
  for (std::uint64_t n : {std::uint64_t{1} << 63, std::uint64_t{100'000'001}, std::uint64_t(bytes.size() - 7)}) {
    for (int i = 0; i < 8; ++i) bytes[i] = std::byte(n >> (8 * i));
    BOOST_CHECK_EXCEPTION(load_safetensors_from_memory(bytes, "hostile.safetensors"), acne::error,
                          mentions("hostile.safetensors': header length " + std::to_string(n)));
  }
  BOOST_CHECK_EXCEPTION(load_safetensors_from_memory(zeros(7)), acne::error, mentions("too short"));
  temp_dir dir;
  BOOST_CHECK_EXCEPTION(load_safetensors(dir.path / "absent.safetensors"), acne::error, mentions("absent"));
  BOOST_CHECK_EXCEPTION(load_safetensors(dir.path), acne::error, mentions(dir.path.string()));
}

BOOST_AUTO_TEST_CASE(header_must_be_a_json_object) {
  BOOST_CHECK_EXCEPTION(load_safetensors_from_memory(raw_file("{" + tensor_a, zeros(8))), acne::error,
                        mentions("not valid JSON"));
  BOOST_CHECK_EXCEPTION(load_safetensors_from_memory(raw_file(" {}")), acne::error, mentions("'{'"));
  BOOST_CHECK_EXCEPTION(load_safetensors_from_memory(raw_file("[]")), acne::error, mentions("'{'"));
  BOOST_CHECK_EXCEPTION(load_safetensors_from_memory(raw_file("")), acne::error, mentions("'{'"));
  BOOST_CHECK_EXCEPTION(load_safetensors_from_memory(raw_file("{\"\xff\":{}}")), acne::error,
                        mentions("not valid JSON"));
  BOOST_CHECK_EXCEPTION(load_safetensors_from_memory(raw_file("{}x")), acne::error, mentions("not valid JSON"));
  // Deep nesting must be an error, not a stack overflow.
  const std::string deep = "{\"a\":" + std::string(200000, '[') + std::string(200000, ']') + "}";
  BOOST_CHECK_EXCEPTION(load_safetensors_from_memory(raw_file(deep)), acne::error, mentions("not an object"));
}

BOOST_AUTO_TEST_CASE(entries_are_validated_field_by_field) {
  const auto load_entry = [](const std::string& entry, std::size_t data = 8) {
    return load_safetensors_from_memory(raw_file("{\"w\":" + entry + "}", zeros(data)));
  };
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"(5)", "not an object"},
      {R"({"shape":[2],"data_offsets":[0,8]})", "'dtype' is missing"},
      {R"({"dtype":7,"shape":[2],"data_offsets":[0,8]})", "'dtype' is 7"},
      {R"({"dtype":"Q4","shape":[2],"data_offsets":[0,8]})", "unknown or unsupported dtype \"Q4\""},
      {R"({"dtype":"F32","data_offsets":[0,8]})", "'shape' is missing"},
      {R"({"dtype":"F32","shape":2,"data_offsets":[0,8]})", "'shape' is 2"},
      {R"({"dtype":"F32","shape":[-2],"data_offsets":[0,8]})", "holds -2"},
      {R"({"dtype":"F32","shape":[2.0],"data_offsets":[0,8]})", "holds 2.0"},
      {R"({"dtype":"F32","shape":["2"],"data_offsets":[0,8]})", "not a non-negative integer"},
      {R"({"dtype":"F32","shape":[9223372036854775808],"data_offsets":[0,8]})", "not a non-negative"},
      {R"({"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]})", "overflows"},
      {R"({"dtype":"F32","shape":[3],"data_offsets":[0,8]})", "needs 12 bytes but data_offsets span 8"},
      {R"({"dtype":"F32","shape":[2]})", "'data_offsets' is missing"},
      {R"({"dtype":"F32","shape":[2],"data_offsets":[0]})", "'data_offsets' must be"},
      {R"({"dtype":"F32","shape":[2],"data_offsets":[0,-8]})", "'data_offsets' must be"},
      {R"({"dtype":"F32","shape":[2],"data_offsets":[0,16]})", "[0, 16] lie outside the 8-byte data area"},
      {R"({"dtype":"F32","shape":[0],"data_offsets":[8,0]})", "lie outside"},
  };
  BOOST_TEST(load_entry(R"({"dtype":"F32","shape":[2],"data_offsets":[0,8],"extra":[1]})").tensors.size() == 1u);
  for (const auto& [entry, message] : cases) {
    BOOST_TEST_CONTEXT(entry) {
      BOOST_CHECK_EXCEPTION(load_entry(entry), acne::error, mentions("tensor 'w': "));
      BOOST_CHECK_EXCEPTION(load_entry(entry), acne::error, mentions(message));
    }
  }
}

BOOST_AUTO_TEST_CASE(offsets_must_tile_the_data_area) {
  const auto entry = [](const char* name, int begin, int end) {
    return "\"" + std::string(name) + "\":{\"dtype\":\"U8\",\"shape\":[" + std::to_string(end - begin) +
           "],\"data_offsets\":[" + std::to_string(begin) + "," + std::to_string(end) + "]}";
  };
  const auto load = [](const std::string& entries, std::size_t data) {
    return load_safetensors_from_memory(raw_file("{" + entries + "}", zeros(data)), "tiles.safetensors");
  };
  BOOST_TEST(load(entry("a", 0, 4) + "," + entry("b", 4, 4) + "," + entry("c", 4, 6), 6).tensors.size() == 3u);
  BOOST_CHECK_EXCEPTION(load(entry("a", 0, 4) + "," + entry("b", 2, 6), 6), acne::error,
                        mentions("tensor 'b': data [2, 6] overlaps tensor 'a'"));
  BOOST_CHECK_EXCEPTION(load(entry("a", 0, 4) + "," + entry("b", 0, 4), 4), acne::error, mentions("overlaps"));
  BOOST_CHECK_EXCEPTION(load(entry("a", 0, 2) + "," + entry("b", 3, 6), 6), acne::error,
                        mentions("tensor 'b': data starts at 3, leaving a gap after byte 2"));
  BOOST_CHECK_EXCEPTION(load(entry("a", 1, 4), 4), acne::error, mentions("gap"));
  BOOST_CHECK_EXCEPTION(load(entry("a", 0, 4), 6), acne::error,
                        mentions("tiles.safetensors': the tensors cover 4 of the 6 data bytes"));
  BOOST_CHECK_EXCEPTION(load("", 1), acne::error, mentions("cover 0 of the 1"));
  BOOST_CHECK_EXCEPTION(load(entry("a", 0, 4), 2), acne::error, mentions("tensor 'a': data_offsets [0, 4] lie"));
}

BOOST_AUTO_TEST_CASE(duplicate_names_are_rejected) {
  const auto header = "{" + tensor_a + "," + R"("a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}})";
  BOOST_CHECK_EXCEPTION(load_safetensors_from_memory(raw_file(header, zeros(16))), acne::error,
                        mentions("duplicate tensor name 'a'"));
}

BOOST_AUTO_TEST_CASE(metadata_values_must_be_strings) {
  BOOST_CHECK_EXCEPTION(load_safetensors_from_memory(raw_file(R"({"__metadata__":{"step":7}})")), acne::error,
                        mentions("metadata 'step' is 7, not a string"));
  BOOST_CHECK_EXCEPTION(load_safetensors_from_memory(raw_file(R"({"__metadata__":[]})")), acne::error,
                        mentions("'__metadata__' is an array"));
  const auto f = load_safetensors_from_memory(raw_file(R"({"__metadata__":{"step":"7"}})"));
  BOOST_TEST(f.metadata.at("step") == "7");
  BOOST_TEST(f.metadata_json("step") == 7);
}

// Every single-byte corruption of a valid file either loads or throws acne::error; never a crash.
BOOST_AUTO_TEST_CASE(byte_corruptions_never_crash) {
  const auto original = serialize_safetensors(sample());
  int errors = 0;
  for (std::size_t i = 0; i < original.size(); ++i) {
    for (int flip : {0x01, 0x04, 0x20, 0x80, 0xff}) {
      auto bytes = original;
      bytes[i] ^= std::byte(flip);
      errors += rejected(bytes);
    }
  }
  BOOST_TEST(errors > 0);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(atomic_save)

BOOST_AUTO_TEST_CASE(failed_save_leaves_target_untouched) {
  temp_dir dir;
  const auto target = dir.path / "model.safetensors";
  save_safetensors(target, sample());
  const auto before = read_bytes(target);

  auto bad = sample();
  bad.tensors[3].shape = {2};  // one I64 of data, two by shape
  BOOST_CHECK_EXCEPTION(save_safetensors(target, bad), acne::error,
                        mentions("model.safetensors': tensor 'step': I64 shape [2] does not match its 8 data bytes"));
  auto twice = sample();
  twice.tensors.push_back(twice.tensors[0]);
  BOOST_CHECK_EXCEPTION(save_safetensors(target, twice), acne::error, mentions("two tensors are named 'conv.weight'"));
  auto reserved = sample();
  reserved.tensors[0].name = "__metadata__";
  BOOST_CHECK_EXCEPTION(save_safetensors(target, reserved), acne::error, mentions("reserved"));
  BOOST_TEST((read_bytes(target) == before));

  // Fails after the data is written: renaming a file over a directory.
  fs::create_directories(dir.path / "occupied" / "child");
  BOOST_CHECK_EXCEPTION(save_safetensors(dir.path / "occupied", sample()), acne::error, mentions("cannot rename"));
  BOOST_TEST(fs::is_directory(dir.path / "occupied" / "child"));
  BOOST_CHECK_EXCEPTION(save_safetensors(dir.path / "missing" / "x.safetensors", sample()), acne::error,
                        mentions("missing"));

  if (::geteuid() != 0) {
    fs::permissions(dir.path, fs::perms::owner_read | fs::perms::owner_exec);
    BOOST_CHECK_EXCEPTION(save_safetensors(target, sample()), acne::error, mentions("temporary file"));
    fs::permissions(dir.path, fs::perms::owner_all);
  } else {
    BOOST_TEST_MESSAGE("running as root: skipping the read-only directory case");
  }
  BOOST_TEST((read_bytes(target) == before));
  BOOST_TEST(dir.entries().size() == 2u, "stray files left behind");  // model.safetensors, occupied
}

BOOST_AUTO_TEST_CASE(successful_save_replaces_target_and_leaves_no_temp_file) {
  temp_dir dir;
  const auto target = dir.path / "model.safetensors";
  write_bytes(target, bytes_of("old content"));
  save_safetensors(target, sample());
  check_same(load_safetensors(target), sample());
  BOOST_TEST(dir.entries() == std::vector<std::string>{"model.safetensors"});
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_CASE(check_against_lists_every_difference) {
  const auto f = sample();
  std::vector<expected_tensor> expected;
  for (const auto& t : f.tensors) expected.push_back({t.name, t.type, t.shape});
  BOOST_CHECK_NO_THROW(check_against(f, expected));

  expected[0].shape = {3, 2};
  expected[1].type = dtype::f32;
  expected.erase(expected.begin() + 13);  // "mask" becomes extra
  expected.erase(expected.begin() + 2);   // "empty" becomes extra
  expected.push_back({"mapping.fc7.weight", dtype::f32, {512, 512}});
  expected.push_back({"mapping.fc6.weight", dtype::f32, {512, 512}});
  try {
    check_against(f, expected, "G.safetensors");
    BOOST_FAIL("a mismatch went unnoticed");
  } catch (const acne::error& e) {
    const std::string m = e.what();
    BOOST_TEST_MESSAGE(m);
    BOOST_TEST(m.find("G.safetensors does not match the model: 2 missing, 2 extra, 2 mismatched") == 0u);
    const auto at = [&](const std::string& s) { return m.find(s); };
    BOOST_TEST(at("missing: mapping.fc7.weight (F32 [512, 512])") < at("missing: mapping.fc6.weight"));
    BOOST_TEST(at("missing: mapping.fc6.weight") != std::string::npos);
    BOOST_TEST(at("extra: empty (F32 [0, 4])") < at("extra: mask (BOOL [3])"));
    BOOST_TEST(at("extra: mask") != std::string::npos);
    BOOST_TEST(at("mismatched: conv.weight: expected F32 [3, 2], found F32 [2, 3]") <
               at("mismatched: scale: expected F32 [], found F64 []"));
    BOOST_TEST(at("mismatched: scale") != std::string::npos);
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_io_safetensors
