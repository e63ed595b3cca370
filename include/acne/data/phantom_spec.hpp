#pragma once
// The random description of one phantom face, drawn from a seed in resolution-independent units
// (image-relative and face-frame coordinates), so one seed gives the same face at every size.
#include <array>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "acne/data/acne_class.hpp"
#include "acne/data/phantom_draw.hpp"
#include "acne/data/random.hpp"
#include "acne/error.hpp"

namespace acne::data {

struct phantom_options {
  int size = 256;              // output width = height in pixels (16..4096)
  int very_severe_max = 80;    // upper lesion count for very severe (open-ended class)
  // Hayashi counts lesions on a half face. The graded half (left or right, at random) gets
  // lesion_count ~ U[lo, hi] of the class; with both_sides the other half gets U[lo, lesion_count]
  // (never more, never another grade), otherwise it stays clear.
  bool both_sides = true;
  double noise = 2.0;          // sensor noise sigma in 8-bit levels (0 = none)
};

enum class lesion_kind { papule, pustule, nodule, erythema, scar };

inline const char* lesion_kind_name(lesion_kind k) {
  switch (k) {
    case lesion_kind::papule: return "papule";
    case lesion_kind::pustule: return "pustule";
    case lesion_kind::nodule: return "nodule";
    case lesion_kind::erythema: return "erythema";
    case lesion_kind::scar: return "scar";
  }
  return "?";
}

struct lesion {
  lesion_kind kind = lesion_kind::papule;
  double x = 0, y = 0;      // centre, image-relative [0, 1]
  double radius = 0;        // image-relative (times the image size = pixels)
  bool graded_side = true;  // on the half face whose count is the grade
  double shape = 0;         // per-lesion random in [0, 1) (blob layout, intensity)
};

namespace phantom_detail {

struct face_spec {
  // background: gradient c1 -> c2 along angle, plus soft blobs (x, y, r relative; colour; alpha)
  color bg1, bg2;
  double bg_angle = 0;
  struct blob { double x, y, r, alpha; color c; };
  std::vector<blob> blobs;
  // pose and shape (face frame: half width fw and half height fh relative to the image size)
  double cx = 0.5, cy = 0.5, fw = 0.27, fh = 0.36, angle = 0, jaw = 0.7, jaw_pow = 2.0;
  color skin, hair, iris, lips, clothes;
  int hair_style = 0;  // 0 short, 1 long, 2 very short
  double hairline = -0.6, hair_curve = 0.35, hair_part = 0.0, hair_volume = 1.1;
  double eye_u = 0.38, eye_v = -0.03, eye_rx = 0.16, eye_ry = 0.06, gaze = 0.0;
  double brow_v = -0.2, brow_arch = 0.04, brow_thick = 0.045;
  double nose_v = 0.34, nose_w = 0.1;
  double mouth_v = 0.58, mouth_w = 0.26, lip_up = 0.04, lip_low = 0.055, smile = 0.01;
  double shade = 0.3, light_angle = 0, light = 0.2, side_light = 0.1;
  std::array<double, 25> texture{};  // 5x5 low-frequency skin mottling, N(0, 1)
  struct strand { double u, bend, shade; };
  std::vector<strand> strands;
  struct mole { double u, v, r; };
  std::vector<mole> moles;
  std::vector<lesion> lesions;  // lesion x, y hold face-frame (u, v) until placed in the image
  int graded_count = 0, total_count = 0;
};

// Half width of the face outline at height v in [-1, 1] (face-frame units).
inline double face_half_width(const face_spec& f, double v) {
  const double base = std::sqrt(std::max(0.0, 1.0 - v * v));
  if (v < 0) return base * (1.0 - 0.06 * v * v);
  return base * (1.0 - (1.0 - f.jaw) * std::pow(v, f.jaw_pow));
}

inline color skin_tone(double t) {  // t in [0, 1]: very light ... very dark (Fitzpatrick I..VI)
  static const std::array<color, 7> tones{rgb(255, 224, 205), rgb(241, 198, 170), rgb(226, 175, 140), rgb(198, 140, 100),
                                          rgb(160, 108, 72),  rgb(118, 76, 50),   rgb(84, 55, 38)};
  const double s = std::clamp(t, 0.0, 1.0) * (tones.size() - 1);
  const std::size_t i = std::min<std::size_t>(std::size_t(s), tones.size() - 2);
  return mix(tones[i], tones[i + 1], s - double(i));
}

// Whether face-frame point (u, v) is free skin where a lesion may sit (not hair, eyes, brows, nose, mouth).
inline bool lesion_spot_ok(const face_spec& f, double u, double v) {
  if (v < f.hairline + f.hair_curve * u * u + f.hair_part * u + 0.07 || v > 0.9) return false;
  if (std::abs(u) > 0.88 * face_half_width(f, v)) return false;
  const double au = std::abs(u);
  if (v > f.brow_v - 0.08 && v < f.eye_v + f.eye_ry + 0.06 && au > f.eye_u - f.eye_rx - 0.1 && au < f.eye_u + f.eye_rx + 0.1)
    return false;
  if (au < f.nose_w + 0.07 && v > f.eye_v && v < f.nose_v + 0.07) return false;
  if (au < f.mouth_w + 0.06 && v > f.mouth_v - f.lip_up - 0.06 && v < f.mouth_v + f.lip_low + 0.06) return false;
  return true;
}

// Kind probabilities (papule, pustule, nodule, erythema, scar): milder classes show small papules,
// pustules and scars; severer classes bring nodules and inflamed blotches, as in clinical grading.
inline lesion_kind draw_kind(acne_class c, std::mt19937_64& rng) {
  static const double p[5][5] = {{1, 0, 0, 0, 0},
                                 {0.45, 0.35, 0.00, 0.05, 0.15},
                                 {0.45, 0.30, 0.05, 0.12, 0.08},
                                 {0.30, 0.25, 0.25, 0.15, 0.05},
                                 {0.25, 0.25, 0.30, 0.15, 0.05}};
  double x = uniform01(rng);
  for (int k = 0; k < 5; ++k) {
    x -= p[int(c)][k];
    if (x < 0) return lesion_kind(k);
  }
  return lesion_kind::papule;
}

inline double kind_radius(lesion_kind k, std::mt19937_64& rng) {
  switch (k) {
    case lesion_kind::papule: return uniform(rng, 0.8, 1.2);
    case lesion_kind::pustule: return uniform(rng, 0.9, 1.3);
    case lesion_kind::nodule: return uniform(rng, 1.6, 2.2);
    case lesion_kind::erythema: return uniform(rng, 2.2, 3.2);
    case lesion_kind::scar: return uniform(rng, 0.6, 0.9);
  }
  return 1.0;
}

// Face half-width and a face's base lesion radius (times the half-width), image-relative ranges.
inline constexpr double face_width_lo = 0.24, face_width_hi = 0.29;
inline constexpr double lesion_base_lo = 0.05, lesion_base_hi = 0.075;

inline void place_lesions(face_spec& f, acne_class cls, int count, int side, bool graded, std::mt19937_64& rng) {
  static const double size_of_class[5] = {1.0, 0.9, 1.0, 1.05, 0.95};  // severer acne, larger lesions
  const double base = f.fw * uniform(rng, lesion_base_lo, lesion_base_hi) * size_of_class[int(cls)];
  for (int i = 0; i < count; ++i) {
    lesion l;
    l.kind = draw_kind(cls, rng);
    l.radius = base * kind_radius(l.kind, rng);
    l.graded_side = graded;
    l.shape = uniform01(rng);
    // Rejection sampling on the half face, keeping lesions apart while that is easy.
    double u = 0, v = 0;
    for (int attempt = 0; attempt < 400; ++attempt) {
      u = side * uniform(rng, 0.04, 0.95);
      v = uniform(rng, -0.75, 0.92);
      if (!lesion_spot_ok(f, u, v)) continue;
      bool crowded = false;
      if (attempt < 80)
        for (const auto& o : f.lesions)
          crowded |= std::hypot((o.x - u) * f.fw, (o.y - v) * f.fh) < 0.8 * (o.radius + l.radius);
      if (!crowded) break;
    }
    l.x = u, l.y = v;
    f.lesions.push_back(l);
  }
}

inline face_spec draw_face_spec(acne_class cls, const phantom_options& o, std::mt19937_64& rng) {
  face_spec f;
  const auto col = [&](double lo, double hi) { return rgb(uniform(rng, lo, hi), uniform(rng, lo, hi), uniform(rng, lo, hi)); };
  // background
  f.bg1 = col(40, 230);
  f.bg2 = mix(f.bg1, col(30, 240), uniform(rng, 0.2, 0.8));
  f.bg_angle = uniform(rng, 0, 2 * CV_PI);
  for (int i = 0, n = uniform_int(rng, 0, 7); i < n; ++i)
    f.blobs.push_back({uniform01(rng), uniform01(rng), uniform(rng, 0.05, 0.3), uniform(rng, 0.15, 0.5), col(30, 250)});
  // pose and proportions
  f.fw = uniform(rng, face_width_lo, face_width_hi);
  f.fh = f.fw * uniform(rng, 1.25, 1.42);
  f.cx = 0.5 + uniform(rng, -0.035, 0.035);
  f.cy = 0.47 + uniform(rng, -0.03, 0.03);
  f.angle = uniform(rng, -9, 9) * CV_PI / 180;
  f.jaw = uniform(rng, 0.55, 0.85);
  f.jaw_pow = uniform(rng, 1.4, 2.6);
  // colours
  f.skin = skin_tone(std::pow(uniform01(rng), 1.3));
  static const std::array<color, 8> hairs{rgb(22, 18, 16),  rgb(45, 32, 24),   rgb(75, 50, 33),    rgb(110, 75, 45),
                                          rgb(155, 115, 70), rgb(205, 175, 115), rgb(140, 62, 30), rgb(165, 160, 155)};
  f.hair = scale(hairs[uniform_index(rng, hairs.size())], uniform(rng, 0.85, 1.1));
  static const std::array<color, 5> irises{rgb(70, 45, 25), rgb(40, 28, 20), rgb(70, 110, 150), rgb(80, 110, 70),
                                           rgb(110, 90, 50)};
  f.iris = irises[uniform_index(rng, irises.size())];
  f.lips = mix(f.skin, rgb(175, 75, 85), uniform(rng, 0.3, 0.55));
  f.clothes = col(20, 230);
  // hair
  f.hair_style = int(uniform_index(rng, 3));
  f.hairline = uniform(rng, -0.72, -0.5);
  f.hair_curve = uniform(rng, 0.25, 0.45);
  f.hair_part = uniform(rng, -0.12, 0.12);
  f.hair_volume = uniform(rng, 1.05, 1.25);
  if (f.hair_style == 2) f.hairline -= 0.15, f.hair_volume = 1.03;  // very short, higher hairline
  for (int i = 0; i < 28; ++i) f.strands.push_back({uniform(rng, -1, 1), uniform(rng, -0.06, 0.06), uniform(rng, 0.7, 1.35)});
  // features
  f.eye_u = uniform(rng, 0.34, 0.42);
  f.eye_v = uniform(rng, -0.08, 0.02);
  f.eye_rx = uniform(rng, 0.14, 0.18);
  f.eye_ry = uniform(rng, 0.05, 0.068);
  f.gaze = uniform(rng, -0.25, 0.25);
  f.brow_v = f.eye_v - uniform(rng, 0.14, 0.2);
  f.brow_arch = uniform(rng, 0.01, 0.05);
  f.brow_thick = uniform(rng, 0.03, 0.055);
  f.nose_v = uniform(rng, 0.3, 0.38);
  f.nose_w = uniform(rng, 0.08, 0.12);
  f.mouth_v = f.nose_v + uniform(rng, 0.2, 0.27);
  f.mouth_w = uniform(rng, 0.21, 0.3);
  f.lip_up = uniform(rng, 0.025, 0.045);
  f.lip_low = uniform(rng, 0.035, 0.06);
  f.smile = uniform(rng, -0.01, 0.035);
  // lighting
  f.shade = uniform(rng, 0.2, 0.4);
  f.light_angle = uniform(rng, 0, 2 * CV_PI);
  f.light = uniform(rng, 0.05, 0.3);
  f.side_light = uniform(rng, -0.15, 0.15);
  for (double& t : f.texture) t = normal(rng);
  for (int i = 0, n = uniform01(rng) < 0.35 ? uniform_int(rng, 1, 2) : 0; i < n; ++i) {
    double u = 0, v = 0;
    do {
      u = uniform(rng, -0.9, 0.9), v = uniform(rng, -0.6, 0.9);
    } while (!lesion_spot_ok(f, u, v));
    f.moles.push_back({u, v, f.fw * uniform(rng, 0.015, 0.025)});
  }
  // lesions (see phantom_options::both_sides)
  const count_range range = lesion_range(cls, o.very_severe_max);
  const int graded_side = uniform01(rng) < 0.5 ? -1 : 1;
  f.graded_count = uniform_int(rng, range.lo, range.hi);
  const int other = o.both_sides ? uniform_int(rng, range.lo, f.graded_count) : 0;
  place_lesions(f, cls, f.graded_count, graded_side, true, rng);
  place_lesions(f, cls, other, -graded_side, false, rng);
  f.total_count = f.graded_count + other;
  return f;
}

}  // namespace phantom_detail

// The diameter in pixels of a typical papule (mean face, mean base radius) on a phantom face
// `size` pixels wide: what a resolution must resolve for the severity classes to differ.
inline double typical_papule_diameter(double size) {
  using namespace phantom_detail;
  return 2 * size * (face_width_lo + face_width_hi) / 2 * (lesion_base_lo + lesion_base_hi) / 2;
}

}  // namespace acne::data
