#pragma once
// Evaluating a classifier on a labelled dataset (the paper's test on unseen images): accuracy,
// per-class and macro/weighted precision, recall and F1 (scikit-learn's conventions), the confusion
// matrix, and per-image probabilities. write_evaluation saves evaluation.json, evaluation.csv,
// predictions.csv and confusion_matrix.png, and returns the printed table.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "acne/backend.hpp"
#include "acne/data/loader.hpp"
#include "acne/io/plot/confusion_matrix.hpp"
#include "acne/io/report.hpp"
#include "acne/metrics/classification.hpp"
#include "acne/network.hpp"
#include "acne/train/batches.hpp"

namespace acne::train {

struct evaluation {
  metrics::classification_report report;
  std::vector<int> truth, predicted;
  std::vector<std::vector<float>> probabilities;  // softmax of the logits, one row per sample
  std::vector<std::string> sources;               // file of each sample when the dataset has paths
  double loss = 0;                                // mean cross-entropy
};

struct evaluate_options {
  std::size_t image_size = 224;
  std::size_t batch_size = 16;
  data::resize_filter filter = data::resize_filter::nearest;  // Keras load_img's default
  std::vector<std::size_t> subset{};                          // sample indices; empty: all
};

// Softmax of [N, K, 1, 1] logits, one row per sample.
template <class T>
std::vector<std::vector<float>> softmax_rows(const tensor<T, cpu>& logits) {
  const std::size_t n = logits.shape().n, k = logits.shape().sample_size();
  std::vector<std::vector<float>> out(n, std::vector<float>(k));
  for (std::size_t i = 0; i < n; ++i) {
    const T* z = logits.data() + i * k;
    const double top = *std::max_element(z, z + k);
    double total = 0;
    for (std::size_t j = 0; j < k; ++j) total += std::exp(double(z[j]) - top);
    for (std::size_t j = 0; j < k; ++j) out[i][j] = float(std::exp(double(z[j]) - top) / total);
  }
  return out;
}

template <class Layer, data::dataset Dataset>
evaluation evaluate_classifier(network<Layer>& net, const Dataset& d, const std::vector<std::string>& class_names,
                               const evaluate_options& o = {}) {
  using T = typename network<Layer>::T;
  using D = typename network<Layer>::D;
  data::loader_options lo;
  lo.batch_size = o.batch_size;
  lo.shuffle = false;
  lo.preprocess = data::preprocess_options::square(int(o.image_size), o.filter);
  data::batch_loader loader(data::make_source(d, o.subset), lo);
  net.eval();
  evaluation ev;
  tensor<T, D> x;
  tensor<T, cpu> logits, probs, dlogits;
  double loss_sum = 0;
  while (auto batch = loader.next()) {
    upload_batch(batch->images, x);
    download(net.forward(x), logits);
    ACNE_CHECK(logits.shape().sample_size() == class_names.size(),
               "evaluate: the model gives " << logits.shape().sample_size() << " scores for " << class_names.size()
                                            << " classes");
    loss_sum += softmax_cross_entropy(logits, batch->labels, probs, dlogits) * double(batch->labels.size());
    const auto predicted = argmax_rows(logits);
    for (auto& row : softmax_rows(logits)) ev.probabilities.push_back(std::move(row));
    ev.truth.insert(ev.truth.end(), batch->labels.begin(), batch->labels.end());
    ev.predicted.insert(ev.predicted.end(), predicted.begin(), predicted.end());
    for (std::size_t i : batch->indices) {
      const std::size_t sample = o.subset.empty() ? i : o.subset[i];
      if constexpr (requires { d.path(sample); }) ev.sources.push_back(d.path(sample).string());
      else ev.sources.push_back("#" + std::to_string(sample));
    }
  }
  ev.loss = ev.truth.empty() ? 0.0 : loss_sum / double(ev.truth.size());
  ev.report = metrics::make_classification_report(ev.truth, ev.predicted, class_names.size(), class_names);
  return ev;
}

// Class probabilities of single images (8-bit BGR, any size), preprocessed like training data.
template <class Layer>
std::vector<std::vector<float>> predict_probabilities(network<Layer>& net, const std::vector<cv::Mat>& images,
                                                      std::size_t image_size,
                                                      data::resize_filter filter = data::resize_filter::nearest) {
  using T = typename network<Layer>::T;
  using D = typename network<Layer>::D;
  net.eval();
  tensor<T, D> x;
  tensor<T, cpu> logits;
  upload_batch(data::preprocess(images, data::preprocess_options::square(int(image_size), filter)), x);
  download(net.forward(x), logits);
  return softmax_rows(logits);
}

inline std::string predictions_csv(const evaluation& ev) {
  std::ostringstream out;
  out << "source,true,predicted";
  for (const auto& c : ev.report.class_names) out << ",p_" << io::csv_field(c);
  out << '\n';
  out.precision(6);
  for (std::size_t i = 0; i < ev.truth.size(); ++i) {
    out << io::csv_field(ev.sources[i]) << ',' << io::csv_field(ev.report.class_names[ev.truth[i]]) << ','
        << io::csv_field(ev.report.class_names[ev.predicted[i]]);
    for (float p : ev.probabilities[i]) out << ',' << p;
    out << '\n';
  }
  return out.str();
}

// Writes the evaluation files into `dir` (created if needed) and returns the printed report.
inline std::string write_evaluation(const evaluation& ev, const std::filesystem::path& dir, const std::string& title = {}) {
  auto json = ev.report.to_json();
  json["loss"] = ev.loss;
  json["samples"] = ev.truth.size();
  io::write_json_file(dir / "evaluation.json", json);
  io::write_text_file(dir / "evaluation.csv", ev.report.to_csv());
  io::write_text_file(dir / "predictions.csv", predictions_csv(ev));
  io::confusion_plot_options po;
  if (!title.empty()) po.title = title;
  io::save_confusion_matrix(dir / "confusion_matrix.png", ev.report.confusion.counts(), ev.report.class_names, po);
  return ev.report.to_text(4);
}

}  // namespace acne::train
