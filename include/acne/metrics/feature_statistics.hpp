#pragma once
// Streaming mean and covariance of feature vectors (e.g. 2048-d Inception pool3 features) in double
// precision, fed batch by batch, as needed for FID: only the mean and the d x d scatter matrix are kept.
//
// Update (Chan, Golub & LeVeque's pairwise merge): a batch of m rows with mean b and centred scatter
// S_b = sum (x - b)(x - b)^T merges into the running (n, mean, M2) as
//   delta = b - mean,  mean += delta * m / (n + m),  M2 += S_b + delta delta^T * n m / (n + m).
// Each batch is centred on its own mean before the BLAS product, so large feature offsets do not
// cancel catastrophically. covariance() = M2 / (n - 1), i.e. np.cov(features, rowvar=False) (ddof 1).
//
// File format (save/load): safetensors (io/safetensors.hpp), readable with
// `safetensors.numpy.load_file` and laid out like pytorch-fid's .npz statistics:
//   tensors  "mu" F64 [d], "sigma" F64 [d, d] (the ddof-1 covariance);
//   metadata "format": "acne.feature_statistics", "version": "1", "extractor": <name>,
//            "count": <number of feature vectors = images>, "dims": <d>  (all strings, as the format demands).
// Saving needs count >= 2; loading checks the container, the metadata, dtypes, shapes and finiteness.
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#include "acne/error.hpp"
#include "acne/io/report.hpp"
#include "acne/io/safetensors/read.hpp"
#include "acne/io/safetensors/write.hpp"
#include "acne/metrics/linalg.hpp"

namespace acne::metrics {

class feature_statistics {
public:
  feature_statistics() = default;
  explicit feature_statistics(std::size_t dims, std::string extractor = {})
      : dims_(dims), extractor_(std::move(extractor)), mean_(dims, 0.0), scatter_(dims * dims, 0.0) {
    ACNE_CHECK(dims > 0, "feature_statistics: dims must be positive");
  }

  // Adds a batch of feature vectors, row-major (rows x dims); rows = features.size() / dims.
  void add(std::span<const float> features) { add_impl(features); }
  void add(std::span<const double> features) { add_impl(features); }
  // Same, stating the batch's row length, which must equal dims() (catches a mismatch that a
  // multiple-of-dims batch size would hide).
  void add(std::span<const float> features, std::size_t feature_dims) {
    check_dims(feature_dims);
    add_impl(features);
  }
  void add(std::span<const double> features, std::size_t feature_dims) {
    check_dims(feature_dims);
    add_impl(features);
  }

  // Merges statistics of another set of features of the same extractor and dimension.
  void merge(const feature_statistics& other) {
    ACNE_CHECK(other.dims_ == dims_, "feature_statistics::merge: dimension " << other.dims_ << " != " << dims_);
    ACNE_CHECK(other.extractor_.empty() || extractor_.empty() || other.extractor_ == extractor_,
               "feature_statistics::merge: extractor '" << other.extractor_ << "' != '" << extractor_ << "'");
    if (extractor_.empty()) extractor_ = other.extractor_;
    merge_moments(other.count_, other.mean_, other.scatter_);
  }

  std::size_t dims() const { return dims_; }
  std::size_t count() const { return count_; }  // number of feature vectors (images) seen
  const std::string& extractor() const { return extractor_; }
  void set_extractor(std::string name) { extractor_ = std::move(name); }

  const std::vector<double>& mean() const { return mean_; }
  // Sum of centred outer products, d x d (symmetric, so row- and column-major agree).
  const std::vector<double>& scatter() const { return scatter_; }
  // np.cov with ddof = 1; needs at least two feature vectors.
  std::vector<double> covariance() const {
    ACNE_CHECK(count_ >= 2, "feature_statistics: covariance needs at least 2 feature vectors, have " << count_);
    std::vector<double> cov(scatter_);
    const double scale = 1.0 / double(count_ - 1);
    for (double& v : cov) v *= scale;
    return cov;
  }

  // Builds statistics from a mean and a ddof-1 covariance of `count` vectors (e.g. published FID stats).
  static feature_statistics from_moments(std::vector<double> mean, const std::vector<double>& covariance,
                                         std::size_t count, std::string extractor = {}) {
    const std::size_t d = mean.size();
    ACNE_CHECK(d > 0, "feature_statistics::from_moments: empty mean");
    ACNE_CHECK(covariance.size() == d * d,
               "feature_statistics::from_moments: covariance has " << covariance.size() << " values, expected "
                                                                   << d << "x" << d);
    ACNE_CHECK(count >= 2, "feature_statistics::from_moments: count must be at least 2, got " << count);
    feature_statistics s(d, std::move(extractor));
    s.count_ = count;
    s.mean_ = std::move(mean);
    for (std::size_t i = 0; i < d * d; ++i) s.scatter_[i] = covariance[i] * double(count - 1);
    linalg::symmetrize(s.scatter_, d);
    return s;
  }

  void save(const std::filesystem::path& path) const;
  static feature_statistics load(const std::filesystem::path& path);

private:
  void check_dims(std::size_t feature_dims) const {
    ACNE_CHECK(feature_dims == dims_, "feature_statistics: features of dimension " << feature_dims
                                          << " added to statistics of dimension " << dims_
                                          << (extractor_.empty() ? "" : " (" + extractor_ + ")"));
  }

