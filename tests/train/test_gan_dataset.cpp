// A GAN's training images rebuilt from their description: a folder's class sub-folders as one set
// (the pipeline's all-severity GAN), a single class, and a class folder that holds no image.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <string>

#include <opencv2/core.hpp>

#include "acne/io/image.hpp"
#include "acne/train/gan_dataset.hpp"
#include "support/scratch_dir.hpp"

namespace test_train_gan_dataset {

namespace {

// root/<cls>/<i>.png, each image filled with `value + i`.
void write_class(const std::filesystem::path& root, const std::string& cls, int count, int value) {
  for (int i = 0; i < count; ++i)
    acne::io::write_image(root / cls / (std::to_string(i) + ".png"), cv::Mat(4, 4, CV_8UC3, cv::Scalar::all(value + i)));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(gan_dataset)

BOOST_AUTO_TEST_CASE(the_named_class_folders_are_one_set) {
  acne::test::scratch_dir root("gan-dataset");
  write_class(root.path(), "healthy", 2, 10);
  write_class(root.path(), "mild", 3, 50);
  write_class(root.path(), "severe", 1, 90);
  const auto both = acne::train::open_gan_dataset(acne::train::folder_dataset_description(root.path(), std::vector<std::string>{"mild", "severe"}), 4);
  BOOST_REQUIRE(both.source.size == 4u);
  for (std::size_t i = 0; i < 4; ++i) BOOST_TEST(both.source.label(i) == 0);  // one unconditional set
  BOOST_TEST(int(both.source.load(0).at<cv::Vec3b>(0, 0)[0]) == 50);
  BOOST_TEST(int(both.source.load(3).at<cv::Vec3b>(0, 0)[0]) == 90);
  BOOST_TEST(both.description.find("[\"mild\",\"severe\"]") != std::string::npos, both.description);

  const auto one = acne::train::open_gan_dataset(acne::train::folder_dataset_description(root.path(), std::string("healthy")), 4);
  BOOST_TEST(one.source.size == 2u);
  const auto all = acne::train::open_gan_dataset(acne::train::folder_dataset_description(root.path(), std::string()), 4);
  BOOST_TEST(all.source.size == 6u);

  std::filesystem::create_directories(root.path() / "moderate");
  BOOST_CHECK_THROW(acne::train::open_gan_dataset(
                        acne::train::folder_dataset_description(root.path(), std::vector<std::string>{"mild", "moderate"}), 4),
                    acne::error);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_train_gan_dataset
