// Weights I/O: our own save/load round trip, and tools/convert_stylegan2.py on tiny state dicts in
// stylegan2-ada-pytorch and TensorFlow form (made by make_stylegan2_state_dicts.py from networks built
// here), loaded back by name; a checkpoint of another configuration is rejected with the first
// mismatching tensor named. The Python part is skipped when no python3 with numpy is found
// (ACNE_PYTHON may name one).
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>

#include "acne/models/stylegan2/discriminator.hpp"
#include "acne/models/stylegan2/generator.hpp"
#include "acne/models/stylegan2/weights.hpp"
#include "support/python_scripts.hpp"
#include "support/scratch_dir.hpp"

namespace test_models_convert_stylegan2 {

using namespace acne;
using namespace acne::stylegan2;
namespace fs = std::filesystem;
namespace utf = boost::unit_test;

namespace {
config tiny(std::size_t mapping_layers = 2) {
  config c;
  c.resolution = 8;
  c.z_dim = 6, c.w_dim = 5, c.mapping_layers = mapping_layers;
  c.channel_base = 24, c.channel_max = 5;
  c.mbstd_group = 2;
  return c;
}

using acne::test::scratch_dir;

// Every value distinct and away from the initialisers' constants (affine biases of 1, zeros).
template <class Net>
void fill_distinct(Net& net, std::uint64_t seed) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<float> d;
  for (auto& v : net.parameters()) v = d(gen);
}

// Bitwise equal, except that `tolerance` allows for rounding (the TF form stores affine biases
// minus 1, and float32 (b - 1) + 1 need not give b back).
template <class Net>
void require_equal(Net& a, Net& b, double tolerance = 0) {
  BOOST_TEST_REQUIRE(a.parameters().size() == b.parameters().size());
  for (const auto& s : a.slots()) {
    std::size_t differ = 0;
    for (std::size_t k = s.offset; k < s.offset + s.shape.size(); ++k)
      differ += std::fabs(double(a.parameters()[k]) - double(b.parameters()[k])) > tolerance;
    BOOST_TEST(differ == 0u, s.name << ": " << differ << " values differ");
  }
}

using acne::test::python;
using acne::test::python_with_numpy;
using acne::test::run;

auto mentions(std::string text) {
  return [text](const acne::error& e) {
    const bool found = std::string(e.what()).find(text) != std::string::npos;
    if (!found) BOOST_TEST_MESSAGE("message was: " << e.what());
    return found;
  };
}
}  // namespace

BOOST_AUTO_TEST_SUITE(stylegan_weights)

BOOST_AUTO_TEST_CASE(save_and_load_round_trip) {
  scratch_dir dir;
  const auto cfg = tiny();
  network<generator<float>> g{generator<float>(cfg)}, h{generator<float>(cfg)};
  g.setup({1, cfg.z_dim, 1, 1}, 1);
  h.setup({1, cfg.z_dim, 1, 1}, 2);
  fill_distinct(g, 3);
  save_weights(g, dir / "g.safetensors", cfg, "G");
  load_weights(h, dir / "g.safetensors", cfg);
  require_equal(g, h);

  // A wrong config is caught by the tensors (missing fc2) before any value is copied ...
  network<generator<float>> deeper{generator<float>(tiny(3))};
  deeper.setup({1, cfg.z_dim, 1, 1}, 4);
  const tensor<float> before = deeper.parameters();
  BOOST_CHECK_EXCEPTION(load_weights(deeper, dir / "g.safetensors", tiny(3)), acne::error,
                        mentions("missing: mapping.fc2.weight"));
  std::size_t changed = 0;
  for (std::size_t i = 0; i < before.size(); ++i) changed += before[i] != deeper.parameters()[i];
  BOOST_TEST(changed == 0u);
  // ... and a recorded config that disagrees is named even when the tensors fit.
  auto other = cfg;
  other.channel_base = 48;  // channels still capped at 5: same tensors
  BOOST_CHECK_EXCEPTION(load_weights(h, dir / "g.safetensors", other), acne::error, mentions("channel_base"));
}

