#pragma once
// Drawing primitives of the phantom renderer: anti-aliased, optionally feathered polygons and strokes
// blended onto a float BGR canvas (CV_32FC3, 0..255), radial blobs, and the face coordinate frame.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

namespace acne::data::phantom_detail {

using color = cv::Vec3f;  // BGR, 0..255
inline color rgb(double r, double g, double b) { return color(float(b), float(g), float(r)); }
inline color mix(const color& a, const color& b, double t) { return a * float(1.0 - t) + b * float(t); }
inline color scale(const color& a, double s) { return a * float(s); }

// Face frame: u across the face (-1 left edge, +1 right edge of the image), v down the head (-1 top of
// the skull, +1 chin), scaled by the half width/height, rotated by the pose angle, centred at (cx, cy).
struct frame {
  double cx = 0, cy = 0, fw = 1, fh = 1, ca = 1, sa = 0;
  cv::Point2d operator()(double u, double v) const {
    const double x = u * fw, y = v * fh;
    return {cx + x * ca - y * sa, cy + x * sa + y * ca};
  }
};

inline std::vector<cv::Point2d> ellipse_points(const frame& f, double u, double v, double ru, double rv,
                                               double rot = 0.0, int n = 72) {
  std::vector<cv::Point2d> pts;
  const double cr = std::cos(rot), sr = std::sin(rot);
  for (int i = 0; i < n; ++i) {
    const double t = 2.0 * CV_PI * i / n, x = ru * std::cos(t), y = rv * std::sin(t);
    pts.push_back(f(u + x * cr - y * sr, v + x * sr + y * cr));
  }
  return pts;
}

enum class blend { paint, multiply };

constexpr int fixed_shift = 4;  // sub-pixel bits for cv::fillPoly / cv::polylines

// Blends `c` with per-pixel opacity alpha * mask / 255 inside `roi`. paint: p = mix(p, c, a);
// multiply: p = mix(p, p * c / 255, a) (a tint that keeps the underlying texture).
inline void blend_mask(cv::Mat& canvas, const cv::Rect& roi, const cv::Mat& mask, const color& c, double alpha,
                       blend mode) {
  for (int y = 0; y < roi.height; ++y) {
    auto* row = canvas.ptr<cv::Vec3f>(roi.y + y) + roi.x;
    const auto* m = mask.ptr<std::uint8_t>(y);
    for (int x = 0; x < roi.width; ++x) {
      if (!m[x]) continue;
      const float a = float(alpha) * m[x] / 255.0f;
      cv::Vec3f& p = row[x];
      const cv::Vec3f target = mode == blend::paint ? c : cv::Vec3f(p[0] * c[0], p[1] * c[1], p[2] * c[2]) / 255.0f;
      p = p * (1.0f - a) + target * a;
    }
  }
}

// Rasterises polygons (fill) or a polyline (thickness > 0) into a coverage mask around their bounding
// box (feathered by a Gaussian of sigma `feather` px), clipped to the canvas. Returns an empty roi when
// nothing is visible.
inline cv::Rect coverage(const cv::Size& size, const std::vector<std::vector<cv::Point2d>>& shapes, double thickness,
                         double feather, bool closed, cv::Mat& mask) {
  double x0 = 1e30, y0 = 1e30, x1 = -1e30, y1 = -1e30;
  for (const auto& s : shapes)
    for (const auto& p : s) x0 = std::min(x0, p.x), y0 = std::min(y0, p.y), x1 = std::max(x1, p.x), y1 = std::max(y1, p.y);
  const double pad = 2.0 + thickness + 3.0 * feather;
  cv::Rect roi(cv::Point(int(std::floor(x0 - pad)), int(std::floor(y0 - pad))),
               cv::Point(int(std::ceil(x1 + pad)), int(std::ceil(y1 + pad))));
  roi &= cv::Rect(0, 0, size.width, size.height);
  if (roi.empty()) return roi;
  mask = cv::Mat::zeros(roi.size(), CV_8U);
  std::vector<std::vector<cv::Point>> fixed;
  for (const auto& s : shapes) {
    std::vector<cv::Point> q;
    for (const auto& p : s)
      q.emplace_back(int(std::lround((p.x - roi.x) * (1 << fixed_shift))), int(std::lround((p.y - roi.y) * (1 << fixed_shift))));
    fixed.push_back(std::move(q));
  }
  if (thickness > 0)
    cv::polylines(mask, fixed, closed, cv::Scalar(255), std::max(1, int(std::lround(thickness))), cv::LINE_AA, fixed_shift);
  else
    cv::fillPoly(mask, fixed, cv::Scalar(255), cv::LINE_AA, fixed_shift);
  if (feather > 0.3) cv::GaussianBlur(mask, mask, cv::Size(0, 0), feather);
  return roi;
}

inline void fill(cv::Mat& canvas, const std::vector<cv::Point2d>& poly, const color& c, double alpha = 1.0,
                 double feather = 0.0, blend mode = blend::paint) {
  cv::Mat mask;
  const cv::Rect roi = coverage(canvas.size(), {poly}, 0.0, feather, true, mask);
  if (!roi.empty()) blend_mask(canvas, roi, mask, c, alpha, mode);
}

inline void stroke(cv::Mat& canvas, const std::vector<cv::Point2d>& line, const color& c, double thickness,
                   double alpha = 1.0, double feather = 0.0, blend mode = blend::paint) {
  cv::Mat mask;
  const cv::Rect roi = coverage(canvas.size(), {line}, std::max(1.0, thickness), feather, false, mask);
  if (!roi.empty()) blend_mask(canvas, roi, mask, c, alpha, mode);
}

// Adds a polygon to an 8-bit coverage mask (e.g. the skin mask) with anti-aliasing.
inline void fill_mask(cv::Mat& mask, const std::vector<cv::Point2d>& poly) {
  std::vector<cv::Point> q;
  for (const auto& p : poly)
    q.emplace_back(int(std::lround(p.x * (1 << fixed_shift))), int(std::lround(p.y * (1 << fixed_shift))));
  cv::fillPoly(mask, std::vector<std::vector<cv::Point>>{q}, cv::Scalar(255), cv::LINE_AA, fixed_shift);
}

inline double smoothstep(double e0, double e1, double x) {
  const double t = std::clamp((x - e0) / (e1 - e0), 0.0, 1.0);
  return t * t * (3.0 - 2.0 * t);
}

// Radial blob at (x, y) px: full opacity `alpha` inside r_full, fading to 0 at r_zero, optionally
// stretched (sx, sy) and rotated by `rot`.
inline void radial(cv::Mat& canvas, double x, double y, double r_full, double r_zero, const color& c, double alpha,
                   blend mode, double sx = 1.0, double sy = 1.0, double rot = 0.0) {
  const double reach = r_zero * std::max(sx, sy) + 1.0;
  const int x0 = std::max(0, int(std::floor(x - reach))), x1 = std::min(canvas.cols - 1, int(std::ceil(x + reach)));
  const int y0 = std::max(0, int(std::floor(y - reach))), y1 = std::min(canvas.rows - 1, int(std::ceil(y + reach)));
  const double cr = std::cos(rot), sr = std::sin(rot);
  for (int py = y0; py <= y1; ++py) {
    auto* row = canvas.ptr<cv::Vec3f>(py);
    for (int px = x0; px <= x1; ++px) {
      const double dx = px + 0.5 - x, dy = py + 0.5 - y;
      const double d = std::hypot((dx * cr + dy * sr) / sx, (-dx * sr + dy * cr) / sy);
      if (d >= r_zero) continue;
      const float a = float(alpha * (1.0 - smoothstep(r_full, r_zero, d)));
      cv::Vec3f& p = row[px];
      const cv::Vec3f target = mode == blend::paint ? c : cv::Vec3f(p[0] * c[0], p[1] * c[1], p[2] * c[2]) / 255.0f;
      p = p * (1.0f - a) + target * a;
    }
  }
}

}  // namespace acne::data::phantom_detail
