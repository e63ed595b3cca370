#pragma once
// "classifier:<architecture>": the penultimate features (global average pool) of a classifier that
// acne-classify trained, from its checkpoint, for distances in the space in which the classifier
// tells faces apart. The top ("predictions") is left out; the rest must match the checkpoint.
#include <filesystem>
#include <memory>

#include "acne/instances.hpp"
#include "acne/io/checkpoint.hpp"
#include "acne/metrics/feature_extractor.hpp"
#include "acne/models/classifier.hpp"

namespace acne::metrics {

template <class D = cpu>
std::unique_ptr<feature_extractor> make_classifier_extractor(const std::filesystem::path& checkpoint) {
  const auto meta = io::read_checkpoint_meta(checkpoint);
  ACNE_CHECK(!meta.architecture.empty() && meta.config.contains("architecture"),
             "'" << checkpoint.string() << "' is no classifier checkpoint of acne-classify (no architecture in it)");
  auto spec = classifier_spec::from_json(meta.config);
  spec.include_top = false;
  return with_classifier<float, D>(spec, 0, [&](auto& net) -> std::unique_ptr<feature_extractor> {
    io::load_checkpoint(checkpoint, net, {.architecture = meta.architecture, .skip_prefixes = {"predictions."}});
    using layer = typename std::decay_t<decltype(net)>::layer_type;
    return std::make_unique<network_extractor<layer>>(std::move(net), "classifier:" + spec.architecture, spec.image_size);
  });
}
#define ACNE_MAKE_CLASSIFIER_EXTRACTOR(D) \
  std::unique_ptr<feature_extractor> make_classifier_extractor<D>(const std::filesystem::path&)
ACNE_EXTERN_INSTANCES(ACNE_MAKE_CLASSIFIER_EXTRACTOR)

}  // namespace acne::metrics