BOOST_AUTO_TEST_CASE(converter_reads_pytorch_and_tensorflow_names, *utf::precondition(python_with_numpy())) {
  scratch_dir dir;
  const auto cfg = tiny();
  network<generator<float>> g{generator<float>(cfg)};
  network<discriminator<float>> d{discriminator<float>(cfg)};
  g.setup({1, cfg.z_dim, 1, 1}, 5);
  d.setup({2, 3, 8, 8}, 6);
  fill_distinct(g, 7);
  fill_distinct(d, 8);
  save_weights(g, dir / "G.safetensors", cfg, "G_ema");
  save_weights(d, dir / "D.safetensors", cfg, "D");

  const std::string py = python(), src = ACNE_TEST_SOURCE_DIR;
  const auto log = dir / "log.txt";
  BOOST_TEST_REQUIRE(run(py + " " + src + "/tests/models/make_stylegan2_state_dicts.py " + (dir / "G.safetensors").string() + " " +
                             (dir / "D.safetensors").string() + " " + dir.path().string(), log) == 0);
  for (const std::string form : {"ada", "tf"}) {
    const auto in = dir / (form + ".npz"), out = dir / (form + ".safetensors");
    BOOST_TEST_REQUIRE(run(py + " " + src + "/tools/convert_stylegan2.py " + in.string() + " " + out.string(), log) == 0);
    network<generator<float>> g2{generator<float>(cfg)};
    network<discriminator<float>> d2{discriminator<float>(cfg)};
    g2.setup({1, cfg.z_dim, 1, 1}, 9);
    d2.setup({2, 3, 8, 8}, 10);
    const auto gfile = io::load_safetensors(dir / (form + ".G_ema.safetensors"));
    BOOST_TEST(gfile.at("synthesis.b4.conv1.noise_strength").shape.empty());  // the reference's shapes
    BOOST_TEST((gfile.at("mapping.fc0.weight").shape == std::vector<std::int64_t>{5, 6}));
    BOOST_TEST(!gfile.find("synthesis.b8.resample_filter"));
    // A state dict records no conv_clamp: the converter writes the official train.py's 256 for
    // PyTorch names and none for TF ones, and the loader holds the model to it.
    auto recorded = cfg;
    recorded.conv_clamp = form == "ada" ? 256.0 : 0.0;
    BOOST_TEST(gfile.metadata_json("config").at("conv_clamp") == recorded.conv_clamp);
    if (form == "ada")
      BOOST_CHECK_EXCEPTION(load_weights(g2, gfile, cfg, form), acne::error, mentions("conv_clamp = 256"));
    load_weights(g2, gfile, recorded, form);
    auto d_recorded = recorded;
    d_recorded.mbstd_group = 4;  // nor the minibatch-stddev group: the converter writes 4
    load_weights(d2, dir / (form + ".D.safetensors"), d_recorded);
    BOOST_TEST_CONTEXT(form) {
      require_equal(g, g2, form == "tf" ? 5e-7 : 0.0);
      require_equal(d, d2);
    }
    // 2 vs 3 mapping layers: the trap of the reference's transfer learning, refused here.
    network<generator<float>> deeper{generator<float>(tiny(3))};
    deeper.setup({1, cfg.z_dim, 1, 1}, 11);
    BOOST_CHECK_EXCEPTION(load_weights(deeper, gfile, tiny(3), form), acne::error, mentions("missing: mapping.fc2.weight"));
    BOOST_CHECK_EXCEPTION(load_weights(g2, dir / (form + ".D.safetensors"), cfg), acne::error,
                          mentions("missing: mapping.fc0.weight"));
  }
  // A wider discriminator has the same names but other shapes.
  auto wide = cfg;
  wide.channel_max = 6;
  network<discriminator<float>> dw{discriminator<float>(wide)};
  dw.setup({2, 3, 8, 8}, 12);
  BOOST_CHECK_EXCEPTION(load_weights(dw, dir / "ada.D.safetensors", wide), acne::error,
                        mentions("mismatched: b4.conv.weight"));
  // Asking for a network the input lacks fails.
  BOOST_TEST(run(py + " " + src + "/tools/convert_stylegan2.py --net G " + (dir / "ada.npz").string() + " " +
                     (dir / "x.safetensors").string(), log) != 0);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_models_convert_stylegan2
