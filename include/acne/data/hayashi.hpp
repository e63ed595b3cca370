#pragma once
// Hayashi acne grading (as used by ACNE04): severity from the lesion count on a half face.
#include "acne/error.hpp"

namespace acne::data {

// <= 5 lesions -> 0 (mild), <= 20 -> 1 (moderate), <= 50 -> 2 (severe), more -> 3 (very severe).
inline int hayashi_grade(int lesion_count) {
  ACNE_CHECK(lesion_count >= 0, "hayashi_grade: negative lesion count " << lesion_count);
  if (lesion_count <= 5) return 0;
  if (lesion_count <= 20) return 1;
  if (lesion_count <= 50) return 2;
  return 3;
}

}  // namespace acne::data
