#pragma once
// Labelled image files: a dataset (size, label, load, path) over any list of files, so that faces
// from different sources (class folders, ACNE04's label files, a folder of healthy faces) are one
// kind of training or test set.
#include <cstddef>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "acne/io/image.hpp"

namespace acne::data {

// Labelled image files: a dataset (size, label, load, path) over any list of files.
struct labelled_files {
  std::vector<std::string> classes;
  std::vector<std::filesystem::path> files;
  std::vector<int> labels;

  std::size_t size() const noexcept { return files.size(); }
  int label(std::size_t i) const { return labels.at(i); }
  const std::filesystem::path& path(std::size_t i) const { return files.at(i); }
  cv::Mat load(std::size_t i) const { return io::read_image(files.at(i)); }
  std::vector<std::size_t> class_counts() const {
    std::vector<std::size_t> counts(classes.size(), 0);
    for (int l : labels) ++counts[std::size_t(l)];
    return counts;
  }
  // "healthy 40, mild 204, ..."
  std::string counts_text() const {
    std::ostringstream out;
    const auto counts = class_counts();
    for (std::size_t c = 0; c < classes.size(); ++c) out << (c ? ", " : "") << classes[c] << " " << counts[c];
    return out.str();
  }
};

// The files of any dataset that names its files (an image_folder, an acne04_dataset), with `classes`
// as its class names.
template <class Dataset>
labelled_files list_labelled_files(const Dataset& d, std::vector<std::string> classes) {
  labelled_files out{std::move(classes), {}, {}};
  for (std::size_t i = 0; i < d.size(); ++i) {
    out.files.push_back(d.path(i));
    out.labels.push_back(d.label(i));
  }
  return out;
}

}  // namespace acne::data
