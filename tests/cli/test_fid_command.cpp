// acne-fid end to end (in-process, through the same function as the program's main) on small
// phantom folders: a folder against itself scores ~0, against visibly different faces clearly more,
// statistics files stand in for folders, and bad inputs give errors that say what is wrong.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "acne/io/image.hpp"
#include "acne/io/safetensors.hpp"
#include "acne/cli/fid.hpp"
#include "acne/models/inception_v3.hpp"
#include "support/command_runner.hpp"
#include "support/fid_test_util.hpp"

namespace test_cli_fid_command {

namespace fs = std::filesystem;
using acne::data::acne_class;

namespace {

using run_result = acne::test::command_run;

run_result acne_fid(const std::vector<std::string>& args) { return acne::test::run_acne_fid(args); }

run_result random_conv_fid(const std::vector<std::string>& inputs, std::vector<std::string> extra = {}) {
  std::vector<std::string> args{"--extractor", "random-conv-v1"};
  args.insert(args.end(), extra.begin(), extra.end());
  args.insert(args.end(), inputs.begin(), inputs.end());
  return acne_fid(args);
}

// 24 healthy faces; another 24 drawn with another seed; those again without colour (visibly different
// faces of the same layout); 24 severe ones.
fs::path healthy() { return acne::test::phantom_folder(acne_class::healthy, 24, 96, 1); }
fs::path healthy_again() { return acne::test::phantom_folder(acne_class::healthy, 24, 96, 2); }
fs::path severe() { return acne::test::phantom_folder(acne_class::severe, 24, 96, 3); }
fs::path grey() {
  static const acne::test::scratch_dir dir("grey");
  if (fs::exists(dir.path() / "done")) return dir.path();
  for (const auto& file : acne::metrics::list_images(healthy_again())) {
    cv::Mat g, bgr;
    cv::cvtColor(acne::io::read_image(file), g, cv::COLOR_BGR2GRAY);
    cv::cvtColor(g, bgr, cv::COLOR_GRAY2BGR);
    acne::io::write_image(dir.path() / "faces" / file.filename(), bgr);
  }
  std::ofstream(dir.path() / "done") << "";
  return dir.path();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(acne_fid_app)

// Measured with 64 faces per folder at 128 px: another draw 0.28, severe acne 0.39, Gaussian blur
// (sigma 4) 0.52, no colour 3.0 (docs/fid.md); at 24 faces the same order holds.
BOOST_AUTO_TEST_CASE(same_folder_scores_zero_different_faces_more) {
  const auto self = random_conv_fid({healthy(), healthy()});
  BOOST_TEST_REQUIRE(self.rc == 0);
  BOOST_TEST(self.out.find("NOT a standard FID") != std::string::npos);
  BOOST_TEST(self.out.find("random-conv-v1/bilinear") != std::string::npos);
  const auto same_kind = random_conv_fid({healthy(), healthy_again()});
  const auto different = random_conv_fid({healthy(), grey()});
  const auto acne = random_conv_fid({healthy(), severe()});
  BOOST_TEST_REQUIRE(same_kind.rc == 0);
  BOOST_TEST_REQUIRE(different.rc == 0);
  BOOST_TEST_REQUIRE(acne.rc == 0);

  const double fid_self = self.value("FID"), fid_same = same_kind.value("FID"), fid_diff = different.value("FID");
  BOOST_TEST(std::abs(fid_self) < 1e-6 * fid_diff);
  BOOST_TEST(fid_same > 0.0);
  BOOST_TEST(fid_diff > 3.0 * fid_same);
  BOOST_TEST(acne.value("FID") > 0.0);

  // Unbiased MMD: the same 24 features on both sides give a small negative KID, not exactly 0.
  const double kid_self = self.value("KID"), kid_same = same_kind.value("KID"), kid_diff = different.value("KID");
  BOOST_TEST(std::abs(kid_self) < 0.2 * kid_diff);
  BOOST_TEST(kid_diff > 3.0 * std::abs(kid_same));
  // 24 images for 256 features: the covariance is singular and the output says so.
  BOOST_TEST(self.err.find("fewer images (24) than feature dimensions (256)") != std::string::npos);
}

// A statistics file gives the FID of its folder; the resize is part of what the statistics measure.
BOOST_AUTO_TEST_CASE(statistics_files_stand_in_for_folders) {
  const acne::test::scratch_dir dir("stats");
  const auto stats = (dir.path() / "severe.safetensors").string();
  const auto saved = random_conv_fid({severe()}, {"--save-stats", stats});
  BOOST_TEST_REQUIRE(saved.rc == 0);
  BOOST_TEST(fs::exists(stats));
  BOOST_TEST(acne::metrics::feature_statistics::load(stats).extractor() == "random-conv-v1/bilinear");

  const auto folders = random_conv_fid({healthy(), severe()});
  const auto with_file = random_conv_fid({healthy(), stats}, {"--json", (dir.path() / "r.json").string()});
  BOOST_TEST_REQUIRE(with_file.rc == 0);
  BOOST_TEST(with_file.value("FID") == folders.value("FID"), boost::test_tools::tolerance(1e-6));
  BOOST_TEST(with_file.out.find("KID: not available") != std::string::npos);
  BOOST_TEST(fs::exists(dir.path() / "r.json"));

  const auto bicubic = random_conv_fid({healthy(), severe()}, {"--resize", "bicubic"});
  BOOST_TEST_REQUIRE(bicubic.rc == 0);
  BOOST_TEST(bicubic.value("FID") != folders.value("FID"));
  const auto mixed = random_conv_fid({healthy(), stats}, {"--resize", "bicubic"});
  BOOST_TEST(mixed.rc == 1);
  BOOST_TEST(mixed.err.find("different feature extractors") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(bad_inputs_are_named) {
  const acne::test::scratch_dir dir("bad");
  acne::data::write_phantom_dataset(dir.path() / "one", {{acne_class::mild, 1}}, 32, 5);
  const auto one = random_conv_fid({(dir.path() / "one").string(), healthy()});
  BOOST_TEST(one.rc == 1);
  BOOST_TEST(one.err.find("holds 1 image(s): FID and KID need at least 2") != std::string::npos);

  BOOST_TEST(acne_fid({"--help"}).rc == 0);
  BOOST_TEST(acne_fid({"--help"}).out.find("usage: acne-fid") != std::string::npos);
  BOOST_TEST(acne_fid({}).rc == 2);
  BOOST_TEST(random_conv_fid({healthy(), healthy(), healthy()}).rc == 2);
  BOOST_TEST(random_conv_fid({healthy()}).rc == 2);  // one input needs --save-stats
  BOOST_TEST(random_conv_fid({healthy(), healthy()}, {"--batch", "0"}).rc == 2);
  BOOST_TEST(random_conv_fid({healthy(), healthy()}, {"--dims", "768"}).rc == 2);
  BOOST_TEST(acne_fid({"--extractor", "vgg", healthy(), healthy()}).rc == 2);
  const auto no_weights = acne_fid({healthy(), healthy()});
  BOOST_TEST(no_weights.rc == 2);
  BOOST_TEST(no_weights.err.find("tools/convert_pytorch_fid.py") != std::string::npos);
  const auto missing = random_conv_fid({healthy(), (dir.path() / "nowhere").string()});
  BOOST_TEST(missing.rc == 1);
  BOOST_TEST(missing.err.find("neither a folder nor a statistics file") != std::string::npos);
}

// The standard extractor's road through the program: weights by name, a feature tap, and an error
// naming the first tensor a wrong file lacks. (Random weights: the number itself means nothing.)
BOOST_AUTO_TEST_CASE(inception_extractor_with_weights_file) {
  const acne::test::scratch_dir dir("inception");
  acne::network<acne::inception_v3<float>> net(acne::make_fid_inception_v3<float>(64));
  net.setup({1, 3, 299, 299}, 7);
  acne::io::safetensors_file file;
  for (const auto& s : net.slots())
    file.tensors.push_back(acne::io::make_record(s.name, {std::int64_t(s.shape.n), std::int64_t(s.shape.c),
                                                          std::int64_t(s.shape.h), std::int64_t(s.shape.w)},
                                                 std::vector<float>(s.value->begin(), s.value->end())));
  const auto weights = (dir.path() / "stem.safetensors").string();
  acne::io::save_safetensors(weights, file);

  const auto a = acne::test::phantom_folder(acne_class::healthy, 3, 64, 8);
  const auto b = acne::test::phantom_folder(acne_class::severe, 3, 64, 9);
  const auto r = acne_fid({"--weights", weights, "--dims", "64", a.string(), b.string()});
  BOOST_TEST_REQUIRE(r.rc == 0);
  BOOST_TEST(r.out.find("inception-v3-fid/bilinear, 64 features, 299x299 input") != std::string::npos);
  BOOST_TEST(r.out.find("not the standard 2048-d FID") != std::string::npos);
  BOOST_TEST(r.value("FID") > 0.0);

  const auto wrong = acne_fid({"--weights", weights, "--dims", "192", a.string(), b.string()});
  BOOST_TEST(wrong.rc == 1);
  BOOST_TEST(wrong.err.find("missing: Conv2d_3b_1x1.conv.weight") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_cli_fid_command
