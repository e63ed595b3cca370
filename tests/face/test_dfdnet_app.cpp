// acne-dfdnet (cli/dfdnet.hpp) on photographs of a real face (astronaut.png of Debian's
// python3-imageio, as it is, mirrored and reframed), at widths / 16: `dictionaries` writes the 16
// dictionaries of the atoms asked for, `train` trains, scores its held-out face, resumes, and
// writes a DFDNet file that acne-restore's restorer loads; bad usage exits 2.
#include <boost/test/unit_test.hpp>

#include <filesystem>

#include <opencv2/imgproc.hpp>

#include "support/astronaut.hpp"
#include "acne/cli/dfdnet.hpp"
#include "support/dfdnet_test_util.hpp"
#include "support/program_run.hpp"
#include "support/scratch_dir.hpp"

namespace test_face_dfdnet_app {

namespace fs = std::filesystem;
namespace utf = boost::unit_test;
using namespace acne;
using acne::test::scratch_dir;

using acne::test::astronaut;

namespace {

acne::test::command_run dfdnet(std::vector<std::string> args, const std::vector<std::string>& more = {}) {
  args.insert(args.end(), more.begin(), more.end());
  return acne::test::run_program("acne-dfdnet", cli::dfdnet_command, args);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(dfdnet_app, *utf::precondition(acne::test::astronaut_and_landmarks()))

BOOST_AUTO_TEST_CASE(dictionaries_then_training_then_restoration) {
  scratch_dir dir;
  // VGG19 weights: any DFDNet file's VggExtract.* tensors (here a seeded generator's).
  {
    network<dfdnet::generator<float>> g{dfdnet::generator<float>({.width_divisor = 16})};
    g.setup({1, 3, 512, 512}, 2);
    const auto none = acne::test::hashed_dictionaries<float>(16, 1);
    dfdnet::save_dfdnet(g, none, dir / "vgg.safetensors", "test");
  }
  const cv::Mat photo = io::read_image(astronaut);
  cv::Mat mirrored, reframed;
  cv::flip(photo, mirrored, 1);
  cv::resize(photo(cv::Rect(40, 0, 440, 440)), reframed, {400, 400});
  fs::create_directories(dir / "faces");
  io::write_image(dir / "faces" / "a.png", photo);
  io::write_image(dir / "faces" / "b.png", mirrored);
  io::write_image(dir / "faces" / "c.png", reframed);
  const std::vector<std::string> common{"--faces", (dir / "faces").string(), "--vgg", (dir / "vgg.safetensors").string(),
                                        "--width-divisor", "16", "--device", "cpu"};
  const auto dicts_file = (dir / "dictionaries.safetensors").string();
  const auto d = dfdnet({"dictionaries"}, common);
  BOOST_TEST(d.rc == 2);  // no --out
  const auto built = dfdnet({"dictionaries", "--atoms", "2", "--out", dicts_file}, common);
  BOOST_TEST_REQUIRE(built.rc == 0);
  BOOST_TEST(built.says("3 faces from"));
  const auto file = io::load_safetensors(dicts_file);
  BOOST_TEST(file.tensors.size() == 16u);
  BOOST_TEST((file.at("dictionary.mouth.64").shape == std::vector<std::int64_t>{2, 32, 13, 13}));

  const auto run = (dir / "run").string();
  const auto trained = dfdnet({"train", "--dictionaries", dicts_file, "--steps", "2", "--held-out", "1",
                               "--checkpoint-every", "1", "--out", run}, common);
  BOOST_TEST_REQUIRE(trained.rc == 0);
  BOOST_TEST(trained.says("held-out faces after 2 steps: restored"));
  BOOST_TEST(trained.says("degraded (bicubic)"));
  const auto resumed = dfdnet({"train", "--dictionaries", dicts_file, "--steps", "3", "--held-out", "1", "--resume",
                               "--out", run}, common);
  BOOST_TEST_REQUIRE(resumed.rc == 0);
  BOOST_TEST(resumed.says("resumed at step 2"));
  BOOST_TEST(resumed.says("step 3/3"));
  // A loss of weight 0 is left out (its column reads 0); a negative weight is a usage error.
  const auto pixel_only = dfdnet({"train", "--dictionaries", dicts_file, "--steps", "1", "--held-out", "1",
                                  "--perceptual", "0", "--adversarial", "0", "--out", (dir / "pixel").string()}, common);
  BOOST_TEST_REQUIRE(pixel_only.rc == 0);
  BOOST_TEST(pixel_only.says("perceptual 0, adversarial 0, discriminator 0"));
  BOOST_TEST(dfdnet({"train", "--dictionaries", dicts_file, "--adversarial", "-1", "--out", (dir / "n").string()}, common)
                 .rc == 2);
  // What acne-restore reads.
  face::face_restorer<cpu> restorer(fs::path(run) / "dfdnet.safetensors");
  BOOST_TEST(restorer.width_divisor() == 16u);
  // Dictionaries of another width are refused by name.
  const auto wrong = dfdnet({"train", "--dictionaries", dicts_file, "--steps", "1", "--out", (dir / "w").string(),
                             "--faces", (dir / "faces").string(), "--vgg", (dir / "vgg.safetensors").string(),
                             "--width-divisor", "8", "--device", "cpu"});
  BOOST_TEST(wrong.rc == 1);
  BOOST_TEST(wrong.says("widths / 16"));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_face_dfdnet_app
