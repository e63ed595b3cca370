#pragma once
// The one interface FID and KID see: a named function from a batch of images to feature vectors.
// The name travels into every statistics file and report, so that a number measured with one
// extractor is never compared with, or mistaken for, a number measured with another. Only
// "inception-v3-fid" (models/inception_v3.hpp with pytorch-fid's converted weights) gives a standard
// FID; any other extractor gives a distance that is comparable only with itself.
//
// network_extractor adapts any network whose output is [N, dims, 1, 1] (a feature tap, a classifier
// without its top loaded from an acne checkpoint, ...) on either device.
#include <cstddef>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "acne/error.hpp"
#include "acne/network.hpp"
#include "acne/tensor/tensor.hpp"

namespace acne::metrics {

class feature_extractor {
public:
  virtual ~feature_extractor() = default;

  virtual const std::string& name() const = 0;
  virtual std::size_t dims() const = 0;
  // Images are square: [N, 3, input_size, input_size], RGB, scaled to [-1, 1].
  virtual std::size_t input_size() const = 0;
  // True only for the network the published FID numbers are measured with.
  virtual bool standard() const = 0;
  // Row-major N x dims features of the batch (overwrites `features`).
  virtual void extract(const tensor<float, cpu>& images, std::vector<float>& features) = 0;
};

template <class Layer>
class network_extractor : public feature_extractor {
public:
  using D = typename Layer::device_type;
  static_assert(std::is_same_v<typename Layer::value_type, float>, "feature extractors run in float");

  // `net` must be set up (and its weights loaded) for input_size x input_size images.
  network_extractor(network<Layer> net, std::string name, std::size_t input_size, bool standard = false)
      : net_(std::move(net)), name_(std::move(name)), input_size_(input_size), standard_(standard) {
    const shape4 out = net_.output_shape();
    ACNE_CHECK(!net_.slots().empty() || out.c > 0, "network_extractor '" << name_ << "': network not set up");
    ACNE_CHECK(out.h == 1 && out.w == 1, "network_extractor '" << name_ << "': output " << out
                                                               << " is not a feature vector [N, dims, 1, 1]");
    dims_ = out.c;
    net_.eval();
  }

  const std::string& name() const override { return name_; }
  std::size_t dims() const override { return dims_; }
  std::size_t input_size() const override { return input_size_; }
  bool standard() const override { return standard_; }
  network<Layer>& net() { return net_; }

  void extract(const tensor<float, cpu>& images, std::vector<float>& features) override {
    const shape4& s = images.shape();
    ACNE_CHECK(s.c == 3 && s.h == input_size_ && s.w == input_size_,
               "feature extractor '" << name_ << "' takes [N, 3, " << input_size_ << ", " << input_size_ << "] images, got "
                                     << s);
    features.resize(s.n * dims_);
    if (s.n == 0) return;
    if constexpr (std::is_same_v<D, cpu>) {
      copy_out(net_.forward(images), features);
    } else {
      device_in_.resize(s);
      memory<D>::from_host(device_in_.data(), images.data(), images.bytes());
      copy_out(net_.forward(device_in_), features);
    }
  }

private:
  void copy_out(const tensor<float, D>& y, std::vector<float>& features) const {
    ACNE_CHECK(y.size() == features.size(), "feature extractor '" << name_ << "': output " << y.shape() << " for "
                                                                  << features.size() / dims_ << " images");
    memory<D>::to_host(features.data(), y.data(), y.bytes());
  }

  network<Layer> net_;
  std::string name_;
  std::size_t input_size_;
  bool standard_;
  std::size_t dims_ = 0;
  tensor<float, D> device_in_;
};

}  // namespace acne::metrics
