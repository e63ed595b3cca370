#pragma once
// A labelled grid of sample images (one caption line under each cell), e.g. for a dataset preview.
#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "acne/error.hpp"

namespace acne::data {

// Images are resized to cell x cell (cell <= 0: the first image's width); captions may be empty.
inline cv::Mat make_grid(const std::vector<cv::Mat>& images, const std::vector<std::string>& captions,
                         int columns, int cell = 0) {
  ACNE_CHECK(!images.empty(), "make_grid: no images");
  ACNE_CHECK(captions.empty() || captions.size() == images.size(),
             "make_grid: " << captions.size() << " captions for " << images.size() << " images");
  ACNE_CHECK(columns > 0, "make_grid: columns must be positive");
  if (cell <= 0) cell = images.front().cols;
  const int pad = std::max(2, cell / 32);
  const double font = std::clamp(cell / 260.0, 0.3, 1.2);
  const int thickness = font > 0.7 ? 2 : 1;
  int baseline = 0;
  const int text_h = captions.empty() ? 0 : cv::getTextSize("Ag", cv::FONT_HERSHEY_SIMPLEX, font, thickness, &baseline).height + baseline + 2 * pad;
  const int rows = static_cast<int>((images.size() + columns - 1) / columns);
  const int cols = std::min<int>(columns, static_cast<int>(images.size()));
  cv::Mat grid(rows * (cell + text_h + pad) + pad, cols * (cell + pad) + pad, CV_8UC3, cv::Scalar(255, 255, 255));
  for (std::size_t i = 0; i < images.size(); ++i) {
    const int r = static_cast<int>(i) / columns, c = static_cast<int>(i) % columns;
    const int x = pad + c * (cell + pad), y = pad + r * (cell + text_h + pad);
    cv::Mat img = images[i];
    ACNE_CHECK(img.depth() == CV_8U && (img.channels() == 3 || img.channels() == 1), "make_grid: image " << i << " is not 8-bit BGR/grey");
    if (img.channels() == 1) cv::cvtColor(img, img, cv::COLOR_GRAY2BGR);
    if (img.cols != cell || img.rows != cell) cv::resize(img, img, cv::Size(cell, cell), 0, 0, cv::INTER_AREA);
    img.copyTo(grid(cv::Rect(x, y, cell, cell)));
    if (!captions.empty())
      cv::putText(grid, captions[i], cv::Point(x, y + cell + text_h - pad - baseline), cv::FONT_HERSHEY_SIMPLEX, font,
                  cv::Scalar(20, 20, 20), thickness, cv::LINE_AA);
  }
  return grid;
}

}  // namespace acne::data
