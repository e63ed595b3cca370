// acne-fid's measurement.
#include "acne/cli/fid.hpp"

namespace acne::cli::fid_detail {
ACNE_INSTANCES(ACNE_FID_MEASURE)
}
