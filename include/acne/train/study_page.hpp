#pragma once
// The report page of a synthetic-dataset study (report.html): the side-by-side table and class
// fidelity of synthetic_study, then every GAN's real faces next to its images and its FID per tick,
// then every classifier's curves and confusion matrix. It reads the files the stages wrote where
// they wrote them (gan_grids.hpp, gan_fid.hpp, classifier_trainer.hpp, evaluate.hpp) and refers to
// them relative to the page; a file a stage did not produce is named as missing.
#include <cstdio>
#include <filesystem>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "acne/io/html.hpp"
#include "acne/train/synthetic_study.hpp"

namespace acne::train {

struct study_page_gan {
  std::string name;
  std::filesystem::path folder;  // its snapshots, grids and fid.png
  nlohmann::json summary;        // kimg, classes, best_fid {fid, tick, extractor, against}
};

struct study_page_classifier {
  std::string title;                  // "trained on real faces"
  std::filesystem::path checkpoints;  // accuracy.png and loss.png
  std::filesystem::path evaluation;   // confusion_matrix.png
};

struct study_page_audit {
  std::string name;              // the class
  std::filesystem::path folder;  // audit.json and its pictures
  nlohmann::json summary;        // audit::audit_summary, with "released" when near-copies were left out
};

struct study_page_contents {
  std::string title = "What the synthetic dataset is worth";
  std::string settings;  // one line: what made the run
  synthetic_study study;
  std::vector<study_page_gan> gans;
  std::vector<study_page_audit> audits;
  std::vector<study_page_classifier> classifiers;
  std::filesystem::path class_fidelity;  // its evaluation folder
};

// The newest fakes-NNNNNN.png of a GAN folder; empty when there is none.
inline std::filesystem::path latest_sample_grid(const std::filesystem::path& folder) {
  static const std::regex name(R"(fakes-(\d{6})\.png)");
  std::filesystem::path best;
  if (!std::filesystem::is_directory(folder)) return best;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    const auto file = entry.path().filename().string();
    if (std::regex_match(file, name) && (best.empty() || file > best.filename().string())) best = entry.path();
  }
  return best;
}

namespace detail {

inline std::string fixed(double value, int digits) {
  char text[32];
  std::snprintf(text, sizeof text, "%.*f", digits, value);
  return text;
}

inline std::vector<std::vector<std::string>> study_rows(const synthetic_study& s) {
  std::vector<std::vector<std::string>> rows{{"training set", "accuracy", "macro F1", "macro precision", "macro recall", "accuracy / baseline"}};
  const auto row = [&](const char* name, const std::optional<evaluation>& e) {
    if (!e) return;
    const auto& r = e->report;
    const double base = s.real_baseline ? s.real_baseline->report.accuracy : 0;
    rows.push_back({name, fixed(r.accuracy, 4), fixed(r.macro_avg.f1, 4), fixed(r.macro_avg.precision, 4),
                    fixed(r.macro_avg.recall, 4), base > 0 ? fixed(r.accuracy / base, 2) : "-"});
  };
  row("real (baseline)", s.real_baseline);
  row("synthetic only", s.synthetic_only);
  row("real + synthetic", s.real_and_synthetic);
  return rows;
}

inline std::string gan_line(const nlohmann::json& summary) {
  std::string line;
  if (summary.contains("classes")) {
    line = "trained on";
    for (const auto& c : summary["classes"]) line += " " + c.get<std::string>();
    line += "; ";
  }
  if (summary.contains("kimg")) line += fixed(summary["kimg"].get<double>(), 1) + " kimg";
  if (summary.contains("best_fid")) {
    const auto& f = summary["best_fid"];
    line += "; best FID " + fixed(f.value("fid", 0.0), 4) + " at tick " + std::to_string(f.value("tick", 0)) + " (" +
            f.value("extractor", std::string("?")) + ", against " + f.value("against", std::string("?")) + ")";
  }
  if (summary.contains("synthetic_against_real")) {
    const auto& d = summary["synthetic_against_real"];
    line += "; its " + std::to_string(d.value("synthetic_images", 0)) + " synthetic faces against " +
            std::to_string(d.value("real_images", 0)) + " real faces of its class: FID " + fixed(d.value("fid", 0.0), 4) +
            ", KID " + fixed(d.value("kid", 0.0), 5) + " (" + d.value("extractor", std::string("?")) + ")";
  }
  return line;
}

inline std::vector<std::vector<std::string>> audit_rows(const std::vector<study_page_audit>& audits) {
  std::vector<std::vector<std::string>> rows{{"class", "synthetic faces", "near-copies", "C_T (pixels; features)",
                                              "authenticity (test faces')", "verdict"}};
  for (const auto& a : audits) {
    const auto& s = a.summary;
    std::string c_t, authenticity;
    const auto spaces = s.value("spaces", nlohmann::json::object());
    for (const auto& [space, v] : spaces.items()) {
      const auto sep = c_t.empty() ? "" : "; ";
      c_t += sep + (v["c_t"].is_number() ? fixed(v["c_t"].get<double>(), 2) : std::string("-"));
      authenticity += sep + fixed(v.value("authenticity", 0.0), 2) +
                      (v["test_authenticity"].is_number() ? " (" + fixed(v["test_authenticity"].get<double>(), 2) + ")" : "");
    }
    const std::size_t copies = s.value("near_copies", std::size_t{0});
    rows.push_back({a.name, std::to_string(s.value("synthetic_images", std::size_t{0})),
                    std::to_string(copies) + (s.contains("released") && copies ? " (left out)" : ""), c_t, authenticity,
                    s.value("passed", false) ? "passed" : "FAILED"});
  }
  return rows;
}

}  // namespace detail

