#pragma once
// Images -> features -> statistics, for FID and KID. Images arrive in batches from a callback, so the
// same code serves a folder on disk, a generator during training and anything else:
//
//   auto extractor = metrics::make_random_conv_extractor();      // or make_inception_fid_extractor(file)
//   auto real = metrics::folder_features(*extractor, "data/real");     // once; real.statistics.save(...)
//   // each tick: 8-bit images, as stylegan2-ada quantises generator output before its metrics
//   auto fake = metrics::generated_features(*extractor, 1000, [&](std::size_t n) {
//     return data::from_stylegan(generator_images(n));                 // n images, [-1, 1] -> 8-bit BGR
//   });
//   auto fid = metrics::compute_fid(real.statistics, fake.statistics);  // fid.fid, fid.extractor
//
// Each 8-bit BGR image (any size) becomes RGB floats, is resized to the extractor's input size in
// float (fid_resize.hpp: bilinear as pytorch-fid, bicubic as clean-fid) and scaled to [-1, 1]
// (x / 127.5 - 1, pytorch-fid's 2 x - 1 of x / 255). The statistics record "<extractor>/<resize>",
// so statistics made with another extractor or resize are refused by compute_fid.
#include <algorithm>
#include <cstddef>
#include <exception>
#include <filesystem>
#include <functional>
#include <iostream>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "acne/error.hpp"
#include "acne/io/image.hpp"
#include "acne/metrics/feature_extractor.hpp"
#include "acne/metrics/feature_statistics.hpp"
#include "acne/metrics/fid.hpp"
#include "acne/metrics/fid_resize.hpp"
#include "acne/metrics/kid.hpp"

namespace acne::metrics {

namespace fs = std::filesystem;

struct fid_pipeline_options {
  fid_resize resize = fid_resize::bilinear;
  std::size_t batch = 16;       // images per extractor call
  bool keep_features = true;    // keep every feature vector (KID needs them; 8 KiB per image at 2048-d)
  bool statistics = true;       // accumulate mean and covariance (without: features only, count() is 0)
  std::ostream* progress = nullptr;  // "features: 160/1000 images" lines when set
};

struct feature_set {
  feature_statistics statistics;
  std::vector<float> features;  // count x dims, row-major, when kept
  std::size_t count() const { return statistics.count(); }
  std::size_t dims() const { return statistics.dims(); }
};

// Called with the most images it may return; an empty result ends the stream.
using image_source = std::function<std::vector<cv::Mat>(std::size_t max_images)>;

inline std::string measurement_name(const feature_extractor& e, fid_resize r) {
  return e.name() + "/" + fid_resize_name(r);
}

// One 8-bit BGR image into `dst` (3 x s x s floats, RGB, [-1, 1]).
inline void prepare_image(const cv::Mat& bgr, std::size_t size, fid_resize resize, float* dst) {
  ACNE_CHECK(bgr.type() == CV_8UC3, "FID input must be an 8-bit BGR image, got OpenCV type " << bgr.type());
  const auto h = static_cast<std::size_t>(bgr.rows), w = static_cast<std::size_t>(bgr.cols);
  std::vector<float> planes(3 * h * w);
  io::to_chw(bgr, planes.data());  // RGB, 0..255
  const std::size_t plane = size * size;
  for (std::size_t c = 0; c < 3; ++c) {
    float* out = dst + c * plane;
    resize_plane(planes.data() + c * h * w, h, w, out, size, size, resize);
    for (std::size_t i = 0; i < plane; ++i) out[i] = out[i] / 127.5f - 1.0f;
  }
}

inline feature_set extract_features(feature_extractor& extractor, const image_source& source,
                                    const fid_pipeline_options& options = {}) {
  ACNE_CHECK(options.batch > 0, "extract_features: batch size must be positive");
  const std::size_t s = extractor.input_size(), dims = extractor.dims();
  feature_set out{feature_statistics(dims, measurement_name(extractor, options.resize)), {}};
  tensor<float, cpu> batch;
  std::vector<float> features;
  std::size_t done = 0;
  for (;;) {
    const std::vector<cv::Mat> images = source(options.batch);
    if (images.empty()) break;
    ACNE_CHECK(images.size() <= options.batch,
               "extract_features: the source returned " << images.size() << " images for a batch of " << options.batch);
    batch.resize({images.size(), 3, s, s});
    std::exception_ptr failure;
#pragma omp parallel for schedule(dynamic, 1)
    for (long i = 0; i < long(images.size()); ++i) {
      try {
        prepare_image(images[std::size_t(i)], s, options.resize, batch.data() + std::size_t(i) * 3 * s * s);
      } catch (...) {
#pragma omp critical(acne_fid_prepare)
        if (!failure) failure = std::current_exception();
      }
    }
    if (failure) std::rethrow_exception(failure);
    extractor.extract(batch, features);
    if (options.statistics) out.statistics.add(std::span<const float>(features), dims);
    if (options.keep_features) out.features.insert(out.features.end(), features.begin(), features.end());
    if (options.progress)
      *options.progress << "features (" << extractor.name() << "): " << (done += images.size()) << " images\n";
  }
  return out;
}

using io::list_images;

// Features of every image below `folder`; FID needs at least two.
inline feature_set folder_features(feature_extractor& extractor, const fs::path& folder,
                                   const fid_pipeline_options& options = {}) {
  const std::vector<fs::path> files = list_images(folder);
  ACNE_CHECK(files.size() >= 2, "folder '" << folder.string() << "' holds " << files.size()
                                           << " image(s): FID and KID need at least 2");
  std::size_t next = 0;
  return extract_features(extractor, [&](std::size_t max_images) {
    std::vector<cv::Mat> images;
    while (images.size() < max_images && next < files.size()) images.push_back(io::read_image(files[next++]));
    return images;
  }, options);
}

// Features of `count` generated images; generate(n) returns n 8-bit BGR images.
inline feature_set generated_features(feature_extractor& extractor, std::size_t count,
                                      const std::function<std::vector<cv::Mat>(std::size_t)>& generate,
                                      const fid_pipeline_options& options = {}) {
  ACNE_CHECK(count >= 2, "generated_features: FID and KID need at least 2 images, asked for " << count);
  std::size_t produced = 0;
  return extract_features(extractor, [&](std::size_t max_images) {
    const std::size_t n = std::min(max_images, count - produced);
    if (n == 0) return std::vector<cv::Mat>{};
    std::vector<cv::Mat> images = generate(n);
    ACNE_CHECK(images.size() == n, "generated_features: asked the generator for " << n << " images, got " << images.size());
    produced += n;
    return images;
  }, options);
}

// FID of two feature sets, and KID when both kept their features.
struct distance_report {
  fid_report fid;
  std::optional<kid_result> kid;
};

inline distance_report compare(const feature_set& a, const feature_set& b, const kid_options& kid = {}) {
  distance_report r{compute_fid(a.statistics, b.statistics), std::nullopt};
  if (!a.features.empty() && !b.features.empty())
    r.kid = kernel_inception_distance(std::span<const float>(a.features), std::span<const float>(b.features), a.dims(), kid);
  return r;
}

}  // namespace acne::metrics
