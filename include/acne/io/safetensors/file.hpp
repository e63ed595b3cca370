#pragma once
// A whole safetensors file in memory: its tensors and its string metadata.
#include <algorithm>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "acne/error.hpp"
#include "acne/io/safetensors/record.hpp"

namespace acne::io {

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

}  // namespace acne::io
