#pragma once
// Two labelled datasets read as one, the first's samples then the second's: the "real + synthetic"
// training set, without copying a file. Both must label the same classes the same way.
#include <cstddef>
#include <filesystem>

#include <opencv2/core.hpp>

#include "acne/data/loader.hpp"

namespace acne::data {

template <dataset A, dataset B>
class joined {
public:
  joined(const A& first, const B& second) : first_(first), second_(second) {}

  std::size_t size() const { return first_.size() + second_.size(); }
  int label(std::size_t i) const { return i < first_.size() ? first_.label(i) : second_.label(i - first_.size()); }
  cv::Mat load(std::size_t i) const { return i < first_.size() ? first_.load(i) : second_.load(i - first_.size()); }
  std::filesystem::path path(std::size_t i) const
    requires requires(const A& a, const B& b, std::size_t j) { a.path(j); b.path(j); }
  {
    return i < first_.size() ? first_.path(i) : second_.path(i - first_.size());
  }

private:
  const A& first_;
  const B& second_;
};

}  // namespace acne::data
