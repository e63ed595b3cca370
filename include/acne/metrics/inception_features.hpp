#pragma once
// "inception-v3-fid": the feature extractor of the standard FID, pytorch-fid's InceptionV3 with the
// TF inception-2015-12-05 weights (tools/convert_pytorch_fid.py turns pytorch-fid's
// pt_inception-2015-12-05-*.pth into the safetensors file this loads). 299 x 299 input; features are
// pool3 (2048) or, with --dims, the globally averaged output of an earlier block (64, 192, 768).
#include <filesystem>
#include <memory>

#include "acne/instances.hpp"
#include "acne/metrics/feature_extractor.hpp"
#include "acne/models/inception_v3.hpp"
#include "acne/models/pretrained.hpp"

namespace acne::metrics {

inline constexpr const char* inception_fid_name = "inception-v3-fid";
inline constexpr std::size_t inception_fid_input = 299;

// Weights hold every tensor of the full network (extra ones, such as the 1008-class "fc", are
// skipped); a missing or mis-shaped tensor is an error naming it.
template <class D = cpu>
std::unique_ptr<feature_extractor> make_inception_fid_extractor(const std::filesystem::path& weights,
                                                                std::size_t dims = 2048) {
  network<inception_v3<float, D>> net(make_fid_inception_v3<float, D>(dims));
  net.setup({1, 3, inception_fid_input, inception_fid_input});
  load_pretrained(weights, net, {.ignore_extra = true});
  return std::make_unique<network_extractor<inception_v3<float, D>>>(std::move(net), inception_fid_name,
                                                                     inception_fid_input, true);
}
#define ACNE_MAKE_INCEPTION_FID_EXTRACTOR(D) \
  std::unique_ptr<feature_extractor> make_inception_fid_extractor<D>(const std::filesystem::path&, std::size_t)
ACNE_EXTERN_INSTANCES(ACNE_MAKE_INCEPTION_FID_EXTRACTOR)

}  // namespace acne::metrics
