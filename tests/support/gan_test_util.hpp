#pragma once
// Helpers of the GAN training tests: tiny StyleGAN2 configs, phantom faces kept in memory as a
// data source, and scratch folders.
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "acne/data/loader.hpp"
#include "acne/data/phantom_dataset.hpp"
#include "acne/train/gan_options.hpp"
#include "support/scratch_dir.hpp"
#include "support/single_thread.hpp"

namespace acne_gan_test {

// A StyleGAN2 small enough to train for a few steps in a test.
inline acne::stylegan2::config tiny_config(std::size_t resolution = 8, std::size_t channels = 8, std::size_t dims = 8) {
  acne::stylegan2::config c;
  c.resolution = resolution;
  c.channel_base = channels * resolution;
  c.channel_max = channels;
  c.z_dim = c.w_dim = dims;
  c.mapping_layers = 2;
  return c;
}

// Options for short test runs: small minibatches in two rounds, ticks of one minibatch.
inline acne::train::gan_options tiny_options(const std::filesystem::path& out, std::size_t resolution = 8) {
  acne::train::gan_options o;
  o.config = tiny_config(resolution);
  o.batch = 4;
  o.batch_gpu = 2;
  o.kimg_per_tick = 0.004;
  o.image_snapshot_ticks = 0;
  o.network_snapshot_ticks = 1;
  o.grid_cols = 2;
  o.grid_rows = 2;
  o.r1_gamma = 1;
  o.g_reg_interval = 2;
  o.d_reg_interval = 3;
  o.total_kimg = 0.016;
  o.out_dir = out.string();
  return o;
}

// Phantom faces of the given classes, rendered once and served from memory.
class phantom_source {
public:
  phantom_source(std::size_t per_class, int size, std::uint64_t seed = 7,
                 std::vector<acne::data::acne_class> classes = {acne::data::acne_class::mild,
                                                                acne::data::acne_class::severe}) {
    acne::data::class_counts counts;
    for (auto c : classes) counts.emplace_back(c, per_class);
    acne::data::phantom_options o;
    o.size = size;
    const acne::data::phantom_dataset d(counts, seed, o);
    images_ = std::make_shared<std::vector<cv::Mat>>(d.size());
    for (std::size_t i = 0; i < d.size(); ++i) (*images_)[i] = d.load(i);
  }
  acne::data::sample_source source() const {
    auto images = images_;
    return {images->size(), [](std::size_t) { return 0; }, [images](std::size_t i) { return images->at(i).clone(); }};
  }
  std::size_t size() const { return images_->size(); }

private:
  std::shared_ptr<std::vector<cv::Mat>> images_;
};

using acne::test::scratch_dir;
using acne::test::single_thread;

}  // namespace acne_gan_test
