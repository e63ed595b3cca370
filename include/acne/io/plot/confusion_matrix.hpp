#pragma once
// Confusion matrix heat map: cells shaded by the row-normalised fraction (matplotlib's Blues), counts
// and row % in each cell, class names on both axes, accuracy in the title, an optional colour bar.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "acne/error.hpp"
#include "acne/io/plot/colors.hpp"
#include "acne/io/plot/png.hpp"
#include "acne/io/plot/text.hpp"

namespace acne::io {

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

// The matrix with its row sums: rows are true classes, columns predicted ones.
struct confusion_counts {
  std::span<const std::uint64_t> counts;
  std::size_t n = 0;
  std::vector<std::uint64_t> row_sum;
  std::uint64_t total = 0, correct = 0;

  std::uint64_t at(std::size_t i, std::size_t j) const { return counts[i * n + j]; }
  double fraction(std::size_t i, std::size_t j) const {
    return row_sum[i] == 0 ? 0.0 : double(at(i, j)) / double(row_sum[i]);
  }
};

inline confusion_counts sum_confusion(std::span<const std::uint64_t> counts, std::size_t n) {
  confusion_counts c{counts, n, std::vector<std::uint64_t>(n, 0)};
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      c.row_sum[i] += c.at(i, j);
      c.total += c.at(i, j);
      if (i == j) c.correct += c.at(i, j);
    }
  return c;
}

inline std::string confusion_title(const confusion_plot_options& options, const confusion_counts& c) {
  std::string title = options.title;
  if (!options.show_accuracy) return title;
  const double accuracy = c.total == 0 ? 0.0 : 100.0 * double(c.correct) / double(c.total);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "accuracy: %.2f%%", accuracy);
  return title + (title.empty() ? std::string(buffer) : ", " + std::string(buffer));
}

// [y label][row names][grid][colorbar]; [title] above, [column names][x label] below.
struct confusion_layout {
  double ui = 1;
  int cell = 0, grid = 0, pad = 0, label_h = 0, bar_w = 0, width = 0, height = 0;
  cv::Point origin;  // top left of the grid
  int y_label_x = 0;  // centre of the vertical y label
  text_style count_style, percent_style, name_style, label_style, title_style;
  std::vector<text_style> row_styles;  // row names shrink to fit their column
};

inline confusion_layout layout_confusion(const std::vector<std::string>& class_names, const std::string& title,
                                         const confusion_plot_options& options) {
  confusion_layout l;
  const double ui = l.ui = std::clamp(options.cell_size / 120.0, 0.6, 2.0);
  l.cell = options.cell_size;
  l.count_style = {cv::FONT_HERSHEY_DUPLEX, 0.75 * ui, 1, {0, 0, 0}};
  l.percent_style = {cv::FONT_HERSHEY_SIMPLEX, 0.5 * ui, 1, {0, 0, 0}};
  l.name_style = {cv::FONT_HERSHEY_SIMPLEX, 0.55 * ui, 1, {30, 30, 30}};
  l.label_style = {cv::FONT_HERSHEY_SIMPLEX, 0.6 * ui, 1, {30, 30, 30}};
  l.pad = cvRound(14 * ui);
  l.grid = l.cell * int(class_names.size());
  int name_w = 0;
  for (const auto& name : class_names) {
    l.row_styles.push_back(fit_text(name, l.name_style, cvRound(160 * ui)));
    name_w = std::max(name_w, text_extent(name, l.row_styles.back()).width);
  }
  l.label_h = text_extent("Ag", l.label_style).height;
  const int name_h = text_extent("Ag", l.name_style).height;
  l.title_style = fit_text(title, {cv::FONT_HERSHEY_DUPLEX, 0.7 * ui, 1, {20, 20, 20}}, std::max(l.grid + 200, 300));
  const int title_h = title.empty() ? 0 : text_extent("Ag", l.title_style).height;
  l.bar_w = options.colorbar ? cvRound(18 * ui) : 0;
  const int bar_text_w = options.colorbar ? text_extent("100%", l.percent_style).width + cvRound(8 * ui) : 0;
  const int left = l.pad + l.label_h + l.pad + name_w + cvRound(10 * ui);
  const int top = l.pad + title_h + l.pad + cvRound(4 * ui);
  const int right = options.colorbar ? l.pad + l.bar_w + bar_text_w + l.pad : l.pad;
  const int bottom = cvRound(10 * ui) + name_h + l.pad + l.label_h + l.pad;
  const int narrow = left + l.grid + right;
  const int title_w = text_extent(title, l.title_style).width + 4 * l.pad;
  const int extra = std::max(0, title_w - narrow);  // widen for a long title, keep the grid centred under it
  l.width = narrow + extra;
  l.height = top + l.grid + bottom;
  l.origin = cv::Point(left + extra / 2, top);
  l.y_label_x = l.origin.x - left + l.pad + l.label_h / 2;
  return l;
}

