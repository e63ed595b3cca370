#pragma once
// A batch loader over any dataset with size() / label(i) / load(i) (image_folder, acne04_dataset,
// phantom_dataset, ...). Per epoch it shuffles the sample order from (seed, epoch), and while the
// caller works on batch k a second thread (std::async) loads, augments and preprocesses batch k + 1.
// An exception thrown while preparing a batch is rethrown by next() for that batch.
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <algorithm>
#include <functional>
#include <future>
#include <memory>
#include <numeric>
#include <optional>
#include <random>
#include <utility>
#include <vector>

#include <opencv2/core.hpp>

#include "acne/data/augment.hpp"
#include "acne/data/batch.hpp"
#include "acne/data/preprocess.hpp"
#include "acne/data/random.hpp"
#include "acne/error.hpp"

namespace acne::data {

template <class D>
concept dataset = requires(const D& d, std::size_t i) {
  { d.size() } -> std::convertible_to<std::size_t>;
  { d.label(i) } -> std::convertible_to<int>;
  { d.load(i) } -> std::convertible_to<cv::Mat>;
};

// What the loader reads: sample count, and thread-safe accessors (called from the worker thread).
struct sample_source {
  std::size_t size = 0;
  std::function<int(std::size_t)> label;
  std::function<cv::Mat(std::size_t)> load;
};

// A source over a dataset (which must outlive it), optionally restricted to `subset` (e.g. the train
// part of a split): sample j of the source is sample subset[j] of the dataset.
template <dataset D>
sample_source make_source(const D& d, std::vector<std::size_t> subset = {}) {
  if (subset.empty()) {
    subset.resize(d.size());
    std::iota(subset.begin(), subset.end(), std::size_t{0});
  }
  for (std::size_t i : subset) ACNE_CHECK(i < d.size(), "make_source: index " << i << " outside the dataset (size " << d.size() << ")");
  auto idx = std::make_shared<const std::vector<std::size_t>>(std::move(subset));
  return {idx->size(), [&d, idx](std::size_t j) { return static_cast<int>(d.label((*idx)[j])); },
          [&d, idx](std::size_t j) { return cv::Mat(d.load((*idx)[j])); }};
}

struct loader_options {
  std::size_t batch_size = 16;
  bool shuffle = true;
  bool drop_last = false;  // drop a final batch smaller than batch_size
  std::uint64_t seed = 0;
  preprocess_options preprocess;  // resize + scaling (default 224x224, Keras "tf")
  augment_options augment;        // default none; keyed by (seed, epoch, sample) so it is reproducible
};

struct sample_batch {
  image_batch images;                // NCHW RGB floats
  std::vector<int> labels;
  std::vector<std::size_t> indices;  // source sample indices
  std::size_t epoch = 0, batch = 0;
};

class batch_loader {
public:
  batch_loader(sample_source source, loader_options options) : source_(std::move(source)), options_(options) {
    ACNE_CHECK(options_.batch_size > 0, "batch_loader: batch size must be positive");
    ACNE_CHECK(source_.size > 0, "batch_loader: empty dataset");
    ACNE_CHECK(source_.label && source_.load, "batch_loader: source without label/load functions");
  }
  template <dataset D>
  batch_loader(const D& d, loader_options options) : batch_loader(make_source(d), options) {}

  batch_loader(const batch_loader&) = delete;
  batch_loader& operator=(const batch_loader&) = delete;
  ~batch_loader() { wait(); }

  std::size_t size() const noexcept { return source_.size; }
  std::size_t batches_per_epoch() const noexcept {
    const std::size_t b = options_.batch_size;
    return options_.drop_last ? source_.size / b : (source_.size + b - 1) / b;
  }
  std::size_t epoch() const noexcept { return epoch_; }

  // The sample order of an epoch: a permutation from (seed, epoch), or 0..n-1 without shuffling.
  std::vector<std::size_t> epoch_order(std::size_t epoch) const {
    std::vector<std::size_t> order(source_.size);
    std::iota(order.begin(), order.end(), std::size_t{0});
    if (options_.shuffle) {
      std::mt19937_64 rng(mix_seed(options_.seed, 0x5348554646ull, epoch));
      shuffle(order, rng);
    }
    return order;
  }

  // Starts (or restarts) an epoch and begins preparing its first batch in the background.
  void start_epoch(std::size_t epoch) {
    wait();
    epoch_ = epoch;
    started_ = true;
    order_ = epoch_order(epoch);
    launch(0);
  }

  // The next batch of the current epoch (starting epoch 0 on first use), or nullopt when the epoch is
  // done. Waits for the background work, rethrows its exception, and launches the following batch.
  std::optional<sample_batch> next() {
    if (!started_) start_epoch(0);
    if (!pending_.valid()) return std::nullopt;
    const std::size_t k = pending_batch_;
    std::future<sample_batch> ready = std::move(pending_);
    sample_batch out;
    try {
      out = ready.get();
    } catch (...) {
      launch(k + 1);
      throw;
    }
    launch(k + 1);
    return out;
  }

  // Prepares batch k of the current order synchronously (what the worker runs).
  sample_batch make_batch(std::size_t k) const {
    const std::size_t b = options_.batch_size, begin = k * b, end = std::min(begin + b, order_.size());
    ACNE_CHECK(begin < end, "batch_loader: batch " << k << " out of range");
    const auto& p = options_.preprocess;
    sample_batch out;
    out.images = image_batch(end - begin, 3, static_cast<std::size_t>(p.height), static_cast<std::size_t>(p.width));
    out.epoch = epoch_;
    out.batch = k;
    const bool augmenting = options_.augment.enabled();
    const augmenter aug(options_.augment, mix_seed(options_.seed, 0x4155474Dull, epoch_));
    for (std::size_t j = begin; j < end; ++j) {
      const std::size_t i = order_[j];
      cv::Mat image = source_.load(i);
      ACNE_CHECK(image.type() == CV_8UC3, "batch_loader: sample " << i << " is not an 8-bit BGR image");
      // Keras order: load at the target size, random transform, then the scaling.
      image = resize_to(image, p.width, p.height, p.filter);
      if (augmenting) image = aug(image, i);
      scale_into(image, out.images.image(j - begin), p.scaling);
      out.labels.push_back(source_.label(i));
      out.indices.push_back(i);
    }
    return out;
  }

private:
  void launch(std::size_t k) {
    if (k >= batches_per_epoch()) return;
    pending_batch_ = k;
    pending_ = std::async(std::launch::async, [this, k] { return make_batch(k); });
  }
  void wait() {
    if (pending_.valid()) pending_.wait();
    pending_ = {};
  }

  sample_source source_;
  loader_options options_;
  std::vector<std::size_t> order_;
  std::size_t epoch_ = 0, pending_batch_ = 0;
  bool started_ = false;
  std::future<sample_batch> pending_;
};

}  // namespace acne::data
