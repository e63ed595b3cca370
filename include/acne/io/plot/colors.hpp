#pragma once
// matplotlib's colours, so the pictures read like the paper's figures: tab10 for series, Blues for
// heat maps. OpenCV wants BGR.
#include <algorithm>
#include <cmath>
#include <cstddef>

#include <opencv2/core.hpp>

namespace acne::io::detail {

inline cv::Scalar palette(std::size_t i) {
  static const cv::Scalar colors[] = {{180, 119, 31}, {14, 127, 255}, {44, 160, 44},  {40, 39, 214},
                                      {189, 103, 148}, {75, 86, 140}, {194, 119, 227}, {127, 127, 127},
                                      {34, 189, 188},  {207, 190, 23}};
  return colors[i % 10];
}

// t in [0, 1]; NaN reads as 0.
inline cv::Scalar blues(double t) {
  static const double stops[9][3] = {{247, 251, 255}, {222, 235, 247}, {198, 219, 239}, {158, 202, 225}, {107, 174, 214},
                                     {66, 146, 198},  {33, 113, 181},  {8, 81, 156},    {8, 48, 107}};  // RGB
  t = std::clamp(std::isfinite(t) ? t : 0.0, 0.0, 1.0) * 8.0;
  const int i = std::min(7, static_cast<int>(t));
  const double f = t - i;
  auto channel = [&](int c) { return stops[i][c] + f * (stops[i + 1][c] - stops[i][c]); };
  return {channel(2), channel(1), channel(0)};
}

}  // namespace acne::io::detail
