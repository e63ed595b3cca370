// The classifier path of `acne-classify --device cuda`: a reduced ResNet50V2 trained by the
// library's trainer on the GPU learns, and its checkpoint, loaded into the same network on the CPU,
// gives the probabilities the GPU gives. (The suite's global fixture skips it without a GPU.)
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "acne/backend/cuda.hpp"
#include "acne/data/phantom_dataset.hpp"
#include "acne/io/checkpoint.hpp"
#include "acne/models/classifier.hpp"
#include "acne/train/classifier_trainer.hpp"
#include "acne/train/evaluate.hpp"

namespace test_cuda_classifier_on_gpu {

BOOST_AUTO_TEST_SUITE(classifier_on_gpu)

BOOST_AUTO_TEST_CASE(trains_on_the_gpu_and_its_checkpoint_runs_on_the_cpu) {
  const acne::data::phantom_dataset data(acne::data::paper_class_counts(12), 3, {.size = 32});
  acne::classifier_spec spec;
  spec.width = 1.0 / 16;
  spec.blocks = {1, 1, 1, 1};
  spec.image_size = 32;
  spec.class_names = data.classes();

  acne::train::classifier_train_options o;
  o.epochs = 4;
  o.batch_size = 8;
  o.learning_rate = 1e-3;
  o.seed = 2;
  o.log = nullptr;
  std::vector<cv::Mat> images;
  for (std::size_t i = 0; i < data.size(); i += 5) images.push_back(data.load(i));
  const auto file = std::filesystem::temp_directory_path() /
                    ("acne-gpu-classifier-" + std::to_string(std::random_device{}()) + ".safetensors");

  std::vector<std::vector<float>> on_gpu, on_cpu;
  acne::with_classifier<float, acne::cuda>(spec, 1, [&](auto& net) {
    const auto r = acne::train::train_classifier(net, spec, data, o);
    BOOST_TEST(r.history.epochs.size() == o.epochs);
    BOOST_TEST(r.history.epochs.back().loss < r.history.epochs.front().loss);
    acne::io::save_checkpoint(file, net, acne::io::checkpoint_meta{spec.architecture, spec.to_json(), o.epochs, 0, {}});
    on_gpu = acne::train::predict_probabilities(net, images, spec.image_size);
  });
  acne::with_classifier<float, acne::cpu>(spec, 99, [&](auto& net) {
    acne::io::load_checkpoint(file, net, {.architecture = spec.architecture});
    on_cpu = acne::train::predict_probabilities(net, images, spec.image_size);
  });
  std::filesystem::remove(file);

  BOOST_REQUIRE(on_gpu.size() == images.size());
  BOOST_REQUIRE(on_cpu.size() == images.size());
  double worst = 0;
  for (std::size_t i = 0; i < images.size(); ++i)
    for (std::size_t c = 0; c < spec.classes(); ++c) worst = std::max(worst, double(std::fabs(on_gpu[i][c] - on_cpu[i][c])));
  BOOST_TEST_MESSAGE("largest probability difference GPU vs CPU: " << worst);
  BOOST_TEST(worst < 1e-4);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_cuda_classifier_on_gpu