inline void write_study_page(const std::filesystem::path& file, const study_page_contents& c) {
  io::html_page page(file, c.title);
  if (!c.settings.empty()) page.paragraph(c.settings);
  page.heading(2, "Classifiers tested on the same real faces");
  page.table(detail::study_rows(c.study));
  if (c.study.class_fidelity) {
    page.heading(2, "Class fidelity");
    page.paragraph("The classifier trained on real faces labels each class's synthetic faces: the share given the intended "
                   "class, beside the share of the class's real test faces it gets right (what faces indistinguishable "
                   "from real ones would score).");
    std::vector<std::vector<std::string>> rows{{"class", "synthetic faces given their class", "images", "real test faces given their class"}};
    const auto& r = c.study.class_fidelity->report;
    for (std::size_t k = 0; k < r.per_class.size(); ++k) {
      const auto real = c.study.judge_on_real(r.class_names[k]);
      rows.push_back({r.class_names[k], detail::fixed(r.per_class[k].recall, 2), std::to_string(r.per_class[k].support),
                      real ? detail::fixed(*real, 2) : "-"});
    }
    page.table(rows);
    page.figures({{c.class_fidelity / "confusion_matrix.png", "class fidelity: true class = the GAN's class"}});
  }
  page.heading(2, "GANs: real faces of their classes, their own faces, FID per tick");
  for (const auto& g : c.gans) {
    page.heading(3, g.name);
    page.paragraph(detail::gan_line(g.summary));
    const auto fakes = latest_sample_grid(g.folder);
    page.figures({{g.folder / "reals.png", "real faces it was trained on"},
                  {fakes.empty() ? g.folder / "fakes-NNNNNN.png" : fakes,
                   "its faces" + (fakes.empty() ? std::string() : " (" + fakes.filename().string() + ")")},
                  {g.folder / "fid.png", "FID per tick"}});
  }
  if (!c.audits.empty()) {
    page.heading(2, "Anonymity audit: does any synthetic face copy a real one?");
    page.paragraph("Each class's synthetic faces against the real faces behind its GAN, in pixels and in the FID "
                   "extractor's features (docs/audit.md): near-copies, the data-copying test C_T (below -3: copying) and "
                   "authenticity beside that of real test faces the GAN never saw.");
    page.table(detail::audit_rows(c.audits));
    for (const auto& a : c.audits) {
      page.heading(3, a.name);
      std::vector<io::html_figure> figures;
      const auto spaces = a.summary.value("spaces", nlohmann::json::object());
      for (const auto& [space, v] : spaces.items()) {
        figures.push_back({a.folder / v.value("closest_pairs", ""), "closest pairs (synthetic | real), " + space});
        figures.push_back({a.folder / v.value("histogram", ""), "nearest-real distances, " + space});
      }
      page.figures(figures);
    }
  }
  page.heading(2, "Classifiers: curves and confusion matrices on the real test faces");
  for (const auto& k : c.classifiers) {
    page.heading(3, k.title);
    page.figures({{k.checkpoints / "accuracy.png", "accuracy per epoch"},
                  {k.checkpoints / "loss.png", "loss per epoch"},
                  {k.evaluation / "confusion_matrix.png", "confusion matrix on the real test faces"}});
  }
  page.write();
}

}  // namespace acne::train
