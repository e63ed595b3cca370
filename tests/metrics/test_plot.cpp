#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <opencv2/imgcodecs.hpp>

#include "acne/io/plot.hpp"
#include "acne/metrics/classification.hpp"

namespace fs = std::filesystem;
namespace io = acne::io;

namespace {
fs::path plot_dir() {
  const fs::path dir = fs::path(ACNE_TEST_BINARY_DIR) / "test_output" / "plots";
  fs::create_directories(dir);
  return dir;
}

// Pixels that differ from white.
int non_background(const cv::Mat& image) {
  cv::Mat gray, mask;
  cv::cvtColor(image, gray, cv::COLOR_BGR2GRAY);
  cv::threshold(gray, mask, 250, 255, cv::THRESH_BINARY_INV);
  return cv::countNonZero(mask);
}

// Pixels within `tol` of a BGR colour.
int pixels_near(const cv::Mat& image, const cv::Scalar& color, int tol = 30) {
  cv::Mat mask;
  cv::inRange(image, color - cv::Scalar::all(tol), color + cv::Scalar::all(tol), mask);
  return cv::countNonZero(mask);
}

bool no_temporary_files(const fs::path& dir) {
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.path().filename().string().find(".tmp") != std::string::npos) return false;
  return true;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(plot)

BOOST_AUTO_TEST_CASE(fid_curve_png) {
  // An FID-per-tick curve shaped like the paper's Fig. 4(a): 115.2 at tick 0 down to ~7.2 at tick 70.
  io::plot_series fid{.name = "FID (50k)", .mark_minimum = true};
  for (int tick = 0; tick <= 100; tick += 10) {
    fid.x.push_back(tick);
    fid.y.push_back(7.2 + 108.0 * std::exp(-tick / 15.0) + (tick > 70 ? 0.05 * (tick - 70) : 0.0));
  }
  const fs::path path = plot_dir() / "fid_curve.png";
  io::save_line_plot(path, std::vector{fid},
                     {.title = "First facial acne model: FID per tick", .x_label = "tick", .y_label = "FID",
                      .width = 800, .height = 500, .integer_x = true});
  const cv::Mat image = cv::imread(path.string(), cv::IMREAD_COLOR);
  BOOST_REQUIRE(!image.empty());
  BOOST_TEST(image.cols == 800);
  BOOST_TEST(image.rows == 500);
  BOOST_TEST(non_background(image) > 2000);
  BOOST_TEST(pixels_near(image, io::detail::palette(0)) > 300);  // the blue series line and markers
  BOOST_TEST(no_temporary_files(plot_dir()));
}

BOOST_AUTO_TEST_CASE(accuracy_and_loss_curves_png) {
  // Train/validation curves per epoch (the paper's Figs. 8/9).
  io::plot_series train{.name = "train accuracy"}, val{.name = "validation accuracy", .dashed = true};
  io::plot_series train_loss{.name = "train loss"}, val_loss{.name = "validation loss", .dashed = true};
  for (int epoch = 1; epoch <= 30; ++epoch) {
    const double e = epoch;
    train.x.push_back(e), val.x.push_back(e), train_loss.x.push_back(e), val_loss.x.push_back(e);
    train.y.push_back(1.0 - 0.7 * std::exp(-e / 5.0));
    val.y.push_back(0.98 - 0.7 * std::exp(-e / 6.0) + 0.01 * std::sin(e));
    train_loss.y.push_back(1.3 * std::exp(-e / 6.0) + 0.03);
    val_loss.y.push_back(1.3 * std::exp(-e / 7.0) + 0.06 + 0.02 * std::cos(e));
  }
  const fs::path acc_path = plot_dir() / "accuracy_curves.png", loss_path = plot_dir() / "loss_curves.png";
  io::save_line_plot(acc_path, std::vector{train, val},
                     {.title = "InceptionResNetV2 accuracy", .x_label = "epoch", .y_label = "accuracy",
                      .width = 640, .height = 420, .markers = false, .integer_x = true});
  io::save_line_plot(loss_path, std::vector{train_loss, val_loss},
                     {.title = "InceptionResNetV2 loss", .x_label = "epoch", .y_label = "loss", .width = 640,
                      .height = 420, .integer_x = true});
  for (const auto& path : {acc_path, loss_path}) {
    const cv::Mat image = cv::imread(path.string(), cv::IMREAD_COLOR);
    BOOST_REQUIRE(!image.empty());
    BOOST_TEST(image.cols == 640);
    BOOST_TEST(image.rows == 420);
    BOOST_TEST(pixels_near(image, io::detail::palette(0)) > 200);  // series 1
    BOOST_TEST(pixels_near(image, io::detail::palette(1)) > 100);  // series 2 (dashed)
  }
  BOOST_CHECK_THROW(io::render_line_plot(std::vector{train}, {.width = 50, .height = 50}), acne::error);
  io::plot_series bad{.name = "bad", .x = {1, 2}, .y = {1}};
  BOOST_CHECK_THROW(io::render_line_plot(std::vector{bad}, {}), acne::error);
}

BOOST_AUTO_TEST_CASE(confusion_matrix_png) {
  // A 4-class matrix in the style of the paper's Fig. 7.
  const std::vector<int> y_true{0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3};
  const std::vector<int> y_pred{0, 0, 0, 1, 1, 1, 2, 2, 2, 1, 2, 2, 3, 3, 2};
  const acne::metrics::confusion_matrix cm(y_true, y_pred, 4);
  const std::vector<std::string> names{"healthy", "mild", "moderate", "severe"};
  const fs::path path = plot_dir() / "confusion_matrix.png";
  io::save_confusion_matrix(path, cm.counts(), names, {.title = "InceptionResNetV2"});
  const cv::Mat image = cv::imread(path.string(), cv::IMREAD_COLOR);
  BOOST_REQUIRE(!image.empty());
  BOOST_TEST(image.cols > 4 * 120);
  BOOST_TEST(image.rows > 4 * 120);
  // The diagonal cells (row fractions 3/4, 2/3, 4/5, 2/3) are dark blue: Blues(0.75) ~ BGR (181, 113, 33).
  BOOST_TEST(pixels_near(image, io::detail::blues(0.75), 40) > 3 * 100 * 100 / 2);
  BOOST_CHECK_THROW(io::render_confusion_matrix(cm.counts(), {"a", "b"}), acne::error);
}

BOOST_AUTO_TEST_CASE(image_grid_png) {
  // Five 32x32 tiles of distinct colours, 3 columns, padding 4: width 3*(32+4)+4 = 112,
  // height 2*(32+4)+4 = 76 without labels.
  std::vector<cv::Mat> images;
  const cv::Scalar colors[] = {{0, 0, 255}, {0, 255, 0}, {255, 0, 0}, {0, 255, 255}, {255, 0, 255}};
  for (const auto& c : colors) images.emplace_back(32, 32, CV_8UC3, c);
  images[4] = cv::Mat(16, 16, CV_8UC1, cv::Scalar(128));  // gray and smaller: converted and resized
  const fs::path path = plot_dir() / "grid.png";
  io::save_image_grid(path, images, {.cols = 3});
  const cv::Mat grid = cv::imread(path.string(), cv::IMREAD_COLOR);
  BOOST_REQUIRE(!grid.empty());
  BOOST_TEST(grid.cols == 112);
  BOOST_TEST(grid.rows == 76);
  BOOST_TEST(grid.at<cv::Vec3b>(4 + 16, 4 + 36 + 16) == cv::Vec3b(0, 255, 0));         // tile 1, row 0 col 1
  BOOST_TEST(grid.at<cv::Vec3b>(4 + 36 + 16, 4 + 16) == cv::Vec3b(0, 255, 255));       // tile 3, row 1 col 0
  BOOST_TEST(grid.at<cv::Vec3b>(4 + 36 + 16, 4 + 36 + 16) == cv::Vec3b(128, 128, 128));  // tile 4
  BOOST_TEST(grid.at<cv::Vec3b>(4 + 36 + 16, 4 + 72 + 16) == cv::Vec3b(255, 255, 255));  // empty slot

  // With labels every cell gets a caption strip below it.
  const fs::path labelled = plot_dir() / "grid_labelled.png";
  std::vector<cv::Mat> faces;
  for (int i = 0; i < 6; ++i) {
    cv::Mat face(96, 96, CV_8UC3, cv::Scalar(200, 220, 235));
    cv::circle(face, {48, 48}, 30 + i, cv::Scalar(120, 150, 200), cv::FILLED);
    faces.push_back(face);
  }
  io::save_image_grid(labelled, faces,
                      {.cols = 3, .labels = {"mild 1", "mild 2", "moderate 1", "moderate 2", "severe 1", "severe 2"}});
  const cv::Mat with_labels = cv::imread(labelled.string(), cv::IMREAD_COLOR);
  BOOST_REQUIRE(!with_labels.empty());
  BOOST_TEST(with_labels.cols == 3 * (96 + 4) + 4);
  BOOST_TEST(with_labels.rows > 2 * (96 + 4) + 4);
  BOOST_CHECK_THROW(io::make_image_grid(faces, {.labels = {"only one"}}), acne::error);
  BOOST_TEST(no_temporary_files(plot_dir()));
}

BOOST_AUTO_TEST_SUITE_END()
