#pragma once
// A restored face put back into its photograph, as DFDNet's test_FaceDict.py (reverse_align) does:
// the photograph enlarged by `scale` (bilinear), the 512 x 512 face warped back onto it by the
// inverse of its alignment (scaled with it), and the two blended through a soft mask: the face's
// footprint eroded by 2 x scale pixels (the warp's black border), eroded again by 2 w and blurred by a
// Gaussian of 2 w + 1 pixels, w = sqrt(footprint area) / 20 (rounded down), so the seam fades over a
// width that grows with the face. The blend is rounded to 8 bits (the official code truncates).
#include <cmath>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "acne/error.hpp"

namespace acne::face {

inline cv::Mat paste_back(const cv::Mat& image, const cv::Mat& face, const cv::Matx23d& face_to_image, int scale = 1) {
  ACNE_CHECK(image.type() == CV_8UC3 && face.type() == CV_8UC3 && scale >= 1,
             "paste_back: 8-bit BGR image and face and a scale of at least 1, got types " << image.type() << ", "
                                                                                          << face.type() << " and scale " << scale);
  const cv::Size size(image.cols * scale, image.rows * scale);
  // The official code estimates the inverse onto the five points times the scale: the same as scaling it.
  const cv::Matx23d to_output = face_to_image * double(scale);
  cv::Mat warped, footprint, enlarged;
  cv::warpAffine(face, warped, to_output, size);
  cv::warpAffine(cv::Mat(face.size(), CV_32FC3, cv::Scalar::all(1)), footprint, to_output, size);
  cv::resize(image, enlarged, size);
  cv::Mat inner;
  cv::erode(footprint, inner, cv::Mat::ones(2 * scale, 2 * scale, CV_8U));
  const int edge = int(std::sqrt(std::floor(cv::sum(inner)[0]))) / 20;
  cv::Mat soft = inner;
  if (edge > 0) {
    cv::erode(inner, soft, cv::Mat::ones(2 * edge, 2 * edge, CV_8U));
    cv::GaussianBlur(soft, soft, {2 * edge + 1, 2 * edge + 1}, 0);
  }
  cv::Mat face_part, image_part, merged;
  warped.convertTo(face_part, CV_32FC3);
  enlarged.convertTo(image_part, CV_32FC3);
  merged = soft.mul(inner.mul(face_part)) + (cv::Scalar::all(1) - soft).mul(image_part);
  cv::Mat out;
  merged.convertTo(out, CV_8UC3);
  return out;
}

}  // namespace acne::face
