#pragma once
// DFDNet's face alignment (test_FaceDict.py align_and_save): the similarity transform taking the
// face's five points onto DFDNet's FFHQ template at 512 x 512, the face warped with it (bilinear,
// black outside the image), and the inverse kept so that the restored face can be pasted back.
// The template is packages/FFHQ_template.npy of the official repository halved, as the official code
// halves it (tools/dfdnet_alignment_reference.py prints both from the official folder).
#include <array>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "acne/face/landmarks.hpp"
#include "acne/face/similarity.hpp"

namespace acne::face {

inline constexpr int dfdnet_face_size = 512;

inline const std::array<cv::Point2d, 5>& dfdnet_template() {
  static const std::array<cv::Point2d, 5> points{{{343.38613861, 244.31188119},
                                                  {293.38613861, 246.7970297},
                                                  {168.95544554, 244.19306931},
                                                  {218.97524752, 246.75742574},
                                                  {256.79207921, 339.25247525}}};
  return points;
}

struct aligned_face {
  cv::Mat image;              // the aligned face
  cv::Matx23d to_face;        // image pixel -> aligned pixel
  cv::Matx23d to_image;       // aligned pixel -> image pixel
};

inline aligned_face dfdnet_align(const cv::Mat& image, const face_landmarks& f) {
  const auto source = five_points(f);
  aligned_face out{{}, estimate_similarity(source, dfdnet_template()), {}};
  out.to_image = invert(out.to_face);
  cv::warpAffine(image, out.image, out.to_face, {dfdnet_face_size, dfdnet_face_size});
  return out;
}

}  // namespace acne::face
