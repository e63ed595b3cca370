#pragma once
// Training a classifier the way the paper did (Table 2), every default overridable: batch 16,
// 15 epochs, Adam lr 1e-4, a stratified 80/20 train/validation split, rotation / brightness /
// horizontal-flip augmentation, and Keras' ModelCheckpoint(save_best_only): best.safetensors is
// written whenever validation accuracy strictly improves. With patience > 0, Keras'
// EarlyStopping(monitor="val_accuracy", patience) as well: training stops once that many epochs in a
// row brought no strictly better validation accuracy (a resumed run that had stopped stays stopped;
// a split without validation images runs every epoch, and says so).
// In out_dir each epoch also leaves last.safetensors (weights, Adam state, epoch, history),
// history.csv/json and the accuracy and loss curves. resume = true continues a killed run from
// last.safetensors at the next epoch; data order, augmentation and initialisation all derive from
// the seed, so 2 epochs straight and 1 + 1 resumed give the same parameters.
#include <algorithm>
#include <filesystem>
#include <functional>
#include <iostream>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "acne/backend.hpp"
#include "acne/data/augment.hpp"
#include "acne/data/loader.hpp"
#include "acne/data/split.hpp"
#include "acne/io/checkpoint.hpp"
#include "acne/models/classifier.hpp"
#include "acne/optim/adam.hpp"
#include "acne/train/batches.hpp"
#include "acne/train/evaluate.hpp"
#include "acne/train/history.hpp"
#include "acne/train/progress.hpp"