// The count, with the row % under it; light text on dark cells.
inline void draw_confusion_cell(cv::Mat& canvas, std::uint64_t count, double fraction, const cv::Rect& r,
                                const confusion_layout& l, bool show_percent) {
  cv::rectangle(canvas, r, blues(fraction), cv::FILLED);
  const bool dark = fraction > 0.5;
  const std::string text = std::to_string(count);
  text_style cs = fit_text(text, l.count_style, l.cell - 10);
  cs.color = dark ? cv::Scalar::all(255) : cv::Scalar(20, 20, 20);
  text_style ps = l.percent_style;
  ps.color = dark ? cv::Scalar(235, 235, 235) : cv::Scalar(70, 70, 70);
  const cv::Point center(r.x + l.cell / 2, r.y + l.cell / 2);
  if (!show_percent) {
    put_text(canvas, text, center, cs, align::center, align::center);
    return;
  }
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f%%", 100.0 * fraction);
  put_text(canvas, text, {center.x, center.y - cvRound(3 * l.ui)}, cs, align::center, align::end);
  put_text(canvas, buffer, {center.x, center.y + cvRound(8 * l.ui)}, ps, align::center, align::start);
}

// Cells, then white borders between them and a gray frame around the grid.
inline void draw_confusion_grid(cv::Mat& canvas, const confusion_counts& c, const confusion_layout& l,
                                bool show_percent) {
  const cv::Point o = l.origin;
  for (std::size_t i = 0; i < c.n; ++i)
    for (std::size_t j = 0; j < c.n; ++j) {
      const cv::Rect r(o.x + int(j) * l.cell, o.y + int(i) * l.cell, l.cell, l.cell);
      draw_confusion_cell(canvas, c.at(i, j), c.fraction(i, j), r, l, show_percent);
    }
  for (std::size_t k = 0; k <= c.n; ++k) {
    const int offset = int(k) * l.cell;
    cv::line(canvas, {o.x + offset, o.y}, {o.x + offset, o.y + l.grid}, cv::Scalar::all(255), 2);
    cv::line(canvas, {o.x, o.y + offset}, {o.x + l.grid, o.y + offset}, cv::Scalar::all(255), 2);
  }
  cv::rectangle(canvas, cv::Rect(o.x, o.y, l.grid + 1, l.grid + 1), cv::Scalar(120, 120, 120), 1);
}

// Class names (rows, true, on the left; columns, predicted, below), axis labels and title.
inline void draw_confusion_labels(cv::Mat& canvas, const std::vector<std::string>& class_names,
                                  const std::string& title, const confusion_layout& l,
                                  const confusion_plot_options& options) {
  const cv::Point o = l.origin;
  const double ui = l.ui;
  for (std::size_t i = 0; i < class_names.size(); ++i) {
    put_text(canvas, class_names[i], {o.x - cvRound(10 * ui), o.y + int(i) * l.cell + l.cell / 2}, l.row_styles[i],
             align::end, align::center);
    const text_style col = fit_text(class_names[i], l.name_style, l.cell - 6);
    put_text(canvas, class_names[i], {o.x + int(i) * l.cell + l.cell / 2, o.y + l.grid + cvRound(10 * ui)}, col,
             align::center, align::start);
  }
  put_text(canvas, options.x_label, {o.x + l.grid / 2, l.height - l.pad}, l.label_style, align::center, align::end);
  put_vertical_text(canvas, options.y_label, {l.y_label_x, o.y + l.grid / 2}, l.label_style);
  if (!title.empty()) put_text(canvas, title, {l.width / 2, l.pad}, l.title_style, align::center, align::start);
}

// Colour bar for the row-normalised fraction, with ticks at 0, 25, ..., 100%.
inline void draw_colorbar(cv::Mat& canvas, const confusion_layout& l) {
  const int bx = l.origin.x + l.grid + l.pad, top = l.origin.y, grid = l.grid;
  for (int y = 0; y < grid; ++y)
    cv::line(canvas, {bx, top + y}, {bx + l.bar_w - 1, top + y}, blues(1.0 - double(y) / (grid - 1)), 1);
  cv::rectangle(canvas, cv::Rect(bx, top, l.bar_w, grid), cv::Scalar(120, 120, 120), 1);
  for (int k = 0; k <= 4; ++k) {
    const int y = top + cvRound((grid - 1) * (1.0 - k / 4.0));
    cv::line(canvas, {bx + l.bar_w, y}, {bx + l.bar_w + cvRound(4 * l.ui), y}, cv::Scalar(90, 90, 90), 1);
    put_text(canvas, std::to_string(25 * k) + "%", {bx + l.bar_w + cvRound(7 * l.ui), y}, l.percent_style,
             align::start, align::center);
  }
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
  const detail::confusion_counts sums = detail::sum_confusion(counts, n);
  const std::string title = detail::confusion_title(options, sums);
  const detail::confusion_layout layout = detail::layout_confusion(class_names, title, options);
  cv::Mat canvas(layout.height, layout.width, CV_8UC3, cv::Scalar::all(255));
  detail::draw_confusion_grid(canvas, sums, layout, options.show_percent);
  detail::draw_confusion_labels(canvas, class_names, title, layout, options);
  if (options.colorbar) detail::draw_colorbar(canvas, layout);
  return canvas;
}

inline void save_confusion_matrix(const std::filesystem::path& path, std::span<const std::uint64_t> counts,
                                  const std::vector<std::string>& class_names,
                                  const confusion_plot_options& options = {}) {
  write_png(path, render_confusion_matrix(counts, class_names, options));
}

}  // namespace acne::io
