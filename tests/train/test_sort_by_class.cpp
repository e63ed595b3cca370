// Sorting generated images by a classifier (the paper's hierarchy): each image lands in the folder of
// the class the classifier finds most probable for it alone, sorted.csv and the summary agree with
// those probabilities, and sorting again gives the same folders.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "acne/io/image.hpp"
#include "acne/io/report.hpp"
#include "acne/models/classifier.hpp"
#include "acne/train/sort_by_class.hpp"
#include "support/scratch_dir.hpp"
#include "train_test_util.hpp"

namespace test_train_sort_by_class {

namespace fs = std::filesystem;

BOOST_AUTO_TEST_SUITE(sort_by_class)

BOOST_AUTO_TEST_CASE(each_image_goes_to_its_most_probable_class_with_its_confidence) {
  acne::test::scratch_dir dir("sort-by-class");
  const acne::test::cached_phantoms faces(3, 5, 32);
  std::vector<fs::path> images;
  for (std::size_t i = 0; i < faces.size(); ++i) {
    images.push_back(dir.path() / "drawn" / ("seed" + std::to_string(1000 + i) + ".png"));
    acne::io::write_image(images.back(), faces.load(i));
  }
  acne::classifier_spec spec;
  spec.width = 1.0 / 16;
  spec.blocks = {1, 1, 1, 1};
  spec.image_size = 32;
  spec.class_names = {"mild", "moderate", "severe"};
  const fs::path out = dir.path() / "sorted";
  acne::with_classifier<float>(spec, 4, [&](auto& net) {
    // A batch size that leaves a short last batch.
    const acne::train::sort_options o{.image_size = 32, .batch_size = 5};
    const auto r = acne::train::sort_by_class(net, images, spec.class_names, out, o);
    std::vector<std::size_t> counts(3, 0);
    std::vector<double> confidence(3, 0.0);
    std::ostringstream rows;
    for (const auto& file : images) {
      const auto p = acne::train::predict_probabilities(net, {acne::io::read_image(file)}, 32, o.filter).at(0);
      const std::size_t c = std::size_t(std::max_element(p.begin(), p.end()) - p.begin());
      ++counts[c];
      confidence[c] += p[c];
      for (std::size_t k = 0; k < 3; ++k)
        BOOST_TEST(fs::exists(out / spec.class_names[k] / file.filename()) == (k == c), file.filename() << " in " << k);
    }
    BOOST_TEST(r.counts == counts, boost::test_tools::per_element());
    for (std::size_t c = 0; c < 3; ++c)
      BOOST_TEST(r.mean_confidence[c] == (counts[c] ? confidence[c] / double(counts[c]) : 0.0), boost::test_tools::tolerance(1e-5));
    const std::string csv = acne::io::read_text_file(out / "sorted.csv");
    BOOST_TEST(std::count(csv.begin(), csv.end(), '\n') == long(images.size()) + 1);
    BOOST_TEST(csv.starts_with("image,class,confidence,p_mild,p_moderate,p_severe\n"));
    BOOST_TEST(acne::io::read_json_file(out / "sorted.json").at("severe").at("images").get<std::size_t>() == counts[2]);

    const auto again = acne::train::sort_by_class(net, images, spec.class_names, out, o);
    BOOST_TEST(again.counts == counts, boost::test_tools::per_element());
    std::size_t files = 0;
    for (const auto& c : spec.class_names) files += acne::io::list_images(out / c).size();
    BOOST_TEST(files == images.size());
  });
}

BOOST_AUTO_TEST_CASE(a_classifier_of_other_classes_is_an_error) {
  acne::test::scratch_dir dir("sort-by-class-mismatch");
  const fs::path image = dir.path() / "a.png";
  acne::io::write_image(image, cv::Mat(32, 32, CV_8UC3, cv::Scalar::all(90)));
  acne::classifier_spec spec;
  spec.width = 1.0 / 16;
  spec.blocks = {1, 1, 1, 1};
  spec.image_size = 32;
  spec.class_names = {"healthy", "mild", "moderate", "severe"};
  acne::with_classifier<float>(spec, 4, [&](auto& net) {
    BOOST_CHECK_EXCEPTION(acne::train::sort_by_class(net, {image}, {"mild", "moderate", "severe"}, dir.path() / "s", {.image_size = 32}),
                          acne::error, [](const acne::error& e) { return std::string(e.what()).find("4 scores for 3 classes") != std::string::npos; });
  });
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_train_sort_by_class
