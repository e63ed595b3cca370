#pragma once
// The legend of a line plot: one row per named series (swatch, marker, name), in the corner of the
// plot area that hides the fewest data points.
#include <algorithm>
#include <cstddef>
#include <limits>
#include <span>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "acne/io/plot/line_plot_frame.hpp"
#include "acne/io/plot/line_plot_options.hpp"
#include "acne/io/plot/line_plot_series.hpp"
#include "acne/io/plot/shapes.hpp"
#include "acne/io/plot/text.hpp"

namespace acne::io::detail {

// Points (and so the line segments near them) within a margin of `box`.
inline std::size_t points_under(const cv::Rect& box, std::span<const plot_series> series, const line_plot_frame& f) {
  std::size_t covered = 0;
  for (const auto& s : series)
    for_each_finite_point(s, [&](double x, double y) {
      const cv::Point2d p = f.to_px(x, y);
      if (p.x >= box.x - 8 && p.x <= box.br().x + 8 && p.y >= box.y - 8 && p.y <= box.br().y + 8) ++covered;
    });
  return covered;
}

// Top right, top left, bottom right, bottom left: the first of those that hide the fewest points.
inline cv::Rect legend_box(cv::Size size, std::span<const plot_series> series, const line_plot_frame& f) {
  const cv::Rect& area = f.area;
  const int inset = cvRound(10 * f.ui);
  const cv::Rect corners[] = {
      {area.br().x - inset - size.width, area.y + inset, size.width, size.height},
      {area.x + inset, area.y + inset, size.width, size.height},
      {area.br().x - inset - size.width, area.br().y - inset - size.height, size.width, size.height},
      {area.x + inset, area.br().y - inset - size.height, size.width, size.height}};
  std::size_t best_corner = 0, best_count = std::numeric_limits<std::size_t>::max();
  for (std::size_t c = 0; c < 4; ++c) {
    const std::size_t covered = points_under(corners[c], series, f);
    if (covered < best_count) best_count = covered, best_corner = c;
  }
  return corners[best_corner];
}

// One legend row centred on `cy`: a line swatch (two dashes for a dashed series), its marker, its name.
inline void draw_legend_row(cv::Mat& canvas, const plot_series& s, std::size_t k, cv::Point start, int swatch,
                            const line_plot_frame& f, const line_plot_options& options) {
  const cv::Scalar color = series_color(s, k);
  const double x0 = start.x, cy = start.y;
  if (s.dashed) {
    draw_line(canvas, {x0, cy}, {x0 + swatch * 0.4, cy}, color, options.line_thickness);
    draw_line(canvas, {x0 + swatch * 0.6, cy}, {x0 + swatch, cy}, color, options.line_thickness);
  } else {
    draw_line(canvas, {x0, cy}, {x0 + swatch, cy}, color, options.line_thickness);
  }
  if (options.markers) draw_marker(canvas, {x0 + swatch / 2.0, cy}, k, f.marker_radius(), color);
  put_text(canvas, s.name, {start.x + swatch + cvRound(8 * f.ui), start.y}, f.legend_style, align::start, align::center);
}

// Series without a name stay out of the legend; with none named there is no legend.
inline void draw_legend(cv::Mat& canvas, std::span<const plot_series> series, const line_plot_frame& f,
                        const line_plot_options& options) {
  std::vector<std::size_t> named;
  for (std::size_t k = 0; k < series.size(); ++k)
    if (!series[k].name.empty()) named.push_back(k);
  if (!options.legend || named.empty()) return;
  const double ui = f.ui;
  const int line_h = text_extent("Ag", f.legend_style).height + cvRound(10 * ui);
  const int swatch = cvRound(28 * ui);
  int text_w = 0;
  for (const auto k : named) text_w = std::max(text_w, text_extent(series[k].name, f.legend_style).width);
  const cv::Size size(swatch + text_w + cvRound(24 * ui), line_h * int(named.size()) + cvRound(10 * ui));
  const cv::Rect r = legend_box(size, series, f);
  wash_out(canvas, r, 0.15, 0.85);
  cv::rectangle(canvas, r, cv::Scalar(200, 200, 200), 1);
  for (std::size_t i = 0; i < named.size(); ++i) {
    const cv::Point start(r.x + cvRound(8 * ui), r.y + cvRound(5 * ui) + line_h * int(i) + line_h / 2);
    draw_legend_row(canvas, series[named[i]], named[i], start, swatch, f, options);
  }
}

}  // namespace acne::io::detail
