// Faces, landmarks and alignment on a photograph of a real face (astronaut.png of Debian's
// python3-imageio, 512 x 512): dlib's landmarks land within a few pixels of positions read off the
// image by hand; the similarity estimate and DFDNet's template are those of the official code
// (tools/dfdnet_alignment_reference.py with scikit-image); an FFHQ-aligned face, detected again,
// has its eyes where the alignment's transform puts them, level.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <vector>

#include <opencv2/core.hpp>

#include "support/astronaut.hpp"
#include "acne/face/detector.hpp"
#include "acne/face/dfdnet_alignment.hpp"
#include "acne/face/ffhq_alignment.hpp"
#include "acne/face/paste_back.hpp"
#include "acne/io/image.hpp"

namespace test_face_alignment {

namespace fs = std::filesystem;
namespace f = acne::face;
namespace utf = boost::unit_test;

using acne::test::astronaut;

namespace {

f::face_detector& detector() {
  static f::face_detector d;
  return d;
}

double distance(cv::Point2d a, cv::Point2d b) { return std::hypot(a.x - b.x, a.y - b.y); }

}  // namespace

BOOST_AUTO_TEST_SUITE(face_alignment)

BOOST_AUTO_TEST_CASE(landmarks_of_a_photograph_land_where_a_reader_puts_them, *utf::precondition(acne::test::astronaut_and_landmarks{})) {
  const auto faces = detector().detect(acne::io::read_image(astronaut));
  BOOST_REQUIRE(faces.size() == 1u);
  const auto& face = faces[0];
  // Read off the image by hand (pixel centres): pupils, the bottom of the nose between the nostrils,
  // mouth corners, the chin's lowest point.
  BOOST_TEST(distance(f::left_eye(face), {203, 102}) < 4, f::left_eye(face));
  BOOST_TEST(distance(f::right_eye(face), {246, 103}) < 4, f::right_eye(face));
  BOOST_TEST(distance(face.points[33], {224, 134}) < 4, face.points[33]);
  BOOST_TEST(distance(f::mouth_left(face), {201, 141}) < 4, f::mouth_left(face));
  BOOST_TEST(distance(f::mouth_right(face), {245, 141}) < 4, f::mouth_right(face));
  BOOST_TEST(distance(face.points[8], {221, 178}) < 5, face.points[8]);
}

BOOST_AUTO_TEST_CASE(a_small_copy_of_the_photograph_gives_the_same_landmarks_scaled, *utf::precondition(acne::test::astronaut_and_landmarks{})) {
  const cv::Mat photo = acne::io::read_image(astronaut);
  cv::Mat small;
  cv::resize(photo, small, {128, 128}, 0, 0, cv::INTER_AREA);
  const auto big = detector().detect(photo), little = detector().detect(small);
  BOOST_REQUIRE(big.size() == 1u);
  BOOST_REQUIRE(little.size() == 1u);
  const double scale = 128.0 / 512.0;
  for (const std::size_t i : {36u, 45u, 33u, 48u, 54u}) {
    const cv::Point2d expected((big[0].points[i].x + 0.5) * scale - 0.5, (big[0].points[i].y + 0.5) * scale - 0.5);
    BOOST_TEST(distance(little[0].points[i], expected) < 1.5, "landmark " << i << ": " << little[0].points[i] << " vs " << expected);
  }
}

BOOST_AUTO_TEST_CASE(a_large_copy_is_searched_reduced_and_its_landmarks_placed_on_the_full_image,
                     *utf::precondition(acne::test::astronaut_and_landmarks{})) {
  const cv::Mat photo = acne::io::read_image(astronaut);
  cv::Mat large;
  cv::resize(photo, large, {2048, 2048}, 0, 0, cv::INTER_CUBIC);
  const auto at_512 = detector().detect(photo), at_2048 = detector().detect(large);
  BOOST_REQUIRE(!at_2048.empty());
  for (const std::size_t i : {36u, 45u, 33u, 48u, 54u}) {
    const cv::Point2d expected((at_512[0].points[i].x + 0.5) * 4 - 0.5, (at_512[0].points[i].y + 0.5) * 4 - 0.5);
    BOOST_TEST(distance(at_2048[0].points[i], expected) < 8, "landmark " << i << ": " << at_2048[0].points[i] << " vs " << expected);
  }
}

BOOST_AUTO_TEST_CASE(no_face_in_a_flat_image_and_a_missing_model_is_named) {
  BOOST_TEST(detector().detect(cv::Mat(300, 300, CV_8UC3, cv::Scalar::all(128))).empty());
  BOOST_CHECK_EXCEPTION(f::face_detector({.landmark_model = "/nonexistent/model.dat"}), acne::error, [](const auto& e) {
    return std::string(e.what()).find("/nonexistent/model.dat") != std::string::npos;
  });
}

BOOST_AUTO_TEST_CASE(the_similarity_and_the_template_are_the_official_codes) {
  // tools/dfdnet_alignment_reference.py /path/to/DFDNet: the template, and scikit-image's
  // SimilarityTransform from these five points onto it.
  const std::vector<cv::Point2d> source{{255, 104}, {238, 105}, {195, 101}, {212, 104}, {224, 134}};
  const std::vector<cv::Point2d> official_template{{343.38613861, 244.31188119}, {293.38613861, 246.79702970},
                                                   {168.95544554, 244.19306931}, {218.97524752, 246.75742574},
                                                   {256.79207921, 339.25247525}};
  for (std::size_t i = 0; i < 5; ++i) BOOST_TEST(distance(f::dfdnet_template()[i], official_template[i]) < 1e-8);
  const cv::Matx23d m = f::estimate_similarity(source, f::dfdnet_template());
  const double official[6] = {2.936450501897, 0.133063897676, -418.398866110677,
                              -0.133063897676, 2.936450501897, -27.659834572669};
  for (int k = 0; k < 6; ++k) BOOST_TEST(m.val[k] == official[k], boost::test_tools::tolerance(1e-9));
  // Exact on points that are a similarity image of each other: rotation 30 degrees, scale 2, shift.
  std::vector<cv::Point2d> moved;
  const double c = 2 * std::cos(M_PI / 6), s = 2 * std::sin(M_PI / 6);
  for (const auto& p : source) moved.push_back({c * p.x - s * p.y + 7, s * p.x + c * p.y - 3});
  const cv::Matx23d exact = f::estimate_similarity(source, moved);
  const double expected[6] = {c, -s, 7, s, c, -3};
  for (int k = 0; k < 6; ++k) BOOST_TEST(exact.val[k] == expected[k], boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(dfdnet_alignment_puts_the_five_points_on_the_template_and_keeps_the_way_back,
                     *utf::precondition(acne::test::astronaut_and_landmarks{})) {
  const cv::Mat photo = acne::io::read_image(astronaut);
  const auto face = detector().detect(photo).at(0);
  const auto a = f::dfdnet_align(photo, face);
  BOOST_TEST(a.image.rows == 512);
  BOOST_TEST(a.image.cols == 512);
  const auto five = f::five_points(face);
  for (std::size_t i = 0; i < 5; ++i) {
    BOOST_TEST(distance(f::apply(a.to_face, five[i]), f::dfdnet_template()[i]) < 25, "point " << i);
    BOOST_TEST(distance(f::apply(a.to_image, f::apply(a.to_face, five[i])), five[i]) < 1e-9);
  }
  // The aligned face, detected again, has its eyes where the template has them.
  const auto again = detector().detect(a.image);
  BOOST_REQUIRE(!again.empty());
  BOOST_TEST(distance(again[0].points[36], f::dfdnet_template()[2]) < 15, again[0].points[36]);
  BOOST_TEST(distance(again[0].points[45], f::dfdnet_template()[0]) < 15, again[0].points[45]);
}

BOOST_AUTO_TEST_CASE(a_face_pasted_back_returns_the_photograph_and_fades_in_a_new_one, *utf::precondition(acne::test::astronaut_and_landmarks{})) {
  const cv::Mat photo = acne::io::read_image(astronaut);
  const auto a = f::dfdnet_align(photo, detector().detect(photo).at(0));
  // The aligned face itself, pasted back: the photograph again, up to two resamplings.
  const cv::Mat back = f::paste_back(photo, a.image, a.to_image);
  BOOST_REQUIRE(back.size() == photo.size());
  BOOST_TEST(cv::norm(back, photo, cv::NORM_L1) / double(photo.total() * 3) < 2.0);
  // A grey "restoration": grey at the face's centre, the photograph untouched far from it, and in
  // between a blend of the two (the official blend also multiplies the face by its eroded footprint,
  // so at the seam's outer edge it dips a little below both: 10% at most).
  const cv::Mat grey(a.image.size(), CV_8UC3, cv::Scalar::all(128));
  const cv::Mat pasted = f::paste_back(photo, grey, a.to_image);
  const cv::Point centre = f::apply(a.to_image, {255.5, 255.5});
  BOOST_TEST(cv::norm(pasted.at<cv::Vec3b>(centre), cv::Vec3b::all(128)) < 2);
  const cv::Rect corner(0, 400, 60, 60);  // the bottom-left corner, outside the 512 face's footprint
  BOOST_TEST(cv::norm(pasted(corner), photo(corner), cv::NORM_INF) == 0);
  std::size_t blended = 0;
  for (int x = centre.x; x < photo.cols; ++x) {
    const auto p = pasted.at<cv::Vec3b>(centre.y, x), o = photo.at<cv::Vec3b>(centre.y, x);
    for (int c = 0; c < 3; ++c) BOOST_TEST(int(p[c]) >= 0.9 * std::min(int(o[c]), 128) - 1);
    for (int c = 0; c < 3; ++c) BOOST_TEST(int(p[c]) <= std::max(int(o[c]), 128) + 1);
    blended += p != o && p != cv::Vec3b::all(128);
  }
  BOOST_TEST(blended > 5u, "a seam " << blended << " pixels wide");
  // Twice the size: the enlarged photograph where the face is not.
  const cv::Mat twice = f::paste_back(photo, a.image, a.to_image, 2);
  cv::Mat enlarged;
  cv::resize(photo, enlarged, {1024, 1024});
  BOOST_TEST(twice.rows == 1024);
  BOOST_TEST(cv::norm(twice(cv::Rect(0, 800, 120, 120)), enlarged(cv::Rect(0, 800, 120, 120)), cv::NORM_INF) == 0);
}

BOOST_AUTO_TEST_CASE(an_ffhq_aligned_face_has_level_eyes_where_its_transform_puts_them, *utf::precondition(acne::test::astronaut_and_landmarks{})) {
  const cv::Mat photo = acne::io::read_image(astronaut);
  const auto face = detector().detect(photo).at(0);
  const int size = 256;
  const auto a = f::ffhq_align(photo, face, size);
  BOOST_REQUIRE(a.image.rows == size);
  BOOST_REQUIRE(a.image.cols == size);
  const auto again = detector().detect(a.image);
  BOOST_REQUIRE(!again.empty());
  const cv::Point2d el = f::apply(a.to_face, f::left_eye(face)), er = f::apply(a.to_face, f::right_eye(face));
  BOOST_TEST(distance(f::left_eye(again[0]), el) < 4, f::left_eye(again[0]) << " vs " << el);
  BOOST_TEST(distance(f::right_eye(again[0]), er) < 4, f::right_eye(again[0]) << " vs " << er);
  // The recipe levels the eyes and centres them: eye line horizontal, midpoint on the centre column.
  BOOST_TEST(std::abs(el.y - er.y) < 1.5);
  BOOST_TEST(std::abs((el.x + er.x) / 2 - (size - 1) / 2.0) < 3);
  // The side is twice max(2 |eye_to_eye|, 1.8 |eye_to_mouth|): the eyes are at most a quarter of it
  // apart, a quarter exactly when the eye distance decides, as in this frontal face.
  BOOST_TEST(er.x - el.x <= size / 4.0 + 0.5);
  BOOST_TEST(er.x - el.x >= size / 4.0 - 2);
}

BOOST_AUTO_TEST_CASE(ffhq_alignment_pads_a_face_near_the_border) {
  // A synthetic "face" (points only) whose quad reaches past the image on the left and top: the output
  // is filled by the reflected, faded padding, not black.
  cv::Mat image(120, 120, CV_8UC3, cv::Scalar(30, 140, 200));
  f::face_landmarks face;
  for (std::size_t i = 36; i <= 41; ++i) face.points[i] = {10, 20};
  for (std::size_t i = 42; i <= 47; ++i) face.points[i] = {40, 20};
  face.points[48] = {15, 50};
  face.points[54] = {35, 50};
  const auto a = f::ffhq_align(image, face, 64);
  BOOST_REQUIRE(a.image.rows == 64);
  cv::Mat gray;
  cv::cvtColor(a.image, gray, cv::COLOR_BGR2GRAY);
  double lowest = 0;
  cv::minMaxLoc(gray, &lowest);
  BOOST_TEST(lowest > 60, "darkest output pixel " << lowest);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_face_alignment
