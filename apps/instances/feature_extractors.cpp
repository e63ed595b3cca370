// The feature extractors of FID, KID and the anonymity audit.
#include "acne/metrics/classifier_features.hpp"
#include "acne/metrics/inception_features.hpp"
#include "acne/metrics/random_conv_features.hpp"

namespace acne::metrics {
ACNE_INSTANCES(ACNE_MAKE_INCEPTION_FID_EXTRACTOR)
ACNE_INSTANCES(ACNE_MAKE_RANDOM_CONV_EXTRACTOR)
ACNE_INSTANCES(ACNE_MAKE_CLASSIFIER_EXTRACTOR)
}
