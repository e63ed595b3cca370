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

// A fresh folder under the build tree, removed at the end of the test.
class scratch_dir {
public:
  explicit scratch_dir(const std::string& name)
      : path_(std::filesystem::path(ACNE_TEST_BINARY_DIR) / "test-scratch" /
              (name + "-" + std::to_string(std::random_device{}()))) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~scratch_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  scratch_dir(const scratch_dir&) = delete;
  scratch_dir& operator=(const scratch_dir&) = delete;
  const std::filesystem::path& path() const { return path_; }

private:
  std::filesystem::path path_;
};

}  // namespace acne_gan_test

#ifdef _OPENMP
#include <omp.h>
#endif
#include "acne/backend/cpu/gemm.hpp"

namespace acne_gan_test {

// While alive, OpenMP and BLAS run on the calling thread only. The test networks are so small that
// threads gain nothing, and on a loaded machine their barriers cost more than the work itself.
class single_threaded {
public:
  single_threaded() {
#ifdef _OPENMP
    saved_ = omp_get_max_threads();
    omp_set_num_threads(1);
#endif
  }
  ~single_threaded() {
#ifdef _OPENMP
    omp_set_num_threads(saved_);
#endif
  }
  single_threaded(const single_threaded&) = delete;
  single_threaded& operator=(const single_threaded&) = delete;

private:
  int saved_ = 1;
  acne::cpu_backend::blas_single_thread blas_;
};

}  // namespace acne_gan_test
