// Official stylegan2-ada-pytorch snapshots of three cfgs (train.py's auto: 2 mapping layers;
// paper256: minibatch-stddev groups of 8, half the feature maps; stylegan2: config F), made small by
// tools/stylegan2_official_fixtures.py and converted by tools/convert_stylegan2.py: each builds
// the network it holds, reproduces the official images of seeds 0 and 1, and works in
// `acne-stylegan2 generate`, `grid`, `train --pretrained` and `acne-fid`. A raw official state
// dict (no config, resample_filter buffers) loads from its shapes.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <sstream>

#include <boost/test/unit_test.hpp>

#include "acne/cli/fid.hpp"
#include "acne/models/stylegan2/generate.hpp"
#include "support/command_runner.hpp"
#include "support/gan_test_util.hpp"

namespace test_train_official_snapshots {

using namespace acne;
using namespace acne::stylegan2;
using namespace acne_gan_test;
namespace fs = std::filesystem;

namespace {

fs::path fixture(const std::string& name) { return fs::path(ACNE_TEST_SOURCE_DIR) / "tests/fixtures/stylegan2" / name; }

struct official_images {
  tensor<float> z, images;
  explicit official_images(const std::string& name) {
    const auto file = io::load_safetensors(fixture(name) / "images.safetensors");
    const auto read = [&](const std::string& key) {
      const auto& t = file.at(key);
      shape4 s{std::size_t(t.shape[0]), std::size_t(t.shape[1]), t.shape.size() > 2 ? std::size_t(t.shape[2]) : 1,
               t.shape.size() > 3 ? std::size_t(t.shape[3]) : 1};
      tensor<float> out(s);
      const auto v = t.as<float>();
      std::copy(v.begin(), v.end(), out.data());
      return out;
    };
    z = read("z"), images = read("images");
  }
};

// Largest |a - b| relative to the largest |b|.
double relative_max(const tensor<float>& a, const tensor<float>& b) {
  BOOST_TEST_REQUIRE(a.shape() == b.shape());
  double diff = 0, scale = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    diff = std::max(diff, std::fabs(double(a[i]) - double(b[i])));
    scale = std::max(scale, std::fabs(double(b[i])));
  }
  return diff / scale;
}

tensor<float> official_g_ema_images(network<generator<float>>& g, const tensor<float>& z) {
  g.layer().options().noise = noise_mode::constant;
  g.eval();
  return g.forward(z);
}

acne::test::command_run run_stylegan2(const std::vector<std::string>& args) { return acne::test::run_acne_stylegan2(args); }

struct cfg_case {
  std::string name;
  std::size_t mapping_layers, channel_base, mbstd_group;
};
const cfg_case cases[] = {{"snapshot_auto", 2, 128, 4}, {"snapshot_paper256", 8, 64, 8}, {"snapshot_stylegan2", 8, 256, 4}};

}  // namespace

BOOST_AUTO_TEST_SUITE(official_snapshots)

BOOST_AUTO_TEST_CASE(each_cfg_builds_its_network_and_reproduces_the_official_images) {
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.name) {
      std::ostringstream log;
      auto g = load_generator(fixture(c.name) / "snapshot.G_ema.safetensors", &log);
      BOOST_TEST(log.str().empty(), "the converter recorded everything, yet: " << log.str());
      const auto& cfg = g.layer().cfg();
      BOOST_TEST(cfg.mapping_layers == c.mapping_layers);
      BOOST_TEST(cfg.channel_base == c.channel_base);
      BOOST_TEST(cfg.conv_clamp == 256.0);
      BOOST_TEST(cfg.resolution == 32u);
      const official_images ref(c.name);
      const double err = relative_max(official_g_ema_images(g, ref.z), ref.images);
      BOOST_TEST_MESSAGE("  images: relative max error " << err);
      BOOST_TEST(err < 1e-5);
      const auto d = train::pretrained_config(fixture(c.name) / "snapshot.safetensors");
      BOOST_TEST(d.mbstd_group == c.mbstd_group);
    }
  }
}

BOOST_AUTO_TEST_CASE(conv_clamp_is_applied_as_recorded) {
  // The same weights with the clamp the file records (256, not reached here) and with a clamp that
  // bites: the images differ only where the official clamp would act.
  auto g = load_generator(fixture("snapshot_auto") / "snapshot.G_ema.safetensors", nullptr);
  const official_images ref("snapshot_auto");
  const tensor<float> unclamped = official_g_ema_images(g, ref.z);
  auto cfg = g.layer().cfg();
  cfg.conv_clamp = 0.05;
  network<generator<float>> tight{generator<float>(cfg)};
  tight.setup({1, cfg.z_dim, 1, 1});
  tight.parameters() = g.parameters();
  const tensor<float> clamped = official_g_ema_images(tight, ref.z);
  BOOST_TEST(relative_max(clamped, unclamped) > 1e-2);
  // The image is a sum of ToRGB outputs, each clamped to 0.05, over log2(32) - 1 = 4 blocks.
  for (float v : clamped) BOOST_TEST(std::fabs(v) <= 4 * 0.05f + 1e-6f);
}

