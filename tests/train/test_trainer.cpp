// The trainer's bookkeeping on a tiny model and tiny data: exact resume after a stop, Keras'
// save_best_only rule and EarlyStopping, the history files, transfer learning (pretrained weights without the head,
// frozen layers), progress output and evaluation files.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <sstream>
#include <string>

#include "acne/train/classifier_trainer.hpp"
#include "train_test_util.hpp"

namespace test_train_trainer {

namespace {

namespace fs = std::filesystem;
using acne::train::classifier_train_options;

acne::classifier_spec tiny_spec() {
  acne::classifier_spec s;
  s.width = 1.0 / 16;
  s.blocks = {1, 1, 1, 1};
  s.image_size = 32;
  return s;
}

const acne::test::cached_phantoms& tiny_data() {
  static const acne::test::cached_phantoms data(6, 3, 32);
  return data;
}

classifier_train_options tiny_options(const fs::path& out, std::size_t epochs) {
  classifier_train_options o;
  o.epochs = epochs;
  o.batch_size = 4;
  o.learning_rate = 1e-3;
  o.seed = 9;
  o.out_dir = out;
  o.log = nullptr;
  return o;
}

// Trains a fresh tiny network (initialised from seed 1) and returns its parameters.
std::vector<float> train(const classifier_train_options& o, acne::train::classifier_train_result* result = nullptr) {
  const auto spec = tiny_spec();
  return acne::with_classifier<float>(spec, 1, [&](auto& net) {
    auto r = acne::train::train_classifier(net, spec, tiny_data(), o);
    if (result) *result = r;
    return std::vector<float>(net.parameters().begin(), net.parameters().end());
  });
}

}  // namespace

BOOST_AUTO_TEST_SUITE(trainer)

BOOST_AUTO_TEST_CASE(resume_after_a_stop_equals_training_straight_through) {
  // The CPU backend sums per-thread weight-gradient partials in a scheduling-dependent order, so
  // bitwise equality is a single-thread property; the resume logic itself is thread-independent.
  const acne::test::single_thread one_thread;
  acne::test::scratch_dir straight("straight"), stopped("stopped");
  const auto reference = train(tiny_options(straight.path(), 2));

  train(tiny_options(stopped.path(), 1));  // a run killed after its first epoch leaves last.safetensors
  BOOST_TEST(acne::io::read_checkpoint_meta(stopped.path() / "last.safetensors").epoch == 1u);
  auto resumed_options = tiny_options(stopped.path(), 2);
  resumed_options.resume = true;
  acne::train::classifier_train_result resumed;
  const auto after = train(resumed_options, &resumed);
  BOOST_TEST(resumed.first_epoch == 2u);
  BOOST_TEST(resumed.history.epochs.size() == 2u);
  BOOST_TEST(after == reference, boost::test_tools::per_element());

  // Resuming with another seed would mix two splits: refused.
  auto other_seed = resumed_options;
  other_seed.seed = 10;
  other_seed.epochs = 3;
  BOOST_CHECK_THROW(train(other_seed), acne::error);
}

BOOST_AUTO_TEST_CASE(best_checkpoint_follows_strict_improvement_and_files_are_written) {
  acne::test::scratch_dir dir("best");
  acne::train::classifier_train_result r;
  train(tiny_options(dir.path(), 4), &r);
  BOOST_REQUIRE(r.history.epochs.size() == 4u);
  double best = -1;
  std::size_t best_epoch = 0;
  for (const auto& e : r.history.epochs) {
    BOOST_TEST(e.saved_best == (e.val_accuracy > best));
    if (e.val_accuracy > best) best = e.val_accuracy, best_epoch = e.epoch;
  }
  BOOST_TEST(r.best_epoch == best_epoch);
  BOOST_TEST(r.best_val_accuracy == best);
  BOOST_TEST(acne::io::read_checkpoint_meta(dir.path() / "best.safetensors").epoch == best_epoch);
  BOOST_TEST(acne::io::read_checkpoint_meta(dir.path() / "last.safetensors").epoch == 4u);
  for (const char* f : {"history.csv", "history.json", "accuracy.png", "loss.png"})
    BOOST_TEST(fs::file_size(dir.path() / f) > 0u, f);
  const auto csv = acne::io::read_text_file(dir.path() / "history.csv");
  BOOST_TEST(std::count(csv.begin(), csv.end(), '\n') == 5);
  BOOST_TEST(csv.rfind("epoch,loss,accuracy,val_loss,val_accuracy", 0) == 0u);
  BOOST_TEST(acne::io::read_json_file(dir.path() / "history.json").size() == 4u);
}

BOOST_AUTO_TEST_CASE(early_stopping_waits_patience_epochs_after_the_best_and_stays_stopped_on_resume) {
  acne::test::scratch_dir dir("patience");
  auto o = tiny_options(dir.path(), 12);
  o.patience = 1;
  acne::train::classifier_train_result r;
  train(o, &r);
  // A few validation images allow only a few strictly better accuracies in a row, so one epoch of
  // patience runs out well before 12.
  const auto& epochs = r.history.epochs;
  BOOST_TEST_REQUIRE(r.stopped_early);
  BOOST_TEST_REQUIRE(epochs.size() < 12u);
  BOOST_TEST(epochs.back().epoch == r.best_epoch + 1);
  BOOST_TEST(!epochs.back().saved_best);
  for (std::size_t i = 0; i + 1 < epochs.size(); ++i) BOOST_TEST(epochs[i].saved_best, "epoch " << epochs[i].epoch);
  BOOST_TEST(acne::io::read_checkpoint_meta(dir.path() / "last.safetensors").epoch == epochs.size());

  // Resumed, it stays stopped; with more patience it goes on from where it stopped.
  o.resume = true;
  acne::train::classifier_train_result again;
  train(o, &again);
  BOOST_TEST(again.stopped_early);
  BOOST_TEST(again.history.epochs.size() == epochs.size());
  o.patience = 3;
  train(o, &again);
  BOOST_TEST(again.first_epoch == epochs.size() + 1);
  BOOST_TEST(again.history.epochs.size() > epochs.size());
  if (again.stopped_early) BOOST_TEST(again.history.epochs.size() - again.best_epoch == 3u);
  else BOOST_TEST(again.history.epochs.size() == 12u);

  // Without validation images nothing measures the wait: every epoch runs, and the log says why.
  acne::test::scratch_dir none("patience-without-validation");
  auto unmeasured = tiny_options(none.path(), 3);
  unmeasured.patience = 1;
  unmeasured.validation_fraction = 0;
  std::ostringstream log;
  unmeasured.log = &log;
  train(unmeasured, &again);
  BOOST_TEST(!again.stopped_early);
  BOOST_TEST(again.history.epochs.size() == 3u);
  BOOST_TEST(log.str().find("early stopping off: the split left no validation image") != std::string::npos, log.str());
}

BOOST_AUTO_TEST_CASE(transfer_learning_keeps_frozen_layers_and_replaces_the_head) {
  acne::test::scratch_dir dir("transfer");
  // A "pretrained" model of the same architecture with another number of classes.
  auto source_spec = tiny_spec();
  source_spec.class_names = {"a", "b", "c", "d", "e", "f", "g"};
  acne::with_classifier<float>(source_spec, 7, [&](auto& net) {
    acne::io::save_checkpoint(dir.path() / "pretrained.safetensors", net, {"resnet50v2", source_spec.to_json()});
    return 0;
  });
  const auto source = acne::io::load_safetensors(dir.path() / "pretrained.safetensors");

  const auto spec = tiny_spec();
  acne::with_classifier<float>(spec, 1, [&](auto& net) {
    acne::train::load_pretrained(net, dir.path() / "pretrained.safetensors", "resnet50v2");
    BOOST_TEST(acne::train::freeze_layers(net, {"conv1_conv", "conv2."}) > 0u);
    BOOST_CHECK_THROW(acne::train::freeze_layers(net, {"no_such_layer"}), acne::error);
    auto o = tiny_options(dir.path() / "run", 1);
    acne::train::train_classifier(net, spec, tiny_data(), o);
    std::size_t kept = 0, changed = 0;
    for (const auto& s : net.slots()) {
      if (!s.trainable() || s.name.rfind("predictions.", 0) == 0) continue;
      const auto stored = source.at(s.name).template as<float>();
      const bool same = std::equal(stored.begin(), stored.end(), s.value->begin());
      if (s.frozen) kept += same;
      else changed += !same;
      if (s.frozen) BOOST_TEST(same, s.name);
    }
    BOOST_TEST(kept > 0u);
    BOOST_TEST(changed > 0u);
    BOOST_CHECK_THROW(acne::train::load_pretrained(net, dir.path() / "pretrained.safetensors", "inception_resnet_v2"),
                      acne::io::checkpoint_mismatch);
    return 0;
  });
}

BOOST_AUTO_TEST_CASE(progress_line_formats_and_paces_its_output) {
  BOOST_TEST(acne::train::format_duration(75) == "1:15");
  BOOST_TEST(acne::train::format_duration(3725) == "1:02:05");
  acne::train::progress_state p{2, 15, 12, 40, 0.41234, 0.875, 23.44, 31};
  BOOST_TEST(acne::train::format_progress(p) == "epoch 2/15  step 12/40  loss 0.4123  acc 0.8750  23.4 img/s  ETA 0:31");
  std::ostringstream log;
  acne::train::progress_line line(&log, 3, 0);
  line.start_epoch(1, 2, 7);
  for (int i = 0; i < 7; ++i) line.step(1.0, 0.5, 4);
  line.end_epoch(0.9, 0.6, true);
  const auto text = log.str();
  BOOST_TEST(std::count(text.begin(), text.end(), '\n') == 4);  // steps 3, 6, 7 and the epoch summary
  BOOST_TEST(text.find("step 6/7") != std::string::npos);
  BOOST_TEST(text.find("val_acc 0.6000") != std::string::npos);
  BOOST_TEST(text.find("saved best") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(evaluation_files_agree_with_the_predictions) {
  acne::test::scratch_dir dir("evaluate");
  const auto spec = tiny_spec();
  const auto ev = acne::with_classifier<float>(spec, 1, [&](auto& net) {
    return acne::train::evaluate_classifier(net, tiny_data(), spec.class_names, {.image_size = 32, .batch_size = 5});
  });
  BOOST_REQUIRE(ev.truth.size() == tiny_data().size());
  std::size_t correct = 0;
  for (std::size_t i = 0; i < ev.truth.size(); ++i) {
    correct += ev.truth[i] == ev.predicted[i];
    BOOST_TEST(ev.truth[i] == tiny_data().label(i));  // evaluation keeps the dataset order
    double total = 0;
    for (float p : ev.probabilities[i]) total += p;
    BOOST_TEST(total == 1.0, boost::test_tools::tolerance(1e-5));
  }
  BOOST_TEST(ev.report.accuracy == double(correct) / double(ev.truth.size()));
  const auto table = acne::train::write_evaluation(ev, dir.path(), "test");
  BOOST_TEST(table.find("weighted avg") != std::string::npos);
  const auto json = acne::io::read_json_file(dir.path() / "evaluation.json");
  BOOST_TEST(json.at("accuracy").get<double>() == ev.report.accuracy);
  BOOST_TEST(json.at("samples").get<std::size_t>() == ev.truth.size());
  const auto rows = acne::io::read_text_file(dir.path() / "predictions.csv");
  BOOST_TEST(std::size_t(std::count(rows.begin(), rows.end(), '\n')) == ev.truth.size() + 1);
  BOOST_TEST(fs::file_size(dir.path() / "confusion_matrix.png") > 0u);
  BOOST_TEST(fs::file_size(dir.path() / "evaluation.csv") > 0u);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_train_trainer
