#pragma once
// The least-squares similarity transform (rotation, uniform scale, translation) taking one set of 2-D
// points onto another: Umeyama (1991), "Least-squares estimation of transformation parameters
// between two point patterns", as scikit-image's SimilarityTransform.estimate computes it (which
// DFDNet aligns faces with). Returned as the 2 x 3 matrix cv::warpAffine takes.
#include <cmath>
#include <cstddef>
#include <span>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "acne/error.hpp"

namespace acne::face {

inline cv::Matx23d estimate_similarity(std::span<const cv::Point2d> from, std::span<const cv::Point2d> to) {
  ACNE_CHECK(from.size() == to.size() && from.size() >= 2,
             "estimate_similarity: " << from.size() << " and " << to.size() << " points (2 or more pairs)");
  const double n = double(from.size());
  cv::Point2d mf(0, 0), mt(0, 0);
  for (std::size_t i = 0; i < from.size(); ++i) mf += from[i], mt += to[i];
  mf *= 1 / n, mt *= 1 / n;
  // Covariance of the centred sets (to x from^T / n) and the variance of `from`.
  double a = 0, b = 0, c = 0, d = 0, var = 0;
  for (std::size_t i = 0; i < from.size(); ++i) {
    const cv::Point2d p = from[i] - mf, q = to[i] - mt;
    a += q.x * p.x, b += q.x * p.y, c += q.y * p.x, d += q.y * p.y;
    var += p.x * p.x + p.y * p.y;
  }
  ACNE_CHECK(var > 0, "estimate_similarity: the source points all coincide");
  // For 2 x 2 the best rotation (det = +1) is that of the angle atan2(c - b, a + d), and the scale is
  // the sum of the singular values of the covariance with the sign of the reflection removed.
  const double theta = std::atan2(c - b, a + d);
  const double cs = std::cos(theta), sn = std::sin(theta);
  const double scale = (cs * (a + d) + sn * (c - b)) / var;
  const double r00 = scale * cs, r01 = -scale * sn, r10 = scale * sn, r11 = scale * cs;
  return {r00, r01, mt.x - (r00 * mf.x + r01 * mf.y), r10, r11, mt.y - (r10 * mf.x + r11 * mf.y)};
}

inline cv::Point2d apply(const cv::Matx23d& m, cv::Point2d p) {
  return {m(0, 0) * p.x + m(0, 1) * p.y + m(0, 2), m(1, 0) * p.x + m(1, 1) * p.y + m(1, 2)};
}

inline cv::Matx23d invert(const cv::Matx23d& m) {
  cv::Matx23d inverse;
  cv::invertAffineTransform(m, inverse);
  return inverse;
}

}  // namespace acne::face
