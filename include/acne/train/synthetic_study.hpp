#pragma once
// What a synthetic dataset is worth, measured as the field measures it, on one set of real test faces:
//   real baseline     the classifier trained on the real training faces;
//   synthetic only    the same architecture and schedule trained on synthetic faces alone: the paper's
//                     experiment, "GAN-train" (Shmelkov et al. 2018), the classification accuracy score
//                     (Ravuri & Vinyals 2019); reported with its ratio to the baseline;
//   real + synthetic  trained on both;
//   class fidelity    "GAN-test": the real-trained classifier labels every class's synthetic images;
//                     per class, the share it gives the intended class (the recall of that
//                     evaluation), and the confusion matrix.
// A study holds the evaluations it was given; the others are left out of the JSON and the table.
#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "acne/train/evaluate.hpp"

namespace acne::train {

struct synthetic_study {
  std::optional<evaluation> real_baseline, synthetic_only, real_and_synthetic;  // on the real test faces
  std::optional<evaluation> class_fidelity;  // the real-trained classifier on the synthetic images

  // The synthetic-only accuracy over the baseline's; nullopt without both (or a zero baseline).
  std::optional<double> ratio_to_baseline() const {
    if (!real_baseline || !synthetic_only || real_baseline->report.accuracy == 0) return std::nullopt;
    return synthetic_only->report.accuracy / real_baseline->report.accuracy;
  }

  // The lowest per-class fidelity, the figure a target is set on.
  std::optional<double> worst_class_fidelity() const {
    if (!class_fidelity || class_fidelity->report.per_class.empty()) return std::nullopt;
    double worst = 1;
    for (const auto& c : class_fidelity->report.per_class) worst = std::min(worst, c.recall);
    return worst;
  }

  nlohmann::json to_json() const {
    nlohmann::json j = nlohmann::json::object();
    const auto scores = [](const evaluation& e) {
      return nlohmann::json{{"accuracy", e.report.accuracy}, {"macro_f1", e.report.macro_avg.f1},
                            {"macro_precision", e.report.macro_avg.precision}, {"macro_recall", e.report.macro_avg.recall},
                            {"samples", e.truth.size()}};
    };
    if (real_baseline) j["real_baseline"] = scores(*real_baseline);
    if (synthetic_only) j["synthetic_only"] = scores(*synthetic_only);
    if (const auto r = ratio_to_baseline()) j["synthetic_only"]["ratio_to_baseline"] = *r;
    if (real_and_synthetic) j["real_and_synthetic"] = scores(*real_and_synthetic);
    if (class_fidelity) {
      auto& f = j["class_fidelity"];
      const auto& report = class_fidelity->report;
      for (std::size_t c = 0; c < report.per_class.size(); ++c) f["per_class"][report.class_names[c]] = report.per_class[c].recall;
      f["worst"] = *worst_class_fidelity();
      f["confusion_matrix"] = report.confusion.to_json();
      f["samples"] = class_fidelity->truth.size();
    }
    return j;
  }

  // The side-by-side table printed at the end of a run.
  std::string table() const {
    std::string out = "training set          accuracy  macro F1  accuracy / baseline\n";
    const auto row = [&](const char* name, const std::optional<evaluation>& e) {
      if (!e) return;
      char line[128];
      const double base = real_baseline ? real_baseline->report.accuracy : 0;
      if (base > 0) std::snprintf(line, sizeof line, "%-20s  %8.4f  %8.4f  %8.2f\n", name, e->report.accuracy, e->report.macro_avg.f1, e->report.accuracy / base);
      else std::snprintf(line, sizeof line, "%-20s  %8.4f  %8.4f  %8s\n", name, e->report.accuracy, e->report.macro_avg.f1, "-");
      out += line;
    };
    row("real (baseline)", real_baseline);
    row("synthetic only", synthetic_only);
    row("real + synthetic", real_and_synthetic);
    if (class_fidelity) {
      out += "class fidelity (the real-trained classifier on each class's synthetic images):";
      const auto& report = class_fidelity->report;
      for (std::size_t c = 0; c < report.per_class.size(); ++c) {
        char cell[96];
        std::snprintf(cell, sizeof cell, " %s %.2f", report.class_names[c].c_str(), report.per_class[c].recall);
        out += cell;
      }
      out += "\n";
    }
    return out;
  }
};

}  // namespace acne::train
