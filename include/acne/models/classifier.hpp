#pragma once
// The paper's three classifiers chosen by name at run time. A classifier_spec says how to rebuild a
// model (it travels in checkpoint metadata); with_classifier builds the network and hands it to a
// generic callable, so callers are written once and instantiated for the two model types only
// (ResNet50V2 and ResNet152V2 are one type with different depths).
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "acne/error.hpp"
#include "acne/models/inception_resnet_v2.hpp"
#include "acne/models/resnet_v2.hpp"
#include "acne/network.hpp"

namespace acne {

inline const std::vector<std::string>& classifier_architectures() {
  static const std::vector<std::string> names{"resnet50v2", "resnet152v2", "inception_resnet_v2"};
  return names;
}

struct classifier_spec {
  std::string architecture = "resnet50v2";
  double width = 1.0;               // filter multiplier (1 = the published model)
  std::vector<std::size_t> blocks{};  // per stage / block group; empty = the published depth
  std::size_t image_size = 224;     // square input (the paper trained all three at 224)
  std::vector<std::string> class_names{"healthy", "mild", "moderate", "severe"};
  bool include_top = true;

  std::size_t classes() const { return class_names.size(); }

  void validate() const {
    bool known = false;
    for (const auto& a : classifier_architectures()) known = known || a == architecture;
    ACNE_CHECK(known, "unknown model '" << architecture << "' (want resnet50v2, resnet152v2 or inception_resnet_v2)");
    ACNE_CHECK(width > 0, "width multiplier " << width << " must be positive");
    const std::size_t groups = architecture == "inception_resnet_v2" ? 3 : 4;
    ACNE_CHECK(blocks.empty() || blocks.size() == groups,
               architecture << " takes " << groups << " block counts, got " << blocks.size());
    ACNE_CHECK(!include_top || !class_names.empty(), "a classifier needs at least one class");
    ACNE_CHECK(image_size >= (architecture == "inception_resnet_v2" ? 75u : 32u),
               architecture << " needs an input of at least " << (architecture == "inception_resnet_v2" ? 75 : 32)
                            << " pixels, got " << image_size);
  }

  nlohmann::json to_json() const {
    return {{"architecture", architecture}, {"width", width},           {"blocks", blocks},
            {"image_size", image_size},     {"class_names", class_names}, {"include_top", include_top}};
  }
  static classifier_spec from_json(const nlohmann::json& j) {
    classifier_spec s;
    s.architecture = j.at("architecture").get<std::string>();
    s.width = j.value("width", 1.0);
    s.blocks = j.value("blocks", std::vector<std::size_t>{});
    s.image_size = j.value("image_size", std::size_t{224});
    s.class_names = j.value("class_names", s.class_names);
    s.include_top = j.value("include_top", true);
    return s;
  }
};

template <class T, class D = cpu>
resnet_v2<T, D> make_resnet_v2(const classifier_spec& s) {
  auto c = s.architecture == "resnet152v2" ? resnet_v2_config::resnet152v2() : resnet_v2_config::resnet50v2();
  if (!s.blocks.empty()) std::copy(s.blocks.begin(), s.blocks.end(), c.blocks.begin());
  c.width = s.width;
  c.head = {.classes = s.classes(), .include_top = s.include_top};
  return make_resnet_v2<T, D>(c);
}

template <class T, class D = cpu>
inception_resnet_v2<T, D> make_inception_resnet_v2(const classifier_spec& s) {
  inception_resnet_v2_config c;
  if (!s.blocks.empty()) std::copy(s.blocks.begin(), s.blocks.end(), c.repeats.begin());
  c.width = s.width;
  c.head = {.classes = s.classes(), .include_top = s.include_top};
  return make_inception_resnet_v2<T, D>(c);
}

// Builds the network of `spec`, sets it up for batches of `batch` images (seeded initialisation)
// and returns f(net).
template <class T, class D = cpu, class F>
decltype(auto) with_classifier(const classifier_spec& spec, std::uint64_t seed, F&& f, std::size_t batch = 1) {
  spec.validate();
  const shape4 input{batch, 3, spec.image_size, spec.image_size};
  if (spec.architecture == "inception_resnet_v2") {
    network net(make_inception_resnet_v2<T, D>(spec));
    net.setup(input, seed);
    return std::forward<F>(f)(net);
  }
  network net(make_resnet_v2<T, D>(spec));
  net.setup(input, seed);
  return std::forward<F>(f)(net);
}

}  // namespace acne
