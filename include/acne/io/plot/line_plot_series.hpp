#pragma once
// The data of a line plot: each series as a (possibly dashed) polyline with markers, clipped to the
// plot area, and the optional ring and label at a series' minimum.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <optional>
#include <span>
#include <string>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "acne/io/plot/colors.hpp"
#include "acne/io/plot/line_plot_frame.hpp"
#include "acne/io/plot/line_plot_options.hpp"
#include "acne/io/plot/shapes.hpp"
#include "acne/io/plot/text.hpp"
#include "acne/io/plot/ticks.hpp"

namespace acne::io::detail {

inline cv::Scalar series_color(const plot_series& s, std::size_t k) { return s.color.value_or(palette(k)); }

// Dashes of length `dash` with gaps as long, starting afresh at `a`.
inline void draw_dashed_line(cv::Mat& canvas, cv::Point2d a, cv::Point2d b, double dash, const cv::Scalar& color,
                             int thickness) {
  const cv::Point2d d = b - a;
  const double length = std::hypot(d.x, d.y);
  for (double t = 0; t < length; t += 2 * dash)
    draw_line(canvas, a + d * (t / length), a + d * (std::min(t + dash, length) / length), color, thickness);
}

// `plot` is the plot area's ROI, so lines and markers are clipped to it.
inline void draw_series(cv::Mat& plot, const plot_series& s, std::size_t k, const line_plot_frame& f,
                        const line_plot_options& options) {
  const cv::Scalar color = series_color(s, k);
  auto local = [&](double x, double y) { return f.to_px(x, y) - cv::Point2d(f.area.x, f.area.y); };
  std::optional<cv::Point2d> previous;
  for (std::size_t i = 0; i < s.y.size(); ++i) {
    const double x = x_at(s, i), y = s.y[i];
    if (!std::isfinite(x) || !std::isfinite(y)) {
      previous.reset();
      continue;
    }
    const cv::Point2d p = local(x, y);
    if (previous && s.dashed) draw_dashed_line(plot, *previous, p, 8 * f.ui, color, options.line_thickness);
    else if (previous) draw_line(plot, *previous, p, color, options.line_thickness);
    previous = p;
  }
  if (options.markers)
    for_each_finite_point(s, [&](double x, double y) { draw_marker(plot, local(x, y), k, f.marker_radius(), color); });
}

inline std::optional<std::size_t> index_of_minimum(const plot_series& s) {
  std::optional<std::size_t> best;
  for (std::size_t i = 0; i < s.y.size(); ++i)
    if (std::isfinite(s.y[i]) && (!best || s.y[i] < s.y[*best])) best = i;
  return best;
}

// On the full canvas: the label may extend beyond the plot area. It goes up and right of the point
// unless that would leave the plot area.
inline void draw_minimum(cv::Mat& canvas, const plot_series& s, std::size_t k, const line_plot_frame& f) {
  const auto best = index_of_minimum(s);
  if (!best) return;
  const double ui = f.ui, bx = x_at(s, *best);
  const cv::Point2d p = f.to_px(bx, s.y[*best]);
  const cv::Scalar color = series_color(s, k);
  cv::circle(canvas, cv::Point(cvRound(p.x), cvRound(p.y)), f.marker_radius() + cvRound(5 * ui), color, 2, cv::LINE_AA);
  const std::string text = "min " + format_number(s.y[*best], std::max(f.yt.decimals + 1, 2)) + " @ " +
                           format_number(bx, f.xt.decimals);
  int baseline = 0;
  const cv::Size ts = text_extent(text, f.legend_style, &baseline);
  const bool place_left = p.x + ts.width + 20 * ui > f.area.br().x;
  const bool place_below = p.y - 14 * ui - ts.height < f.area.y;
  const cv::Point anchor(cvRound(p.x + (place_left ? -12 * ui : 12 * ui)), cvRound(p.y + (place_below ? 14 * ui : -14 * ui)));
  const int box_h = ts.height + baseline;
  const cv::Rect box(place_left ? anchor.x - ts.width : anchor.x, place_below ? anchor.y : anchor.y - box_h, ts.width,
                     box_h);
  wash_out(canvas, cv::Rect(box.x - 3, box.y - 2, box.width + 6, box.height + 4), 0.2, 0.8);
  put_text(canvas, text, anchor, {f.legend_style.font, f.legend_style.scale, 1, color},
           place_left ? align::end : align::start, place_below ? align::start : align::end);
}

}  // namespace acne::io::detail
