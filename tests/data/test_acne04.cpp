#include <boost/test/unit_test.hpp>

#include <opencv2/core.hpp>

#include "acne/data/acne04.hpp"
#include "acne/data/image_folder.hpp"
#include "acne/io/image.hpp"
#include "support/fake_acne04.hpp"
#include "temp_dir.hpp"

namespace test_data_acne04 {

namespace fs = std::filesystem;
using namespace acne::data;

namespace {
acne04_options options(acne04_subset subset, bool merge = true, int fold = 0) {
  acne04_options o;
  o.subset = subset;
  o.merge_very_severe = merge;
  o.fold = fold;
  return o;
}
bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

BOOST_AUTO_TEST_SUITE(acne04)

BOOST_AUTO_TEST_CASE(hayashi_grade_thresholds) {
  BOOST_TEST(hayashi_grade(0) == 0);
  BOOST_TEST(hayashi_grade(5) == 0);
  BOOST_TEST(hayashi_grade(6) == 1);
  BOOST_TEST(hayashi_grade(20) == 1);
  BOOST_TEST(hayashi_grade(21) == 2);
  BOOST_TEST(hayashi_grade(50) == 2);
  BOOST_TEST(hayashi_grade(51) == 3);
  BOOST_CHECK_THROW(hayashi_grade(-1), acne::error);
}

BOOST_AUTO_TEST_CASE(reads_labels_and_merges_very_severe_by_default) {
  acne_test::temp_dir dir;
  acne::test::fake_acne04(dir.path());
  const auto ds = load_acne04(dir.path());
  BOOST_TEST(ds.classes() == (std::vector<std::string>{"mild", "moderate", "severe"}));
  BOOST_REQUIRE(ds.size() == 5u);
  BOOST_TEST(ds.samples()[1].lesion_count == 5);
  BOOST_TEST(ds.samples()[2].label == 1);
  BOOST_TEST(ds.samples()[4].level == 3);
  BOOST_TEST(ds.samples()[4].label == 2);  // very severe -> severe
  BOOST_TEST(ds.class_counts() == (std::vector<std::size_t>{2, 1, 2}));
  BOOST_TEST(ds.load(2).at<cv::Vec3b>(0, 0)[0] > 50);
}

BOOST_AUTO_TEST_CASE(four_classes_and_subsets_on_request) {
  acne_test::temp_dir dir;
  acne::test::fake_acne04(dir.path());
  const auto ds = load_acne04(dir.path(), options(acne04_subset::all, false));
  BOOST_TEST(ds.classes().size() == 4u);
  BOOST_TEST(ds.size() == 7u);
  BOOST_TEST(ds.class_counts() == (std::vector<std::size_t>{2, 2, 1, 2}));
  const auto test = load_acne04(dir.path(), options(acne04_subset::test));
  BOOST_TEST(test.size() == 2u);
  BOOST_CHECK_THROW(load_acne04(dir.path(), options(acne04_subset::trainval, true, 1)), acne::error);  // no NNEW_trainval_1.txt
  BOOST_CHECK_THROW(load_acne04(dir.path(), options(acne04_subset::trainval, true, 7)), acne::error);
}

BOOST_AUTO_TEST_CASE(labels_can_follow_another_class_list) {
  acne_test::temp_dir dir;
  acne::test::fake_acne04(dir.path());
  acne04_options o;
  o.classes = {"healthy", "mild", "moderate", "severe"};
  const auto ds = load_acne04(dir.path(), o);
  BOOST_TEST(ds.classes() == o.classes);
  BOOST_TEST(ds.class_counts() == (std::vector<std::size_t>{0, 2, 1, 2}));
  o.classes = {"healthy", "mild", "moderate"};
  BOOST_CHECK_THROW(load_acne04(dir.path(), o), acne::error);
}

BOOST_AUTO_TEST_CASE(malformed_line_names_file_and_line) {
  acne_test::temp_dir dir;
  acne::test::fake_acne04(dir.path());
  acne_test::write_bytes(dir / "NNEW_trainval_0.txt", "levle0_1.jpg 0 2\nlevle0_2.jpg zero 5\n");
  try {
    load_acne04(dir.path());
    BOOST_FAIL("no throw");
  } catch (const acne::error& e) {
    BOOST_TEST(has(e.what(), "NNEW_trainval_0.txt:2"));
  }
  acne_test::write_bytes(dir / "NNEW_trainval_0.txt", "levle0_1.jpg 0 2\n\nlevle0_2.jpg 0\n");
  try {
    load_acne04(dir.path());
    BOOST_FAIL("no throw");
  } catch (const acne::error& e) {
    BOOST_TEST(has(e.what(), "NNEW_trainval_0.txt:3"));
  }
  acne_test::write_bytes(dir / "NNEW_trainval_0.txt", "levle0_1.jpg 4 2\n");
  BOOST_CHECK_THROW(load_acne04(dir.path()), acne::error);  // level outside 0..3
}

BOOST_AUTO_TEST_CASE(missing_image_is_an_error_naming_it) {
  acne_test::temp_dir dir;
  acne::test::fake_acne04(dir.path());
  fs::remove(dir / "JPEGImages/levle2_1.jpg");
  try {
    load_acne04(dir.path());
    BOOST_FAIL("no throw");
  } catch (const acne::error& e) {
    BOOST_TEST(has(e.what(), "levle2_1.jpg"));
    BOOST_TEST(has(e.what(), "NNEW_trainval_0.txt:5"));
  }
}

BOOST_AUTO_TEST_CASE(classification_subfolder_and_export_to_image_folder) {
  acne_test::temp_dir dir;
  acne::test::fake_acne04(dir / "Classification");
  const auto ds = load_acne04(dir.path(), options(acne04_subset::all));
  BOOST_TEST(ds.size() == 7u);
  BOOST_TEST(export_image_folder(ds, dir / "folder") == 7u);
  image_folder_options quiet;
  quiet.warnings = nullptr;
  image_folder folder(dir / "folder", quiet);
  BOOST_TEST(folder.classes() == ds.classes());
  BOOST_TEST(folder.class_counts() == ds.class_counts());
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_data_acne04
