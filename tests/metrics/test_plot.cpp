#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <opencv2/imgcodecs.hpp>

#include "acne/io/plot.hpp"
#include "acne/metrics/classification.hpp"

namespace test_metrics_plot {

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

BOOST_AUTO_TEST_CASE(ticks_fall_on_nice_steps) {
  // 97 / 8 intervals = 12.1 rounds up to a step of 20.
  const auto wide = io::detail::make_ticks(0, 97, 8, false, false);
  BOOST_TEST(wide.step == 20.0);
  BOOST_TEST(wide.values == (std::vector<double>{0, 20, 40, 60, 80}), boost::test_tools::per_element());
  BOOST_TEST(wide.decimals == 0);
  // A step of 2.5 x 10^k needs one decimal more than its exponent: 0.25 shows as "0.25".
  const auto unit = io::detail::make_ticks(0, 1, 4, false, false);
  BOOST_TEST(unit.step == 0.25);
  BOOST_TEST(unit.values.size() == 5u);
  BOOST_TEST(unit.decimals == 2);
  BOOST_TEST(io::detail::format_number(unit.values[1], unit.decimals) == "0.25");
  // Integer axes (epochs) never step below 1; expanding snaps the range out to whole steps.
  BOOST_TEST(io::detail::make_ticks(0, 3, 8, true, false).step == 1.0);
  const auto expanded = io::detail::make_ticks(0.3, 9.7, 5, false, true);
  BOOST_TEST(expanded.lo == 0.0);
  BOOST_TEST(expanded.hi == 10.0);
  BOOST_TEST(expanded.values.size() == 6u);
  // A single value gets a window of +-10% around it.
  const auto single = io::detail::make_ticks(5, 5, 6, false, false);
  BOOST_TEST(single.lo == 4.5);
  BOOST_TEST(single.hi == 5.5);
  BOOST_TEST(io::detail::format_number(2e6, 0) == "2e+06");
  BOOST_TEST(io::detail::format_number(1234.5, 1) == "1234.5");
}

BOOST_AUTO_TEST_CASE(legend_goes_where_the_data_is_not) {
  // A rising diagonal leaves the top-left and bottom-right corners empty; top right is tried first
  // and holds the last points, so the legend goes top left.
  io::plot_series rising{.name = "rising"};
  for (int i = 0; i <= 10; ++i) rising.y.push_back(i);
  const std::vector series{rising};
  const auto frame = io::detail::make_line_plot_frame(series, {});
  const cv::Size size(150, 40);
  const cv::Rect box = io::detail::legend_box(size, series, frame);
  BOOST_TEST(box.size() == size);
  BOOST_TEST(box.x < frame.area.x + frame.area.width / 2);
  BOOST_TEST(box.y < frame.area.y + frame.area.height / 2);
  BOOST_TEST(io::detail::points_under(box, series, frame) == 0u);
  // Falling data fills top left and bottom right instead: the legend takes the free top right.
  io::plot_series falling{.name = "falling"};
  for (int i = 0; i <= 10; ++i) falling.y.push_back(10 - i);
  const std::vector other{falling};
  const cv::Rect right = io::detail::legend_box(size, other, io::detail::make_line_plot_frame(other, {}));
  BOOST_TEST(right.x > frame.area.x + frame.area.width / 2);
  BOOST_TEST(right.y < frame.area.y + frame.area.height / 2);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_metrics_plot
