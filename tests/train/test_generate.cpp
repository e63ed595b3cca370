// Generation from seeds: the reference's latents, determinism per seed, files, style mixing,
// interpolation, and loading generators from weights files, snapshots and pretrained weights.
#include <cmath>
#include <cstring>
#include <filesystem>
#include <sstream>

#include <boost/test/unit_test.hpp>

#include "acne/models/stylegan2/generate.hpp"
#include "acne/train/gan_trainer.hpp"
#include "acne/train/gan_transfer.hpp"
#include "support/gan_test_util.hpp"

namespace test_train_generate {

using namespace acne;
using namespace acne::stylegan2;
using namespace acne_gan_test;
namespace fs = std::filesystem;

namespace {

using gnet = network<generator<float>>;

gnet make_generator(const config& c, std::uint64_t seed) {
  gnet g{generator<float>(c)};
  g.setup({1, c.z_dim, 1, 1}, seed);
  // Noise strengths and biases start at 0: give them values so that noise modes differ.
  std::mt19937_64 gen(seed);
  std::normal_distribution<float> d(0.0f, 0.3f);
  for (auto& s : g.slots())
    if (s.trainable() && s.name.find("noise_strength") != std::string::npos)
      for (auto& v : *s.value) v = d(gen);
  return g;
}

bool same(const tensor<float>& a, const tensor<float>& b) {
  return a.shape() == b.shape() && std::memcmp(a.data(), b.data(), a.bytes()) == 0;
}

bool same_image(const cv::Mat& a, const cv::Mat& b) {
  return a.size() == b.size() && a.type() == b.type() && cv::norm(a, b, cv::NORM_INF) == 0;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(stylegan2_generate)

// numpy.random.RandomState(0).randn(6) and RandomState(42).randn(3), as numpy prints them.
BOOST_AUTO_TEST_CASE(seed_latents_are_numpys) {
  const auto z0 = seed_latent(0, 6);
  const double expected0[] = {1.764052345967664, 0.4001572083672233, 0.9787379841057392,
                              2.240893199201458, 1.8675579901499675, -0.977277879876411};
  for (std::size_t i = 0; i < 6; ++i) BOOST_TEST(z0[i] == expected0[i], boost::test_tools::tolerance(1e-14));
  const auto z42 = seed_latent(42, 3);
  const double expected42[] = {0.4967141530112327, -0.13826430117118466, 0.6476885381006925};
  for (std::size_t i = 0; i < 3; ++i) BOOST_TEST(z42[i] == expected42[i], boost::test_tools::tolerance(1e-14));
  // An odd count keeps the first values.
  BOOST_TEST(seed_latent(0, 5)[4] == expected0[4], boost::test_tools::tolerance(1e-14));
}

BOOST_AUTO_TEST_CASE(seed_lists_parse) {
  const std::vector<std::uint32_t> expected{0, 1, 2, 3, 10, 7};
  BOOST_TEST(parse_seeds("0-3,10,7") == expected, boost::test_tools::per_element());
  BOOST_TEST(parse_seeds("0-99").size() == 100u);
  BOOST_CHECK_THROW(parse_seeds("5-2"), acne::error);
  BOOST_CHECK_THROW(parse_seeds("a"), acne::error);
  BOOST_CHECK_THROW(parse_seeds("1,,2"), acne::error);
  BOOST_CHECK_THROW(parse_seeds("-1"), acne::error);
}

BOOST_AUTO_TEST_CASE(an_image_depends_on_its_seed_only) {
  const auto c = tiny_config(16);
  auto g = make_generator(c, 3);
  const std::vector<std::uint32_t> many{4, 9, 2}, one{9};
  for (auto noise : {noise_mode::constant, noise_mode::random}) {
    const generation_options o{.truncation_psi = 0.7, .noise = noise};
    const auto a = generate(g, std::span<const std::uint32_t>(many), o);
    const auto b = generate(g, std::span<const std::uint32_t>(one), o);
    BOOST_TEST(same(a.sample(1), b.sample(0)));
    BOOST_TEST(!same(a.sample(0), a.sample(1)));  // different seeds, different images
    const auto again = generate(g, std::span<const std::uint32_t>(many), o);
    BOOST_TEST(same(a, again));
  }
  // Truncation and noise change the picture.
  const auto plain = generate(g, std::span<const std::uint32_t>(one));
  const auto truncated = generate(g, std::span<const std::uint32_t>(one), {.truncation_psi = 0.5});
  const auto noisy = generate(g, std::span<const std::uint32_t>(one), {.noise = noise_mode::random});
  BOOST_TEST(!same(plain, truncated));
  BOOST_TEST(!same(plain, noisy));
  // psi = 0 gives w_avg for every seed.
  const auto two = generate(g, std::span<const std::uint32_t>(many), {.truncation_psi = 0.0});
  BOOST_TEST(same(two.sample(0), two.sample(2)));
}

BOOST_AUTO_TEST_CASE(seed_images_are_written_and_reloadable) {
  scratch_dir dir("gan-generate");
  const auto c = tiny_config(16);
  auto g = make_generator(c, 5);
  save_weights(g, dir.path() / "g.safetensors", c, "G_ema");
  auto loaded = load_generator(dir.path() / "g.safetensors");
  BOOST_TEST(same(loaded.parameters(), g.parameters()));
  const std::vector<std::uint32_t> seeds{0, 12};
  const auto paths = write_seed_images(loaded, std::span<const std::uint32_t>(seeds), dir.path() / "out");
  BOOST_REQUIRE(paths.size() == 2u);
  BOOST_TEST(paths[1].filename().string() == "seed0012.png");
  const cv::Mat read = io::read_image(paths[1]);
  const std::uint32_t twelve[] = {12};
  const auto expected = to_images(generate(g, std::span<const std::uint32_t>(twelve))).front();
  BOOST_TEST(same_image(read, expected));  // PNG is lossless
  BOOST_TEST(read.rows == 16);
  // Straight from the file, with truncation: another image of the same seed.
  const auto from_file = write_seed_images(dir.path() / "g.safetensors", std::span<const std::uint32_t>(twelve),
                                           dir.path() / "psi", {.truncation_psi = 0.5});
  const cv::Mat truncated = io::read_image(from_file.front());
  BOOST_TEST(same_image(truncated, to_images(generate(g, std::span<const std::uint32_t>(twelve), {.truncation_psi = 0.5})).front()));
  BOOST_TEST(!same_image(truncated, read));
}

BOOST_AUTO_TEST_CASE(style_mixing_and_interpolation) {
  const auto c = tiny_config(16);  // 6 ws
  auto g = make_generator(c, 8);
  const std::uint32_t rows[] = {1, 2}, cols[] = {3, 4, 5};
  const std::size_t coarse[] = {0, 1, 2};
  const auto grid = style_mixing_images(g, std::span<const std::uint32_t>(rows), std::span<const std::uint32_t>(cols),
                                        std::span<const std::size_t>(coarse));
  BOOST_REQUIRE(grid.size() == 12u);  // (2 + 1) x (3 + 1)
  // Taking every style from the column seed reproduces the column seed's image.
  const std::size_t all[] = {0, 1, 2, 3, 4, 5};
  const auto full = style_mixing_images(g, std::span<const std::uint32_t>(rows), std::span<const std::uint32_t>(cols),
                                        std::span<const std::size_t>(all));
  const std::uint32_t four[] = {4};
  const auto seed4 = to_images(generate(g, std::span<const std::uint32_t>(four))).front();
  BOOST_TEST(same_image(full[2], seed4));      // top row: the column seeds
  BOOST_TEST(same_image(full[4 + 2], seed4));  // row 1, column 2: all styles of seed 4
  BOOST_TEST(!same_image(grid[4 + 2], seed4));  // only the coarse ones: a different image
  const auto kept = style_mixing_images(g, std::span<const std::uint32_t>(rows), std::span<const std::uint32_t>(cols),
                                        std::span<const std::size_t>());
  BOOST_TEST(same_image(kept[4 + 1], kept[4]));  // no styles taken: the row seed's image

  const auto path = interpolation_images(g, 3, 4, 5);
  BOOST_REQUIRE(path.size() == 5u);
  const std::uint32_t three[] = {3};
  BOOST_TEST(same_image(path.front(), to_images(generate(g, std::span<const std::uint32_t>(three))).front()));
  BOOST_TEST(!same_image(path[2], path.front()));
}

BOOST_AUTO_TEST_CASE(snapshot_g_ema_generates) {
  scratch_dir dir("gan-snapshot-generate");
  phantom_source data(2, 16);
  auto o = tiny_options(dir.path());
  o.total_kimg = 0.008;
  std::ostringstream log;
  train::gan_trainer<float> t(o, data.source(), log);
  const auto snap = t.train().last_snapshot;
  auto g = load_generator(snap);
  BOOST_TEST(same(g.parameters(), t.G_ema().parameters()));
  BOOST_TEST(!same(g.parameters(), t.G().parameters()));  // the average, not G
}

BOOST_AUTO_TEST_CASE(pretrained_weights_start_training_and_mismatches_name_a_tensor) {
  scratch_dir dir("gan-pretrained");
  phantom_source data(2, 16);
  auto o = tiny_options(dir.path() / "run");
  std::ostringstream log;
  // A "pretrained" G, G_ema and D written as the converter writes them: <stem>.<net>.safetensors.
  auto source_g = make_generator(o.config, 11);
  network<discriminator<float>> source_d{discriminator<float>(o.config)};
  source_d.setup({1, 3, 8, 8}, 12);
  save_weights(source_g, dir.path() / "ffhq.G.safetensors", o.config, "G");
  save_weights(source_g, dir.path() / "ffhq.G_ema.safetensors", o.config, "G_ema");
  save_weights(source_d, dir.path() / "ffhq.D.safetensors", o.config, "D");

  train::gan_trainer<float> fresh(o, data.source(), log);
  network<generator<float>> g{generator<float>(o.config)}, ema{generator<float>(o.config)};
  network<discriminator<float>> d{discriminator<float>(o.config)};
  g.setup({1, 8, 1, 1}, 1), ema.setup({1, 8, 1, 1}, 2), d.setup({1, 3, 8, 8}, 3);
  const auto said = train::load_pretrained(dir.path() / "ffhq.safetensors", g, d, ema, o.config);
  BOOST_TEST(said.size() == 3u);
  BOOST_TEST(same(g.parameters(), source_g.parameters()));
  BOOST_TEST(same(d.parameters(), source_d.parameters()));
  BOOST_TEST(same(ema.parameters(), source_g.parameters()));

  // Through the trainer: training starts from the pretrained weights.
  o.pretrained = (dir.path() / "ffhq.G_ema.safetensors").string();
  o.total_kimg = 0.004;
  train::gan_trainer<float> t(o, data.source(), log);
  const tensor<float> before = source_g.parameters();
  t.train();
  BOOST_TEST(log.str().find("pretrained: D from") != std::string::npos);
  double moved = 0, distance_to_random = 0;
  for (std::size_t i = 0; i < before.size(); ++i) {
    moved += std::abs(double(t.G().parameters()[i]) - before[i]);
    distance_to_random += std::abs(double(fresh.G().parameters()[i]) - before[i]);
  }
  BOOST_TEST(moved > 0.0);
  BOOST_TEST(moved < 0.1 * distance_to_random);  // one step from the pretrained weights, far from a fresh start

  // Two vs three mapping layers: an error naming the first mismatching tensor.
  auto other = o.config;
  other.mapping_layers = 3;
  network<generator<float>> g3{generator<float>(other)}, ema3{generator<float>(other)};
  network<discriminator<float>> d3{discriminator<float>(other)};
  g3.setup({1, 8, 1, 1}), ema3.setup({1, 8, 1, 1}), d3.setup({1, 3, 8, 8});
  std::string message;
  try {
    train::load_pretrained(dir.path() / "ffhq.safetensors", g3, d3, ema3, other);
  } catch (const acne::error& e) {
    message = e.what();
  }
  BOOST_TEST_MESSAGE(message);
  BOOST_TEST(message.find("'mapping.fc2.weight' is missing") != std::string::npos);
  BOOST_TEST(message.find("mapping_layers") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_train_generate
