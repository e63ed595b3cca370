// ACNE04 as the experiments use it: a fold's trainval and test images with the paper's levels, and
// healthy faces from a folder split one in five to the test.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <set>
#include <string>

#include <opencv2/core.hpp>

#include "acne/data/acne04_faces.hpp"
#include "acne/io/image.hpp"
#include "support/fake_acne04.hpp"
#include "temp_dir.hpp"

namespace test_data_acne04_faces {

namespace fs = std::filesystem;

BOOST_AUTO_TEST_SUITE(acne04_faces)

BOOST_AUTO_TEST_CASE(levels_and_healthy_faces_land_in_their_classes_and_split) {
  acne_test::temp_dir dir;
  acne::test::fake_acne04(dir / "acne04");
  for (int i = 0; i < 7; ++i)
    acne::io::write_image(dir / "healthy" / ("h" + std::to_string(i) + ".png"), cv::Mat(8, 8, CV_8UC3, cv::Scalar::all(i)));
  const auto faces = acne::data::load_acne04_faces(dir / "acne04", 0, dir / "healthy");
  BOOST_TEST(faces.train.classes == (std::vector<std::string>{"healthy", "mild", "moderate", "severe"}));
  // trainval levels 0 0 1 2 3 (3 joins severe), 6 of 7 healthy faces (h4 goes to the test)
  BOOST_TEST(faces.train.counts_text() == "healthy 6, mild 2, moderate 1, severe 2");
  BOOST_TEST(faces.test.counts_text() == "healthy 1, mild 0, moderate 1, severe 1");
  std::set<fs::path> train(faces.train.files.begin(), faces.train.files.end());
  for (const auto& f : faces.test.files) BOOST_TEST(!train.count(f), f);
  BOOST_TEST(std::count(faces.test.files.begin(), faces.test.files.end(), dir / "healthy" / "h4.png") == 1);
  const auto at = std::find(faces.train.files.begin(), faces.train.files.end(), dir / "acne04" / "JPEGImages" / "levle3_1.jpg");
  BOOST_TEST_REQUIRE((at != faces.train.files.end()));
  BOOST_TEST(faces.train.label(std::size_t(at - faces.train.files.begin())) == 3);
  BOOST_TEST(faces.train.load(0).cols > 0);
}

BOOST_AUTO_TEST_CASE(without_healthy_faces_there_are_three_classes) {
  acne_test::temp_dir dir;
  acne::test::fake_acne04(dir.path());
  const auto faces = acne::data::load_acne04_faces(dir.path(), 0);
  BOOST_TEST(faces.test.counts_text() == "mild 0, moderate 1, severe 1");
}

BOOST_AUTO_TEST_CASE(too_few_or_no_healthy_faces_are_named) {
  acne_test::temp_dir dir;
  acne::test::fake_acne04(dir / "acne04");
  const auto message = [&](const fs::path& healthy) {
    try {
      acne::data::load_acne04_faces(dir / "acne04", 0, healthy);
    } catch (const acne::error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  BOOST_TEST(message(dir / "nowhere").find("is not a folder") != std::string::npos);
  acne::io::write_image(dir / "few" / "a.png", cv::Mat(8, 8, CV_8UC3, cv::Scalar::all(1)));
  BOOST_TEST(message(dir / "few").find("holds 1 image(s); at least 5") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_data_acne04_faces
