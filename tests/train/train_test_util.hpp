#pragma once
// Helpers of the training tests: phantom faces rendered once and kept in memory, with the shared
// scratch folder and one-thread scope.
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "acne/data/phantom_dataset.hpp"
#include "support/scratch_dir.hpp"
#include "support/single_thread.hpp"

namespace acne::test {

// A phantom dataset rendered once (the loader asks for every image every epoch).
class cached_phantoms {
public:
  cached_phantoms(std::size_t per_class, std::uint64_t seed, int size) {
    data::phantom_options o;
    o.size = size;
    const data::phantom_dataset d(data::paper_class_counts(per_class), seed, o);
    classes_ = d.classes();
    images_.resize(d.size());
    labels_ = d.labels();
#pragma omp parallel for schedule(dynamic, 4)
    for (long i = 0; i < long(d.size()); ++i) images_[std::size_t(i)] = d.load(std::size_t(i));
  }
  std::size_t size() const { return images_.size(); }
  int label(std::size_t i) const { return labels_.at(i); }
  cv::Mat load(std::size_t i) const { return images_.at(i); }
  const std::vector<std::string>& classes() const { return classes_; }

private:
  std::vector<std::string> classes_;
  std::vector<cv::Mat> images_;
  std::vector<int> labels_;
};

}  // namespace acne::test
