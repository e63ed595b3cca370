#pragma once
// The two pictures a reviewer of an audit looks at first, per space: the histogram of nearest-real
// distances of the synthetic images beside that of the real test images (a synthetic set to the left
// of the test set sits closer to the training faces than fresh faces do), and the closest pairs side
// by side (synthetic | nearest real, its distance under them; mirrored reals shown mirrored).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <filesystem>
#include <iomanip>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "acne/audit/audit.hpp"
#include "acne/io/plot/image_grid.hpp"
#include "acne/io/plot/line_plot.hpp"

namespace acne::audit {

namespace detail {

// A step outline of the share of `values` per bin (bins of equal width over [lo, hi]).
inline io::plot_series histogram_series(std::string name, const std::vector<double>& values, double lo, double hi,
                                        std::size_t bins) {
  io::plot_series s{std::move(name), {}, {}};
  std::vector<double> share(bins, 0.0);
  const double width = (hi - lo) / double(bins);
  for (const double v : values) {
    const auto b = width > 0 ? std::size_t(std::clamp((v - lo) / width, 0.0, double(bins - 1))) : 0;
    share[b] += 1.0 / double(values.size());
  }
  for (std::size_t b = 0; b < bins; ++b) {
    s.x.insert(s.x.end(), {lo + double(b) * width, lo + double(b + 1) * width});
    s.y.insert(s.y.end(), {share[b], share[b]});
  }
  return s;
}

}  // namespace detail

inline void write_distance_histogram(const std::filesystem::path& path, const space_audit& s) {
  std::vector<double> synthetic;
  for (const auto& m : s.synthetic) synthetic.push_back(m.score.nearest);
  std::vector<double> all = synthetic;
  all.insert(all.end(), s.test_nearest.begin(), s.test_nearest.end());
  const auto [lo, hi] = std::minmax_element(all.begin(), all.end());
  const std::size_t bins = std::clamp<std::size_t>(std::size_t(std::sqrt(double(all.size()))), 5, 40);
  const double top = *hi > *lo ? *hi : *lo + 1;
  std::vector<io::plot_series> series{detail::histogram_series("synthetic (" + std::to_string(synthetic.size()) + ")",
                                                                synthetic, *lo, top, bins)};
  if (!s.test_nearest.empty())
    series.push_back(detail::histogram_series("real test (" + std::to_string(s.test_nearest.size()) + ")",
                                              s.test_nearest, *lo, top, bins));
  io::save_line_plot(path, series,
                     {.title = "Distance to the nearest real training image, " + s.name,
                      .x_label = s.distance + " distance",
                      .y_label = "share of images",
                      .markers = false,
                      .y_min = 0.0});
}

// The `count` synthetic images nearest to a real one in space `s`, each beside that real image.
inline void write_closest_pairs(const std::filesystem::path& path, const audit_result& r, const space_audit& s,
                                std::size_t count = 16, int size = 96) {
  std::vector<std::size_t> order(s.synthetic.size());
  std::iota(order.begin(), order.end(), 0);
  count = std::min(count, order.size());
  std::partial_sort(order.begin(), order.begin() + std::ptrdiff_t(count), order.end(), [&](std::size_t a, std::size_t b) {
    return s.synthetic[a].score.nearest < s.synthetic[b].score.nearest;
  });
  std::vector<cv::Mat> pairs;
  std::vector<std::string> labels;
  for (std::size_t i = 0; i < count; ++i) {
    const auto& m = s.synthetic[order[i]];
    cv::Mat synthetic = io::read_image(r.synthetic.files[order[i]]), real = io::read_image(r.real.files[m.real]);
    if (m.mirrored) cv::flip(real, real, 1);
    cv::resize(synthetic, synthetic, {size, size}, 0, 0, cv::INTER_AREA);
    cv::resize(real, real, {size, size}, 0, 0, cv::INTER_AREA);
    cv::Mat pair;
    cv::hconcat(synthetic, real, pair);
    pairs.push_back(pair);
    std::ostringstream label;
    label << std::setprecision(3) << "d " << m.score.nearest << (m.mirrored ? " mirror" : "")
          << (m.score.flagged ? " COPY" : "");
    labels.push_back(label.str());
  }
  io::save_image_grid(path, pairs, {.cols = 4, .labels = labels, .label_scale = 0.45});
}

}  // namespace acne::audit
