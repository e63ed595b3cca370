#pragma once
// Checking a loaded file against the tensors a model expects, before any weight is copied.
#include <cstdint>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "acne/error.hpp"
#include "acne/io/safetensors/dtype.hpp"
#include "acne/io/safetensors/file.hpp"
#include "acne/io/safetensors/record.hpp"

namespace acne::io {

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
