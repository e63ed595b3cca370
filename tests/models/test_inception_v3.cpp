// InceptionV3: Keras' parameter counts, pytorch-fid's feature taps and their shapes, loading weights
// by name (and the errors that name a missing or mis-shaped tensor).
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "acne/io/safetensors.hpp"
#include "acne/models/inception_v3.hpp"
#include "acne/models/pretrained.hpp"
#include "acne/network.hpp"
#include "support/fid_test_util.hpp"

namespace test_models_inception_v3 {

namespace {

using acne::shape4;
using net_t = acne::network<acne::inception_v3<float>>;

net_t fid_network(std::size_t dims, std::size_t size, std::uint64_t seed) {
  net_t net(acne::make_fid_inception_v3<float>(dims));
  net.setup({1, 3, size, size}, seed);
  net.eval();
  return net;
}

// Running statistics start at 0 and 1; random ones make a swapped or skipped tensor visible.
void randomise_statistics(net_t& net, std::uint64_t seed) {
  acne::rng gen(seed);
  std::uniform_real_distribution<float> mean(-0.2f, 0.2f), var(0.5f, 1.5f), gamma(0.8f, 1.2f), beta(-0.1f, 0.1f);
  for (auto& s : net.slots()) {
    auto& d = s.name.ends_with("moving_mean") ? mean : s.name.ends_with("moving_variance") ? var
                                                       : s.name.ends_with("gamma") ? gamma : beta;
    if (s.name.ends_with("conv.weight")) continue;
    for (std::size_t i = 0; i < s.value->size(); ++i) (*s.value)[i] = d(gen);
  }
}

std::vector<acne::io::tensor_record> records_of(const net_t& net) {
  std::vector<acne::io::tensor_record> out;
  for (const auto& s : net.slots()) {
    const auto& t = *s.value;
    out.push_back(acne::io::make_record(s.name, {std::int64_t(s.shape.n), std::int64_t(s.shape.c),
                                                 std::int64_t(s.shape.h), std::int64_t(s.shape.w)},
                                        std::vector<float>(t.begin(), t.end())));
  }
  return out;
}

acne::tensor<float> test_images(std::size_t n, std::size_t size) {
  acne::tensor<float> x({n, 3, size, size});
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = float((i * 7919) % 2001) / 1000.0f - 1.0f;
  return x;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(inception_v3_model)

// Keras' model.summary(): 23,851,784 total, 34,432 of them the non-trainable moving means and
// variances of 17,216 batch-norm channels; the 1000-class dense layer holds 2048 * 1000 + 1000.
BOOST_AUTO_TEST_CASE(keras_parameter_counts) {
  acne::network<acne::inception_v3<float>> with_top(acne::make_inception_v3<float>());
  BOOST_TEST(with_top.setup({1, 3, 299, 299}) == (shape4{1, 1000, 1, 1}));
  BOOST_TEST(with_top.parameter_count() == 23'851'784u);
  BOOST_TEST(with_top.trainable_parameter_count() == 23'817'352u);

  acne::network<acne::inception_v3<float>> no_top(acne::make_inception_v3<float>({.include_top = false}));
  BOOST_TEST(no_top.setup({1, 3, 299, 299}) == (shape4{1, 2048, 1, 1}));
  BOOST_TEST(no_top.parameter_count() == 21'802'784u);

  acne::network<acne::inception_v3<float>> maps(
      acne::make_inception_v3<float>({.include_top = false, .pooling = acne::head_pooling::none}));
  BOOST_TEST(maps.setup({1, 3, 299, 299}) == (shape4{1, 2048, 8, 8}));
}

// The FID network adds a gamma to each of the 17,216 batch-norm channels: 21,802,784 + 17,216.
// Cross-check: torchvision's inception_v3 has 27,161,264 = these 21,785,568 trainable values
// + fc 2,049,000 + AuxLogits 3,326,696.
BOOST_AUTO_TEST_CASE(fid_network_parameters_and_names) {
  net_t net(acne::make_fid_inception_v3<float>(2048));
  net.setup({1, 3, 299, 299});
  BOOST_TEST(net.parameter_count() == 21'820'000u);
  BOOST_TEST(net.trainable_parameter_count() == 21'785'568u);
  std::set<std::string> names;
  for (const auto& s : net.slots()) names.insert(s.name);
  for (const char* n : {"Conv2d_1a_3x3.conv.weight", "Conv2d_4a_3x3.bn.gamma", "Mixed_5b.branch5x5.2.conv.weight",
                        "Mixed_5b.branch_pool.bn.moving_variance", "Mixed_6a.branch3x3.conv.weight",
                        "Mixed_6e.branch7x7dbl.5.bn.beta", "Mixed_7a.branch7x7x3.4.conv.weight",
                        "Mixed_7c.branch3x3.2.b.bn.moving_mean", "Mixed_7c.branch3x3dbl.3.a.conv.weight"})
    BOOST_TEST(names.count(n) == 1u, n);
  BOOST_TEST(names.size() == 94u * 5u);  // 94 units: conv weight and four batch-norm tensors each
  for (const auto& s : net.slots())
    if (s.name == "Mixed_6b.branch7x7.2.conv.weight") BOOST_TEST(s.shape == (shape4{128, 128, 1, 7}));
}

// pytorch-fid's blocks at 299: 64 x 73 x 73, 192 x 35 x 35, 768 x 17 x 17, 2048 x 8 x 8.
BOOST_AUTO_TEST_CASE(fid_block_shapes_at_full_size) {
  const shape4 expected[4] = {{1, 64, 73, 73}, {1, 192, 35, 35}, {1, 768, 17, 17}, {1, 2048, 8, 8}};
  for (std::size_t b = 0; b < 4; ++b) {
    net_t net(acne::inception_v3<float>({.variant = acne::inception_v3_variant::fid, .last_block = b,
                                         .head = {.include_top = false, .pooling = acne::head_pooling::none}}));
    BOOST_TEST(net.setup({1, 3, 299, 299}) == expected[b]);
  }
  BOOST_CHECK_THROW(acne::make_fid_inception_v3<float>(1000), acne::error);
}

// Every tap runs at the smallest input the topology allows (75 px) and gives [N, dims, 1, 1]; a
// shorter network's features equal the spatial mean of the same block in a longer one.
BOOST_AUTO_TEST_CASE(fid_taps_forward) {
  const auto x = test_images(2, 75);
  for (const std::size_t dims : {64, 192, 768, 2048}) {
    auto net = fid_network(dims, 75, 3);
    const auto& y = net.forward(x);
    BOOST_TEST(y.shape() == (shape4{2, dims, 1, 1}));
    BOOST_TEST(std::all_of(y.begin(), y.end(), [](float v) { return std::isfinite(v) && v >= 0; }));  // after ReLU
    BOOST_TEST(y[0] != y[dims]);  // two different images, two different feature vectors
  }
  BOOST_CHECK_THROW(fid_network(2048, 74, 3), acne::error);  // Mixed_7a needs 3 x 3 input
}

// With the same weights (gamma = 1), the FID and Keras variants differ only where TF's graph
// max-pools: Mixed_7c's pool branch, the last 192 of the 2048 channels. At 107 px Mixed_7c works on
// 2 x 2 maps, so a 3 x 3 max and average pool tell apart.
BOOST_AUTO_TEST_CASE(variants_differ_only_in_mixed_7c_pool) {
  auto fid = fid_network(2048, 107, 21);
  randomise_statistics(fid, 22);
  for (auto& s : fid.slots())
    if (s.name.ends_with("bn.gamma")) s.value->fill(1.0f);
  acne::network<acne::inception_v3<float>> keras(acne::make_inception_v3<float>({.include_top = false}));
  keras.setup({1, 3, 107, 107}, 23);
  keras.eval();
  std::size_t copied = 0;
  for (auto& k : keras.slots())
    for (const auto& f : fid.slots())
      if (f.name == k.name) *k.value = *f.value, ++copied;
  BOOST_TEST(copied == keras.slots().size());

  const auto x = test_images(2, 107);
  const acne::tensor<float> a = fid.forward(x);
  const auto& b = keras.forward(x);
  float same_part = 0, pool_part = 0;
  for (std::size_t n = 0; n < 2; ++n)
    for (std::size_t c = 0; c < 2048; ++c) {
      float& worst = c < 2048 - 192 ? same_part : pool_part;
      worst = std::max(worst, std::abs(a(n, c, 0, 0) - b(n, c, 0, 0)));
    }
  BOOST_TEST(same_part == 0.0f);
  BOOST_TEST(pool_part > 1e-4f);
}

// The top level chains its blocks backward too (the blocks' own gradients are the combinators').
BOOST_AUTO_TEST_CASE(backward_reaches_the_input) {
  auto net = fid_network(192, 75, 6);
  net.train();
  const auto x = test_images(2, 75);
  const auto& y = net.forward(x);
  const acne::tensor<float> dy(y.shape(), 1.0f);
  const auto& dx = net.backward(dy);
  BOOST_TEST(dx.shape() == x.shape());
  BOOST_TEST(std::any_of(dx.begin(), dx.end(), [](float v) { return v != 0.0f; }));
  BOOST_TEST(std::all_of(dx.begin(), dx.end(), [](float v) { return std::isfinite(v); }));
}

BOOST_AUTO_TEST_CASE(weights_load_by_name) {
  const acne::test::scratch_dir dir("inception-weights");
  auto source = fid_network(2048, 75, 11);
  randomise_statistics(source, 12);
  const auto x = test_images(2, 75);
  const acne::tensor<float> expected = source.forward(x);

  auto records = records_of(source);
  // A converted file also holds the classifier, which the features do not use.
  records.push_back(acne::io::make_record("fc.bias", {1008}, std::vector<float>(1008, 0.5f)));
  acne::io::safetensors_file file;
  file.tensors = records;
  acne::io::save_safetensors(dir.path() / "w.safetensors", file);

  auto target = fid_network(2048, 75, 99);
  const auto& before = target.forward(x);
  BOOST_TEST(!std::equal(before.begin(), before.end(), expected.begin(), expected.end()));
  const auto result = acne::load_pretrained(dir.path() / "w.safetensors", target, {.ignore_extra = true});
  BOOST_TEST(result.loaded == 470u);
  BOOST_TEST(result.ignored == std::vector<std::string>{"fc.bias"});
  const auto& y = target.forward(x);
  BOOST_TEST(std::equal(y.begin(), y.end(), expected.begin(), expected.end()));

  // A shorter tap takes its tensors from the same file; the blocks it skips are extra.
  auto tap = fid_network(768, 75, 5);
  BOOST_TEST(acne::load_pretrained(dir.path() / "w.safetensors", tap, {.ignore_extra = true}).ignored.size() > 1u);
  BOOST_CHECK_THROW(acne::load_pretrained(dir.path() / "w.safetensors", tap), acne::error);  // strict: extras
}

BOOST_AUTO_TEST_CASE(loader_names_bad_tensors) {
  const acne::test::scratch_dir dir("inception-bad-weights");
  auto net = fid_network(64, 75, 1);
  const auto expect_error = [&](const std::vector<acne::io::tensor_record>& records, const std::string& needle) {
    acne::io::safetensors_file file;
    file.tensors = records;
    acne::io::save_safetensors(dir.path() / "bad.safetensors", file);
    BOOST_CHECK_EXCEPTION(acne::load_pretrained(dir.path() / "bad.safetensors", net, {.ignore_extra = true}),
                          acne::error, [&](const acne::error& e) {
                            const std::string what = e.what();
                            BOOST_TEST_MESSAGE(what);
                            return what.find(needle) != std::string::npos;
                          });
  };
  auto records = records_of(net);
  auto transposed = records;
  for (auto& r : transposed)
    if (r.name == "Conv2d_2b_3x3.conv.weight") r.shape = {64, 32, 1, 9};  // same size, wrong shape
  expect_error(transposed, "mismatched: Conv2d_2b_3x3.conv.weight");

  auto missing = records;
  std::erase_if(missing, [](const auto& r) { return r.name == "Conv2d_2a_3x3.bn.moving_mean"; });
  expect_error(missing, "missing: Conv2d_2a_3x3.bn.moving_mean");
}

// One full-size image through the whole FID network, as the extractor runs it.
BOOST_AUTO_TEST_CASE(full_size_forward) {
  auto net = fid_network(2048, 299, 4);
  const auto start = std::chrono::steady_clock::now();
  const auto& y = net.forward(test_images(1, 299));
  BOOST_TEST_MESSAGE("InceptionV3 (FID) forward, 1 x 299 x 299: "
                     << std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() << " s");
  BOOST_TEST(y.shape() == (shape4{1, 2048, 1, 1}));
  BOOST_TEST(std::all_of(y.begin(), y.end(), [](float v) { return std::isfinite(v); }));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_models_inception_v3
