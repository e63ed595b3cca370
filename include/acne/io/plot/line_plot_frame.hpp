#pragma once
// The frame of a line plot: axis limits from the data, the layout that leaves room for tick labels,
// axis labels and the title, and the grid, ticks and labels themselves. Series, legend and
// annotations are drawn inside it through to_px.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "acne/error.hpp"
#include "acne/io/plot/line_plot_options.hpp"
#include "acne/io/plot/text.hpp"
#include "acne/io/plot/ticks.hpp"

namespace acne::io::detail {

struct line_plot_frame {
  double ui = 1;  // scale of fonts and spacing: 1 at the default 960x600
  text_style tick_style, label_style, title_style, legend_style;
  axis_ticks xt, yt;
  int pad = 0, tick_len = 0, label_h = 0;
  cv::Rect area;  // the plot area inside the axes

  cv::Point2d to_px(double x, double y) const {
    return cv::Point2d(area.x + (x - xt.lo) / (xt.hi - xt.lo) * (area.width - 1),
                       area.y + (yt.hi - y) / (yt.hi - yt.lo) * (area.height - 1));
  }
  int marker_radius() const { return std::max(3, cvRound(4 * ui)); }
};

struct plot_limits {
  double x_lo, x_hi, y_lo, y_hi;
};

inline plot_limits finite_data_range(std::span<const plot_series> series) {
  const double inf = std::numeric_limits<double>::infinity();
  plot_limits r{inf, -inf, inf, -inf};
  for (const auto& s : series) {
    ACNE_CHECK(s.x.empty() || s.x.size() == s.y.size(),
               "line plot: series '" << s.name << "' has " << s.x.size() << " x and " << s.y.size() << " y values");
    for_each_finite_point(s, [&](double x, double y) {
      r.x_lo = std::min(r.x_lo, x);
      r.x_hi = std::max(r.x_hi, x);
      r.y_lo = std::min(r.y_lo, y);
      r.y_hi = std::max(r.y_hi, y);
    });
  }
  if (!std::isfinite(r.x_lo)) r = {0, 1, 0, 1};  // nothing to draw: empty axes
  return r;
}

// Fixed limits win; automatic ones get a 4% margin (as matplotlib's) so markers at the extremes stay whole.
inline plot_limits axis_limits(std::span<const plot_series> series, const line_plot_options& options) {
  plot_limits r = finite_data_range(series);
  r.x_lo = options.x_min.value_or(r.x_lo);
  r.x_hi = options.x_max.value_or(r.x_hi);
  r.y_lo = options.y_min.value_or(r.y_lo);
  r.y_hi = options.y_max.value_or(r.y_hi);
  auto margin = [](double& lo, double& hi, bool fixed_lo, bool fixed_hi) {
    const double pad = 0.04 * (hi - lo);
    if (!fixed_lo) lo -= pad;
    if (!fixed_hi) hi += pad;
  };
  margin(r.x_lo, r.x_hi, options.x_min.has_value(), options.x_max.has_value());
  margin(r.y_lo, r.y_hi, options.y_min.has_value(), options.y_max.has_value());
  return r;
}

inline std::vector<std::string> tick_labels(const axis_ticks& ticks) {
  std::vector<std::string> labels;
  for (double v : ticks.values) labels.push_back(format_number(v, ticks.decimals));
  return labels;
}

inline line_plot_frame make_line_plot_frame(std::span<const plot_series> series, const line_plot_options& options) {
  ACNE_CHECK(options.width >= 200 && options.height >= 150,
             "line plot: size " << options.width << "x" << options.height << " is too small (min 200x150)");
  line_plot_frame f;
  const double ui = f.ui = std::clamp(std::min(options.width / 960.0, options.height / 600.0), 0.75, 2.0);
  f.tick_style = {cv::FONT_HERSHEY_SIMPLEX, 0.5 * ui, 1, {60, 60, 60}};
  f.label_style = {cv::FONT_HERSHEY_SIMPLEX, 0.6 * ui, 1, {30, 30, 30}};
  f.title_style = {cv::FONT_HERSHEY_DUPLEX, 0.75 * ui, 1, {20, 20, 20}};
  f.legend_style = {cv::FONT_HERSHEY_SIMPLEX, 0.5 * ui, 1, {30, 30, 30}};
  const plot_limits limits = axis_limits(series, options);
  f.xt = make_ticks(limits.x_lo, limits.x_hi, 8, options.integer_x, false);
  f.yt = make_ticks(limits.y_lo, limits.y_hi, 6, false, false);

  int y_tick_width = 0;
  for (const auto& text : tick_labels(f.yt)) y_tick_width = std::max(y_tick_width, text_extent(text, f.tick_style).width);
  f.pad = cvRound(12 * ui);
  f.tick_len = cvRound(5 * ui);
  f.label_h = text_extent("Ag", f.label_style).height;
  const int tick_h = text_extent("0", f.tick_style).height;
  const int title_h = options.title.empty() ? 0 : text_extent("Ag", f.title_style).height;
  const int left = f.pad + (options.y_label.empty() ? 0 : f.label_h + f.pad) + y_tick_width + f.tick_len + cvRound(6 * ui);
  const int right = cvRound(28 * ui);
  const int top = options.title.empty() ? cvRound(20 * ui) : title_h + 2 * f.pad + cvRound(4 * ui);
  const int bottom = f.tick_len + tick_h + cvRound(10 * ui) + (options.x_label.empty() ? 0 : f.label_h + f.pad) + f.pad;
  f.area = cv::Rect(left, top, options.width - left - right, options.height - top - bottom);
  ACNE_CHECK(f.area.width > 40 && f.area.height > 40, "line plot: no room left for the plot area");
  return f;
}

// Grid lines, ticks and tick labels, then the box around the plot area.
inline void draw_axes(cv::Mat& canvas, const line_plot_frame& f, bool grid) {
  const cv::Scalar grid_color(232, 232, 232), axis_color(90, 90, 90);
  const cv::Rect& area = f.area;
  const auto y_text = tick_labels(f.yt);
  for (std::size_t i = 0; i < f.yt.values.size(); ++i) {
    const int py = cvRound(f.to_px(f.xt.lo, f.yt.values[i]).y);
    if (grid) cv::line(canvas, {area.x, py}, {area.br().x - 1, py}, grid_color, 1);
    cv::line(canvas, {area.x - f.tick_len, py}, {area.x, py}, axis_color, 1);
    put_text(canvas, y_text[i], {area.x - f.tick_len - cvRound(5 * f.ui), py}, f.tick_style, align::end, align::center);
  }
  for (double v : f.xt.values) {
    const int px = cvRound(f.to_px(v, f.yt.lo).x);
    if (grid) cv::line(canvas, {px, area.y}, {px, area.br().y - 1}, grid_color, 1);
    cv::line(canvas, {px, area.br().y - 1}, {px, area.br().y - 1 + f.tick_len}, axis_color, 1);
    put_text(canvas, format_number(v, f.xt.decimals), {px, area.br().y + f.tick_len + cvRound(4 * f.ui)}, f.tick_style,
             align::center, align::start);
  }
  cv::rectangle(canvas, area, axis_color, 1);
}

inline void draw_titles(cv::Mat& canvas, const line_plot_frame& f, const line_plot_options& options) {
  const cv::Rect& area = f.area;
  if (!options.title.empty())
    put_text(canvas, options.title, {area.x + area.width / 2, f.pad}, f.title_style, align::center, align::start);
  if (!options.x_label.empty())
    put_text(canvas, options.x_label, {area.x + area.width / 2, options.height - f.pad}, f.label_style, align::center,
             align::end);
  if (!options.y_label.empty())
    put_vertical_text(canvas, options.y_label, {f.pad + f.label_h / 2 + 2, area.y + area.height / 2}, f.label_style);
}

}  // namespace acne::io::detail
