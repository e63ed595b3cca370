#pragma once
// Helpers of the training tests: phantom faces rendered once and kept in memory, and scratch folders.
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "acne/backend/cpu/gemm.hpp"
#include "acne/data/phantom_dataset.hpp"

#ifdef _OPENMP
#include <omp.h>
#endif

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

// A fresh empty folder under the build tree, removed when the test ends.
class scratch_dir {
public:
  explicit scratch_dir(const std::string& name)
      : path_(std::filesystem::path(ACNE_TEST_BINARY_DIR) / "test-scratch" / (name + "-" + std::to_string(std::random_device{}()))) {
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~scratch_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

private:
  std::filesystem::path path_;
};

// Runs the enclosing scope on one thread, OpenMP and BLAS alike: training is then bit-reproducible
// (the CPU backend's parallel weight-gradient sums round in a scheduling-dependent order).
class single_thread {
public:
#ifdef _OPENMP
  single_thread() : saved_(omp_get_max_threads()) { omp_set_num_threads(1); }
  ~single_thread() { omp_set_num_threads(saved_); }
#endif
  single_thread(const single_thread&) = delete;
  single_thread& operator=(const single_thread&) = delete;

private:
  int saved_ = 1;
  cpu_backend::blas_single_thread blas_;
};

}  // namespace acne::test
