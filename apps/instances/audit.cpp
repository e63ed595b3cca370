// The anonymity audit (acne-audit, acne-pipeline).
#include "acne/audit/audit.hpp"

namespace acne::audit {
ACNE_INSTANCES(ACNE_RUN_AUDIT)
}
