#pragma once
// The images an audit compares: every image below a folder, each with its class (the name of the
// first folder under the root that holds it; "" for images at the root), and their features in one
// space, optionally with the features of their mirror images after them.
#include <algorithm>
#include <cstddef>
#include <iterator>
#include <filesystem>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "acne/io/image.hpp"
#include "acne/metrics/fid_pipeline.hpp"
#include "acne/metrics/nearest_neighbours.hpp"

namespace acne::audit {

namespace fs = std::filesystem;

struct image_set {
  fs::path root;
  std::vector<fs::path> files;
  std::vector<std::string> classes;  // one per file
  std::size_t size() const { return files.size(); }
  bool empty() const { return files.empty(); }
};

inline image_set list_image_set(const fs::path& root) {
  image_set s{root, io::list_images(root), {}};
  for (const auto& f : s.files) {
    const fs::path relative = f.lexically_relative(root);
    s.classes.push_back(std::distance(relative.begin(), relative.end()) > 1 ? relative.begin()->string() : "");
  }
  return s;
}

// The images of `set` whose class is one of `classes`.
inline image_set only_classes(const image_set& set, const std::vector<std::string>& classes) {
  image_set out{set.root, {}, {}};
  for (std::size_t i = 0; i < set.size(); ++i)
    if (std::find(classes.begin(), classes.end(), set.classes[i]) != classes.end()) {
      out.files.push_back(set.files[i]);
      out.classes.push_back(set.classes[i]);
    }
  return out;
}

struct feature_rows {
  std::size_t dims = 0;
  std::vector<float> rows;  // images x dims; with mirrors: every image, then every mirror image
  std::size_t count() const { return dims ? rows.size() / dims : 0; }
};

// Features of `set` (then of its mirror images when `mirrors`), unit-length rows when `unit`.
inline feature_rows set_features(metrics::feature_extractor& e, const image_set& set, bool mirrors, bool unit,
                                 const metrics::fid_pipeline_options& o) {
  feature_rows out{e.dims(), {}};
  auto options = o;
  options.keep_features = true;
  options.statistics = false;
  for (const bool flip : mirrors ? std::vector<bool>{false, true} : std::vector<bool>{false}) {
    std::size_t next = 0;
    const auto features = metrics::extract_features(e, [&](std::size_t max_images) {
      std::vector<cv::Mat> images;
      while (images.size() < max_images && next < set.size()) {
        cv::Mat image = io::read_image(set.files[next++]);
        if (flip) cv::flip(image, image, 1);
        images.push_back(image);
      }
      return images;
    }, options);
    out.rows.insert(out.rows.end(), features.features.begin(), features.features.end());
  }
  if (unit) out.rows = metrics::unit_rows(out.rows, out.dims);
  return out;
}

}  // namespace acne::audit
