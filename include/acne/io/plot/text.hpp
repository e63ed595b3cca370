#pragma once
// Text on a canvas with OpenCV's Hershey fonts (ASCII only), placed by an anchor and an alignment
// rather than by OpenCV's baseline origin, so callers can centre labels on ticks and cells.
#include <string>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

namespace acne::io {

struct text_style {
  int font = cv::FONT_HERSHEY_SIMPLEX;
  double scale = 0.5;
  int thickness = 1;
  cv::Scalar color{40, 40, 40};  // BGR
};

enum class align { start, center, end };

namespace detail {

inline cv::Size text_extent(const std::string& text, const text_style& style, int* baseline = nullptr) {
  int base = 0;
  cv::Size size = cv::getTextSize(text.empty() ? " " : text, style.font, style.scale, style.thickness, &base);
  if (baseline) *baseline = base;
  return size;
}

// Draws `text` so that `anchor` is its start/center/end horizontally and top/center/bottom vertically
// (the box spans cap height plus descenders).
inline void put_text(cv::Mat& canvas, const std::string& text, cv::Point anchor, const text_style& style,
                     align horizontal = align::start, align vertical = align::start) {
  if (text.empty()) return;
  int baseline = 0;
  const cv::Size size = text_extent(text, style, &baseline);
  int x = anchor.x, y = anchor.y;  // y becomes the baseline
  if (horizontal == align::center) x -= size.width / 2;
  if (horizontal == align::end) x -= size.width;
  const int box = size.height + baseline;
  if (vertical == align::start) y += size.height;
  if (vertical == align::center) y += size.height - box / 2;
  if (vertical == align::end) y -= baseline;
  cv::putText(canvas, text, {x, y}, style.font, style.scale, style.color, style.thickness, cv::LINE_AA);
}

// Text rotated 90 degrees counter-clockwise (reads bottom to top), centred on `center`.
// Drawn dark-on-light: the rotated patch is combined with min(), so it suits light backgrounds.
inline void put_vertical_text(cv::Mat& canvas, const std::string& text, cv::Point center, const text_style& style) {
  if (text.empty()) return;
  int baseline = 0;
  const cv::Size size = text_extent(text, style, &baseline);
  cv::Mat patch(size.height + baseline + 4, size.width + 4, canvas.type(), cv::Scalar::all(255));
  cv::putText(patch, text, {2, size.height + 2}, style.font, style.scale, style.color, style.thickness, cv::LINE_AA);
  cv::rotate(patch, patch, cv::ROTATE_90_COUNTERCLOCKWISE);
  cv::Rect target(center.x - patch.cols / 2, center.y - patch.rows / 2, patch.cols, patch.rows);
  const cv::Rect clipped = target & cv::Rect(0, 0, canvas.cols, canvas.rows);
  if (clipped.empty()) return;
  cv::Mat dst = canvas(clipped);
  cv::Mat src = patch(cv::Rect(clipped.x - target.x, clipped.y - target.y, clipped.width, clipped.height));
  cv::min(dst, src, dst);
}

// Largest scale <= `scale` at which `text` fits in `width` pixels.
inline text_style fit_text(const std::string& text, text_style style, int width) {
  while (style.scale > 0.3 && text_extent(text, style).width > width) style.scale *= 0.9;
  return style;
}

}  // namespace detail
}  // namespace acne::io
