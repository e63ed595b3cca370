#pragma once
// Phantom faces (data/phantom.hpp) aligned to DFDNet's 512 x 512 template by the 68 landmarks they
// record, with their part boxes: faces to build dictionaries from and to train and score a DFDNet on
// where no photographs are at hand (the tests, bench_dfdnet_training). Classes cycle healthy, mild,
// moderate, severe; rendered at 384 px, so the template enlarges them a little as it would a photo.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "acne/data/phantom.hpp"
#include "acne/face/restore.hpp"
#include "acne/train/dfdnet_dictionaries.hpp"

namespace acne::dfdnet {

inline std::vector<dictionary_face> aligned_phantom_faces(std::size_t count, std::uint64_t seed) {
  std::vector<dictionary_face> faces;
  for (std::size_t i = 0; i < count; ++i) {
    const auto cls = data::paper_classes()[i % 4];
    const auto p = data::make_phantom({.size = 384}, cls, data::phantom_sample_seed(seed, cls, i));
    face::face_landmarks f;
    std::copy(p.landmarks.begin(), p.landmarks.end(), f.points.begin());
    const auto a = face::dfdnet_align(p.image, f);
    std::vector<point2> points;
    for (const auto& q : face::transformed(f, a.to_face).points) points.push_back({q.x, q.y});
    faces.push_back({a.image, boxes_from_landmarks(points)});
  }
  return faces;
}

}  // namespace acne::dfdnet
