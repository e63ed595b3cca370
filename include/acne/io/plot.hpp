#pragma once
// PNG pictures drawn with OpenCV alone (no plotting library):
//   render_line_plot / save_line_plot        several named series, axes with tick labels, title, legend,
//                                            optional markers (FID per tick, accuracy/loss per epoch);
//   render_confusion_matrix / save_...       heat map, class names on both axes, counts and row %,
//                                            accuracy in the title;
//   make_image_grid / save_image_grid        tile images into rows x cols with optional labels.
// Every save_* writes atomically (temporary sibling file, then rename) through write_png.
// Colours are OpenCV BGR. Text uses OpenCV's Hershey fonts, so it is limited to ASCII.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "acne/error.hpp"
#include "acne/io/report.hpp"

namespace acne::io {

// ---------------------------------------------------------------------------------------------
// PNG output and text helpers

// Encodes `image` (8-bit, 1/3/4 channels, or 16-bit) as PNG and writes it atomically.
inline void write_png(const std::filesystem::path& path, const cv::Mat& image) {
  ACNE_CHECK(!image.empty(), "write_png: empty image for '" << path.string() << "'");
  std::vector<std::uint8_t> buffer;
  ACNE_CHECK(cv::imencode(".png", image, buffer), "write_png: OpenCV could not encode '" << path.string() << "'");
  create_parent_directories(path);
  write_file_atomically(path, std::as_bytes(std::span<const std::uint8_t>(buffer)));
}

struct text_style {
  int font = cv::FONT_HERSHEY_SIMPLEX;
  double scale = 0.5;
  int thickness = 1;
  cv::Scalar color{40, 40, 40};
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

// "Nice" axis ticks (1, 2, 2.5, 5 x 10^k) covering [lo, hi] with about `target` intervals.
struct axis_ticks {
  double lo = 0, hi = 1, step = 1;
  std::vector<double> values;
  int decimals = 0;
};

inline double nice_step(double raw) {
  const double exponent = std::floor(std::log10(raw));
  const double base = std::pow(10.0, exponent);
  const double fraction = raw / base;
  double nice = 10.0;
  if (fraction <= 1.0) nice = 1.0;
  else if (fraction <= 2.0) nice = 2.0;
  else if (fraction <= 2.5) nice = 2.5;
  else if (fraction <= 5.0) nice = 5.0;
  return nice * base;
}

inline axis_ticks make_ticks(double lo, double hi, int target, bool integer, bool expand) {
  if (!(hi > lo)) {  // one value or degenerate: open a window around it
    const double pad = lo == 0.0 ? 1.0 : std::abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  axis_ticks t;
  t.step = nice_step((hi - lo) / std::max(target, 1));
  if (integer) t.step = std::max(1.0, std::round(t.step));
  if (expand) {
    t.lo = std::floor(lo / t.step + 1e-9) * t.step;
    t.hi = std::ceil(hi / t.step - 1e-9) * t.step;
  } else {
    t.lo = lo;
    t.hi = hi;
  }
  const double first = std::ceil(t.lo / t.step - 1e-9) * t.step;
  for (double v = first; v <= t.hi + t.step * 1e-9; v += t.step) t.values.push_back(std::abs(v) < t.step * 1e-9 ? 0.0 : v);
  // Enough decimals to tell adjacent ticks apart (2.5 x 10^k needs one more).
  const double mantissa_step = t.step / std::pow(10.0, std::floor(std::log10(t.step)));
  t.decimals = std::max(0, -static_cast<int>(std::floor(std::log10(t.step) + 1e-9)) +
                               (std::abs(mantissa_step - 2.5) < 1e-9 ? 1 : 0));
  return t;
}

inline std::string format_number(double value, int decimals) {
  char buffer[64];
  if (std::abs(value) >= 1e6 || (value != 0.0 && std::abs(value) < 1e-4 && decimals > 6))
    std::snprintf(buffer, sizeof buffer, "%.3g", value);
  else
    std::snprintf(buffer, sizeof buffer, "%.*f", std::min(decimals, 8), value);
  return buffer;
}

// matplotlib's tab10 palette, BGR.
inline cv::Scalar palette(std::size_t i) {
  static const cv::Scalar colors[] = {{180, 119, 31}, {14, 127, 255}, {44, 160, 44},  {40, 39, 214},
                                      {189, 103, 148}, {75, 86, 140}, {194, 119, 227}, {127, 127, 127},
                                      {34, 189, 188},  {207, 190, 23}};
  return colors[i % 10];
}

inline void draw_marker(cv::Mat& canvas, cv::Point2d p, std::size_t shape, int radius, const cv::Scalar& color) {
  constexpr int shift = 4;
  constexpr double unit = 1 << shift;
  auto fixed = [&](double x, double y) { return cv::Point(cvRound(x * unit), cvRound(y * unit)); };
  const double r = radius;
  switch (shape % 4) {
    case 0:
      cv::circle(canvas, fixed(p.x, p.y), cvRound(r * unit), color, cv::FILLED, cv::LINE_AA, shift);
      break;
    case 1: {
      std::vector<cv::Point> square{fixed(p.x - r, p.y - r), fixed(p.x + r, p.y - r), fixed(p.x + r, p.y + r),
                                    fixed(p.x - r, p.y + r)};
      cv::fillConvexPoly(canvas, square, color, cv::LINE_AA, shift);
      break;
    }
    case 2: {
      const double s = r * 1.25;
      std::vector<cv::Point> triangle{fixed(p.x, p.y - s), fixed(p.x + s, p.y + s * 0.8), fixed(p.x - s, p.y + s * 0.8)};
      cv::fillConvexPoly(canvas, triangle, color, cv::LINE_AA, shift);
      break;
    }
    default: {
      const double s = r * 1.3;
      std::vector<cv::Point> diamond{fixed(p.x, p.y - s), fixed(p.x + s, p.y), fixed(p.x, p.y + s), fixed(p.x - s, p.y)};
      cv::fillConvexPoly(canvas, diamond, color, cv::LINE_AA, shift);
      break;
    }
  }
}

inline void draw_line(cv::Mat& canvas, cv::Point2d a, cv::Point2d b, const cv::Scalar& color, int thickness) {
  constexpr int shift = 4;
  constexpr double unit = 1 << shift;
  cv::line(canvas, cv::Point(cvRound(a.x * unit), cvRound(a.y * unit)),
           cv::Point(cvRound(b.x * unit), cvRound(b.y * unit)), color, thickness, cv::LINE_AA, shift);
}

}  // namespace detail

// ---------------------------------------------------------------------------------------------
// Line plots

struct plot_series {
  std::string name{};
  std::vector<double> x{};  // empty: 0, 1, 2, ...
  std::vector<double> y{};  // NaN values leave a gap
  std::optional<cv::Scalar> color{};  // BGR; default: tab10 palette by series index
  bool dashed = false;
  bool mark_minimum = false;  // ring and label at the lowest y (e.g. the best FID tick)
};

struct line_plot_options {
  std::string title{};
  std::string x_label{};
  std::string y_label{};
  int width = 960;
  int height = 600;
  bool markers = true;  // a marker at every point (shape varies per series)
  int line_thickness = 2;
  bool grid = true;
  bool legend = true;
  bool integer_x = false;  // x ticks on integers only (epochs, ticks)
  std::optional<double> x_min{}, x_max{}, y_min{}, y_max{};  // fixed axis limits (default: from the data)
};

inline cv::Mat render_line_plot(std::span<const plot_series> series, const line_plot_options& options) {
  ACNE_CHECK(options.width >= 200 && options.height >= 150,
             "line plot: size " << options.width << "x" << options.height << " is too small (min 200x150)");
  const double ui = std::clamp(std::min(options.width / 960.0, options.height / 600.0), 0.75, 2.0);
  const text_style tick_style{cv::FONT_HERSHEY_SIMPLEX, 0.5 * ui, 1, {60, 60, 60}};
  const text_style label_style{cv::FONT_HERSHEY_SIMPLEX, 0.6 * ui, 1, {30, 30, 30}};
  const text_style title_style{cv::FONT_HERSHEY_DUPLEX, 0.75 * ui, 1, {20, 20, 20}};
  const text_style legend_style{cv::FONT_HERSHEY_SIMPLEX, 0.5 * ui, 1, {30, 30, 30}};

  // Data range.
  double x_lo = std::numeric_limits<double>::infinity(), x_hi = -x_lo, y_lo = x_lo, y_hi = -x_lo;
  for (const auto& s : series) {
    ACNE_CHECK(s.x.empty() || s.x.size() == s.y.size(),
               "line plot: series '" << s.name << "' has " << s.x.size() << " x and " << s.y.size() << " y values");
    for (std::size_t i = 0; i < s.y.size(); ++i) {
      const double x = s.x.empty() ? double(i) : s.x[i], y = s.y[i];
      if (!std::isfinite(x) || !std::isfinite(y)) continue;
      x_lo = std::min(x_lo, x);
      x_hi = std::max(x_hi, x);
      y_lo = std::min(y_lo, y);
      y_hi = std::max(y_hi, y);
    }
  }
  if (!std::isfinite(x_lo)) x_lo = 0, x_hi = 1, y_lo = 0, y_hi = 1;  // nothing to draw: empty axes
  x_lo = options.x_min.value_or(x_lo);
  x_hi = options.x_max.value_or(x_hi);
  y_lo = options.y_min.value_or(y_lo);
  y_hi = options.y_max.value_or(y_hi);
  // Automatic limits get a 4% margin (as matplotlib's) so markers at the extremes stay whole.
  auto margin = [](double& lo, double& hi, bool fixed_lo, bool fixed_hi) {
    const double pad = 0.04 * (hi - lo);
    if (!fixed_lo) lo -= pad;
    if (!fixed_hi) hi += pad;
  };
  margin(x_lo, x_hi, options.x_min.has_value(), options.x_max.has_value());
  margin(y_lo, y_hi, options.y_min.has_value(), options.y_max.has_value());
  const auto xt = detail::make_ticks(x_lo, x_hi, 8, options.integer_x, false);
  const auto yt = detail::make_ticks(y_lo, y_hi, 6, false, false);

  // Layout.
  std::vector<std::string> y_tick_text;
  int y_tick_width = 0;
  for (double v : yt.values) {
    y_tick_text.push_back(detail::format_number(v, yt.decimals));
    y_tick_width = std::max(y_tick_width, detail::text_extent(y_tick_text.back(), tick_style).width);
  }
  const int pad = cvRound(12 * ui);
  const int tick_len = cvRound(5 * ui);
  const int tick_h = detail::text_extent("0", tick_style).height;
  const int label_h = detail::text_extent("Ag", label_style).height;
  const int title_h = options.title.empty() ? 0 : detail::text_extent("Ag", title_style).height;
  const int left = pad + (options.y_label.empty() ? 0 : label_h + pad) + y_tick_width + tick_len + cvRound(6 * ui);
  const int right = cvRound(28 * ui);
  const int top = options.title.empty() ? cvRound(20 * ui) : title_h + 2 * pad + cvRound(4 * ui);
  const int bottom = tick_len + tick_h + cvRound(10 * ui) + (options.x_label.empty() ? 0 : label_h + pad) + pad;
  const cv::Rect area(left, top, options.width - left - right, options.height - top - bottom);
  ACNE_CHECK(area.width > 40 && area.height > 40, "line plot: no room left for the plot area");

  cv::Mat canvas(options.height, options.width, CV_8UC3, cv::Scalar::all(255));
  auto to_px = [&](double x, double y) {
    return cv::Point2d(area.x + (x - xt.lo) / (xt.hi - xt.lo) * (area.width - 1),
                       area.y + (yt.hi - y) / (yt.hi - yt.lo) * (area.height - 1));
  };

  // Grid, ticks and tick labels.
  const cv::Scalar grid_color(232, 232, 232), axis_color(90, 90, 90);
  for (std::size_t i = 0; i < yt.values.size(); ++i) {
    const int py = cvRound(to_px(xt.lo, yt.values[i]).y);
    if (options.grid) cv::line(canvas, {area.x, py}, {area.br().x - 1, py}, grid_color, 1);
    cv::line(canvas, {area.x - tick_len, py}, {area.x, py}, axis_color, 1);
    detail::put_text(canvas, y_tick_text[i], {area.x - tick_len - cvRound(5 * ui), py}, tick_style, align::end,
                     align::center);
  }
  for (double v : xt.values) {
    const int px = cvRound(to_px(v, yt.lo).x);
    if (options.grid) cv::line(canvas, {px, area.y}, {px, area.br().y - 1}, grid_color, 1);
    cv::line(canvas, {px, area.br().y - 1}, {px, area.br().y - 1 + tick_len}, axis_color, 1);
    detail::put_text(canvas, detail::format_number(v, xt.decimals), {px, area.br().y + tick_len + cvRound(4 * ui)},
                     tick_style, align::center, align::start);
  }
  cv::rectangle(canvas, area, axis_color, 1);

  // Series, clipped to the plot area by drawing into its ROI.
  cv::Mat plot = canvas(area);
  auto local = [&](double x, double y) { return to_px(x, y) - cv::Point2d(area.x, area.y); };
  const int marker_r = std::max(3, cvRound(4 * ui));
  for (std::size_t k = 0; k < series.size(); ++k) {
    const auto& s = series[k];
    const cv::Scalar color = s.color.value_or(detail::palette(k));
    std::optional<cv::Point2d> previous;
    for (std::size_t i = 0; i < s.y.size(); ++i) {
      const double x = s.x.empty() ? double(i) : s.x[i], y = s.y[i];
      if (!std::isfinite(x) || !std::isfinite(y)) {
        previous.reset();
        continue;
      }
      const cv::Point2d p = local(x, y);
      if (previous) {
        if (s.dashed) {
          const cv::Point2d d = p - *previous;
          const double length = std::hypot(d.x, d.y), dash = 8 * ui;
          for (double t = 0; t < length; t += 2 * dash)
            detail::draw_line(plot, *previous + d * (t / length), *previous + d * (std::min(t + dash, length) / length),
                              color, options.line_thickness);
        } else {
          detail::draw_line(plot, *previous, p, color, options.line_thickness);
        }
      }
      previous = p;
    }
    if (options.markers)
      for (std::size_t i = 0; i < s.y.size(); ++i) {
        const double x = s.x.empty() ? double(i) : s.x[i], y = s.y[i];
        if (std::isfinite(x) && std::isfinite(y)) detail::draw_marker(plot, local(x, y), k, marker_r, color);
      }
  }
  // Minimum annotations on the full canvas (the label may extend beyond the plot area).
  for (std::size_t k = 0; k < series.size(); ++k) {
    const auto& s = series[k];
    if (!s.mark_minimum) continue;
    std::optional<std::size_t> best;
    for (std::size_t i = 0; i < s.y.size(); ++i)
      if (std::isfinite(s.y[i]) && (!best || s.y[i] < s.y[*best])) best = i;
    if (!best) continue;
    const double bx = s.x.empty() ? double(*best) : s.x[*best];
    const cv::Point2d p = to_px(bx, s.y[*best]);
    const cv::Scalar color = s.color.value_or(detail::palette(k));
    cv::circle(canvas, cv::Point(cvRound(p.x), cvRound(p.y)), marker_r + cvRound(5 * ui), color, 2, cv::LINE_AA);
    const std::string text = "min " + detail::format_number(s.y[*best], std::max(yt.decimals + 1, 2)) + " @ " +
                             detail::format_number(bx, xt.decimals);
    const cv::Size ts = detail::text_extent(text, legend_style);
    const bool place_left = p.x + ts.width + 20 * ui > area.br().x;
    const bool place_below = p.y - 14 * ui - ts.height < area.y;
    cv::Point anchor(cvRound(p.x + (place_left ? -12 * ui : 12 * ui)),
                     cvRound(p.y + (place_below ? 14 * ui : -14 * ui)));
    // A translucent white box keeps the label readable over grid lines and other series.
    int baseline = 0;
    detail::text_extent(text, legend_style, &baseline);
    const int box_h = ts.height + baseline;
    cv::Rect box(place_left ? anchor.x - ts.width : anchor.x, place_below ? anchor.y : anchor.y - box_h, ts.width,
                 box_h);
    box = cv::Rect(box.x - 3, box.y - 2, box.width + 6, box.height + 4) & cv::Rect(0, 0, canvas.cols, canvas.rows);
    if (!box.empty()) {
      cv::Mat roi = canvas(box);
      cv::addWeighted(roi, 0.2, cv::Mat(roi.size(), roi.type(), cv::Scalar::all(255)), 0.8, 0.0, roi);
    }
    detail::put_text(canvas, text, anchor, {legend_style.font, legend_style.scale, 1, color},
                     place_left ? align::end : align::start, place_below ? align::start : align::end);
  }

  // Legend: in the corner of the plot area that covers the fewest data points.
  std::vector<const plot_series*> named;
  for (const auto& s : series)
    if (!s.name.empty()) named.push_back(&s);
  if (options.legend && !named.empty()) {
    const int line_h = detail::text_extent("Ag", legend_style).height + cvRound(10 * ui);
    const int swatch = cvRound(28 * ui);
    int text_w = 0;
    for (const auto* s : named) text_w = std::max(text_w, detail::text_extent(s->name, legend_style).width);
    const cv::Size box(swatch + text_w + cvRound(24 * ui), line_h * int(named.size()) + cvRound(10 * ui));
    const int inset = cvRound(10 * ui);
    const cv::Rect corners[] = {
        {area.br().x - inset - box.width, area.y + inset, box.width, box.height},
        {area.x + inset, area.y + inset, box.width, box.height},
        {area.br().x - inset - box.width, area.br().y - inset - box.height, box.width, box.height},
        {area.x + inset, area.br().y - inset - box.height, box.width, box.height}};
    std::size_t best_corner = 0, best_count = std::numeric_limits<std::size_t>::max();
    for (std::size_t c = 0; c < 4; ++c) {
      std::size_t covered = 0;
      for (const auto& s : series)
        for (std::size_t i = 0; i < s.y.size(); ++i) {
          const double x = s.x.empty() ? double(i) : s.x[i];
          if (!std::isfinite(x) || !std::isfinite(s.y[i])) continue;
          const cv::Point2d p = to_px(x, s.y[i]);
          // Count points (and the line segments near them) under the legend, with a margin.
          if (p.x >= corners[c].x - 8 && p.x <= corners[c].br().x + 8 && p.y >= corners[c].y - 8 &&
              p.y <= corners[c].br().y + 8)
            ++covered;
        }
      if (covered < best_count) best_count = covered, best_corner = c;
    }
    const cv::Rect r = corners[best_corner];
    cv::Mat roi = canvas(r & cv::Rect(0, 0, canvas.cols, canvas.rows));
    cv::addWeighted(roi, 0.15, cv::Mat(roi.size(), roi.type(), cv::Scalar::all(255)), 0.85, 0.0, roi);
    cv::rectangle(canvas, r, cv::Scalar(200, 200, 200), 1);
    for (std::size_t i = 0; i < named.size(); ++i) {
      const std::size_t k = std::size_t(named[i] - series.data());
      const cv::Scalar color = named[i]->color.value_or(detail::palette(k));
      const int cy = r.y + cvRound(5 * ui) + line_h * int(i) + line_h / 2;
      const int x0 = r.x + cvRound(8 * ui);
      if (named[i]->dashed) {
        detail::draw_line(canvas, {double(x0), double(cy)}, {x0 + swatch * 0.4, double(cy)}, color, options.line_thickness);
        detail::draw_line(canvas, {x0 + swatch * 0.6, double(cy)}, {double(x0 + swatch), double(cy)}, color,
                          options.line_thickness);
      } else {
        detail::draw_line(canvas, {double(x0), double(cy)}, {double(x0 + swatch), double(cy)}, color,
                          options.line_thickness);
      }
      if (options.markers) detail::draw_marker(canvas, {x0 + swatch / 2.0, double(cy)}, k, marker_r, color);
      detail::put_text(canvas, named[i]->name, {x0 + swatch + cvRound(8 * ui), cy}, legend_style, align::start,
                       align::center);
    }
  }

  // Title and axis labels.
  if (!options.title.empty())
    detail::put_text(canvas, options.title, {area.x + area.width / 2, pad}, title_style, align::center, align::start);
  if (!options.x_label.empty())
    detail::put_text(canvas, options.x_label, {area.x + area.width / 2, options.height - pad}, label_style,
                     align::center, align::end);
  if (!options.y_label.empty())
    detail::put_vertical_text(canvas, options.y_label, {pad + label_h / 2 + 2, area.y + area.height / 2}, label_style);
  return canvas;
}

inline void save_line_plot(const std::filesystem::path& path, std::span<const plot_series> series,
                           const line_plot_options& options) {
  write_png(path, render_line_plot(series, options));
}

// ---------------------------------------------------------------------------------------------
// Confusion matrix heat map

struct confusion_plot_options {
  std::string title = "Confusion matrix";  // ", accuracy: xx.xx%" is appended when show_accuracy
  bool show_accuracy = true;
  bool show_percent = true;  // row-normalised percentage under each count
  std::string x_label = "Predicted label";
  std::string y_label = "True label";
  int cell_size = 120;  // pixels per cell
  bool colorbar = true;
};

namespace detail {
// matplotlib's "Blues" colormap, t in [0, 1], BGR.
inline cv::Scalar blues(double t) {
  static const double stops[9][3] = {{247, 251, 255}, {222, 235, 247}, {198, 219, 239}, {158, 202, 225}, {107, 174, 214},
                                     {66, 146, 198},  {33, 113, 181},  {8, 81, 156},    {8, 48, 107}};  // RGB
  t = std::clamp(std::isfinite(t) ? t : 0.0, 0.0, 1.0) * 8.0;
  const int i = std::min(7, static_cast<int>(t));
  const double f = t - i;
  auto channel = [&](int c) { return stops[i][c] + f * (stops[i + 1][c] - stops[i][c]); };
  return {channel(2), channel(1), channel(0)};
}

// Largest scale <= `scale` at which `text` fits in `width` pixels.
inline text_style fit_text(const std::string& text, text_style style, int width) {
  while (style.scale > 0.3 && text_extent(text, style).width > width) style.scale *= 0.9;
  return style;
}
}  // namespace detail

// counts: row-major n x n (rows = true class, columns = predicted class).
inline cv::Mat render_confusion_matrix(std::span<const std::uint64_t> counts, const std::vector<std::string>& class_names,
                                       const confusion_plot_options& options = {}) {
  const std::size_t n = class_names.size();
  ACNE_CHECK(n > 0, "confusion plot: no class names");
  ACNE_CHECK(counts.size() == n * n,
             "confusion plot: " << counts.size() << " counts for " << n << " classes (expected " << n * n << ")");
  ACNE_CHECK(options.cell_size >= 40, "confusion plot: cell_size " << options.cell_size << " is below 40 pixels");
  const int cell = options.cell_size;
  const double ui = std::clamp(cell / 120.0, 0.6, 2.0);
  const text_style count_style{cv::FONT_HERSHEY_DUPLEX, 0.75 * ui, 1, {0, 0, 0}};
  const text_style percent_style{cv::FONT_HERSHEY_SIMPLEX, 0.5 * ui, 1, {0, 0, 0}};
  const text_style name_style{cv::FONT_HERSHEY_SIMPLEX, 0.55 * ui, 1, {30, 30, 30}};
  const text_style label_style{cv::FONT_HERSHEY_SIMPLEX, 0.6 * ui, 1, {30, 30, 30}};
  const text_style title_style{cv::FONT_HERSHEY_DUPLEX, 0.7 * ui, 1, {20, 20, 20}};

  std::uint64_t total = 0, correct = 0;
  std::vector<std::uint64_t> row_sum(n, 0);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      row_sum[i] += counts[i * n + j];
      total += counts[i * n + j];
      if (i == j) correct += counts[i * n + j];
    }
  std::string title = options.title;
  if (options.show_accuracy) {
    const double accuracy = total == 0 ? 0.0 : 100.0 * double(correct) / double(total);
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "accuracy: %.2f%%", accuracy);
    title += title.empty() ? std::string(buffer) : ", " + std::string(buffer);
  }