BOOST_AUTO_TEST_CASE(a_raw_official_state_dict_loads_from_its_shapes) {
  scratch_dir dir("official-state-dict");
  auto file = io::load_safetensors(fixture("snapshot_paper256") / "snapshot.G_ema.safetensors");
  file.metadata.clear();  // as torch's state_dict saved with safetensors: no config, FIR buffers
  std::vector<float> fir;
  const auto taps = fir_filter::stylegan2();
  for (std::size_t i = 0; i < 16; ++i) fir.push_back(float(taps.taps[i]));
  for (const char* name : {"synthesis.b8.conv0.resample_filter", "synthesis.b8.resample_filter"})
    file.tensors.push_back(io::make_record(name, {4, 4}, fir));
  io::save_safetensors(dir.path() / "raw.safetensors", file);
  std::ostringstream log;
  auto g = load_generator(dir.path() / "raw.safetensors", &log);
  BOOST_TEST(log.str().find("conv_clamp not recorded: 256") != std::string::npos, log.str());
  BOOST_TEST(log.str().find("2 resample_filter buffers hold the [1,3,3,1] filter") != std::string::npos, log.str());
  BOOST_TEST(g.layer().cfg().mapping_layers == 8u);
  BOOST_TEST(g.layer().cfg().channel_base == 64u);
  const official_images ref("snapshot_paper256");
  BOOST_TEST(relative_max(official_g_ema_images(g, ref.z), ref.images) < 1e-5);

  // Another filter would resample differently from the weights' training: refused, by name.
  fir[0] += 0.01f;
  file.tensors.back() = io::make_record("synthesis.b8.resample_filter", {4, 4}, fir);
  io::save_safetensors(dir.path() / "other_fir.safetensors", file);
  try {
    load_generator(dir.path() / "other_fir.safetensors", nullptr);
    BOOST_FAIL("a different FIR filter was accepted");
  } catch (const acne::error& e) {
    BOOST_TEST(std::string(e.what()).find("synthesis.b8.resample_filter is not the [1,3,3,1]") != std::string::npos,
               e.what());
  }
}

BOOST_AUTO_TEST_CASE(snapshots_work_in_the_programs) {
  scratch_dir dir("official-programs");
  const official_images ref("snapshot_stylegan2");
  const auto file = (fixture("snapshot_stylegan2") / "snapshot.G_ema.safetensors").string();

  // generate: the PNGs generate.py would write, +-1 for float rounding at the truncation.
  const auto gen = run_stylegan2({"generate", "--network", file, "--seeds", "0,1", "--out", (dir.path() / "gen").string()});
  BOOST_REQUIRE(gen.rc == 0);
  std::vector<fs::path> pngs;
  for (const auto& e : fs::directory_iterator(dir.path() / "gen")) pngs.push_back(e.path());
  std::sort(pngs.begin(), pngs.end());
  BOOST_REQUIRE(pngs.size() == 2u);
  const auto expected = to_images(ref.images);
  int worst = 0;
  for (std::size_t i = 0; i < 2; ++i) {
    const cv::Mat ours = io::read_image(pngs[i]);
    BOOST_REQUIRE(ours.size() == expected[i].size());
    cv::Mat diff;
    cv::absdiff(ours, expected[i], diff);
    double m = 0;
    cv::minMaxLoc(diff.reshape(1), nullptr, &m);
    worst = std::max(worst, int(m));
  }
  BOOST_TEST(worst <= 1);

  BOOST_TEST(run_stylegan2({"grid", "--network", file, "--seeds", "0-3", "--out", (dir.path() / "grid.png").string()}).rc == 0);
  BOOST_TEST(fs::is_regular_file(dir.path() / "grid.png"));

  // train --pretrained without network flags trains the pretrained network (8 mapping layers,
  // conv_clamp 256), D included.
  const auto run_dir = dir.path() / "run";
  const auto tr = run_stylegan2({"train", "--pretrained", (fixture("snapshot_stylegan2") / "snapshot.safetensors").string(),
                             "--class", "mild", "--phantom-count", "4", "--batch", "4", "--batch-gpu", "4", "--kimg",
                             "0.004", "--kimg-per-tick", "0.004", "--snap", "1", "--grid", "2x2", "--out",
                             run_dir.string()});
  BOOST_REQUIRE(tr.rc == 0);
  BOOST_TEST(tr.out.find("network: as the pretrained weights") != std::string::npos);
  const auto latest = train::find_latest_snapshot(run_dir);
  BOOST_REQUIRE(latest.has_value());
  const auto info = train::read_snapshot_info(*latest);
  BOOST_TEST(info.config.mapping_layers == 8u);
  BOOST_TEST(info.config.conv_clamp == 256.0);
  BOOST_TEST(info.config.resolution == 32u);

  // acne-fid: the generator against the official images written as PNGs.
  fs::create_directories(dir.path() / "real");
  for (std::size_t i = 0; i < 4; ++i) io::write_image(dir.path() / "real" / ("r" + std::to_string(i) + ".png"), expected[i % 2]);
  std::ostringstream out, err;
  const int rc = cli::fid_command({file, (dir.path() / "real").string(), "--num-images", "4", "--extractor", "random-conv-v1"}, out, err);
  BOOST_TEST_MESSAGE(out.str() << err.str());
  BOOST_TEST(rc == 0);
  BOOST_TEST(out.str().find("FID") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_train_official_snapshots
