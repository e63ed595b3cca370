// End to end on the CPU, on the paper's four classes (healthy, mild, moderate, severe; Hayashi
// counts per graded half face 0, 1-5, 6-20, 21-50; very severe is not drawn): a reduced ResNet50V2
// (the same keras-applications definition at 1/8 width, one block per stage, 80 px input) is trained
// on phantom faces with the trainer's defaults (rotation / brightness / flip augmentation, stratified
// 80/20 split, save-best checkpoint, batch 16) except epochs and learning rate; its best checkpoint,
// as the paper used it, then classifies a held-out phantom set (another seed: faces never seen)
// with >= 90 % accuracy.
//
// Why these sizes: the classes differ only in how many lesions a face carries (whole face: mild
// 2-10, moderate 12-40, severe 42-100), and the errors sit at those boundaries, most of them mild
// faces with two to five small lesions on darker skin taken for healthy. At 64 px this model stayed
// at 0.92-0.93 whatever else was spent within the budget (1200-2000 faces per class, 20-30 epochs,
// width 1/4, two blocks per stage, a learning-rate step); at 80 px (a 20x20 map after the stem
// instead of 16x16) it reaches 0.92-0.94. Training runs on one thread, OpenMP and BLAS, so the
// result is reproducible bit for bit (with two threads the gradient sums round differently from run
// to run); on this shared 2-core machine two threads were only 1.2-1.4x faster.
//
// Measured 2026-11-26 on the 2-core development machine with nothing else running (load average
// 1.1: this test alone), Release build, `OMP_WAIT_POLICY=passive build-acc/tests/test_train
// --run_test=phantom_accuracy --log_level=message`: best epoch 19 (validation 0.953), held-out
// accuracy 0.9325 on 800 faces, identical in two runs, in 211 and 226 s (train suite under CTest:
// 211 s). Recall healthy 0.935, mild 0.88, moderate 0.915, severe 1.0; confusion (rows true
// healthy, mild, moderate, severe; columns predicted, same order):
// 187 13 0 0 / 16 176 8 0 / 0 6 183 11 / 0 0 0 200.
// Three other seed sets (data, split and augmentation, initialisation) gave 0.92-0.944 with this
// schedule, and 0.899-0.945 at a constant 1e-3 for 20 epochs.
#include <boost/test/unit_test.hpp>

#include <chrono>

#include "acne/train/classifier_trainer.hpp"
#include "train_test_util.hpp"

namespace test_train_phantom_accuracy {

BOOST_AUTO_TEST_SUITE(phantom_accuracy)

BOOST_AUTO_TEST_CASE(reduced_resnet_v2_grades_phantom_severity_on_four_classes) {
  const auto start = std::chrono::steady_clock::now();
  const std::size_t size = 80;
  // Rendered in parallel (the images do not depend on the thread count), before training goes to one thread.
  const acne::test::cached_phantoms train_set(1200, 11, int(size));  // per class; 960 train + 240 validation
  const acne::test::cached_phantoms test_set(200, 97, int(size));
  BOOST_TEST(train_set.classes() == (std::vector<std::string>{"healthy", "mild", "moderate", "severe"}),
             boost::test_tools::per_element());
  acne::test::scratch_dir dir("phantom-accuracy");
  const acne::test::single_thread one_thread;

  acne::classifier_spec spec;
  spec.width = 1.0 / 8;
  spec.blocks = {1, 1, 1, 1};
  spec.image_size = size;
  spec.class_names = train_set.classes();

  // Step decay through the trainer's resume: 15 epochs at 1e-3, then 5 more at 1e-4 continuing from
  // last.safetensors (weights, Adam moments, history and the best score so far carry over). At a
  // constant 1e-3 the weights keep jumping (validation accuracy moves by 3-5 points from epoch to
  // epoch) and the held-out accuracy depended on which epoch happened to peak.
  acne::train::classifier_train_options o;
  o.epochs = 15;
  o.learning_rate = 1e-3;
  o.seed = 5;
  o.out_dir = dir.path();
  o.log = nullptr;
  acne::train::classifier_train_options decay = o;
  decay.epochs = 20;
  decay.learning_rate = 1e-4;
  decay.resume = true;
  acne::train::classifier_train_result result;
  const auto ev = acne::with_classifier<float>(spec, 5, [&](auto& net) {
    acne::train::train_classifier(net, spec, train_set, o);
    result = acne::train::train_classifier(net, spec, train_set, decay);
    acne::io::load_checkpoint(result.best_checkpoint, net, {.architecture = spec.architecture});
    return acne::train::evaluate_classifier(net, test_set, spec.class_names, {.image_size = size});
  });
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  BOOST_TEST_MESSAGE("best epoch " << result.best_epoch << " of " << decay.epochs << " (validation accuracy "
                                   << result.best_val_accuracy << "); held-out accuracy " << ev.report.accuracy
                                   << " on " << ev.truth.size() << " faces after " << seconds << " s\n"
                                   << ev.report.to_text() << ev.report.confusion_text());
  BOOST_TEST(result.first_epoch == 16u);
  BOOST_TEST(result.history.epochs.size() == 20u);
  BOOST_TEST(ev.report.accuracy >= 0.9);
  BOOST_TEST(result.history.epochs.back().accuracy > result.history.epochs.front().accuracy);
  BOOST_TEST(result.history.epochs.back().loss < result.history.epochs.front().loss);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_train_phantom_accuracy
