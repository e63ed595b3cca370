#pragma once
// Acne severity classes of the synthetic dataset and their lesion-count ranges (Hayashi grading on a
// half face, as in ACNE04): healthy 0, mild 1-5, moderate 6-20, severe 21-50, very severe > 50.
#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "acne/error.hpp"

namespace acne::data {

enum class acne_class { healthy = 0, mild = 1, moderate = 2, severe = 3, very_severe = 4 };

inline constexpr std::array<acne_class, 5> all_acne_classes{acne_class::healthy, acne_class::mild, acne_class::moderate,
                                                            acne_class::severe, acne_class::very_severe};
// The paper's four classes (and the default folder layout of the synthetic dataset).
inline const std::vector<acne_class>& paper_classes() {
  static const std::vector<acne_class> classes{acne_class::healthy, acne_class::mild, acne_class::moderate,
                                               acne_class::severe};
  return classes;
}

inline std::string_view class_name(acne_class c) {
  switch (c) {
    case acne_class::healthy: return "healthy";
    case acne_class::mild: return "mild";
    case acne_class::moderate: return "moderate";
    case acne_class::severe: return "severe";
    case acne_class::very_severe: return "very-severe";
  }
  return "unknown";
}

// Accepts the names above (also "very_severe" and "verysevere").
inline acne_class parse_acne_class(std::string_view name) {
  for (acne_class c : all_acne_classes)
    if (name == class_name(c)) return c;
  if (name == "very_severe" || name == "verysevere") return acne_class::very_severe;
  ACNE_THROW("unknown acne class '" << name << "' (want healthy, mild, moderate, severe or very-severe)");
}

struct count_range {
  int lo = 0, hi = 0;  // inclusive
};

// Lesions on one half face for a class; very severe is open-ended, capped at very_severe_max.
inline count_range lesion_range(acne_class c, int very_severe_max = 80) {
  switch (c) {
    case acne_class::healthy: return {0, 0};
    case acne_class::mild: return {1, 5};
    case acne_class::moderate: return {6, 20};
    case acne_class::severe: return {21, 50};
    case acne_class::very_severe:
      ACNE_CHECK(very_severe_max > 50, "lesion_range: very severe needs a maximum above 50, got " << very_severe_max);
      return {51, very_severe_max};
  }
  return {0, 0};
}

}  // namespace acne::data
