#pragma once
// THE EMBEDDED DEFAULT DATASET: procedural face-like images of no real person, with acne lesions whose
// number follows the Hayashi grading used by ACNE04. Deterministic from (options, class, seed) and
// resolution-independent: one seed gives the same face (pose, tones, lesion layout) at any size;
// only the sensor noise is drawn per pixel.
//
// Counting: Hayashi grades the lesion count of a half face. The graded half (left or right at random)
// carries lesion_count ~ U[lo, hi] of the class (healthy 0, mild 1-5, moderate 6-20, severe 21-50,
// very severe 51..very_severe_max); with phantom_options::both_sides the other half carries
// U[lo, lesion_count] lesions, so either half grades to the same class. Every drawn mark counts as one
// lesion: papules, pustules (white/yellow centre), nodules (larger, darker), erythema (red blotches)
// and scars (small pits); severer classes draw more nodules. Moles (brown dots, not lesions) appear on
// any class as distractors.
#include <array>
#include <cstdint>
#include <random>
#include <vector>

#include <opencv2/core.hpp>

#include "acne/data/acne_class.hpp"
#include "acne/data/phantom_landmarks.hpp"
#include "acne/data/phantom_render.hpp"
#include "acne/data/phantom_spec.hpp"
#include "acne/data/random.hpp"
#include "acne/error.hpp"

namespace acne::data {

struct phantom_face {
  cv::Mat image;                // size x size, 8-bit BGR
  acne_class cls = acne_class::healthy;
  int lesion_count = 0;         // on the graded half face: the Hayashi count
  int lesion_total = 0;         // on the whole face
  std::vector<lesion> lesions;  // every lesion, image-relative positions and radii
  std::array<cv::Point2d, 68> landmarks{};  // pixels, the 68-point order (phantom_landmarks.hpp)
};

inline phantom_face make_phantom(const phantom_options& options, acne_class cls, std::uint64_t seed) {
  ACNE_CHECK(options.size >= 16 && options.size <= 4096, "make_phantom: size " << options.size << " outside 16..4096");
  ACNE_CHECK(options.noise >= 0.0, "make_phantom: negative noise " << options.noise);
  std::mt19937_64 rng(seed);
  phantom_detail::face_spec spec = phantom_detail::draw_face_spec(cls, options, rng);
  // lesion positions: face frame (u, v) -> image-relative (x, y)
  const phantom_detail::frame unit{spec.cx, spec.cy, spec.fw, spec.fh, std::cos(spec.angle), std::sin(spec.angle)};
  for (auto& l : spec.lesions) {
    const cv::Point2d p = unit(l.x, l.y);
    l.x = p.x, l.y = p.y;
  }
  phantom_face face;
  face.image = phantom_detail::render(spec, options.size, options.noise, splitmix64(seed ^ 0x6E6F697365ull));
  face.landmarks = phantom_detail::landmarks(spec, options.size);
  face.cls = cls;
  face.lesion_count = spec.graded_count;
  face.lesion_total = spec.total_count;
  face.lesions = std::move(spec.lesions);
  return face;
}

// The seed of sample `index` of class `cls` in a dataset generated from `seed`.
inline std::uint64_t phantom_sample_seed(std::uint64_t seed, acne_class cls, std::uint64_t index) {
  return mix_seed(seed, static_cast<std::uint64_t>(cls) + 1, index);
}

}  // namespace acne::data
