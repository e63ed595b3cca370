// acne-restore (cli/restore.hpp, face/restore.hpp) on a real photograph (astronaut.png of Debian's
// python3-imageio) with a DFDNet at reduced widths made here: the face is found, restored and pasted
// back into the enlarged photograph, which is untouched far from the face; the restored face is the
// generator's output for the aligned face; an image without a face is named and skipped, or stops
// the run with --strict; --aligned restores an aligned face as it is; and bad usage exits 2.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>

#include "support/astronaut.hpp"
#include "acne/cli/restore.hpp"
#include "acne/face/detector.hpp"
#include "acne/face/gan_faces.hpp"
#include "support/dfdnet_test_util.hpp"
#include "support/program_run.hpp"
#include "support/scratch_dir.hpp"

namespace test_face_restore {

namespace fs = std::filesystem;
namespace utf = boost::unit_test;
using namespace acne;
using acne::test::scratch_dir;

using acne::test::astronaut;

namespace {

// A DFDNet at widths / 16 with seeded weights and dictionaries of 3 atoms, after one training
// forward (spectral norm's u and v), saved as tools/convert_dfdnet.py would write it.
void make_weights(const fs::path& file) {
  network<dfdnet::generator<float>> net{dfdnet::generator<float>({.width_divisor = 16})};
  net.setup({1, 3, 512, 512}, 8);
  auto d = acne::test::hashed_dictionaries<float>(16, 3);
  net.layer().set_dictionaries(&d);
  net.layer().set_boxes({acne::test::overlapping_boxes()});
  net.forward(tensor<float>({1, 3, 512, 512}, 0.2f));
  dfdnet::save_dfdnet(net, d, file, "test");
}

acne::test::command_run run_restore(const std::vector<std::string>& args) {
  return acne::test::run_program("acne-restore", cli::restore_command, args);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(restore_weights)

// A DFDNet of reduced faces (a test network) restores no photograph: alignment and pasting back
// work in the 512 x 512 frame.
BOOST_AUTO_TEST_CASE(a_dfdnet_of_reduced_faces_is_refused) {
  scratch_dir dir;
  network<dfdnet::generator<float>> net{dfdnet::generator<float>({.width_divisor = 16, .face_side = 128})};
  net.setup({1, 3, 128, 128}, 8);
  dfdnet::save_dfdnet(net, acne::test::hashed_dictionaries<float>(16, 3, 128), dir / "reduced.safetensors", "test");
  BOOST_CHECK_EXCEPTION(face::face_restorer<cpu>(dir / "reduced.safetensors"), acne::error, [](const acne::error& e) {
    return std::string(e.what()).find("128 px faces") != std::string::npos;
  });
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(restore, *utf::precondition(acne::test::astronaut_and_landmarks()))

BOOST_AUTO_TEST_CASE(photographs_are_restored_and_faceless_ones_named) {
  scratch_dir dir;
  make_weights(dir / "dfdnet.safetensors");
  fs::create_directories(dir / "in" / "people");
  const cv::Mat photo = io::read_image(astronaut);
  io::write_image(dir / "in" / "people" / "astronaut.png", photo);
  io::write_image(dir / "in" / "wall.png", cv::Mat(300, 400, CV_8UC3, cv::Scalar(120, 130, 140)));

  const auto r = run_restore({"--in", (dir / "in").string(), "--out", (dir / "out").string(), "--weights",
                          (dir / "dfdnet.safetensors").string(), "--upscale", "2", "--device", "cpu"});
  BOOST_TEST_REQUIRE(r.rc == 0);
  BOOST_TEST(r.says("wall.png: no face found, skipped"));
  BOOST_TEST(r.says("1 face restored in 1 of 2 images"));
  const cv::Mat out = io::read_image(dir / "out" / "people" / "astronaut.png");
  BOOST_TEST_REQUIRE((out.cols == 2 * photo.cols && out.rows == 2 * photo.rows));
  // Far from the face (the bottom-left corner) the photograph is only enlarged.
  cv::Mat enlarged;
  cv::resize(photo, enlarged, out.size());
  const cv::Rect corner(0, out.rows - 100, 100, 100);
  BOOST_TEST(cv::norm(out(corner), enlarged(corner), cv::NORM_INF) <= 1.0);
  // The restored face is the generator's for the aligned face, and it is in the photograph.
  const cv::Mat saved = io::read_image(dir / "out" / "faces" / "people" / "astronaut-0.png");
  face::face_restorer<cpu> restorer(dir / "dfdnet.safetensors");
  face::face_detector detector;
  cv::Matx23d to_image;
  const cv::Mat expected = restorer.restore(photo, detector.detect(photo).at(0), &to_image);
  BOOST_TEST(cv::norm(saved, expected, cv::NORM_INF) == 0.0);
  const cv::Point2d centre = face::apply(to_image, {256, 256}) * 2.0;
  const cv::Rect middle(int(centre.x) - 10, int(centre.y) - 10, 20, 20);
  BOOST_TEST(cv::norm(out(middle), enlarged(middle), cv::NORM_L1) > 20.0 * 20 * 3);  // the face changed it
  std::ifstream json(dir / "out" / "restore.json");
  const auto report = nlohmann::json::parse(json);
  BOOST_TEST(report["images"].size() == 2u);
  BOOST_TEST(report["images"][1]["skipped"] == "no face found");

  const auto strict = run_restore({"--in", (dir / "in").string(), "--out", (dir / "strict").string(), "--weights",
                               (dir / "dfdnet.safetensors").string(), "--strict"});
  BOOST_TEST(strict.rc == 1);
  BOOST_TEST(strict.says("no face found in"));
  BOOST_TEST(strict.says("wall.png"));
}

BOOST_AUTO_TEST_CASE(aligned_faces_are_restored_as_they_are) {
  scratch_dir dir;
  make_weights(dir / "dfdnet.safetensors");
  const cv::Mat photo = io::read_image(astronaut);
  face::face_detector detector;
  const auto a = face::dfdnet_align(photo, detector.detect(photo).at(0));
  fs::create_directories(dir / "in");
  io::write_image(dir / "in" / "face.png", a.image);
  const auto r = run_restore({"--in", (dir / "in").string(), "--out", (dir / "out").string(), "--weights",
                          (dir / "dfdnet.safetensors").string(), "--aligned"});
  BOOST_TEST_REQUIRE(r.rc == 0);
  const cv::Mat out = io::read_image(dir / "out" / "face.png");
  BOOST_TEST((out.cols == 512 && out.rows == 512));
  BOOST_TEST(cv::norm(out, a.image, cv::NORM_L1) > 0.0);
}

BOOST_AUTO_TEST_CASE(stage_2_restores_small_faces) {
  // The photograph at 128 px: its face is smaller than a 64 px GAN's FFHQ crop, so stage 2 restores
  // it with DFDNet before aligning it, where without a restorer it is upscaled with a warning.
  scratch_dir dir;
  make_weights(dir / "dfdnet.safetensors");
  cv::Mat small;
  cv::resize(io::read_image(astronaut), small, {128, 128}, 0, 0, cv::INTER_AREA);
  io::write_image(dir / "small.png", small);
  const data::labelled_files set{{"healthy"}, {dir / "small.png"}, {0}};
  face::face_restorer<cpu> restorer(dir / "dfdnet.safetensors");
  std::unique_ptr<face::face_detector> detector;
  face::gan_face_options o{64, true, true, "test"};
  std::ostringstream plain_log, restored_log;
  face::faces_at_gan_resolution(set, dir / "plain", o, detector, plain_log);
  BOOST_TEST(plain_log.str().find("0 restored and 1 upscaled") != std::string::npos, plain_log.str());
  BOOST_TEST(plain_log.str().find("--dfdnet FILE restores them") != std::string::npos);
  std::size_t calls = 0;
  o.restore_small = [&](const cv::Mat& image, const face::face_landmarks& f, int side) {
    ++calls;
    return face::restored_ffhq_face(image, f, restorer, side);
  };
  o.restorer = "dfdnet test";
  face::faces_at_gan_resolution(set, dir / "restored", o, detector, restored_log);
  BOOST_TEST(calls == 1u);
  BOOST_TEST(restored_log.str().find("1 restored and 0 upscaled") != std::string::npos, restored_log.str());
  const cv::Mat a = io::read_image(dir / "plain" / "healthy" / "small.png"),
                b = io::read_image(dir / "restored" / "healthy" / "small.png");
  BOOST_TEST((b.cols == 64 && b.rows == 64));
  BOOST_TEST(cv::norm(a, b, cv::NORM_L1) > 0.0);
  // A folder made with one restoration is not continued with another.
  BOOST_CHECK_THROW(face::faces_at_gan_resolution(set, dir / "plain", o, detector, restored_log), acne::error);
}

BOOST_AUTO_TEST_CASE(bad_usage_exits_2) {
  scratch_dir dir;
  fs::create_directories(dir / "in");
  BOOST_TEST(run_restore({"--in", (dir / "in").string(), "--out", (dir / "out").string()}).rc == 2);  // no --weights
  BOOST_TEST(run_restore({"--in", (dir / "nowhere").string(), "--out", (dir / "out").string(), "--weights", "x"}).rc == 2);
  const auto upscale = run_restore({"--in", (dir / "in").string(), "--out", (dir / "o").string(), "--weights",
                                (dir / "in").string(), "--upscale", "9"});
  BOOST_TEST(upscale.rc == 2);
  BOOST_TEST(upscale.says("--upscale"));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_face_restore
