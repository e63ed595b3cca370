// acne-pipeline end to end at a tiny size on a made-up ACNE04 folder with healthy faces: every stage
// runs, the report page refers only to files that exist, a rerun continues without redoing work, and
// options that cannot go together exit with status 2 before any stage.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <regex>
#include <string>

#include <opencv2/core.hpp>

#include "acne/io/image.hpp"
#include "acne/io/report.hpp"
#include "support/app_runner.hpp"
#include "support/fake_acne04.hpp"
#include "support/scratch_dir.hpp"

namespace test_train_pipeline_app {

namespace {

namespace fs = std::filesystem;
namespace utf = boost::unit_test;

acne::test::app_outcome run(const std::string& args, const fs::path& dir) { return acne::test::run_app("acne-pipeline", args, dir); }

const std::string tiny =
    " --resolution 16 --kimg-all 0.016 --kimg-class 0.008 --synthetic 4 --gan-batch 2 --gan-channel-max 16 --gan-latent 8"
    " --gan-mapping-layers 1 --classifier-width 0.0625 --classifier-size 32 --epochs 1 --device cpu";

}  // namespace

BOOST_AUTO_TEST_SUITE(pipeline_app, *utf::precondition(acne::test::app_built{"acne-pipeline"}))

BOOST_AUTO_TEST_CASE(acne04_end_to_end_with_its_report_page_and_a_rerun) {
  acne::test::scratch_dir dir("pipeline-app");
  const fs::path root = dir.path() / "ACNE04", healthy = dir.path() / "healthy", out = dir.path() / "run";
  acne::test::fake_acne04(root);
  for (int i = 0; i < 5; ++i)
    acne::io::write_image(healthy / ("h" + std::to_string(i) + ".jpg"), cv::Mat(20, 18, CV_8UC3, cv::Scalar::all(40 * i)));
  const std::string args = "--acne04 " + root.string() + " --healthy " + healthy.string() + " --out " + out.string() + tiny;
  auto r = run(args, dir.path());
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  BOOST_TEST(r.says("training: healthy 4, mild 2, moderate 1, severe 2"), r.output);
  BOOST_TEST(r.says("test:     healthy 1, mild 0, moderate 1, severe 1"), r.output);
  BOOST_TEST(r.says("synthetic only"));
  BOOST_TEST(acne::io::list_images(out / "prepared-test").size() == 3u);

  const auto report = acne::io::read_json_file(out / "report.json");
  BOOST_TEST(report.at("evaluation").at("synthetic_only").at("samples").get<int>() == 3);
  BOOST_TEST(report.at("gan").at("healthy").contains("synthetic_against_real"));   // 4 real healthy faces
  BOOST_TEST(!report.at("gan").at("moderate").contains("synthetic_against_real"));  // 1 real face: not measured

  const std::string html = acne::io::read_text_file(out / "report.html");
  static const std::regex attribute(R"re((?:src|href)="([^"]*)")re");
  std::size_t images = 0;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), attribute); it != std::sregex_iterator(); ++it, ++images)
    BOOST_TEST(fs::is_regular_file(out / (*it)[1].str()), (*it)[1].str());
  // reals and fakes of each GAN, the confusion matrix of each classifier and of class fidelity; each
  // image sits inside a link to itself
  BOOST_TEST(images >= 2 * (5 * 2 + 3 + 1));

  // A rerun redoes nothing: no GAN tick, no classifier epoch.
  r = run(args, dir.path());
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  BOOST_TEST(!r.says("tick 0 "), r.output);
  BOOST_TEST(r.says("already reached total_kimg"), r.output);
  BOOST_TEST(r.says("after epoch 1"), r.output);
}

BOOST_AUTO_TEST_CASE(options_that_cannot_go_together_exit_with_status_two) {
  acne::test::scratch_dir dir("pipeline-app-usage");
  auto r = run("--acne04 " + dir.path().string() + " --out " + (dir.path() / "x").string(), dir.path());
  BOOST_TEST(r.status == 2);
  BOOST_TEST(r.says("ACNE04 has no healthy faces: give --healthy DIR"), r.output);
  r = run("--healthy " + dir.path().string(), dir.path());
  BOOST_TEST(r.status == 2);
  BOOST_TEST(r.says("--healthy goes with --acne04"));
  r = run("--acne04 a --healthy b --real c", dir.path());
  BOOST_TEST(r.status == 2);
  BOOST_TEST(r.says("leave out --real and --test"));
  BOOST_TEST(!fs::exists(dir.path() / "x"));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_train_pipeline_app
