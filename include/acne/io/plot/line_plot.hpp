#pragma once
// Line plots: several named series, axes with tick labels, title, legend, optional markers
// (FID per tick, accuracy/loss per epoch).
#include <cstddef>
#include <filesystem>
#include <span>

#include <opencv2/core.hpp>

#include "acne/io/plot/line_plot_frame.hpp"
#include "acne/io/plot/line_plot_legend.hpp"
#include "acne/io/plot/line_plot_options.hpp"
#include "acne/io/plot/line_plot_series.hpp"
#include "acne/io/plot/png.hpp"

namespace acne::io {

// Drawn back to front: axes, series, minimum labels, legend, titles.
inline cv::Mat render_line_plot(std::span<const plot_series> series, const line_plot_options& options) {
  const detail::line_plot_frame frame = detail::make_line_plot_frame(series, options);
  cv::Mat canvas(options.height, options.width, CV_8UC3, cv::Scalar::all(255));
  detail::draw_axes(canvas, frame, options.grid);
  cv::Mat plot = canvas(frame.area);
  for (std::size_t k = 0; k < series.size(); ++k) detail::draw_series(plot, series[k], k, frame, options);
  for (std::size_t k = 0; k < series.size(); ++k)
    if (series[k].mark_minimum) detail::draw_minimum(canvas, series[k], k, frame);
  detail::draw_legend(canvas, series, frame, options);
  detail::draw_titles(canvas, frame, options);
  return canvas;
}

inline void save_line_plot(const std::filesystem::path& path, std::span<const plot_series> series,
                           const line_plot_options& options) {
  write_png(path, render_line_plot(series, options));
}

}  // namespace acne::io
