#pragma once
// FFHQ alignment, the recipe of the FFHQ dataset's script (ffhq-dataset, recreate_aligned_images),
// which a StyleGAN2 transferred from an FFHQ model expects of its faces:
//   eye centres e_l, e_r (means of the 68-point eye landmarks), mouth corners m_l, m_r;
//   eye_avg = (e_l + e_r) / 2, eye_to_eye = e_r - e_l, eye_to_mouth = (m_l + m_r) / 2 - eye_avg;
//   x = eye_to_eye - rot90(eye_to_mouth), scaled to max(2 |eye_to_eye|, 1.8 |eye_to_mouth|);
//   y = rot90(x); c = eye_avg + 0.1 eye_to_mouth; the quad c -/+ x -/+ y, of side qsize = 2 |x|;
//   shrink (an image more than twice the quad's size per output pixel is first reduced by the
//   integer factor floor(qsize / size / 2)), crop to the quad plus a border of 10% (3 px at least),
//   pad what the quad reaches beyond the image by reflection (at least 30% of qsize) with the padding
//   blurred (sigma 0.02 qsize) and faded to the image's median colour towards its edge, then map the
//   quad onto the output square (bilinear, supersampled and reduced by area averaging; bicubic where
//   the quad is smaller than the output, a face that is upscaled).
// The transform from image pixels to output pixels is returned with the face.
#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "acne/error.hpp"
#include "acne/face/dfdnet_alignment.hpp"
#include "acne/face/landmarks.hpp"

