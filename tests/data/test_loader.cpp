#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <numeric>
#include <set>
#include <thread>

#include <opencv2/core.hpp>

#include "acne/data/loader.hpp"

namespace test_data_loader {

using namespace acne::data;

namespace {
// Sample i is a 4x4 image whose blue channel holds i % 256 and green i / 256; label i % 3.
struct counting_dataset {
  std::size_t n = 0;
  std::size_t throw_at = static_cast<std::size_t>(-1);
  mutable std::mutex mutex;
  mutable std::set<std::thread::id> threads;
  std::size_t size() const { return n; }
  int label(std::size_t i) const { return static_cast<int>(i % 3); }
  cv::Mat load(std::size_t i) const {
    {
      std::lock_guard<std::mutex> lock(mutex);
      threads.insert(std::this_thread::get_id());
    }
    ACNE_CHECK(i != throw_at, "cannot load sample " << i);
    return cv::Mat(4, 4, CV_8UC3, cv::Scalar(double(i % 256), double(i / 256), 7));
  }
};

loader_options small(std::size_t batch, std::uint64_t seed, bool drop_last = false) {
  loader_options o;
  o.batch_size = batch;
  o.seed = seed;
  o.drop_last = drop_last;
  o.preprocess = {4, 4, resize_filter::nearest, pixel_scaling::none};
  return o;
}

std::vector<std::size_t> run_epoch(batch_loader& loader, std::size_t epoch) {
  loader.start_epoch(epoch);
  std::vector<std::size_t> seen;
  while (auto b = loader.next()) {
    for (std::size_t k = 0; k < b->indices.size(); ++k) {
      const std::size_t i = b->indices[k];
      // the pixels and the label belong to the index reported
      BOOST_REQUIRE(b->images.at(k, 2, 1, 1) == float(i % 256));
      BOOST_REQUIRE(b->images.at(k, 1, 3, 2) == float(i / 256));
      BOOST_REQUIRE(b->labels[k] == int(i % 3));
    }
    seen.insert(seen.end(), b->indices.begin(), b->indices.end());
  }
  return seen;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(loader)

BOOST_AUTO_TEST_CASE(every_sample_once_per_epoch) {
  counting_dataset ds;
  ds.n = 103;
  batch_loader loader(ds, small(10, 1));
  BOOST_TEST(loader.batches_per_epoch() == 11u);
  for (std::size_t epoch = 0; epoch < 3; ++epoch) {
    auto seen = run_epoch(loader, epoch);
    BOOST_TEST(seen.size() == 103u);
    std::sort(seen.begin(), seen.end());
    std::vector<std::size_t> all(103);
    std::iota(all.begin(), all.end(), std::size_t{0});
    BOOST_TEST(seen == all);
  }
}

BOOST_AUTO_TEST_CASE(drop_last_drops_the_short_batch) {
  counting_dataset ds;
  ds.n = 10;
  batch_loader loader(ds, small(4, 1, true));
  BOOST_TEST(loader.batches_per_epoch() == 2u);
  const auto seen = run_epoch(loader, 0);
  BOOST_TEST(seen.size() == 8u);
  BOOST_TEST(std::set<std::size_t>(seen.begin(), seen.end()).size() == 8u);
}

BOOST_AUTO_TEST_CASE(order_follows_seed_and_epoch) {
  counting_dataset ds;
  ds.n = 50;
  batch_loader a(ds, small(8, 5)), b(ds, small(8, 5)), c(ds, small(8, 6));
  const auto a0 = run_epoch(a, 0), b0 = run_epoch(b, 0), a1 = run_epoch(a, 1), c0 = run_epoch(c, 0);
  BOOST_TEST(a0 == b0);
  BOOST_TEST(a0 != a1);  // reshuffled per epoch
  BOOST_TEST(a0 != c0);
  loader_options fixed = small(8, 5);
  fixed.shuffle = false;
  batch_loader d(ds, fixed);
  const auto d0 = run_epoch(d, 0);
  BOOST_TEST(std::is_sorted(d0.begin(), d0.end()));
}

BOOST_AUTO_TEST_CASE(batches_are_prepared_on_another_thread) {
  counting_dataset ds;
  ds.n = 12;
  batch_loader loader(ds, small(4, 1));
  run_epoch(loader, 0);
  BOOST_TEST(!ds.threads.empty());
  BOOST_TEST(ds.threads.count(std::this_thread::get_id()) == 0u);
}

BOOST_AUTO_TEST_CASE(worker_exceptions_reach_the_caller) {
  counting_dataset ds;
  ds.n = 20;
  ds.throw_at = 13;
  batch_loader loader(ds, small(4, 2));
  loader.start_epoch(0);
  bool thrown = false;
  std::size_t batches = 0;
  try {
    while (loader.next()) ++batches;
  } catch (const acne::error& e) {
    thrown = std::string(e.what()).find("cannot load sample 13") != std::string::npos;
  }
  BOOST_TEST(thrown);
  BOOST_TEST(batches < 5u);
  // the loader stays usable: the remaining batches of the epoch still come
  std::size_t after = 0;
  while (loader.next()) ++after;
  BOOST_TEST(batches + 1 + after == 5u);
}

BOOST_AUTO_TEST_CASE(subset_source_and_augmentation) {
  counting_dataset ds;
  ds.n = 30;
  loader_options o = small(5, 3);
  o.augment = {0.0, true, 1.0, 1.0};  // flips only: a uniform image is unchanged
  batch_loader loader(make_source(ds, {1, 4, 9, 16, 25}), o);
  BOOST_TEST(loader.size() == 5u);
  const auto b = loader.next();
  BOOST_REQUIRE(b.has_value());
  std::vector<std::size_t> idx = b->indices;
  std::sort(idx.begin(), idx.end());
  BOOST_TEST(idx == (std::vector<std::size_t>{0, 1, 2, 3, 4}));
  for (std::size_t k = 0; k < 5; ++k) {
    const std::size_t original = std::vector<std::size_t>{1, 4, 9, 16, 25}[b->indices[k]];
    BOOST_TEST(b->images.at(k, 2, 0, 0) == float(original));
  }
  BOOST_TEST(!loader.next().has_value());
  BOOST_CHECK_THROW(make_source(ds, {30}), acne::error);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_data_loader
