#pragma once
// Phantom faces (data/phantom.hpp) aligned to DFDNet's 512 x 512 template by the 68 landmarks they
// record, with their part boxes: faces to build dictionaries from and to train and score a DFDNet on
// where no photographs are at hand (the tests, bench_dfdnet_training). Classes cycle healthy, mild,
// moderate, severe; rendered at 384 px, so the template enlarges them a little as it would a photo.
// A reduced face side takes the 512 x 512 face down to it (area averaging), landmarks with it.
#include <algorithm>
#include <cstdint>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "acne/data/phantom.hpp"
#include "acne/face/restore.hpp"
#include "acne/train/dfdnet_dictionaries.hpp"

namespace acne::dfdnet {

inline std::vector<dictionary_face> aligned_phantom_faces(std::size_t count, std::uint64_t seed,
                                                          std::size_t side = face_side) {
  check_face_side(side);
  const double shrink = double(side) / double(face_side);
  std::vector<dictionary_face> faces;
  for (std::size_t i = 0; i < count; ++i) {
    const auto cls = data::paper_classes()[i % 4];
    const auto p = data::make_phantom({.size = 384}, cls, data::phantom_sample_seed(seed, cls, i));
    face::face_landmarks f;
    std::copy(p.landmarks.begin(), p.landmarks.end(), f.points.begin());
    const auto a = face::dfdnet_align(p.image, f);
    std::vector<point2> points;
    for (const auto& q : face::transformed(f, a.to_face).points) points.push_back({(q.x + 0.5) * shrink - 0.5, (q.y + 0.5) * shrink - 0.5});
    cv::Mat image = a.image;
    if (side != face_side) cv::resize(a.image, image, cv::Size(int(side), int(side)), 0, 0, cv::INTER_AREA);
    faces.push_back({image, boxes_from_landmarks(points, side)});
  }
  return faces;
}

}  // namespace acne::dfdnet
