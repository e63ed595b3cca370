// acne-fid with a StyleGAN2 generator as one input (in-process, through the program's function): a
// tiny random 16 px generator saved as weights and inside a training-snapshot file, against 8 phantom
// faces at 32 px. The generated images are measured exactly as a folder holding them would be (the
// extractor's input is 128 px, so both are resized the same way), a seed names one set of images,
// a snapshot is measured through its G_ema, and files that are neither statistics nor generators are
// named in the error.
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "acne/io/image.hpp"
#include "acne/io/safetensors.hpp"
#include "acne/cli/fid.hpp"
#include "acne/models/stylegan2/generate.hpp"
#include "acne/models/stylegan2/weights.hpp"
#include "support/command_runner.hpp"
#include "support/fid_test_util.hpp"

namespace test_cli_fid_generator_input {

namespace fs = std::filesystem;
using acne::data::acne_class;

namespace {

using run_result = acne::test::command_run;

run_result acne_fid(std::vector<std::string> args) {
  args.insert(args.begin(), {"--extractor", "random-conv-v1", "--batch", "4"});
  return acne::test::run_acne_fid(args);
}

using generator_net = acne::network<acne::stylegan2::generator<float>>;

acne::stylegan2::config tiny_config() {
  acne::stylegan2::config c;
  c.resolution = 16;
  c.channel_base = 8 * 16;
  c.channel_max = 8;
  c.z_dim = c.w_dim = 8;
  c.mapping_layers = 2;
  return c;
}

generator_net random_generator(std::uint64_t seed) {
  const auto c = tiny_config();
  generator_net g{acne::stylegan2::generator<float>(c)};
  g.setup({1, c.z_dim, 1, 1}, seed);
  return g;
}

// Written once per test run: G (seed 1) and G_ema (seed 2) as weights files, and a file in the
// training snapshots' layout holding both ("G." and "G_ema." tensors, format acne.stylegan2.snapshot).
struct generator_files {
  acne::test::scratch_dir dir{"generators"};
  fs::path g = dir.path() / "G.safetensors", g_ema = dir.path() / "G_ema.safetensors",
           snapshot = dir.path() / "network-snapshot-000001.safetensors";
  generator_files() {
    const auto c = tiny_config();
    auto g_net = random_generator(1), ema_net = random_generator(2);
    acne::stylegan2::save_weights(g_net, g, c, "G");
    acne::stylegan2::save_weights(ema_net, g_ema, c, "G_ema");
    acne::io::safetensors_file snap;
    snap.metadata["format"] = acne::train::gan_snapshot_format;
    snap.set_metadata_json("config", c.to_json());
    for (auto [net, prefix] : {std::pair{&g_net, "G."}, std::pair{&ema_net, "G_ema."}})
      for (auto& t : acne::stylegan2::to_safetensors(*net, c, "").tensors) {
        t.name = prefix + t.name;
        snap.tensors.push_back(std::move(t));
      }
    acne::io::save_safetensors(snapshot, snap);
  }
};

const generator_files& generators() {
  static const generator_files files;
  return files;
}

fs::path real() { return acne::test::phantom_folder(acne_class::healthy, 8, 32, 11); }

}  // namespace

BOOST_AUTO_TEST_SUITE(acne_fid_generator)

BOOST_AUTO_TEST_CASE(generator_against_a_folder) {
  const auto g = generators().g.string();
  const auto r = acne_fid({g, real().string()});
  BOOST_TEST_REQUIRE(r.rc == 0);
  BOOST_TEST(r.says("extractor: random-conv-v1/bilinear"));
  BOOST_TEST(r.says("NOT a standard FID"));
  BOOST_TEST(r.says("StyleGAN2 generator weights (G), 16x16; generating 8 images"));  // the folder's count
  BOOST_TEST(r.says("generated 4/8 images"));                                         // progress
  BOOST_TEST(r.says(g + ": 8 generated images"));
  BOOST_TEST(r.value("FID") > 0.0);
  BOOST_TEST(r.value("KID") > 0.0);  // random 16 px images against faces

  // A seed names the images: the same seed gives the same numbers, either side, another seed others.
  const auto again = acne_fid({real().string(), g, "--seed", "0"});
  BOOST_TEST_REQUIRE(again.rc == 0);
  BOOST_TEST(again.value("FID") == r.value("FID"), boost::test_tools::tolerance(1e-12));
  const auto other = acne_fid({g, real().string(), "--seed", "5", "--num-images", "6"});
  BOOST_TEST_REQUIRE(other.rc == 0);
  BOOST_TEST(other.says(g + ": 6 generated images"));
  BOOST_TEST(other.value("FID") != r.value("FID"));
}

// The generator's images go through the folder path's resize (16 px up to the extractor's 128 px
// with either method): writing the same images to a folder gives the same FID. A snapshot is measured
// through its G_ema; truncation changes the images.
BOOST_AUTO_TEST_CASE(generated_images_are_measured_as_a_folder_of_them) {
  const acne::test::scratch_dir dir("generated");
  const auto stats = (dir.path() / "real.safetensors").string(), stats_bicubic = (dir.path() / "bicubic.safetensors").string();
  BOOST_TEST_REQUIRE(acne_fid({"--save-stats", stats, real().string()}).rc == 0);
  BOOST_TEST_REQUIRE(acne_fid({"--save-stats", stats_bicubic, "--resize", "bicubic", real().string()}).rc == 0);

  auto g = acne::stylegan2::load_generator(generators().g_ema);
  for (std::uint64_t batch = 0; batch < 2; ++batch) {  // --seed 3, --batch 4, --num-images 8
    const auto images = acne::stylegan2::metric_images(g, 4, 3, batch);
    for (std::size_t i = 0; i < images.size(); ++i)
      acne::io::write_image(dir.path() / "images" / ("img" + std::to_string(batch * 4 + i) + ".png"), images[i]);
  }
  const auto folder = (dir.path() / "images").string();
  for (const auto& [resize, file] : {std::pair{"bilinear", stats}, std::pair{"bicubic", stats_bicubic}}) {
    BOOST_TEST_CONTEXT(resize) {
      const auto from_folder = acne_fid({"--resize", resize, folder, file});
      const auto from_snapshot = acne_fid({"--resize", resize, "--seed", "3", generators().snapshot.string(), file});
      BOOST_TEST_REQUIRE(from_folder.rc == 0);
      BOOST_TEST_REQUIRE(from_snapshot.rc == 0);
      BOOST_TEST(from_snapshot.says("training snapshot (its G_ema), 16x16; generating 8 images"));
      BOOST_TEST(from_snapshot.says(std::string("random-conv-v1/") + resize));
      BOOST_TEST(from_snapshot.value("FID") == from_folder.value("FID"), boost::test_tools::tolerance(1e-9));
    }
  }
  const auto plain_g = acne_fid({"--seed", "3", generators().g.string(), stats});
  const auto truncated = acne_fid({"--seed", "3", "--trunc", "0.5", generators().g_ema.string(), stats});
  BOOST_TEST_REQUIRE(plain_g.rc == 0);
  BOOST_TEST_REQUIRE(truncated.rc == 0);
  BOOST_TEST(truncated.says("truncation psi 0.5"));
  const double ema = acne_fid({"--seed", "3", generators().snapshot.string(), stats}).value("FID");
  BOOST_TEST(plain_g.value("FID") != ema);
  BOOST_TEST(truncated.value("FID") != ema);
}

BOOST_AUTO_TEST_CASE(files_that_are_neither_are_named) {
  const acne::test::scratch_dir dir("neither");
  const auto text = (dir.path() / "notes.txt").string();
  std::ofstream(text) << "not a network\n";
  const auto r = acne_fid({text, real().string()});
  BOOST_TEST(r.rc == 1);
  BOOST_TEST(r.says("input '" + text + "' is neither a folder nor a statistics file nor a StyleGAN2 generator"));

  acne::io::safetensors_file d;
  d.metadata = {{"format", "acne.stylegan2"}, {"network", "D"}};
  const auto d_file = (dir.path() / "D.safetensors").string();
  acne::io::save_safetensors(d_file, d);
  const auto disc = acne_fid({d_file, real().string()});
  BOOST_TEST(disc.rc == 1);
  BOOST_TEST(disc.says("input '" + d_file + "'"));
  BOOST_TEST(disc.says("discriminator"));

  acne::io::safetensors_file other;
  other.metadata = {{"format", "acne.checkpoint"}};
  const auto other_file = (dir.path() / "classifier.safetensors").string();
  acne::io::save_safetensors(other_file, other);
  const auto cls = acne_fid({real().string(), other_file});
  BOOST_TEST(cls.rc == 1);
  BOOST_TEST(cls.says("input '" + other_file + "'"));
  BOOST_TEST(cls.says("format 'acne.checkpoint'"));

  const auto g = generators().g.string();
  BOOST_TEST(acne_fid({g, g}).rc == 2);                                      // two generators
  BOOST_TEST(acne_fid({"--seed", "1", real().string(), real().string()}).rc == 2);  // no generator
  BOOST_TEST(acne_fid({"--trunc", "x", g, real().string()}).rc == 2);
  BOOST_TEST(acne_fid({"--num-images", "1", g, real().string()}).rc == 2);
  const auto save = acne_fid({"--save-stats", (dir.path() / "s.safetensors").string(), g, real().string()});
  BOOST_TEST(save.rc == 1);
  BOOST_TEST(save.says("--save-stats needs a folder"));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_cli_fid_generator_input