  // Layout: [y label][row names][grid][colorbar]; [title] above, [column names][x label] below.
  const int pad = cvRound(14 * ui);
  const int grid = cell * int(n);
  int name_w = 0;
  std::vector<text_style> row_styles;
  for (const auto& name : class_names) {
    row_styles.push_back(detail::fit_text(name, name_style, cvRound(160 * ui)));
    name_w = std::max(name_w, detail::text_extent(name, row_styles.back()).width);
  }
  const int label_h = detail::text_extent("Ag", label_style).height;
  const int name_h = detail::text_extent("Ag", name_style).height;
  const text_style title_fit = detail::fit_text(title, title_style, std::max(grid + 200, 300));
  const int title_h = title.empty() ? 0 : detail::text_extent("Ag", title_fit).height;
  const int bar_w = options.colorbar ? cvRound(18 * ui) : 0;
  const int bar_text_w = options.colorbar ? detail::text_extent("100%", percent_style).width + cvRound(8 * ui) : 0;
  const int left = pad + label_h + pad + name_w + cvRound(10 * ui);
  const int top = pad + title_h + pad + cvRound(4 * ui);
  const int right = options.colorbar ? pad + bar_w + bar_text_w + pad : pad;
  const int bottom = cvRound(10 * ui) + name_h + pad + label_h + pad;
  int width = left + grid + right;
  const int title_w = detail::text_extent(title, title_fit).width + 4 * pad;
  const int extra = std::max(0, title_w - width);  // widen for a long title, keep the grid centred under it
  width += extra;
  const int height = top + grid + bottom;
  const cv::Point origin(left + extra / 2, top);

