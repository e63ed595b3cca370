// End to end on the CPU: a reduced ResNetV2 (the same definition at 1/8 width, one block per
// stage, 64 px) trained on phantom faces with the trainer's defaults except size and epochs must
// classify a held-out phantom set (other seed, never seen) with at least 90 % accuracy.
#include <boost/test/unit_test.hpp>

#include <chrono>

#include "acne/train/classifier_trainer.hpp"
#include "train_test_util.hpp"

#ifndef PER_CLASS
#define PER_CLASS 100
#define WIDTH 0.125
#define EPOCHS 10
#define LR 1e-3
#endif

BOOST_AUTO_TEST_SUITE(phantom_accuracy)

BOOST_AUTO_TEST_CASE(reduced_resnet_v2_learns_phantom_severity) {
  const auto start = std::chrono::steady_clock::now();
  const std::size_t size = 64;
  const acne::test::cached_phantoms train_set(PER_CLASS, 11, int(size));
  const acne::test::cached_phantoms test_set(40, 97, int(size));

  acne::classifier_spec spec;
  spec.architecture = "resnet50v2";
  spec.width = WIDTH;
  spec.blocks = {1, 1, 1, 1};
  spec.image_size = size;
  spec.class_names = train_set.classes();

  acne::train::classifier_train_options o;
  o.epochs = EPOCHS;
  o.learning_rate = LR;
  o.seed = 5;
  o.log = &std::cout;
  o.log_every = 1000;
  acne::train::classifier_train_result result;
  const auto ev = acne::with_classifier<float>(spec, 5, [&](auto& net) {
    result = acne::train::train_classifier(net, spec, train_set, o);
    return acne::train::evaluate_classifier(net, test_set, spec.class_names, {.image_size = size});
  });
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  BOOST_TEST_MESSAGE("held-out accuracy " << ev.report.accuracy << " after " << seconds << " s\n" << ev.report.to_text());
  std::cout << ev.report.to_text() << " seconds " << seconds << "\n";
  BOOST_TEST(ev.report.accuracy >= 0.9);
  BOOST_TEST(result.history.epochs.size() == o.epochs);
  BOOST_TEST(result.history.epochs.back().accuracy > result.history.epochs.front().accuracy);
}

BOOST_AUTO_TEST_SUITE_END()