  template <class T>
  void add_impl(std::span<const T> features) {
    ACNE_CHECK(dims_ > 0, "feature_statistics: add() on default-constructed statistics (dims unknown)");
    ACNE_CHECK(features.size() % dims_ == 0, "feature_statistics: batch of " << features.size()
                                                                             << " values is not a multiple of dims "
                                                                             << dims_);
    const std::size_t m = features.size() / dims_;
    if (m == 0) return;
    std::vector<double> batch_mean(dims_, 0.0);
    for (std::size_t r = 0; r < m; ++r)
      for (std::size_t j = 0; j < dims_; ++j) batch_mean[j] += double(features[r * dims_ + j]);
    for (double& v : batch_mean) v /= double(m);
    // Centred batch, row-major m x d == column-major d x m; S_b = X^T X = A A^T with A = (d x m).
    std::vector<double> centred(m * dims_);
    for (std::size_t r = 0; r < m; ++r)
      for (std::size_t j = 0; j < dims_; ++j) {
        const double v = double(features[r * dims_ + j]);
        ACNE_CHECK(std::isfinite(v), "feature_statistics: non-finite feature value in row " << r << ", column " << j);
        centred[r * dims_ + j] = v - batch_mean[j];
      }
    std::vector<double> batch_scatter(dims_ * dims_, 0.0);
    linalg::gemm(false, true, dims_, dims_, m, 1.0, centred.data(), dims_, centred.data(), dims_, 0.0,
                 batch_scatter.data(), dims_);
    linalg::symmetrize(batch_scatter, dims_);  // BLAS need not round A A^T symmetrically
    merge_moments(m, batch_mean, batch_scatter);
  }

  void merge_moments(std::size_t m, const std::vector<double>& other_mean, const std::vector<double>& other_scatter) {
    if (m == 0) return;
    if (count_ == 0) {
      count_ = m;
      mean_ = other_mean;
      scatter_ = other_scatter;
      return;
    }
    const double n = double(count_), k = double(m), total = n + k;
    std::vector<double> delta(dims_);
    for (std::size_t j = 0; j < dims_; ++j) delta[j] = other_mean[j] - mean_[j];
    const double w = n * k / total;
    for (std::size_t j = 0; j < dims_; ++j)
      for (std::size_t i = 0; i < dims_; ++i)
        scatter_[j * dims_ + i] += other_scatter[j * dims_ + i] + w * (delta[i] * delta[j]);
    for (std::size_t j = 0; j < dims_; ++j) mean_[j] += delta[j] * (k / total);
    count_ += m;
  }

  std::size_t dims_ = 0;
  std::size_t count_ = 0;
  std::string extractor_;
  std::vector<double> mean_;
  std::vector<double> scatter_;
};

namespace detail {
inline constexpr const char* feature_statistics_format = "acne.feature_statistics";
}  // namespace detail

inline void feature_statistics::save(const std::filesystem::path& path) const {
  ACNE_CHECK(count_ >= 2, "feature_statistics::save: need at least 2 feature vectors, have " << count_);
  const auto d = static_cast<std::int64_t>(dims_);
  io::safetensors_file file;
  file.tensors.push_back(io::make_record("mu", {d}, mean_));
  file.tensors.push_back(io::make_record("sigma", {d, d}, covariance()));
  file.metadata = {{"format", detail::feature_statistics_format},
                   {"version", "1"},
                   {"extractor", extractor_},
                   {"count", std::to_string(count_)},
                   {"dims", std::to_string(dims_)}};
  io::create_parent_directories(path);
  io::save_safetensors(path, file);
}

inline feature_statistics feature_statistics::load(const std::filesystem::path& path) {
  const std::string where = "feature statistics file '" + path.string() + "'";
  const io::safetensors_file file = io::load_safetensors(path);  // validates the container
  auto meta = [&](const std::string& key) {
    const auto it = file.metadata.find(key);
    ACNE_CHECK(it != file.metadata.end(), where << " has no '" << key << "' metadata");
    return it->second;
  };
  ACNE_CHECK(meta("format") == detail::feature_statistics_format,
             where << " is not a feature statistics file (format '" << meta("format") << "')");
  auto number = [&](const std::string& key) {
    const std::string text = meta(key);
    std::size_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    ACNE_CHECK(ec == std::errc{} && end == text.data() + text.size(),
               where << ": metadata '" << key << "' is not a count: '" << text << "'");
    return value;
  };
  const std::size_t d = number("dims"), count = number("count");
  ACNE_CHECK(d > 0 && count >= 2, where << ": invalid dims " << d << " or count " << count);
  const auto di = static_cast<std::int64_t>(d);
  auto tensor = [&](const char* name, const std::vector<std::int64_t>& shape) {
    const auto* t = file.find(name);
    ACNE_CHECK(t, where << " has no tensor '" << name << "'");
    ACNE_CHECK(t->type == io::dtype::f64 && t->shape == shape,
               where << ": tensor '" << name << "' is " << io::dtype_name(t->type) << " of rank " << t->shape.size()
                     << ", expected F64 with dims " << d);
    auto values = t->as<double>();
    ACNE_CHECK(linalg::all_finite(values), where << ": tensor '" << name << "' holds NaN or infinite values");
    return values;
  };
  auto mu = tensor("mu", {di});
  const auto sigma = tensor("sigma", {di, di});
  ACNE_CHECK(file.tensors.size() == 2, where << " holds " << file.tensors.size() << " tensors, expected mu and sigma");
  return from_moments(std::move(mu), sigma, count, meta("extractor"));
}

}  // namespace acne::metrics
