// Checkpoints: exact round trips (parameters, optimizer state, metadata), and loud failures that
// name what is wrong: missing / extra / mis-shaped tensors, another architecture, a truncated file.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <random>

#include "acne/io/checkpoint.hpp"
#include "acne/models/classifier.hpp"
#include "acne/optim/adam.hpp"
#include "train_test_util.hpp"

namespace test_train_checkpoint {

namespace {

using net_t = acne::network<acne::resnet_v2<float>>;

acne::classifier_spec tiny_spec(double width = 1.0 / 16, std::size_t classes = 4) {
  acne::classifier_spec s;
  s.width = width;
  s.blocks = {1, 1, 1, 1};
  s.image_size = 32;
  s.class_names.resize(classes, "c");
  return s;
}

net_t make_net(const acne::classifier_spec& s, std::uint64_t seed) {
  net_t net(acne::make_resnet_v2<float>(s));
  net.setup({1, 3, s.image_size, s.image_size}, seed);
  return net;
}

std::vector<float> values(const net_t& net) { return {net.parameters().begin(), net.parameters().end()}; }

template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const acne::error& e) {
    return e.what();
  }
  return "";
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

BOOST_AUTO_TEST_SUITE(checkpoint)

BOOST_AUTO_TEST_CASE(round_trip_restores_parameters_statistics_and_metadata) {
  acne::test::scratch_dir dir("ckpt-roundtrip");
  const auto spec = tiny_spec();
  net_t a = make_net(spec, 1);
  // Batch-norm statistics are saved state: make them differ from their initial values.
  a.forward(acne::tensor<float>({2, 3, 32, 32}, 0.5f));
  const acne::io::checkpoint_meta meta{"resnet50v2", spec.to_json(), 3, 42, {{"best_val_accuracy", 0.75}}};
  acne::io::save_checkpoint(dir.path() / "a.safetensors", a, meta);

  net_t b = make_net(spec, 2);
  BOOST_TEST(values(a) != values(b));
  const auto loaded = acne::io::load_checkpoint(dir.path() / "a.safetensors", b, {.architecture = "resnet50v2"});
  BOOST_TEST(values(a) == values(b));
  BOOST_TEST(loaded.architecture == "resnet50v2");
  BOOST_TEST(loaded.epoch == 3u);
  BOOST_TEST(loaded.step == 42u);
  BOOST_TEST(loaded.state.at("best_val_accuracy").get<double>() == 0.75);
  BOOST_TEST(acne::classifier_spec::from_json(loaded.config).to_json() == spec.to_json());
  const auto file = acne::io::load_safetensors(dir.path() / "a.safetensors");
  // Trailing unit dimensions are dropped: 7x7 conv 4-D, dense 2-D, bias 1-D.
  BOOST_TEST((file.at("conv1_conv.weight").shape == std::vector<std::int64_t>{4, 3, 7, 7}));
  BOOST_TEST((file.at("predictions.weight").shape == std::vector<std::int64_t>{4, 128}));
  BOOST_TEST((file.at("post_bn.moving_mean").shape == std::vector<std::int64_t>{128}));
}

BOOST_AUTO_TEST_CASE(optimizer_state_round_trip) {
  acne::test::scratch_dir dir("ckpt-optimizer");
  const auto spec = tiny_spec();
  net_t a = make_net(spec, 1);
  acne::adam<float> opt(1e-3);
  std::mt19937 gen(3);
  for (auto& g : a.gradients()) g = std::uniform_real_distribution<float>(-1, 1)(gen);
  opt.step(a);
  opt.step(a);
  acne::io::save_checkpoint(dir.path() / "a.safetensors", a, opt, {"resnet50v2"});

  net_t b = make_net(spec, 2);
  acne::adam<float> restored(1e-3);
  acne::io::load_checkpoint(dir.path() / "a.safetensors", b, restored);
  BOOST_TEST(restored.steps() == 2u);
  BOOST_REQUIRE(restored.state().size() == 2u);
  for (std::size_t i = 0; i < 2; ++i)
    BOOST_TEST(std::equal(opt.state()[i].begin(), opt.state()[i].end(), restored.state()[i].begin()));

  // A weights-only checkpoint cannot resume an optimizer.
  acne::io::save_checkpoint(dir.path() / "weights.safetensors", a, {"resnet50v2"});
  acne::adam<float> fresh(1e-3);
  const auto message = error_of([&] { acne::io::load_checkpoint(dir.path() / "weights.safetensors", b, fresh); });
  BOOST_TEST(contains(message, "no optimizer state 'optimizer.adam.m'"));
}

BOOST_AUTO_TEST_CASE(reports_missing_extra_and_misshaped_tensors) {
  acne::test::scratch_dir dir("ckpt-mismatch");
  const auto spec = tiny_spec();
  net_t a = make_net(spec, 1);
  auto records = acne::io::parameter_records(a);
  std::erase_if(records, [](const auto& r) { return r.name == "conv3.block1.2_bn.beta"; });
  for (auto& r : records)
    if (r.name == "conv1_conv.bias") r.shape = {2, 2};  // 4 values, wrong shape
  records.push_back(acne::io::make_record("conv9.block1.1_conv.weight", {2}, std::vector<float>{1, 2}));
  acne::io::save_safetensors(dir.path() / "bad.safetensors", acne::io::make_checkpoint_file(records, {"resnet50v2"}));

  net_t b = make_net(spec, 2);
  const auto before = values(b);
  std::string message;
  try {
    acne::io::load_checkpoint(dir.path() / "bad.safetensors", b);
  } catch (const acne::io::checkpoint_mismatch& e) {
    message = e.what();
  }
  BOOST_TEST_MESSAGE(message);
  BOOST_TEST(contains(message, "1 missing, 1 extra, 1 mismatched"));
  BOOST_TEST(contains(message, "missing: conv3.block1.2_bn.beta (F32 [8])"));
  BOOST_TEST(contains(message, "extra: conv9.block1.1_conv.weight (F32 [2])"));
  BOOST_TEST(contains(message, "mismatched: conv1_conv.bias: expected F32 [4], found F32 [2, 2]"));
  BOOST_TEST(values(b) == before);  // nothing is loaded from a checkpoint that does not fit
}

BOOST_AUTO_TEST_CASE(other_width_lists_every_misshaped_tensor) {
  acne::test::scratch_dir dir("ckpt-width");
  net_t narrow = make_net(tiny_spec(1.0 / 16), 1);
  acne::io::save_checkpoint(dir.path() / "narrow.safetensors", narrow, {"resnet50v2"});
  net_t wide = make_net(tiny_spec(1.0 / 8), 1);
  const auto message = error_of([&] { acne::io::load_checkpoint(dir.path() / "narrow.safetensors", wide); });
  std::size_t differ = 0;  // every tensor but the head's bias (4 classes either way)
  for (std::size_t i = 0; i < wide.slots().size(); ++i) differ += wide.slots()[i].shape != narrow.slots()[i].shape;
  BOOST_TEST(differ + 1 == wide.slots().size());
  BOOST_TEST(contains(message, "0 missing, 0 extra, " + std::to_string(differ) + " mismatched"));
}

BOOST_AUTO_TEST_CASE(checkpoint_of_another_architecture_is_a_clear_error) {
  acne::test::scratch_dir dir("ckpt-arch");
  auto spec = tiny_spec();
  net_t a = make_net(spec, 1);
  acne::io::save_checkpoint(dir.path() / "resnet.safetensors", a, {"resnet50v2", spec.to_json()});
  net_t b = make_net(spec, 2);
  BOOST_CHECK_EXCEPTION(acne::io::load_checkpoint(dir.path() / "resnet.safetensors", b, {.architecture = "resnet152v2"}),
                        acne::io::checkpoint_mismatch, [](const auto& e) {
                          return contains(e.what(), "holds a resnet50v2 model, not resnet152v2");
                        });
  // Without the metadata check the names still disagree, and the message says which.
  spec.architecture = "inception_resnet_v2";
  spec.blocks = {1, 1, 1};
  spec.image_size = 75;
  acne::with_classifier<float>(spec, 1, [&](auto& irv2) {
    const auto message = error_of([&] { acne::io::load_checkpoint(dir.path() / "resnet.safetensors", irv2); });
    BOOST_TEST(contains(message, "missing: stem.conv_1a.conv.weight"));
    BOOST_TEST(contains(message, "extra: conv1_conv.weight"));
    return 0;
  });
}

BOOST_AUTO_TEST_CASE(truncated_file_is_an_error_naming_it) {
  acne::test::scratch_dir dir("ckpt-truncated");
  net_t a = make_net(tiny_spec(), 1);
  const auto path = dir.path() / "a.safetensors";
  acne::io::save_checkpoint(path, a, {"resnet50v2"});
  std::filesystem::resize_file(path, std::filesystem::file_size(path) / 2);
  net_t b = make_net(tiny_spec(), 2);
  const auto before = values(b);
  const auto message = error_of([&] { acne::io::load_checkpoint(path, b); });
  BOOST_TEST(contains(message, path.string()));
  BOOST_TEST(values(b) == before);
  std::filesystem::resize_file(path, 5);
  BOOST_TEST(contains(error_of([&] { acne::io::read_checkpoint_meta(path); }), "too short"));
}

BOOST_AUTO_TEST_CASE(head_can_be_skipped_and_four_dimensional_shapes_are_accepted) {
  acne::test::scratch_dir dir("ckpt-head");
  net_t imagenet = make_net(tiny_spec(1.0 / 16, 10), 1);
  auto records = acne::io::parameter_records(imagenet);
  for (auto& r : records)
    if (r.shape.size() == 2 && r.name != "predictions.weight") r.shape.resize(4, 1);  // PyTorch-style 1x1 kernels
  acne::io::save_safetensors(dir.path() / "ten.safetensors", acne::io::make_checkpoint_file(records, {"resnet50v2"}));

  net_t acne4 = make_net(tiny_spec(1.0 / 16, 4), 2);
  const auto head_before = acne4.parameters().view({4 * 128 + 4, 1, 1, 1}, acne4.slots().end()[-2].offset);
  const std::vector<float> head(head_before.begin(), head_before.end());
  BOOST_CHECK_THROW(acne::io::load_checkpoint(dir.path() / "ten.safetensors", acne4), acne::io::checkpoint_mismatch);
  acne::io::load_checkpoint(dir.path() / "ten.safetensors", acne4, {.skip_prefixes = {"predictions."}});
  BOOST_TEST(acne4.parameters()[0] == imagenet.parameters()[0]);
  BOOST_TEST(std::equal(head.begin(), head.end(), head_before.begin()));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_train_checkpoint
