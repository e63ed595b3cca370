#pragma once
// "pixels-<s>": the image itself as a feature vector, RGB at s x s in [-1, 1] (the FID pipeline's
// resize and scaling), for distances in pixel space: the space in which a copied face is a copy to
// any reader, whatever a network thinks of it.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "acne/error.hpp"
#include "acne/metrics/feature_extractor.hpp"

namespace acne::metrics {

class pixel_extractor : public feature_extractor {
public:
  explicit pixel_extractor(std::size_t size) : size_(size), name_("pixels-" + std::to_string(size)) {
    ACNE_CHECK(size >= 4, "pixel features need images of at least 4 x 4, not " << size);
  }
  const std::string& name() const override { return name_; }
  std::size_t dims() const override { return 3 * size_ * size_; }
  std::size_t input_size() const override { return size_; }
  bool standard() const override { return false; }
  void extract(const tensor<float, cpu>& images, std::vector<float>& features) override {
    const shape4& s = images.shape();
    ACNE_CHECK(s.c == 3 && s.h == size_ && s.w == size_, name_ << " takes [N, 3, " << size_ << ", " << size_
                                                               << "] images, got " << s);
    features.assign(images.data(), images.data() + images.size());
  }

private:
  std::size_t size_;
  std::string name_;
};

inline std::unique_ptr<feature_extractor> make_pixel_extractor(std::size_t size) {
  return std::make_unique<pixel_extractor>(size);
}

}  // namespace acne::metrics
