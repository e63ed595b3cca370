// The acne-stylegan2 command line, run in-process: train on phantom faces, resume, generate, grid,
// and the exit code 2 with a message for bad arguments.
#include <filesystem>
#include <sstream>

#include <boost/test/unit_test.hpp>

#include "support/command_runner.hpp"
#include "support/gan_test_util.hpp"

namespace test_cli_stylegan2_command {

using namespace acne;
using namespace acne_gan_test;
namespace fs = std::filesystem;

namespace {

acne::test::command_run run(const std::vector<std::string>& args) { return acne::test::run_acne_stylegan2(args); }

std::vector<std::string> tiny_train(const fs::path& out) {
  return {"train", "--class", "mild", "--phantom-count", "6", "--resolution", "8", "--channel-base", "64",
          "--channel-max", "8", "--mapping-layers", "2", "--z-dim", "8", "--w-dim", "8", "--batch", "4",
          "--batch-gpu", "2", "--kimg", "0.008", "--kimg-per-tick", "0.004", "--snap", "1", "--grid", "2x2",
          "--gamma", "1", "--out", out.string()};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(stylegan2_command)

BOOST_AUTO_TEST_CASE(train_resume_generate_grid) {
  scratch_dir dir("gan-cli");
  const fs::path run_dir = dir.path() / "run";
  auto first = run(tiny_train(run_dir));
  BOOST_TEST_MESSAGE(first.out << first.err);
  BOOST_REQUIRE(first.rc == 0);
  BOOST_TEST(first.out.find("data: 6 phantom faces") != std::string::npos);
  BOOST_TEST(first.out.find("tick 1 ") != std::string::npos);
  BOOST_TEST(fs::is_regular_file(run_dir / "network-snapshot-000001.safetensors"));
  const auto info = train::read_snapshot_info(run_dir / "network-snapshot-000001.safetensors");
  BOOST_TEST(info.config.resolution == 8u);
  BOOST_TEST(info.options.dataset.at("kind") == "phantom");
  BOOST_TEST(info.options.batch_gpu == 2u);

  // Resume with nothing but the run folder and a longer schedule.
  auto second = run({"train", "--resume", "latest", "--out", run_dir.string(), "--kimg", "0.016"});
  BOOST_TEST_MESSAGE(second.out << second.err);
  BOOST_REQUIRE(second.rc == 0);
  BOOST_TEST(second.out.find("resumed from") != std::string::npos);
  BOOST_TEST(second.out.find("tick 3 ") != std::string::npos);
  BOOST_TEST(train::read_snapshot_info(run_dir / "network-snapshot-000003.safetensors").state.cur_nimg == 16u);
  BOOST_TEST(run({"train", "--resume", "latest", "--out", run_dir.string(), "--resolution", "16"}).rc == 2);

  const auto snapshot = (run_dir / "network-snapshot-000003.safetensors").string();
  auto gen = run({"generate", "--network", snapshot, "--seeds", "0-2", "--trunc", "0.7", "--out",
                  (dir.path() / "gen").string(), "--class", "mild"});
  BOOST_TEST_MESSAGE(gen.out << gen.err);
  BOOST_REQUIRE(gen.rc == 0);
  for (const char* f : {"seed0000.png", "seed0001.png", "seed0002.png"}) BOOST_TEST(fs::is_regular_file(dir.path() / "gen/mild" / f));
  const cv::Mat image = io::read_image(dir.path() / "gen/mild/seed0001.png");
  BOOST_TEST(image.rows == 8);
  // Deterministic per seed: the same file again from a run with other seeds.
  BOOST_REQUIRE(run({"generate", "--network", snapshot, "--seeds", "1,9", "--trunc", "0.7", "--out",
                     (dir.path() / "again").string()}).rc == 0);
  BOOST_TEST(cv::norm(image, io::read_image(dir.path() / "again/seed0001.png"), cv::NORM_INF) == 0);

  const auto grid_png = dir.path() / "grid.png";
  BOOST_TEST(run({"grid", "--network", snapshot, "--seeds", "0-5", "--cols", "3", "--out", grid_png.string()}).rc == 0);
  BOOST_TEST(fs::is_regular_file(grid_png));
  BOOST_TEST(run({"grid", "--network", snapshot, "--row-seeds", "1,2", "--col-seeds", "3,4", "--styles", "0-1", "--out",
                  (dir.path() / "mix.png").string()}).rc == 0);
  BOOST_TEST(run({"grid", "--network", snapshot, "--interpolate", "1,2", "--steps", "4", "--out",
                  (dir.path() / "lerp.png").string()}).rc == 0);
  const cv::Mat lerp = io::read_image(dir.path() / "lerp.png");
  const cv::Mat mix = io::read_image(dir.path() / "mix.png");
  BOOST_TEST(lerp.cols > 4 * 8);  // four 8 px cells and padding in one row
  BOOST_TEST(mix.rows > 3 * 8);   // (2 + 1) rows of cells
}

// Negatives come from where the images do, and a resumed run keeps them or takes new ones there.
BOOST_AUTO_TEST_CASE(negatives_follow_the_data_through_a_resume) {
  scratch_dir dir("gan-cli-negatives");
  const fs::path run_dir = dir.path() / "run";
  auto args = tiny_train(run_dir);
  for (const char* a : {"--phantom-seed", "5", "--negative-class", "healthy", "--negative-weight", "0.5"}) args.push_back(a);
  auto first = run(args);
  BOOST_TEST_MESSAGE(first.out << first.err);
  BOOST_REQUIRE(first.rc == 0);
  BOOST_TEST(first.out.find("6 negative images (weight 0.5)") != std::string::npos, first.out);
  auto negatives = train::read_snapshot_info(run_dir / "network-snapshot-000001.safetensors").options.negatives;
  BOOST_TEST(negatives.at("classes") == nlohmann::json::array({"healthy"}));
  BOOST_TEST(negatives.at("seed").get<int>() == 5);

  auto second = run({"train", "--resume", "latest", "--out", run_dir.string(), "--kimg", "0.012"});
  BOOST_REQUIRE(second.rc == 0);
  BOOST_TEST(second.out.find("6 negative images (weight 0.5)") != std::string::npos, second.out);

  auto third = run({"train", "--resume", "latest", "--out", run_dir.string(), "--kimg", "0.016", "--negative-class", "severe"});
  BOOST_TEST_MESSAGE(third.out << third.err);
  BOOST_REQUIRE(third.rc == 0);
  BOOST_TEST(third.out.find("6 negative images (weight 0.5)") != std::string::npos, third.out);
  const auto info = train::read_snapshot_info(run_dir / "network-snapshot-000003.safetensors");
  negatives = info.options.negatives;
  BOOST_TEST(negatives.at("classes") == nlohmann::json::array({"severe"}));
  BOOST_TEST(negatives.at("kind") == "phantom");  // the run's own faces, though --phantom-seed was not given again
  BOOST_TEST(negatives.at("seed").get<int>() == 5);
  BOOST_TEST(info.options.negative_weight == 0.5);

  BOOST_TEST(run({"train", "--negative-weight", "2", "--kimg", "0", "--out", (dir.path() / "x").string()}).rc == 2);
}

BOOST_AUTO_TEST_CASE(bad_arguments_exit_2_with_a_message) {
  const auto check = [](std::vector<std::string> args, const std::string& says) {
    const auto r = run(args);
    BOOST_TEST(r.rc == 2);
    BOOST_TEST(r.err.find(says) != std::string::npos, r.err);
  };
  check({}, "no command");
  check({"fly"}, "unknown command 'fly'");
  check({"train", "--batch", "0"}, "--batch needs a positive whole number");
  check({"train", "--batch", "10", "--batch-gpu", "4"}, "multiple of the per-device batch");
  check({"train", "--lr"}, "--lr needs a value");
  check({"train", "--bogus", "1"}, "unknown option --bogus");
  check({"train", "--class", "purple"}, "unknown acne class 'purple'");
  check({"train", "--freeze", "mapping"}, "must start with G. or D.");
  check({"train", "--fid-extractor", "inception-v3-fid", "--fid", "100"}, "needs --fid-weights");
  check({"generate", "--seeds", "0-3"}, "generate needs --network");
  check({"generate", "--network", "x", "--seeds", "3-1", "--out", "y"}, "runs backwards");
  check({"grid", "--network", "x", "--out", "y.png", "--row-seeds", "1"}, "needs both --row-seeds and --col-seeds");
  for (const char* cmd : {"train", "generate", "grid"}) {
    const auto r = run({cmd, "--help"});
    BOOST_TEST(r.rc == 0);
    BOOST_TEST(r.out.find(std::string("usage: acne-stylegan2 ") + cmd) != std::string::npos);
  }
  BOOST_TEST(run({"generate", "--network", "/nonexistent.safetensors", "--seeds", "1", "--out", "/tmp/x"}).rc == 1);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_cli_stylegan2_command