namespace acne::train {

struct classifier_train_options {
  std::size_t epochs = 15;
  std::size_t batch_size = 16;
  double learning_rate = 1e-4;
  double validation_fraction = 0.2;
  bool augment = true;
  data::augment_options augmentation = data::augment_options::paper_like();
  data::resize_filter filter = data::resize_filter::nearest;  // flow_from_directory's default
  std::uint64_t seed = 0;
  std::filesystem::path out_dir{};  // empty: keep nothing on disk
  bool resume = false;            // continue from out_dir/last.safetensors when it exists
  std::size_t steps_per_epoch = 0;  // 0: the whole training split each epoch
  std::size_t patience = 0;         // epochs without a better validation accuracy before stopping; 0: never
  std::ostream* log = &std::cout;   // progress and messages; nullptr: silent
  std::size_t log_every = 10;       // steps between lines when the log is not a terminal
};

struct classifier_train_result {
  training_history history;
  double best_val_accuracy = 0;
  std::size_t best_epoch = 0;    // 1-based; 0 when no epoch ran
  std::size_t first_epoch = 1;   // where this run started (> 1 after a resume)
  bool stopped_early = false;    // out of patience before o.epochs
  std::filesystem::path best_checkpoint, last_checkpoint;
};

namespace detail {
struct epoch_scores {
  double loss = 0, accuracy = 0;
};

inline nlohmann::json trainer_state(const training_history& h, double best, std::size_t best_epoch,
                                    const classifier_train_options& o) {
  return {{"history", h.to_json()},           {"best_val_accuracy", best}, {"best_epoch", best_epoch},
          {"seed", o.seed},                   {"validation_fraction", o.validation_fraction},
          {"batch_size", o.batch_size},       {"learning_rate", o.learning_rate}};
}
}  // namespace detail

// Trains `net` (set up for spec.image_size inputs) on `data`, whose labels index spec.class_names.
template <class Layer, data::dataset Dataset>
classifier_train_result train_classifier(network<Layer>& net, const classifier_spec& spec, const Dataset& data,
                                         const classifier_train_options& o) {
  using T = typename network<Layer>::T;
  using D = typename network<Layer>::D;
  namespace fs = std::filesystem;
  ACNE_CHECK(o.batch_size > 0 && o.epochs > 0, "train_classifier: batch size and epochs must be positive");
  ACNE_CHECK(data.size() > 0, "train_classifier: empty dataset");
  const std::vector<int> labels = [&] {
    std::vector<int> l(data.size());
    for (std::size_t i = 0; i < data.size(); ++i) l[i] = data.label(i);
    return l;
  }();
  for (int l : labels)
    ACNE_CHECK(l >= 0 && std::size_t(l) < spec.classes(),
               "train_classifier: label " << l << " outside the model's " << spec.classes() << " classes");
  const auto split = data::stratified_split(labels, o.validation_fraction, o.seed);
  ACNE_CHECK(!split.train.empty(), "train_classifier: the split leaves no training images");

  data::loader_options lo;
  lo.batch_size = o.batch_size;
  lo.seed = o.seed;
  lo.preprocess = data::preprocess_options::square(int(spec.image_size), o.filter);
  if (o.augment) lo.augment = o.augmentation;
  data::batch_loader loader(data::make_source(data, split.train), lo);
  const evaluate_options validation{spec.image_size, o.batch_size, o.filter, split.validation};

  adam<T, D> opt(o.learning_rate);
  classifier_train_result result;
  double best = -std::numeric_limits<double>::infinity();
  std::size_t start = 0;  // epochs already done
  net.ctx().seed = o.seed;
  net.ctx().step = 0;
  const bool keep = !o.out_dir.empty();
  if (keep) {
    fs::create_directories(o.out_dir);
    result.best_checkpoint = o.out_dir / "best.safetensors";
    result.last_checkpoint = o.out_dir / "last.safetensors";
  }
  if (o.resume && keep && fs::exists(result.last_checkpoint)) {
    const auto meta = io::load_checkpoint(result.last_checkpoint, net, opt, {.architecture = spec.architecture});
    const auto& st = meta.state;
    ACNE_CHECK(st.value("seed", o.seed) == o.seed && st.value("validation_fraction", o.validation_fraction) ==
                                                         o.validation_fraction,
               "cannot resume '" << result.last_checkpoint.string() << "': it was trained with seed "
                                 << st.value("seed", o.seed) << " and validation fraction "
                                 << st.value("validation_fraction", 0.0) << " (a different split)");
    result.history = training_history::from_json(st.at("history"));
    best = st.value("best_val_accuracy", best);
    result.best_epoch = st.value("best_epoch", std::size_t{0});
    start = meta.epoch;
    net.ctx().step = meta.step;
    if (o.log) *o.log << "resuming from " << result.last_checkpoint.string() << " after epoch " << start << "\n";
  } else if (o.resume && o.log) {
    *o.log << "nothing to resume in '" << o.out_dir.string() << "'; starting at epoch 1\n";
  }
  result.first_epoch = start + 1;
  // Keras' EarlyStopping wait: the epochs since the best one. Without validation faces (a split of
  // very few images) nothing measures the wait, and every epoch runs.
  const bool stops_early = o.patience > 0 && !split.validation.empty();
  if (o.patience > 0 && !stops_early && o.log)
    *o.log << "early stopping off: the split left no validation image to measure patience " << o.patience << " on\n";
  const auto out_of_patience = [&](std::size_t done) {
    if (!stops_early || done - result.best_epoch < o.patience || done >= o.epochs) return false;
    result.stopped_early = true;
    if (o.log)
      *o.log << "stopping early after epoch " << done << ": no better validation accuracy in the " << o.patience
             << " epochs since epoch " << result.best_epoch << " (patience " << o.patience << ")\n";
    return true;
  };
  out_of_patience(start);

  progress_line progress(o.log, o.log_every);
  tensor<T, D> x, dlogits_dev;
  tensor<T, cpu> logits, probs, dlogits;
  const std::size_t steps = o.steps_per_epoch ? std::min(o.steps_per_epoch, loader.batches_per_epoch())
                                              : loader.batches_per_epoch();
  for (std::size_t epoch = start; epoch < o.epochs && !result.stopped_early; ++epoch) {
    progress.start_epoch(epoch + 1, o.epochs, steps);
    loader.start_epoch(epoch);
    net.train();
    double loss_sum = 0;
    std::size_t correct = 0, seen = 0;
    for (std::size_t s = 0; s < steps; ++s) {
      auto batch = loader.next();
      ACNE_CHECK(batch, "train_classifier: the loader ran out of batches");
      upload_batch(batch->images, x);
      download(net.forward(x), logits);
      const double loss = softmax_cross_entropy(logits, batch->labels, probs, dlogits);
      upload(dlogits, dlogits_dev);
      net.zero_grad();
      net.backward(dlogits_dev, false);
      opt.step(net);
      ++net.ctx().step;
      const auto predicted = argmax_rows(logits);
      for (std::size_t i = 0; i < predicted.size(); ++i) correct += predicted[i] == batch->labels[i];
      loss_sum += loss * double(predicted.size());
      seen += predicted.size();
      progress.step(loss_sum / double(seen), double(correct) / double(seen), predicted.size());
    }
    epoch_record record;
    record.epoch = epoch + 1;
    record.loss = loss_sum / double(seen);
    record.accuracy = double(correct) / double(seen);
    if (!split.validation.empty()) {
      const auto val = evaluate_classifier(net, data, spec.class_names, validation);
      record.val_loss = val.loss;
      record.val_accuracy = val.report.accuracy;
    }
    record.seconds = progress.seconds();
    record.saved_best = record.val_accuracy > best;  // Keras: strictly better than the best so far
    if (record.saved_best) {
      best = record.val_accuracy;
      result.best_epoch = record.epoch;
    }
    result.history.epochs.push_back(record);
    progress.end_epoch(record.val_loss, record.val_accuracy, record.saved_best && keep);
    if (keep) {
      io::checkpoint_meta meta{spec.architecture, spec.to_json(), epoch + 1, net.ctx().step,
                               detail::trainer_state(result.history, best, result.best_epoch, o)};
      if (record.saved_best) io::save_checkpoint(result.best_checkpoint, net, meta);
      io::save_checkpoint(result.last_checkpoint, net, opt, meta);
      result.history.save(o.out_dir, spec.architecture);
    }
    out_of_patience(epoch + 1);
  }
  result.best_val_accuracy = best < 0 ? 0.0 : best;
  return result;
}

// Transfer learning: loads every tensor of a pretrained checkpoint except the head ("predictions."),
// which keeps its fresh initialisation for the new classes. Everything else must match by name and
// shape, so a checkpoint of another architecture or width fails with the list of differences.
template <class Layer>
void load_pretrained(network<Layer>& net, const std::filesystem::path& file, const std::string& architecture) {
  io::load_checkpoint(file, net, {.architecture = architecture, .skip_prefixes = {"predictions."}});
}

// Freezes the parameters whose names start with any of `prefixes` (e.g. "conv2", "stem", "block35.1.");
// a prefix that matches nothing is an error. Returns the number of frozen tensors.
template <class Layer>
std::size_t freeze_layers(network<Layer>& net, const std::vector<std::string>& prefixes) {
  std::size_t frozen = 0;
  for (const auto& prefix : prefixes) {
    const std::size_t n = net.freeze(prefix);
    ACNE_CHECK(n > 0, "freeze: no parameter name starts with '" << prefix << "'");
    frozen += n;
  }
  return frozen;
}

}  // namespace acne::train
