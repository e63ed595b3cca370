#include <boost/test/unit_test.hpp>

#include <random>
#include <sstream>

#include <opencv2/core.hpp>

#include "acne/data/image_folder.hpp"
#include "acne/io/image.hpp"
#include "temp_dir.hpp"

namespace test_data_image_folder {

namespace fs = std::filesystem;
using acne::data::image_folder;
using acne::data::image_folder_options;

namespace {
void image(const fs::path& p, int value) { acne::io::write_image(p, cv::Mat(8, 8, CV_8UC3, cv::Scalar::all(value))); }
image_folder_options quiet(std::vector<std::string> classes = {}) {
  image_folder_options o;
  o.classes = std::move(classes);
  o.warnings = nullptr;
  return o;
}
image_folder_options with(image_folder_options o, bool strict, bool verify_decode) {
  o.strict = strict;
  o.verify_decode = verify_decode;
  return o;
}
bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }
std::string random_bytes(std::size_t n) {
  std::mt19937 rng(7);
  std::string s(n, '\0');
  for (auto& ch : s) ch = static_cast<char>(rng() & 0x7f);  // never the JPEG/PNG/BMP magic
  s[0] = 'x';
  return s;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(image_folder_dataset)

BOOST_AUTO_TEST_CASE(classes_sorted_and_labels_follow) {
  acne_test::temp_dir dir;
  image(dir / "mild/b.png", 10);
  image(dir / "mild/a.JPG", 20);
  image(dir / "healthy/x.jpeg", 30);
  image(dir / "severe/nested/y.bmp", 40);
  image_folder ds(dir.path(), quiet());
  BOOST_TEST(ds.classes() == (std::vector<std::string>{"healthy", "mild", "severe"}));
  BOOST_REQUIRE(ds.size() == 4u);
  BOOST_TEST(ds.label(0) == 0);
  BOOST_TEST(ds.path(1).filename() == "a.JPG");  // sorted by path inside a class
  BOOST_TEST(ds.label(1) == 1);
  BOOST_TEST(ds.label(2) == 1);
  BOOST_TEST(ds.label(3) == 2);
  BOOST_TEST(ds.class_counts() == (std::vector<std::size_t>{1, 2, 1}));
  BOOST_TEST(ds.load(2).at<cv::Vec3b>(0, 0)[0] == 10);
  BOOST_TEST(ds.skipped().empty());
}

BOOST_AUTO_TEST_CASE(explicit_classes_fix_the_label_order) {
  acne_test::temp_dir dir;
  for (const char* c : {"healthy", "mild", "moderate", "severe", "extra"}) image(dir / c / "i.png", 1);
  image_folder ds(dir.path(), quiet({"severe", "moderate", "mild", "healthy"}));
  BOOST_TEST(ds.size() == 4u);  // "extra" is not a class
  BOOST_TEST(ds.path(0).parent_path().filename() == "severe");
  BOOST_TEST(ds.label(0) == 0);
  BOOST_TEST(ds.label(3) == 3);
  BOOST_CHECK_THROW(image_folder(dir.path(), quiet({"healthy", "nope"})), acne::error);
}

BOOST_AUTO_TEST_CASE(bad_files_are_skipped_and_reported_by_path) {
  acne_test::temp_dir dir;
  image(dir / "mild/good.png", 5);
  acne_test::write_bytes(dir / "mild/corrupt.jpg", random_bytes(500));
  acne_test::write_bytes(dir / "mild/empty.png", "");
  acne_test::write_bytes(dir / "mild/notes.jpeg", "these are notes, not pixels\n");
  acne_test::write_bytes(dir / "mild/readme.txt", "text");
  acne_test::write_bytes(dir / "mild/.hidden.png", "");  // hidden files are ignored altogether
  std::ostringstream log;
  image_folder_options logged;
  logged.warnings = &log;
  image_folder ds(dir.path(), logged);
  BOOST_TEST(ds.size() == 1u);
  BOOST_TEST(ds.path(0).filename() == "good.png");
  BOOST_REQUIRE(ds.skipped().size() == 4u);
  std::vector<std::string> names;
  for (const auto& s : ds.skipped()) {
    names.push_back(s.path.filename().string());
    BOOST_TEST(!s.reason.empty());
    BOOST_TEST(has(log.str(), s.path.string()));
  }
  BOOST_TEST(names == (std::vector<std::string>{"corrupt.jpg", "empty.png", "notes.jpeg", "readme.txt"}));
  BOOST_TEST(has(ds.skipped()[1].reason, "empty"));
}

BOOST_AUTO_TEST_CASE(strict_mode_throws_naming_the_file) {
  acne_test::temp_dir dir;
  image(dir / "mild/good.png", 5);
  acne_test::write_bytes(dir / "mild/corrupt.jpg", random_bytes(300));
  try {
    image_folder ds(dir.path(), with(quiet(), true, false));
    BOOST_FAIL("no throw");
  } catch (const acne::error& e) {
    BOOST_TEST(has(e.what(), (dir / "mild/corrupt.jpg").string()));
  }
}

BOOST_AUTO_TEST_CASE(verify_decode_catches_truncated_images) {
  acne_test::temp_dir dir;
  image(dir / "mild/good.png", 5);
  std::vector<unsigned char> bytes;
  cv::imencode(".png", cv::Mat(32, 32, CV_8UC3, cv::Scalar::all(9)), bytes);
  acne_test::write_bytes(dir / "mild/cut.png", std::string(bytes.begin(), bytes.begin() + 40));
  image_folder lazy(dir.path(), quiet());
  BOOST_TEST(lazy.size() == 2u);  // header looks fine: only load() finds out
  BOOST_CHECK_THROW(lazy.load(0), acne::error);
  image_folder checked(dir.path(), with(quiet(), false, true));
  BOOST_TEST(checked.size() == 1u);
  BOOST_TEST(checked.skipped().size() == 1u);
}

BOOST_AUTO_TEST_CASE(missing_root_and_empty_class_are_errors) {
  acne_test::temp_dir dir;
  try {
    image_folder ds(dir / "nowhere", quiet());
    BOOST_FAIL("no throw");
  } catch (const acne::error& e) {
    BOOST_TEST(has(e.what(), "nowhere"));
  }
  BOOST_CHECK_THROW(image_folder(dir.path(), quiet()), acne::error);  // no class folders
  image(dir / "mild/a.png", 1);
  fs::create_directories(dir / "severe");
  acne_test::write_bytes(dir / "severe/bad.png", "");
  try {
    image_folder ds(dir.path(), quiet());
    BOOST_FAIL("no throw");
  } catch (const acne::error& e) {
    BOOST_TEST(has(e.what(), "severe"));
    BOOST_TEST(has(e.what(), "no readable images"));
  }
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_data_image_folder
