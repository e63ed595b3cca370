#pragma once
// Image grids: tile images into rows x cols, each resized to one cell, with optional labels.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "acne/error.hpp"
#include "acne/io/plot/png.hpp"
#include "acne/io/plot/text.hpp"

namespace acne::io {

struct image_grid_options {
  std::size_t cols = 0;         // 0: ceil(sqrt(N))
  cv::Size cell{0, 0};          // every image is resized to this; {0,0}: size of the first image
  int padding = 4;              // pixels between cells and around the grid
  cv::Scalar background{255, 255, 255};
  std::vector<std::string> labels{};  // optional, one per image (empty strings allowed), drawn under each cell
  double label_scale = 0.5;
};

namespace detail {
// To 8-bit BGR: gray and BGRA are converted; float/double images are taken as [0, 1], 16-bit as [0, 65535].
inline cv::Mat to_bgr8(const cv::Mat& image) {
  cv::Mat eight;
  switch (image.depth()) {
    case CV_8U: eight = image; break;
    case CV_16U: image.convertTo(eight, CV_8U, 1.0 / 257.0); break;
    case CV_32F:
    case CV_64F: image.convertTo(eight, CV_8U, 255.0); break;
    default: ACNE_THROW("image grid: unsupported image depth " << image.depth());
  }
  cv::Mat bgr;
  if (eight.channels() == 1) cv::cvtColor(eight, bgr, cv::COLOR_GRAY2BGR);
  else if (eight.channels() == 4) cv::cvtColor(eight, bgr, cv::COLOR_BGRA2BGR);
  else if (eight.channels() == 3) bgr = eight;
  else ACNE_THROW("image grid: unsupported channel count " << eight.channels());
  return bgr;
}
}  // namespace detail

inline cv::Mat make_image_grid(std::span<const cv::Mat> images, const image_grid_options& options = {}) {
  ACNE_CHECK(!images.empty(), "image grid: no images");
  ACNE_CHECK(options.labels.empty() || options.labels.size() == images.size(),
             "image grid: " << options.labels.size() << " labels for " << images.size() << " images");
  for (std::size_t i = 0; i < images.size(); ++i) ACNE_CHECK(!images[i].empty(), "image grid: image " << i << " is empty");
  const std::size_t count = images.size();
  const std::size_t cols = options.cols > 0 ? std::min(options.cols, count)
                                            : static_cast<std::size_t>(std::ceil(std::sqrt(double(count))));
  const std::size_t rows = (count + cols - 1) / cols;
  const cv::Size cell = options.cell.area() > 0 ? options.cell : images.front().size();
  const text_style label_style{cv::FONT_HERSHEY_SIMPLEX, options.label_scale, 1, {30, 30, 30}};
  const bool any_label = std::any_of(options.labels.begin(), options.labels.end(), [](const auto& l) { return !l.empty(); });
  const int label_h = any_label ? detail::text_extent("Ag", label_style).height + 10 : 0;
  const int pad = std::max(0, options.padding);
  const int width = int(cols) * (cell.width + pad) + pad;
  const int height = int(rows) * (cell.height + label_h + pad) + pad;
  cv::Mat canvas(height, width, CV_8UC3, options.background);
  for (std::size_t k = 0; k < count; ++k) {
    const int r = int(k / cols), c = int(k % cols);
    const cv::Rect target(pad + c * (cell.width + pad), pad + r * (cell.height + label_h + pad), cell.width, cell.height);
    cv::Mat bgr = detail::to_bgr8(images[k]);
    if (bgr.size() != cell)
      cv::resize(bgr, bgr, cell, 0, 0, bgr.cols > cell.width ? cv::INTER_AREA : cv::INTER_LINEAR);
    bgr.copyTo(canvas(target));
    if (any_label && !options.labels[k].empty()) {
      const text_style fit = detail::fit_text(options.labels[k], label_style, cell.width);
      detail::put_text(canvas, options.labels[k], {target.x + cell.width / 2, target.br().y + 5}, fit, align::center,
                       align::start);
    }
  }
  return canvas;
}

inline void save_image_grid(const std::filesystem::path& path, std::span<const cv::Mat> images,
                            const image_grid_options& options = {}) {
  write_png(path, make_image_grid(images, options));
}

}  // namespace acne::io
