#pragma once
// The 68 landmarks of a phantom face (the iBUG 300-W order of acne/face/landmarks.hpp), computed from
// the same face-frame geometry the renderer draws with, so that a test knows where the eyes, brows,
// nose, mouth and jaw of a face really are:
//   0-16  the face outline from the image's left, level with the eyes' lower lids, down round the
//         chin (8) and up the other side, at equal steps along the outline;
//   17-26 each brow's centre line, image-left brow outer to inner, then the other inner to outer;
//   27-30 the nose bridge from between the eyes to the tip; 31-35 the base of the nose (33 between
//         the nostrils);
//   36-47 each eye's almond: outer corner, two upper-lid points, inner corner, two lower-lid points
//         (image-left eye from its outer corner, the other from its inner corner, both clockwise);
//   48-59 the outer lips from the left corner, upper lip then lower; 60-67 the lip line (closed mouth).
// Points are in pixels of a size x size image, pixel centres at integer coordinates.
#include <array>
#include <cmath>
#include <vector>

#include <opencv2/core.hpp>

#include "acne/data/phantom_draw.hpp"
#include "acne/data/phantom_spec.hpp"

namespace acne::data::phantom_detail {

inline std::array<cv::Point2d, 68> landmarks(const face_spec& f, int size) {
  const double R = size;
  const frame fr{f.cx * R, f.cy * R, f.fw * R, f.fh * R, std::cos(f.angle), std::sin(f.angle)};
  // The renderer's frame puts pixel edges at integer coordinates.
  const auto at = [&](double u, double v) { return fr(u, v) - cv::Point2d(0.5, 0.5); };
  std::array<cv::Point2d, 68> p{};

  // Jaw: the image-left half of the outline from the lower lids' level to the chin, 9 points at equal
  // arc length; the other half mirrored in the face frame.
  const double v0 = f.eye_v + 0.7 * f.eye_ry;
  std::vector<cv::Point2d> half;
  for (int i = 0; i <= 400; ++i) {
    const double v = v0 + (1.0 - v0) * i / 400.0;
    half.push_back({-face_half_width(f, v), v});
  }
  std::vector<double> length{0};
  for (std::size_t i = 1; i < half.size(); ++i) length.push_back(length.back() + cv::norm(half[i] - half[i - 1]));
  for (int k = 0; k <= 8; ++k) {
    const double target = length.back() * k / 8.0;
    std::size_t i = 0;
    while (i + 1 < half.size() && length[i + 1] < target) ++i;
    const double t = i + 1 < half.size() ? (target - length[i]) / std::max(1e-12, length[i + 1] - length[i]) : 0.0;
    const cv::Point2d q = half[i] + (half[std::min(i + 1, half.size() - 1)] - half[i]) * t;
    p[std::size_t(k)] = at(q.x, q.y);
    p[std::size_t(16 - k)] = at(-q.x, q.y);
  }
  // Brows: t = 0 at the inner end, 1 at the outer, along the drawn centre line.
  const auto brow = [&](int s, double t) {
    const double u0 = s * (f.eye_u - f.eye_rx * 0.95), u1 = s * (f.eye_u + f.eye_rx * 1.15);
    const double a = (t - 0.4) / 0.6;
    return at(u0 + (u1 - u0) * t, f.brow_v - f.brow_arch * (1.0 - a * a) + 0.01 * t);
  };
  for (int k = 0; k < 5; ++k) {
    p[std::size_t(17 + k)] = brow(-1, 1.0 - k / 4.0);
    p[std::size_t(22 + k)] = brow(1, k / 4.0);
  }
  // Nose: bridge from the eyes' level to the tip (the renderer's highlight), base under the nostrils.
  const double tip = f.nose_v - 0.05;
  for (int k = 0; k < 4; ++k) p[std::size_t(27 + k)] = at(0, f.eye_v + (tip - f.eye_v) * k / 3.0);
  const double nw = f.nose_w;
  p[31] = at(-nw * 0.9, f.nose_v + 0.02);
  p[32] = at(-nw * 0.5, f.nose_v + 0.04);
  p[33] = at(0, f.nose_v + 0.045);
  p[34] = at(nw * 0.5, f.nose_v + 0.04);
  p[35] = at(nw * 0.9, f.nose_v + 0.02);
  // Eyes: x runs -1 .. 1 across the almond in u; upper and lower arcs as drawn.
  const auto eye = [&](int s, double x, bool upper) {
    const double u = s * f.eye_u + f.eye_rx * x, tilt = 0.012 * s * x;
    const double v = upper ? f.eye_v - f.eye_ry * std::pow(std::max(0.0, 1.0 - x * x), 0.6) + tilt
                           : f.eye_v + 0.7 * f.eye_ry * (1.0 - x * x) + tilt;
    return at(u, v);
  };
  const double third = 1.0 / 3.0;
  p[36] = eye(-1, -1, true), p[37] = eye(-1, -third, true), p[38] = eye(-1, third, true);
  p[39] = eye(-1, 1, true), p[40] = eye(-1, third, false), p[41] = eye(-1, -third, false);
  p[42] = eye(1, -1, true), p[43] = eye(1, -third, true), p[44] = eye(1, third, true);
  p[45] = eye(1, 1, true), p[46] = eye(1, third, false), p[47] = eye(1, -third, false);
  // Lips, as drawn: the lip line with lifted corners, the upper lip with its bow, the fuller lower lip.
  const auto line_v = [&](double x) { return f.mouth_v - f.smile * x * x; };
  const auto upper = [&](double x) {
    return at(x * f.mouth_w,
              line_v(x) - f.lip_up * std::pow(1.0 - x * x, 0.7) * (1.0 - 0.35 * std::exp(-x * x / 0.02)));
  };
  const auto lower = [&](double x) { return at(x * f.mouth_w, line_v(x) + f.lip_low * std::pow(1.0 - x * x, 0.8)); };
  const double outer[] = {-1, -0.6, -0.25, 0, 0.25, 0.6, 1};
  for (int k = 0; k < 7; ++k) p[std::size_t(48 + k)] = upper(outer[k]);
  for (int k = 1; k < 6; ++k) p[std::size_t(54 + k)] = lower(outer[6 - k]);
  const double inner[] = {-0.9, -0.4, 0, 0.4, 0.9};
  for (int k = 0; k < 5; ++k) p[std::size_t(60 + k)] = at(inner[k] * f.mouth_w, line_v(inner[k]));
  for (int k = 1; k < 4; ++k) p[std::size_t(64 + k)] = at(inner[4 - k] * f.mouth_w, line_v(inner[4 - k]));
  return p;
}

}  // namespace acne::data::phantom_detail
