#pragma once
// Rendering a face_spec at a given resolution: background, hair, neck, ears, face, eyes, brows, nose,
// mouth, skin texture, lesions, shading and lighting, sensor noise.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "acne/data/phantom_draw.hpp"
#include "acne/data/phantom_spec.hpp"

namespace acne::data::phantom_detail {

inline std::vector<cv::Point2d> face_outline(const face_spec& f, const frame& fr, int n = 96) {
  std::vector<cv::Point2d> pts;
  for (int i = 0; i < n; ++i) {  // clockwise from the top: right side down, left side up
    const double t = 2.0 * CV_PI * i / n, v = -std::cos(t);
    pts.push_back(fr((std::sin(t) >= 0 ? 1 : -1) * face_half_width(f, v), v));
  }
  return pts;
}

inline void draw_background(cv::Mat& c, const face_spec& f) {
  const double R = c.cols, dx = std::cos(f.bg_angle), dy = std::sin(f.bg_angle);
  for (int y = 0; y < c.rows; ++y) {
    auto* row = c.ptr<cv::Vec3f>(y);
    for (int x = 0; x < c.cols; ++x) {
      const double t = std::clamp(0.5 + ((x + 0.5) / R - 0.5) * dx + ((y + 0.5) / R - 0.5) * dy, 0.0, 1.0);
      row[x] = mix(f.bg1, f.bg2, t);
    }
  }
  for (const auto& b : f.blobs) radial(c, b.x * R, b.y * R, 0.2 * b.r * R, b.r * R, b.c, b.alpha, blend::paint);
}

inline void draw_hair_back(cv::Mat& c, const face_spec& f, const frame& fr) {
  const double vol = f.hair_style == 2 ? 1.04 : f.hair_volume;
  std::vector<cv::Point2d> pts;
  for (int i = 0; i <= 60; ++i) {  // arc from the left ear over the skull to the right ear
    const double t = -CV_PI / 2 + CV_PI * i / 60;
    pts.push_back(fr(vol * std::sin(t), -0.08 - vol * 0.98 * std::cos(t)));
  }
  if (f.hair_style == 1) {  // long: fall to the shoulders
    pts.insert(pts.begin(), fr(-vol * 1.05, 1.55));
    pts.push_back(fr(vol * 1.05, 1.55));
  } else {
    pts.insert(pts.begin(), fr(-vol * 0.98, 0.15));
    pts.push_back(fr(vol * 0.98, 0.15));
  }
  fill(c, pts, f.hair, 1.0, 0.004 * c.cols);
}

inline void draw_body(cv::Mat& c, const face_spec& f, const frame& fr, cv::Mat& skin_mask) {
  const double R = c.cols;
  // shoulders (clothes), neck, shadow under the chin
  const frame body{fr.cx, fr.cy, fr.fw, fr.fh, 1.0, 0.0};
  fill(c, ellipse_points(body, 0.0, 2.25, 2.6, 0.85), f.clothes, 1.0, 0.003 * R);
  const std::vector<cv::Point2d> neck{body(-0.44, 0.4), body(0.44, 0.4), body(0.5, 1.5), body(0.6, 1.75),
                                      body(-0.6, 1.75), body(-0.5, 1.5)};
  fill(c, neck, scale(f.skin, 0.82), 1.0, 0.002 * R);
  fill_mask(skin_mask, neck);
  fill(c, ellipse_points(body, 0.0, 0.95, 0.55, 0.25), scale(color(255, 255, 255), 0.6), 0.55, 0.03 * R, blend::multiply);
  // ears
  for (int s : {-1, 1}) {
    const auto ear = ellipse_points(fr, s * 0.97, f.eye_v + 0.14, 0.12, 0.2, s * 0.15);
    fill(c, ear, scale(f.skin, 0.93), 1.0, 0.001 * R);
    fill_mask(skin_mask, ear);
    fill(c, ellipse_points(fr, s * 0.98, f.eye_v + 0.15, 0.05, 0.11), color(200, 200, 200), 0.5, 0.008 * R,
         blend::multiply);
  }
}

inline void draw_eye(cv::Mat& c, const face_spec& f, const frame& fr, int s) {
  const double eu = s * f.eye_u, ev = f.eye_v, R = c.cols;
  std::vector<cv::Point2d> almond, lid;
  for (int i = 0; i <= 24; ++i) {  // upper arc, left to right
    const double x = -1.0 + 2.0 * i / 24;
    const auto p = fr(eu + f.eye_rx * x, ev - f.eye_ry * std::pow(1.0 - x * x, 0.6) + 0.012 * s * x);
    almond.push_back(p);
    lid.push_back(p);
  }
  for (int i = 23; i >= 1; --i) {  // lower arc back
    const double x = -1.0 + 2.0 * i / 24;
    almond.push_back(fr(eu + f.eye_rx * x, ev + 0.7 * f.eye_ry * (1.0 - x * x) + 0.012 * s * x));
  }
  // socket shadow, eye white, iris + pupil (clipped to the almond), lid line
  fill(c, ellipse_points(fr, eu, ev - 0.01, f.eye_rx * 1.35, f.eye_ry * 2.2), color(215, 215, 215), 0.5, 0.012 * R,
       blend::multiply);
  cv::Mat mask;
  const cv::Rect roi = coverage(c.size(), {almond}, 0.0, 0.0, true, mask);
  if (!roi.empty()) {
    const cv::Point2d ic = fr(eu + f.gaze * f.eye_rx * 0.5, ev + 0.1 * f.eye_ry);
    const double ir = f.eye_ry * fr.fh * 1.05;
    const color white = mix(rgb(238, 232, 228), f.skin, 0.1);
    for (int y = 0; y < roi.height; ++y)
      for (int x = 0; x < roi.width; ++x) {
        const std::uint8_t m = mask.at<std::uint8_t>(y, x);
        if (!m) continue;
        const double d = std::hypot(roi.x + x + 0.5 - ic.x, roi.y + y + 0.5 - ic.y) / ir;
        color p = white;
        if (d < 1.05) {
          const color iris = scale(f.iris, 1.0 - 0.35 * smoothstep(0.6, 1.0, d));
          p = mix(white, iris, 1.0 - smoothstep(0.95, 1.05, d));
          p = mix(p, rgb(12, 10, 10), 1.0 - smoothstep(0.38, 0.46, d));
        }
        auto& q = c.at<cv::Vec3f>(roi.y + y, roi.x + x);
        q = mix(q, p, m / 255.0);
      }
    radial(c, ic.x - 0.3 * ir, ic.y - 0.35 * ir, 0.05 * ir, 0.22 * ir, rgb(255, 255, 255), 0.85, blend::paint);
  }
  stroke(c, lid, scale(f.hair, 0.5), std::max(1.0, 0.0075 * R), 0.9, 0.0);
  std::vector<cv::Point2d> crease;
  for (int i = 2; i <= 22; ++i) {
    const double x = -1.0 + 2.0 * i / 24;
    crease.push_back(fr(eu + 1.02 * f.eye_rx * x, ev - 1.9 * f.eye_ry * std::pow(1.0 - x * x, 0.5) + 0.01 * s * x));
  }
  stroke(c, crease, color(170, 170, 175), std::max(1.0, 0.004 * R), 0.45, 0.002 * R, blend::multiply);
  fill(c, ellipse_points(fr, eu, ev + f.eye_ry * 1.5, f.eye_rx * 0.8, f.eye_ry * 0.6), color(215, 210, 220), 0.35,
       0.01 * R, blend::multiply);
}

inline void draw_brow(cv::Mat& c, const face_spec& f, const frame& fr, int s) {
  std::vector<cv::Point2d> upper, lower;
  const double u0 = s * (f.eye_u - f.eye_rx * 0.95), u1 = s * (f.eye_u + f.eye_rx * 1.15);
  for (int i = 0; i <= 16; ++i) {
    const double t = i / 16.0, u = u0 + (u1 - u0) * t;
    const double a = (t - 0.4) / 0.6, arch = f.brow_v - f.brow_arch * (1.0 - a * a) + 0.01 * t;
    const double th = f.brow_thick * (1.0 - 0.55 * t);
    upper.push_back(fr(u, arch - th * 0.5));
    lower.push_back(fr(u, arch + th * 0.5));
  }
  upper.insert(upper.end(), lower.rbegin(), lower.rend());
  fill(c, upper, mix(scale(f.hair, 0.8), f.skin, 0.15), 0.9, 0.002 * c.cols);
}

inline void draw_nose_mouth(cv::Mat& c, const face_spec& f, const frame& fr) {
  const double R = c.cols, nv = f.nose_v, nw = f.nose_w;
  const color shadow(185, 185, 185);
  for (int s : {-1, 1})
    stroke(c, {fr(s * 0.1, f.eye_v + 0.05), fr(s * (nw * 0.9), nv - 0.12), fr(s * nw, nv - 0.02)}, shadow,
           0.012 * R, 0.45, 0.006 * R, blend::multiply);
  fill(c, ellipse_points(fr, 0.0, nv + 0.02, nw * 1.2, 0.04), shadow, 0.55, 0.008 * R, blend::multiply);
  for (int s : {-1, 1})
    fill(c, ellipse_points(fr, s * nw * 0.55, nv + 0.025, nw * 0.32, 0.018, s * 0.3), color(90, 90, 100), 0.75,
         0.002 * R, blend::multiply);
  radial(c, fr(0, nv - 0.05).x, fr(0, nv - 0.05).y, 0.0, 0.035 * fr.fh, rgb(255, 255, 255), 0.18, blend::paint);
  // lips: a lip line with the corners lifted by `smile`, upper lip with a cupid's bow, fuller lower lip
  const auto line_v = [&](double x) { return f.mouth_v - f.smile * x * x; };
  std::vector<cv::Point2d> upper, lower, line;
  for (int i = 0; i <= 24; ++i) {
    const double x = -1.0 + 2.0 * i / 24, u = x * f.mouth_w;
    line.push_back(fr(u, line_v(x)));
    upper.push_back(fr(u, line_v(x) - f.lip_up * std::pow(1.0 - x * x, 0.7) * (1.0 - 0.35 * std::exp(-x * x / 0.02))));
    lower.push_back(fr(u, line_v(x) + f.lip_low * std::pow(1.0 - x * x, 0.8)));
  }
  std::vector<cv::Point2d> lips = upper;
  lips.insert(lips.end(), lower.rbegin(), lower.rend());
  fill(c, lips, f.lips, 0.95, 0.002 * R);
  fill(c, ellipse_points(fr, 0.0, f.mouth_v + f.lip_low * 0.45, f.mouth_w * 0.45, f.lip_low * 0.3), rgb(255, 255, 255),
       0.12, 0.006 * R);
  stroke(c, line, scale(f.lips, 0.45), std::max(1.0, 0.005 * R), 0.9, 0.0);
  fill(c, ellipse_points(fr, 0.0, f.mouth_v + f.lip_low + 0.07, f.mouth_w * 0.5, 0.03), shadow, 0.35, 0.01 * R,
       blend::multiply);
}

inline double hairline_v(const face_spec& f, double u) {
  return f.hairline + f.hair_curve * u * u + f.hair_part * u;
}

inline void draw_hair_front(cv::Mat& c, const face_spec& f, const frame& fr) {
  std::vector<cv::Point2d> cap;
  for (int i = 0; i <= 40; ++i) {
    const double u = -1.12 + 2.24 * i / 40;
    cap.push_back(fr(u, hairline_v(f, u)));
  }
  for (int i = 0; i <= 40; ++i) {
    const double t = CV_PI / 2 - CV_PI * i / 40;  // right to left over the top
    cap.push_back(fr(1.12 * std::sin(t), -0.05 - 1.04 * std::cos(t)));
  }
  fill(c, cap, f.hair, 1.0, 0.003 * c.cols);
  for (const auto& st : f.strands) {  // strands from the crown to the hairline
    const double u1 = st.u * 1.1, v1 = hairline_v(f, u1) - 0.02;
    std::vector<cv::Point2d> line;
    for (int i = 0; i <= 8; ++i) {
      const double t = i / 8.0;
      line.push_back(fr(0.25 * st.u + (u1 - 0.25 * st.u) * t + st.bend * std::sin(CV_PI * t), -1.0 + (v1 + 1.0) * t));
    }
    stroke(c, line, scale(f.hair, st.shade), std::max(1.0, 0.004 * c.cols), 0.35, 0.0);
  }
  if (f.hair_style == 1)
    for (int s : {-1, 1})
      fill(c, {fr(s * 0.86, -0.45), fr(s * 1.12, -0.4), fr(s * 1.16, 0.9), fr(s * 1.02, 1.2), fr(s * 0.95, 0.4)}, f.hair,
           1.0, 0.003 * c.cols);
}

// Face-frame coordinates of a pixel (inverse of frame).
inline cv::Point2d to_face(const frame& fr, double x, double y) {
  const double dx = x - fr.cx, dy = y - fr.cy;
  return {(dx * fr.ca + dy * fr.sa) / fr.fw, (-dx * fr.sa + dy * fr.ca) / fr.fh};
}

// Skin mottling and the roundness of the head (darker towards the outline, side light).
inline void shade_skin(cv::Mat& c, const face_spec& f, const frame& fr, const cv::Mat& skin_mask) {
  cv::Mat grid(5, 5, CV_32F), tex;
  for (int i = 0; i < 25; ++i) grid.at<float>(i / 5, i % 5) = float(f.texture[std::size_t(i)]) * 0.03f;
  cv::resize(grid, tex, c.size(), 0, 0, cv::INTER_CUBIC);
  for (int y = 0; y < c.rows; ++y) {
    auto* row = c.ptr<cv::Vec3f>(y);
    const auto* m = skin_mask.ptr<std::uint8_t>(y);
    for (int x = 0; x < c.cols; ++x) {
      if (!m[x]) continue;
      const cv::Point2d p = to_face(fr, x + 0.5, y + 0.5);
      const double r = std::hypot(p.x, p.y * 0.95);
      const double k = (1.0 + tex.at<float>(y, x)) * (1.0 - f.shade * smoothstep(0.45, 1.1, r)) * (1.0 + f.side_light * p.x);
      row[x] = mix(row[x], row[x] * float(k), m[x] / 255.0);
    }
  }
}

inline void draw_lesion(cv::Mat& c, const lesion& l) {
  const double R = c.cols, x = l.x * R, y = l.y * R, r = std::max(1.5, l.radius * R);
  const color white = rgb(255, 255, 255);
  const double k = 0.85 + 0.3 * l.shape;  // intensity variation
  switch (l.kind) {
    case lesion_kind::papule:
    case lesion_kind::pustule:
      radial(c, x, y, 0.6 * r, 2.0 * r, rgb(255, 150, 145), 0.45 * k, blend::multiply);
      radial(c, x, y, 0.45 * r, 1.05 * r, rgb(232, 112, 108), std::min(1.0, 0.85 * k), blend::multiply);
      radial(c, x, y, 0.3 * r, 0.95 * r, rgb(205, 45, 50), 0.4, blend::paint);  // visible on dark skin too
      if (l.kind == lesion_kind::pustule)
        radial(c, x, y, 0.12 * r, 0.55 * r, rgb(250, 242, 200), 0.95, blend::paint);
      radial(c, x - 0.3 * r, y - 0.35 * r, 0.0, 0.38 * r, white, 0.35, blend::paint);
      break;
    case lesion_kind::nodule:
      radial(c, x, y, 0.8 * r, 1.9 * r, rgb(245, 160, 160), 0.5 * k, blend::multiply);
      radial(c, x, y, 0.5 * r, 1.05 * r, rgb(185, 85, 100), std::min(1.0, 0.85 * k), blend::multiply);
      radial(c, x, y, 0.3 * r, 0.95 * r, rgb(150, 35, 50), 0.35, blend::paint);
      radial(c, x + 0.25 * r, y + 0.3 * r, 0.2 * r, 0.8 * r, rgb(200, 165, 165), 0.45, blend::multiply);
      radial(c, x - 0.3 * r, y - 0.3 * r, 0.0, 0.5 * r, white, 0.22, blend::paint);
      break;
    case lesion_kind::erythema:
      for (int i = 0; i < 3; ++i) {
        const double a = 2.0 * CV_PI * (l.shape + i / 3.0), o = 0.35 * r;
        radial(c, x + o * std::cos(a), y + o * std::sin(a), 0.2 * r, 0.75 * r, rgb(250, 160, 155), 0.5 * k,
               blend::multiply, 1.0 + 0.4 * l.shape, 1.0, a);
      }
      break;
    case lesion_kind::scar:
      radial(c, x - 0.15 * r, y - 0.15 * r, 0.15 * r, 0.9 * r, rgb(185, 150, 140), 0.65 * k, blend::multiply);
      radial(c, x + 0.35 * r, y + 0.35 * r, 0.0, 0.45 * r, white, 0.2, blend::paint);
      break;
  }
}

inline cv::Mat render(const face_spec& f, int size, double noise_sigma, std::uint64_t noise_seed) {
  const double R = size;
  cv::Mat c(size, size, CV_32FC3), skin(size, size, CV_8U, cv::Scalar(0));
  const frame fr{f.cx * R, f.cy * R, f.fw * R, f.fh * R, std::cos(f.angle), std::sin(f.angle)};
  draw_background(c, f);
  draw_hair_back(c, f, fr);
  draw_body(c, f, fr, skin);
  const auto outline = face_outline(f, fr);
  fill(c, outline, f.skin, 1.0, 0.0);
  fill_mask(skin, outline);
  for (const auto& m : f.moles) {
    const auto p = fr(m.u, m.v);
    radial(c, p.x, p.y, 0.3 * m.r * R, m.r * R, rgb(95, 62, 45), 0.8, blend::paint);
  }
  for (int s : {-1, 1}) draw_eye(c, f, fr, s), draw_brow(c, f, fr, s);
  draw_nose_mouth(c, f, fr);
  for (int s : {-1, 1})  // soft shadow under the cheekbones
    fill(c, ellipse_points(fr, s * 0.72, 0.42, 0.22, 0.2, -s * 0.5), color(220, 215, 215), 0.45, 0.04 * R,
         blend::multiply);
  // lesions, under the hair and the shading; erythema and scars first, pustules last
  static const lesion_kind order[] = {lesion_kind::erythema, lesion_kind::scar, lesion_kind::nodule,
                                      lesion_kind::papule, lesion_kind::pustule};
  for (lesion_kind k : order)
    for (const auto& l : f.lesions)
      if (l.kind == k) draw_lesion(c, l);
  shade_skin(c, f, fr, skin);
  draw_hair_front(c, f, fr);
  // global light gradient
  const double lx = std::cos(f.light_angle), ly = std::sin(f.light_angle);
  for (int y = 0; y < size; ++y) {
    auto* row = c.ptr<cv::Vec3f>(y);
    for (int x = 0; x < size; ++x)
      row[x] *= float(1.0 + f.light * (((x + 0.5) / R - 0.5) * lx + ((y + 0.5) / R - 0.5) * ly));
  }
  if (size >= 384) cv::GaussianBlur(c, c, cv::Size(0, 0), 0.5 * size / 512.0);
  if (noise_sigma > 0) {
    cv::Mat noise(size, size, CV_32FC3);
    cv::RNG rng(noise_seed | 1);
    rng.fill(noise, cv::RNG::NORMAL, 0.0, noise_sigma);
    c += noise;
  }
  cv::Mat out;
  c.convertTo(out, CV_8UC3);
  return out;
}

}  // namespace acne::data::phantom_detail
