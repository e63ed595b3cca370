#pragma once
// The stream of real images a GAN trains on, as a pure function of the position in the stream:
// position p belongs to epoch p / m (m = images, doubled by mirror augmentation: every image also
// appears x-flipped, as the reference's xflip dataset does) and is entry p % m of that epoch's
// permutation, drawn from (seed, epoch). Resuming at a saved position therefore reproduces the
// stream exactly. Images are resized to the training resolution (area filter) if needed, kept in
// memory as 8-bit when they fit the cache budget, and the next minibatch is prepared on a second
// thread while the current one trains.
#include <cstddef>
#include <cstdint>
#include <future>
#include <memory>
#include <mutex>
#include <numeric>
#include <random>
#include <utility>
#include <vector>

#include <opencv2/core.hpp>

#include "acne/data/loader.hpp"
#include "acne/data/preprocess.hpp"
#include "acne/data/random.hpp"
#include "acne/error.hpp"

namespace acne::train {

struct stream_item {
  std::size_t image = 0;
  bool flip = false;
};

class real_image_stream {
public:
  real_image_stream(data::sample_source source, std::size_t resolution, bool mirror, std::uint64_t seed,
                    std::size_t cache_bytes = std::size_t{2} << 30)
      : source_(std::move(source)), resolution_(resolution), mirror_(mirror), seed_(seed) {
    ACNE_CHECK(source_.size > 0 && source_.load, "GAN training needs a non-empty dataset");
    ACNE_CHECK(resolution_ >= 4, "real_image_stream: resolution " << resolution_);
    cache_ = source_.size * resolution_ * resolution_ * 3 <= cache_bytes;
    if (cache_) cached_.resize(source_.size);
  }
  ~real_image_stream() {
    if (pending_.valid()) pending_.wait();
  }
  real_image_stream(const real_image_stream&) = delete;
  real_image_stream& operator=(const real_image_stream&) = delete;

  std::size_t images() const { return source_.size; }
  // Entries per epoch: every image, and every image flipped when mirroring.
  std::size_t epoch_size() const { return source_.size * (mirror_ ? 2 : 1); }
  std::size_t resolution() const { return resolution_; }

  stream_item item(std::uint64_t position) const {
    const std::uint64_t epoch = position / epoch_size();
    const auto order = epoch_order(epoch);
    const std::size_t v = (*order)[position % epoch_size()];
    return {v % source_.size, v >= source_.size};
  }

  // Image i at the training resolution, 8-bit BGR, optionally x-flipped.
  cv::Mat image(std::size_t i, bool flip = false) const {
    cv::Mat im = resized(i);
    if (!flip) return im;
    cv::Mat out;
    cv::flip(im, out, 1);
    return out;
  }

  // Entries [position, position + count) as CHW RGB floats in [-1, 1]; the next call's batch
  // (position + count) is prepared in the background.
  std::vector<float> batch(std::uint64_t position, std::size_t count) {
    std::vector<float> out;
    if (pending_.valid() && pending_position_ == position && pending_count_ == count) {
      out = pending_.get();
    } else {
      if (pending_.valid()) pending_.wait();
      pending_ = {};
      out = make_batch(position, count);
    }
    pending_position_ = position + count;
    pending_count_ = count;
    pending_ = std::async(std::launch::async, [this, p = pending_position_, count] { return make_batch(p, count); });
    return out;
  }

  std::vector<float> make_batch(std::uint64_t position, std::size_t count) const {
    const std::size_t plane = 3 * resolution_ * resolution_;
    std::vector<float> out(count * plane);
    for (std::size_t k = 0; k < count; ++k) {
      const auto it = item(position + k);
      data::scale_into(image(it.image, it.flip), out.data() + k * plane, data::pixel_scaling::tf);
    }
    return out;
  }

private:
  using order_ptr = std::shared_ptr<const std::vector<std::size_t>>;

  // Computed once per epoch; two are kept, for a minibatch that straddles two epochs.
  order_ptr epoch_order(std::uint64_t epoch) const {
    std::lock_guard<std::mutex> lock(mutex_);
    auto& slot = orders_[epoch % 2];
    if (!slot.order || slot.epoch != epoch) {
      std::vector<std::size_t> order(epoch_size());
      std::iota(order.begin(), order.end(), std::size_t{0});
      std::mt19937_64 rng(data::mix_seed(seed_, 0x5245414Cull /* "REAL" */, epoch));
      data::shuffle(order, rng);
      slot = {epoch, std::make_shared<const std::vector<std::size_t>>(std::move(order))};
    }
    return slot.order;
  }

  cv::Mat resized(std::size_t i) const {
    if (cache_) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!cached_[i].empty()) return cached_[i];
    }
    cv::Mat im = source_.load(i);
    ACNE_CHECK(im.type() == CV_8UC3, "dataset image " << i << " is not an 8-bit colour image");
    const int r = int(resolution_);
    im = data::resize_to(im, r, r, data::resize_filter::area).clone();
    if (cache_) {
      std::lock_guard<std::mutex> lock(mutex_);
      cached_[i] = im;
    }
    return im;
  }

  struct epoch_entry {
    std::uint64_t epoch = 0;
    order_ptr order;
  };

  data::sample_source source_;
  std::size_t resolution_;
  bool mirror_;
  std::uint64_t seed_;
  bool cache_ = false;
  mutable std::mutex mutex_;
  mutable std::vector<cv::Mat> cached_;
  mutable epoch_entry orders_[2];
  std::future<std::vector<float>> pending_;
  std::uint64_t pending_position_ = 0;
  std::size_t pending_count_ = 0;
};

}  // namespace acne::train
