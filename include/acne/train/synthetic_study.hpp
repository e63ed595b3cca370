#pragma once
// What a synthetic dataset is worth, measured as the field measures it, on one set of real test faces:
//   real baseline     the classifier trained on the real training faces;
//   synthetic only    the same architecture and schedule trained on synthetic faces alone: the paper's
//                     experiment, "GAN-train" (Shmelkov et al. 2018), the classification accuracy score
//                     (Ravuri & Vinyals 2019); reported with its ratio to the baseline;
//   real + synthetic  trained on both;
//   class fidelity    "GAN-test": the real-trained classifier labels every class's synthetic images;
//                     per class, the share it gives the intended class (the recall of that
//                     evaluation), and the confusion matrix; beside it, the share of the class's
//                     real test faces that same classifier gives their class, what a GAN drawing
//                     faces indistinguishable from real ones would score.
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

  // The real baseline's recall of one class on the real test faces: the judge of class fidelity
  // scoring real faces. nullopt without a baseline or a class of that name in it.
  std::optional<double> judge_on_real(const std::string& class_name) const {
    if (!real_baseline) return std::nullopt;
    const auto& r = real_baseline->report;
    for (std::size_t c = 0; c < r.class_names.size() && c < r.per_class.size(); ++c)
      if (r.class_names[c] == class_name) return r.per_class[c].recall;
    return std::nullopt;
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
      for (std::size_t c = 0; c < report.per_class.size(); ++c) {
        const auto& name = report.class_names[c];
        f["per_class"][name] = report.per_class[c].recall;
        if (const auto real = judge_on_real(name)) f["real_test_faces_per_class"][name] = *real;
      }
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
      const auto cell = [&](const std::string& name, double share) {
        char text[96];
        std::snprintf(text, sizeof text, " %s %.2f", name.c_str(), share);
        out += text;
      };
      out += "class fidelity (the real-trained classifier on each class's synthetic images):";
      const auto& report = class_fidelity->report;
      for (std::size_t c = 0; c < report.per_class.size(); ++c) cell(report.class_names[c], report.per_class[c].recall);
      out += "\n";
      if (real_baseline) {
        out += "the same classifier on the real test faces of each class:";
        for (const auto& name : report.class_names)
          if (const auto real = judge_on_real(name)) cell(name, *real);
        out += "\n";
      }
    }
    return out;
  }
};

}  // namespace acne::train
