#pragma once
// The four face components DFDNet restores from its dictionaries, and their boxes on a 512 x 512
// aligned face from its 68 landmarks (0-based iBUG order), as the official test_FaceDict.py
// computes them: left eye 17-21 + 36-41, right eye 22-26 + 42-47, nose 29-35, mouth 48-67; centre
// = the mean point, half side L = max(half the larger extent, 16), box [centre - L + 1, centre + L]
// truncated to integers (x0, y0, x1, y1; x1 and y1 exclusive as Python slices read them). A reduced
// face side F (a power of two from 64, for networks small enough to train in a test) scales the
// 16 by F / 512; at 512 every box is the official one.
#include <algorithm>
#include <array>
#include <cstddef>
#include <string>
#include <vector>

#include "acne/error.hpp"

namespace acne::dfdnet {

// The side of the aligned face DFDNet restores.
inline constexpr std::size_t face_side = 512;

inline void check_face_side(std::size_t side) {
  ACNE_CHECK(side >= 64 && side <= 512 && (side & (side - 1)) == 0,
             "DFDNet: face side " << side << ", expected 64, 128, 256 or 512 (the official 512)");
}

enum class face_part { left_eye, right_eye, nose, mouth };
inline constexpr std::array<face_part, 4> face_parts_in_order{face_part::left_eye, face_part::right_eye, face_part::nose,
                                                              face_part::mouth};

inline std::string part_name(face_part p) {
  static const std::array<const char*, 4> names{"left_eye", "right_eye", "nose", "mouth"};
  return names[std::size_t(p)];
}
// The official state dict's prefix of each part's attention blocks ("le_256").
inline std::string part_prefix(face_part p) {
  static const std::array<const char*, 4> names{"le", "re", "no", "mo"};
  return names[std::size_t(p)];
}
// The side of a part's dictionary atoms at 512 (the official part_sizes).
inline std::size_t part_size_at_512(face_part p) { return std::array<std::size_t, 4>{80, 80, 50, 110}[std::size_t(p)]; }

struct part_box {
  long x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  bool operator==(const part_box&) const = default;
};

// Boxes of the four parts, in face_parts_in_order.
using face_boxes = std::array<part_box, 4>;

struct point2 {
  double x = 0, y = 0;
};

// A part's box on a face of side `face` at a feature scale of `side` pixels (face / side to a
// feature pixel), as the official forward floors it, clamped to the features (the official slicing
// would wrap a negative start). Only a reduced face can floor a box inside the face to nothing;
// such a box keeps one feature pixel.
inline part_box part_window(const part_box& b, std::size_t side, face_part p, std::size_t face = face_side) {
  const long f = long(face / side);
  const auto floor_div = [f](long v) { return v >= 0 ? v / f : -((-v + f - 1) / f); };
  const auto clamp = [side](long v) { return std::clamp(v, 0L, long(side)); };
  const bool inside = b.x1 > 0 && b.y1 > 0 && b.x0 < long(face) && b.y0 < long(face) && b.x1 > b.x0 && b.y1 > b.y0;
  ACNE_CHECK(inside, "DFDNet: the " << part_name(p) << " box (" << b.x0 << ", " << b.y0 << ", " << b.x1 << ", " << b.y1
                                    << ") lies outside the " << face << " x " << face << " face");
  part_box w{clamp(floor_div(b.x0)), clamp(floor_div(b.y0)), clamp(floor_div(b.x1)), clamp(floor_div(b.y1))};
  const auto keep_one = [side](long& lo, long& hi) {
    if (hi > lo) return;
    lo = std::min(lo, long(side) - 1), hi = lo + 1;
  };
  keep_one(w.x0, w.x1), keep_one(w.y0, w.y1);
  return w;
}

inline face_boxes boxes_from_landmarks(const std::vector<point2>& landmarks, std::size_t face = face_side) {
  ACNE_CHECK(landmarks.size() == 68, "DFDNet needs the 68 landmarks of a face, not " << landmarks.size());
  const auto range = [](int first, int last) {
    std::vector<int> r;
    for (int i = first; i <= last; ++i) r.push_back(i);
    return r;
  };
  const auto join = [](std::vector<int> a, const std::vector<int>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  };
  const std::array<std::vector<int>, 4> members{join(range(17, 21), range(36, 41)), join(range(22, 26), range(42, 47)),
                                                range(29, 35), range(48, 67)};
  face_boxes boxes;
  for (std::size_t p = 0; p < 4; ++p) {
    double mx = 0, my = 0, lox = 1e300, loy = 1e300, hix = -1e300, hiy = -1e300;
    for (int i : members[p]) {
      const auto& q = landmarks[std::size_t(i)];
      mx += q.x, my += q.y;
      lox = std::min(lox, q.x), hix = std::max(hix, q.x), loy = std::min(loy, q.y), hiy = std::max(hiy, q.y);
    }
    mx /= double(members[p].size()), my /= double(members[p].size());
    const double half = std::max(std::max(hix - lox, hiy - loy) / 2, 16.0 * double(face) / 512);
    // numpy's astype(int) truncates toward zero.
    boxes[p] = {long(mx - half + 1), long(my - half + 1), long(mx + half), long(my + half)};
  }
  return boxes;
}

}  // namespace acne::dfdnet
