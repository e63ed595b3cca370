#pragma once
// FID while a GAN trains: the real images' statistics (every image, and its flip when mirroring),
// computed once per run folder and extractor and cached next to the snapshots, against G_ema's
// images drawn by stylegan2::metric_images as acne-fid draws them: `acne-fid --seed <seed> --batch
// <fid_batch> --num-images <fid_images>` on a snapshot measures the same images.
#include <algorithm>
#include <filesystem>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "acne/metrics/fid_pipeline.hpp"
#include "acne/metrics/random_conv_features.hpp"
#include "acne/models/stylegan2/generate.hpp"
#include "acne/train/gan_data.hpp"
#include "acne/train/gan_options.hpp"

namespace acne::train {

template <class T, class D>
class gan_fid {
public:
  gan_fid(const gan_options& o, const real_image_stream& reals, std::ostream& log) : o_(o), reals_(reals), log_(log) {}

  void set_extractor(std::unique_ptr<metrics::feature_extractor> e) { extractor_ = std::move(e); }
  std::string extractor_name() const { return extractor_ ? extractor_->name() : std::string(); }
  bool prepared() const { return real_stats_.count() > 0; }

  // Without an extractor set, random-conv-v1 (needs no weights, not a standard FID) is built when
  // the options name it.
  void prepare(const std::filesystem::path& out) {
    if (!extractor_) {
      ACNE_CHECK(o_.fid_extractor == metrics::random_conv_name,
                 "FID with " << o_.fid_extractor << " needs its extractor: call set_fid_extractor() first");
      extractor_ = metrics::make_random_conv_extractor<D>();
    }
    const metrics::fid_pipeline_options po{.batch = o_.fid_batch, .keep_features = false};
    std::string name = metrics::measurement_name(*extractor_, po.resize);  // "<extractor>/<resize>"
    std::replace(name.begin(), name.end(), '/', '-');
    const auto cache = out / ("fid-stats-" + name + ".safetensors");
    std::error_code ec;
    if (std::filesystem::is_regular_file(cache, ec)) {
      real_stats_ = metrics::feature_statistics::load(cache);
      if (real_stats_.count() == reals_.epoch_size()) return;
    }
    log_ << "FID: statistics of " << reals_.epoch_size() << " real images with " << extractor_->name()
         << (extractor_->standard() ? "" : " (not a standard FID: comparable only with itself)") << "\n";
    std::size_t next = 0;
    const auto source = [&](std::size_t max) {
      std::vector<cv::Mat> images;
      for (; images.size() < max && next < reals_.epoch_size(); ++next)
        images.push_back(reals_.image(next % reals_.images(), next >= reals_.images()));
      return images;
    };
    real_stats_ = metrics::extract_features(*extractor_, source, po).statistics;
    std::filesystem::create_directories(out);
    real_stats_.save(cache);
  }

  // FID of fid_images images of g (fixed latents, random noise, as the reference's metrics).
  double measure(network<stylegan2::generator<T, D>>& g) {
    const metrics::fid_pipeline_options po{.batch = o_.fid_batch, .keep_features = false};
    std::size_t chunk = 0;
    const auto fake = metrics::generated_features(*extractor_, o_.fid_images, [&](std::size_t n) {
      return stylegan2::metric_images(g, n, o_.seed, chunk++);
    }, po);
    return metrics::compute_fid(real_stats_, fake.statistics).fid;
  }

private:
  const gan_options& o_;
  const real_image_stream& reals_;
  std::ostream& log_;
  std::unique_ptr<metrics::feature_extractor> extractor_;
  metrics::feature_statistics real_stats_;
};

}  // namespace acne::train
