#include <boost/test/unit_test.hpp>

#include <cstring>
#include <fstream>

#include <opencv2/core.hpp>

#include "acne/data/grid.hpp"
#include "acne/data/hayashi.hpp"
#include "acne/data/image_folder.hpp"
#include "acne/data/phantom.hpp"
#include "acne/data/phantom_dataset.hpp"
#include "temp_dir.hpp"

namespace test_data_phantom {

using namespace acne::data;

namespace {
bool same_bytes(const cv::Mat& a, const cv::Mat& b) {
  return a.size() == b.size() && a.type() == b.type() && a.isContinuous() && b.isContinuous() &&
         std::memcmp(a.data, b.data, a.total() * a.elemSize()) == 0;
}
phantom_options sized(int size) {
  phantom_options o;
  o.size = size;
  return o;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(phantom)

BOOST_AUTO_TEST_CASE(same_seed_same_bytes_other_seed_other_image) {
  const auto a = make_phantom(sized(96), acne_class::moderate, 1234);
  const auto b = make_phantom(sized(96), acne_class::moderate, 1234);
  const auto c = make_phantom(sized(96), acne_class::moderate, 1235);
  BOOST_TEST(same_bytes(a.image, b.image));
  BOOST_TEST(a.lesion_count == b.lesion_count);
  BOOST_TEST(!same_bytes(a.image, c.image));
  BOOST_TEST(cv::norm(a.image, c.image, cv::NORM_L1) / a.image.total() > 10.0);  // not just noise
}

BOOST_AUTO_TEST_CASE(any_resolution_same_face) {
  for (int size : {32, 64, 100, 256}) {
    const auto f = make_phantom(sized(size), acne_class::severe, 9);
    BOOST_TEST(f.image.rows == size);
    BOOST_TEST(f.image.cols == size);
    BOOST_TEST(f.image.type() == CV_8UC3);
  }
  const auto small = make_phantom(sized(64), acne_class::mild, 77), large = make_phantom(sized(512), acne_class::mild, 77);
  BOOST_REQUIRE(small.lesions.size() == large.lesions.size());
  for (std::size_t i = 0; i < small.lesions.size(); ++i) {
    BOOST_TEST(small.lesions[i].x == large.lesions[i].x);
    BOOST_TEST(small.lesions[i].y == large.lesions[i].y);
  }
  // the downscaled large render resembles the small render
  cv::Mat down;
  cv::resize(large.image, down, small.image.size(), 0, 0, cv::INTER_AREA);
  BOOST_TEST(cv::norm(down, small.image, cv::NORM_L1) / small.image.total() / 3 < 12.0);
  BOOST_CHECK_THROW(make_phantom(sized(8), acne_class::mild, 1), acne::error);
}

BOOST_AUTO_TEST_CASE(lesion_counts_follow_the_hayashi_ranges) {
  for (acne_class c : all_acne_classes) {
    const count_range r = lesion_range(c);
    int lo = 1 << 30, hi = -1;
    for (std::uint64_t seed = 0; seed < 60; ++seed) {
      const auto f = make_phantom(sized(32), c, seed);
      BOOST_REQUIRE(f.lesion_count >= r.lo);
      BOOST_REQUIRE(f.lesion_count <= r.hi);
      BOOST_REQUIRE(int(f.lesions.size()) == f.lesion_total);
      int graded = 0;
      for (const auto& l : f.lesions) graded += l.graded_side;
      BOOST_REQUIRE(graded == f.lesion_count);
      const int other = f.lesion_total - f.lesion_count;  // the other half: same grade, never more
      BOOST_REQUIRE(other >= r.lo);
      BOOST_REQUIRE(other <= f.lesion_count);
      if (c != acne_class::healthy) BOOST_REQUIRE(hayashi_grade(f.lesion_count) == int(c) - 1);
      for (const auto& l : f.lesions) {
        BOOST_REQUIRE(l.x > 0.0);
        BOOST_REQUIRE(l.x < 1.0);
        BOOST_REQUIRE(l.y > 0.0);
        BOOST_REQUIRE(l.y < 1.0);
      }
      lo = std::min(lo, f.lesion_count), hi = std::max(hi, f.lesion_count);
    }
    if (r.hi > r.lo) BOOST_TEST(hi - lo >= (r.hi - r.lo) / 2);  // spread over the range
  }
  phantom_options one_side = sized(32);
  one_side.both_sides = false;
  const auto f = make_phantom(one_side, acne_class::severe, 3);
  BOOST_TEST(f.lesion_total == f.lesion_count);
}

BOOST_AUTO_TEST_CASE(papules_are_as_large_as_the_documented_typical_size) {
  // Moderate faces: their lesions keep the base size (milder ones are drawn 10% smaller).
  double sum = 0;
  int papules = 0;
  for (std::uint64_t seed = 0; seed < 40; ++seed)
    for (const auto& l : make_phantom(sized(64), acne_class::moderate, seed).lesions)
      if (l.kind == lesion_kind::papule) sum += 2 * l.radius * 64, ++papules;
  BOOST_REQUIRE(papules > 100);
  BOOST_TEST(sum / papules == typical_papule_diameter(64), boost::test_tools::tolerance(0.05));
  BOOST_TEST(typical_papule_diameter(128) == 2 * typical_papule_diameter(64), boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(lesions_mark_more_skin_with_severity) {
  // Lesions are drawn last, so one seed gives the same face in every class: the pixels that differ
  // from the healthy render are the lesions.
  std::vector<double> changed(all_acne_classes.size(), 0.0);
  for (std::uint64_t seed = 0; seed < 8; ++seed) {
    const cv::Mat healthy = make_phantom(sized(64), acne_class::healthy, seed).image;
    for (acne_class c : all_acne_classes) {
      cv::Mat diff;
      cv::absdiff(make_phantom(sized(64), c, seed).image, healthy, diff);
      cv::cvtColor(diff, diff, cv::COLOR_BGR2GRAY);
      changed[std::size_t(c)] += cv::countNonZero(diff > 12);
    }
  }
  BOOST_TEST(changed[0] == 0.0);
  for (std::size_t c = 1; c < changed.size(); ++c) BOOST_TEST(changed[c] > 1.2 * std::max(changed[c - 1], 10.0));
}

BOOST_AUTO_TEST_CASE(class_names_round_trip) {
  for (acne_class c : all_acne_classes) BOOST_TEST(int(parse_acne_class(class_name(c))) == int(c));
  BOOST_TEST(int(parse_acne_class("very_severe")) == int(acne_class::very_severe));
  BOOST_CHECK_THROW(parse_acne_class("acne"), acne::error);
}

BOOST_AUTO_TEST_CASE(written_dataset_matches_labels_and_renders) {
  acne_test::temp_dir dir;
  const auto records = write_phantom_dataset(dir.path(), paper_class_counts(3), 48, 1000);
  BOOST_REQUIRE(records.size() == 12u);
  std::ifstream csv(dir / "labels.csv");
  std::string line;
  std::getline(csv, line);
  BOOST_TEST(line == "file,class,lesion_count");
  std::size_t rows = 0;
  for (; std::getline(csv, line); ++rows) {
    const auto& r = records[rows];
    BOOST_TEST(line == r.file + "," + std::string(class_name(r.cls)) + "," + std::to_string(r.lesion_count));
  }
  BOOST_TEST(rows == 12u);
  image_folder_options quiet;
  quiet.classes = {"healthy", "mild", "moderate", "severe"};
  quiet.warnings = nullptr;
  image_folder folder(dir.path(), quiet);
  BOOST_TEST(folder.size() == 12u);
  BOOST_TEST(folder.skipped().empty());
  // the files are the in-memory renders
  phantom_dataset memory(paper_class_counts(3), 1000, sized(48));
  for (std::size_t i = 0; i < 12; ++i) {
    BOOST_TEST(folder.label(i) == memory.label(i));
    BOOST_TEST(same_bytes(folder.load(i), memory.load(i)));
  }
  BOOST_CHECK_THROW(write_phantom_dataset(dir / "x", {{acne_class::mild, 1}, {acne_class::mild, 2}}, 32, 1), acne::error);
}

BOOST_AUTO_TEST_CASE(grid_has_one_cell_per_image) {
  std::vector<cv::Mat> images(5, cv::Mat(40, 40, CV_8UC3, cv::Scalar::all(90)));
  const cv::Mat g = make_grid(images, {"a", "b", "c", "d", "e"}, 3, 32);
  BOOST_TEST(g.cols > 3 * 32);
  BOOST_TEST(g.rows > 2 * 32);
  BOOST_TEST(g.cols < 3 * 48);
  BOOST_CHECK_THROW(make_grid(images, {"a"}, 3), acne::error);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_data_phantom