namespace acne::face {

// The quad's corners (top-left, bottom-left, bottom-right, top-right of the output) in image pixels.
inline std::array<cv::Point2d, 4> ffhq_quad(const face_landmarks& f) {
  const cv::Point2d el = left_eye(f), er = right_eye(f);
  const cv::Point2d eye_avg = (el + er) * 0.5, eye_to_eye = er - el;
  const cv::Point2d eye_to_mouth = (mouth_left(f) + mouth_right(f)) * 0.5 - eye_avg;
  // flipud(v) * [-1, 1] of the reference is (-v.y, v.x).
  cv::Point2d x = eye_to_eye - cv::Point2d(-eye_to_mouth.y, eye_to_mouth.x);
  x *= 1.0 / std::hypot(x.x, x.y);
  x *= std::max(std::hypot(eye_to_eye.x, eye_to_eye.y) * 2.0, std::hypot(eye_to_mouth.x, eye_to_mouth.y) * 1.8);
  const cv::Point2d y(-x.y, x.x), c = eye_avg + eye_to_mouth * 0.1;
  return {c - x - y, c - x + y, c + x + y, c + x - y};
}

namespace detail {

// The padding of the reference: reflected, blurred towards the edge, faded to the median colour.
inline cv::Mat pad_like_ffhq(const cv::Mat& img, const std::array<int, 4>& pad /* left, top, right, bottom */,
                             double qsize) {
  cv::Mat f;
  img.convertTo(f, CV_32FC3);
  cv::copyMakeBorder(f, f, pad[1], pad[3], pad[0], pad[2], cv::BORDER_REFLECT);
  const int h = f.rows, w = f.cols;
  cv::Mat mask(h, w, CV_32F);
  for (int yy = 0; yy < h; ++yy)
    for (int xx = 0; xx < w; ++xx) {
      const auto edge = [](double v, int p) { return p > 0 ? v / p : 1e9; };
      const double mx = 1.0 - std::min(edge(xx, pad[0]), edge(w - 1 - xx, pad[2]));
      const double my = 1.0 - std::min(edge(yy, pad[1]), edge(h - 1 - yy, pad[3]));
      mask.at<float>(yy, xx) = float(std::max(mx, my));
    }
  const double blur = qsize * 0.02;
  cv::Mat blurred;
  cv::GaussianBlur(f, blurred, {0, 0}, blur, blur, cv::BORDER_REFLECT);
  std::array<std::vector<float>, 3> channels;
  for (int yy = 0; yy < h; ++yy)
    for (int xx = 0; xx < w; ++xx)
      for (int ch = 0; ch < 3; ++ch) channels[std::size_t(ch)].push_back(f.at<cv::Vec3f>(yy, xx)[ch]);
  cv::Vec3f median;
  for (int ch = 0; ch < 3; ++ch) {
    auto& v = channels[std::size_t(ch)];
    std::nth_element(v.begin(), v.begin() + std::ptrdiff_t(v.size() / 2), v.end());
    median[ch] = v[v.size() / 2];
  }
  for (int yy = 0; yy < h; ++yy)
    for (int xx = 0; xx < w; ++xx) {
      const float m = mask.at<float>(yy, xx);
      auto& p = f.at<cv::Vec3f>(yy, xx);
      p += (blurred.at<cv::Vec3f>(yy, xx) - p) * std::clamp(m * 3.0f + 1.0f, 0.0f, 1.0f);
      p += (median - p) * std::clamp(m, 0.0f, 1.0f);
    }
  cv::Mat out;
  f.convertTo(out, CV_8UC3);  // rounds and saturates
  return out;
}

}  // namespace detail

inline aligned_face ffhq_align(const cv::Mat& image, const face_landmarks& f, int size) {
  ACNE_CHECK(size >= 4 && image.type() == CV_8UC3, "ffhq_align: an 8-bit BGR image and a size of at least 4, got type "
                                                        << image.type() << " and size " << size);
  auto quad = ffhq_quad(f);
  double qsize = std::hypot(quad[3].x - quad[0].x, quad[3].y - quad[0].y);  // 2 |x|
  // The output square's corners (pixel edges) and the map from image pixels onto them.
  const std::array<cv::Point2f, 3> from{cv::Point2f(quad[0]), cv::Point2f(quad[1]), cv::Point2f(quad[3])};
  const double s = size;
  const std::array<cv::Point2f, 3> to{cv::Point2f(-0.5f, -0.5f), cv::Point2f(-0.5f, float(s - 0.5)),
                                      cv::Point2f(float(s - 0.5), -0.5f)};
  aligned_face out{{}, cv::Matx23d(cv::getAffineTransform(from.data(), to.data())), {}};
  out.to_image = invert(out.to_face);

  cv::Mat img = image;
  const auto shift = [&](cv::Point2d by) {
    for (auto& q : quad) q += by;
  };
  // Shrink.
  const int shrink = int(std::floor(qsize / s * 0.5));
  if (shrink > 1) {
    const cv::Size reduced(int(std::lround(double(img.cols) / shrink)), int(std::lround(double(img.rows) / shrink)));
    // The reference divides the quad by the factor; the reduced size is rounded, so the exact scale
    // of each axis (pixel centres kept) is used here.
    const double sx = double(reduced.width) / img.cols, sy = double(reduced.height) / img.rows;
    cv::resize(img, img, reduced, 0, 0, cv::INTER_AREA);
    for (auto& q : quad) q = {(q.x + 0.5) * sx - 0.5, (q.y + 0.5) * sy - 0.5};
    qsize *= sx;
  }
  // Crop.
  const int border = std::max(int(std::lround(qsize * 0.1)), 3);
  double x0 = quad[0].x, y0 = quad[0].y, x1 = quad[0].x, y1 = quad[0].y;
  for (const auto& q : quad) x0 = std::min(x0, q.x), y0 = std::min(y0, q.y), x1 = std::max(x1, q.x), y1 = std::max(y1, q.y);
  cv::Rect crop(cv::Point(std::max(int(std::floor(x0)) - border, 0), std::max(int(std::floor(y0)) - border, 0)),
                cv::Point(std::min(int(std::ceil(x1)) + border, img.cols), std::min(int(std::ceil(y1)) + border, img.rows)));
  if (crop.width < img.cols || crop.height < img.rows) {
    img = img(crop);
    shift({-double(crop.x), -double(crop.y)});
    x0 -= crop.x, x1 -= crop.x, y0 -= crop.y, y1 -= crop.y;
  }
  // Pad.
  std::array<int, 4> pad{std::max(-int(std::floor(x0)) + border, 0), std::max(-int(std::floor(y0)) + border, 0),
                         std::max(int(std::ceil(x1)) - img.cols + border, 0), std::max(int(std::ceil(y1)) - img.rows + border, 0)};
  if (*std::max_element(pad.begin(), pad.end()) > border - 4) {
    for (int& p : pad) p = std::max(p, int(std::lround(qsize * 0.3)));
    img = detail::pad_like_ffhq(img, pad, qsize);
    shift({double(pad[0]), double(pad[1])});
  }
  // Transform: onto a square of the quad's own size (at least the output's), then area-reduced.
  const int work = std::max(size, int(std::lround(qsize)));
  const std::array<cv::Point2f, 3> qf{cv::Point2f(quad[0]), cv::Point2f(quad[1]), cv::Point2f(quad[3])};
  const double ws = work;
  const std::array<cv::Point2f, 3> square{cv::Point2f(-0.5f, -0.5f), cv::Point2f(-0.5f, float(ws - 0.5)),
                                          cv::Point2f(float(ws - 0.5), -0.5f)};
  cv::warpAffine(img, out.image, cv::getAffineTransform(qf.data(), square.data()), {work, work},
                 qsize < s ? cv::INTER_CUBIC : cv::INTER_LINEAR, cv::BORDER_REFLECT);
  if (work > size) cv::resize(out.image, out.image, {size, size}, 0, 0, cv::INTER_AREA);
  return out;
}

}  // namespace acne::face