  cv::Mat canvas(height, width, CV_8UC3, cv::Scalar::all(255));
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      const std::uint64_t c = counts[i * n + j];
      const double fraction = row_sum[i] == 0 ? 0.0 : double(c) / double(row_sum[i]);
      const cv::Rect r(origin.x + int(j) * cell, origin.y + int(i) * cell, cell, cell);
      const cv::Scalar fill = detail::blues(fraction);
      cv::rectangle(canvas, r, fill, cv::FILLED);
      const bool dark = fraction > 0.5;
      text_style cs = detail::fit_text(std::to_string(c), count_style, cell - 10);
      cs.color = dark ? cv::Scalar::all(255) : cv::Scalar(20, 20, 20);
      text_style ps = percent_style;
      ps.color = dark ? cv::Scalar(235, 235, 235) : cv::Scalar(70, 70, 70);
      const cv::Point center(r.x + cell / 2, r.y + cell / 2);
      if (options.show_percent) {
        char buffer[32];
        std::snprintf(buffer, sizeof buffer, "%.1f%%", 100.0 * fraction);
        detail::put_text(canvas, std::to_string(c), {center.x, center.y - cvRound(3 * ui)}, cs, align::center,
                         align::end);
        detail::put_text(canvas, buffer, {center.x, center.y + cvRound(8 * ui)}, ps, align::center, align::start);
      } else {
        detail::put_text(canvas, std::to_string(c), center, cs, align::center, align::center);
      }
    }
  // Cell borders.
  for (std::size_t k = 0; k <= n; ++k) {
    const int offset = int(k) * cell;
    cv::line(canvas, {origin.x + offset, origin.y}, {origin.x + offset, origin.y + grid}, cv::Scalar::all(255), 2);
    cv::line(canvas, {origin.x, origin.y + offset}, {origin.x + grid, origin.y + offset}, cv::Scalar::all(255), 2);
  }
  cv::rectangle(canvas, cv::Rect(origin.x, origin.y, grid + 1, grid + 1), cv::Scalar(120, 120, 120), 1);

  // Class names: rows (true) on the left, columns (predicted) below.
  for (std::size_t i = 0; i < n; ++i) {
    detail::put_text(canvas, class_names[i], {origin.x - cvRound(10 * ui), origin.y + int(i) * cell + cell / 2},
                     row_styles[i], align::end, align::center);
    const text_style col = detail::fit_text(class_names[i], name_style, cell - 6);
    detail::put_text(canvas, class_names[i], {origin.x + int(i) * cell + cell / 2, origin.y + grid + cvRound(10 * ui)},
                     col, align::center, align::start);
  }
  detail::put_text(canvas, options.x_label, {origin.x + grid / 2, height - pad}, label_style, align::center, align::end);
  detail::put_vertical_text(canvas, options.y_label, {origin.x - left + pad + label_h / 2, origin.y + grid / 2},
                            label_style);
  if (!title.empty())
    detail::put_text(canvas, title, {width / 2, pad}, title_fit, align::center, align::start);

  // Colour bar for the row-normalised fraction.
  if (options.colorbar) {
    const int bx = origin.x + grid + pad;
    for (int y = 0; y < grid; ++y)
      cv::line(canvas, {bx, origin.y + y}, {bx + bar_w - 1, origin.y + y}, detail::blues(1.0 - double(y) / (grid - 1)), 1);
    cv::rectangle(canvas, cv::Rect(bx, origin.y, bar_w, grid), cv::Scalar(120, 120, 120), 1);
    for (int k = 0; k <= 4; ++k) {
      const int y = origin.y + cvRound((grid - 1) * (1.0 - k / 4.0));
      cv::line(canvas, {bx + bar_w, y}, {bx + bar_w + cvRound(4 * ui), y}, cv::Scalar(90, 90, 90), 1);
      detail::put_text(canvas, std::to_string(25 * k) + "%", {bx + bar_w + cvRound(7 * ui), y}, percent_style,
                       align::start, align::center);
    }
  }
  return canvas;
}

inline void save_confusion_matrix(const std::filesystem::path& path, std::span<const std::uint64_t> counts,
                                  const std::vector<std::string>& class_names,
                                  const confusion_plot_options& options = {}) {
  write_png(path, render_confusion_matrix(counts, class_names, options));
}

// ---------------------------------------------------------------------------------------------
// Image grids

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
  bool any_label = false;
  for (const auto& l : options.labels) any_label = any_label || !l.empty();
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
