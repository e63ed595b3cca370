#pragma once
// What a line plot shows: named series of (x, y) points and the options of the picture around them.
#include <cmath>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace acne::io {

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

namespace detail {

inline double x_at(const plot_series& s, std::size_t i) { return s.x.empty() ? double(i) : s.x[i]; }

// Calls f(x, y) for every point that can be drawn (both coordinates finite).
template <class F>
void for_each_finite_point(const plot_series& s, F&& f) {
  for (std::size_t i = 0; i < s.y.size(); ++i) {
    const double x = x_at(s, i), y = s.y[i];
    if (std::isfinite(x) && std::isfinite(y)) f(x, y);
  }
}

}  // namespace detail
}  // namespace acne::io
