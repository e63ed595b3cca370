#pragma once
// A detected face: its box and the 68 landmarks of the iBUG 300-W convention (dlib's
// shape_predictor_68_face_landmarks), in image pixels with pixel centres at integer coordinates:
//   0-16 jaw (image left to right), 17-21 and 22-26 brows, 27-30 nose bridge, 31-35 nostrils,
//   36-41 the eye on the image's left (36 outer corner, 39 inner), 42-47 the other (42 inner, 45
//   outer), 48-59 outer lips (48 and 54 the corners), 60-67 inner lips.
#include <array>
#include <cstddef>

#include <opencv2/core.hpp>

namespace acne::face {

inline constexpr std::size_t landmark_count = 68;

struct face_landmarks {
  cv::Rect2d box;
  double confidence = 0;  // the detector's score (above 0: a face by its default threshold)
  std::array<cv::Point2d, landmark_count> points{};
};

inline cv::Point2d mean_of(const face_landmarks& f, std::size_t first, std::size_t last) {
  cv::Point2d sum(0, 0);
  for (std::size_t i = first; i <= last; ++i) sum += f.points[i];
  return sum * (1.0 / double(last - first + 1));
}

inline cv::Point2d left_eye(const face_landmarks& f) { return mean_of(f, 36, 41); }   // on the image's left
inline cv::Point2d right_eye(const face_landmarks& f) { return mean_of(f, 42, 47); }
inline cv::Point2d mouth_left(const face_landmarks& f) { return f.points[48]; }
inline cv::Point2d mouth_right(const face_landmarks& f) { return f.points[54]; }

// The five points of dlib's 5-point model, which DFDNet aligns by: the outer and inner corner of the
// eye on the image's right, the outer and inner corner of the other, the bottom of the nose. The
// 5-point model was trained to place these 68-point landmarks (45, 42, 36, 39, 33).
inline std::array<cv::Point2d, 5> five_points(const face_landmarks& f) {
  return {f.points[45], f.points[42], f.points[36], f.points[39], f.points[33]};
}

}  // namespace acne::face
