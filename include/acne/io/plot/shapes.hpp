#pragma once
// Anti-aliased shapes at sub-pixel positions: OpenCV takes fixed-point coordinates with `shift`
// fractional bits, which keeps thin curves from snapping to whole pixels.
#include <cstddef>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

namespace acne::io::detail {

inline constexpr int subpixel_shift = 4;

inline cv::Point subpixel(double x, double y) {
  constexpr double unit = 1 << subpixel_shift;
  return {cvRound(x * unit), cvRound(y * unit)};
}

inline void fill_polygon(cv::Mat& canvas, const std::vector<cv::Point>& corners, const cv::Scalar& color) {
  cv::fillConvexPoly(canvas, corners, color, cv::LINE_AA, subpixel_shift);
}

// Shapes 0..3 (then repeating): circle, square, triangle, diamond, so series differ in grayscale too.
inline void draw_marker(cv::Mat& canvas, cv::Point2d p, std::size_t shape, int radius, const cv::Scalar& color) {
  constexpr double unit = 1 << subpixel_shift;
  const double r = radius;
  switch (shape % 4) {
    case 0:
      cv::circle(canvas, subpixel(p.x, p.y), cvRound(r * unit), color, cv::FILLED, cv::LINE_AA, subpixel_shift);
      break;
    case 1:
      fill_polygon(canvas, {subpixel(p.x - r, p.y - r), subpixel(p.x + r, p.y - r), subpixel(p.x + r, p.y + r),
                            subpixel(p.x - r, p.y + r)}, color);
      break;
    case 2: {
      const double s = r * 1.25;
      fill_polygon(canvas, {subpixel(p.x, p.y - s), subpixel(p.x + s, p.y + s * 0.8), subpixel(p.x - s, p.y + s * 0.8)},
                   color);
      break;
    }
    default: {
      const double s = r * 1.3;
      fill_polygon(canvas, {subpixel(p.x, p.y - s), subpixel(p.x + s, p.y), subpixel(p.x, p.y + s), subpixel(p.x - s, p.y)},
                   color);
      break;
    }
  }
}

inline void draw_line(cv::Mat& canvas, cv::Point2d a, cv::Point2d b, const cv::Scalar& color, int thickness) {
  cv::line(canvas, subpixel(a.x, a.y), subpixel(b.x, b.y), color, thickness, cv::LINE_AA, subpixel_shift);
}

// Blends `box` (clipped to the canvas) towards white, keeping `keep` of the old pixels, so text on
// top stays readable over grid lines and other series.
inline void wash_out(cv::Mat& canvas, const cv::Rect& box, double keep, double white) {
  const cv::Rect clipped = box & cv::Rect(0, 0, canvas.cols, canvas.rows);
  if (clipped.empty()) return;
  cv::Mat roi = canvas(clipped);
  cv::addWeighted(roi, keep, cv::Mat(roi.size(), roi.type(), cv::Scalar::all(255)), white, 0.0, roi);
}

}  // namespace acne::io::detail
