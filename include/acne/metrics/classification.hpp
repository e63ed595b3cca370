#pragma once
// Classification metrics with scikit-learn's conventions (sklearn.metrics.classification_report
// with labels = 0..num_classes-1):
//   precision_c = TP / (TP + FP), recall_c = TP / (TP + FN), F1_c = 2 P R / (P + R), support_c = TP + FN;
//   a zero denominator gives 0 (zero_division=0); accuracy = trace / total;
//   macro avg = unweighted mean over all classes (a class without support counts, with its zeros);
//   weighted avg = support-weighted mean (its support column is the total).
// Outputs: JSON shaped like classification_report(output_dict=True) plus the confusion matrix,
// CSV (one row per class and per average) and sklearn's text table.
#include <algorithm>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <iomanip>
#include <ranges>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "acne/error.hpp"
#include "acne/io/report.hpp"

namespace acne::metrics {

// Counts of (true label, predicted label) pairs: rows are the truth, columns the prediction.
class confusion_matrix {
public:
  confusion_matrix() = default;
  explicit confusion_matrix(std::size_t num_classes) : n_(num_classes), counts_(num_classes * num_classes, 0) {
    ACNE_CHECK(num_classes > 0, "confusion_matrix: num_classes must be positive");
  }

  template <std::ranges::input_range T, std::ranges::input_range P>
  confusion_matrix(const T& y_true, const P& y_pred, std::size_t num_classes) : confusion_matrix(num_classes) {
    add(y_true, y_pred);
  }

  void add(long long truth, long long predicted) {
    ACNE_CHECK(truth >= 0 && static_cast<std::size_t>(truth) < n_,
               "confusion_matrix: true label " << truth << " outside [0, " << n_ << ")");
    ACNE_CHECK(predicted >= 0 && static_cast<std::size_t>(predicted) < n_,
               "confusion_matrix: predicted label " << predicted << " outside [0, " << n_ << ")");
    ++counts_[static_cast<std::size_t>(truth) * n_ + static_cast<std::size_t>(predicted)];
  }

  template <std::ranges::input_range T, std::ranges::input_range P>
    requires std::integral<std::ranges::range_value_t<T>> && std::integral<std::ranges::range_value_t<P>>
  void add(const T& y_true, const P& y_pred) {
    auto t = std::ranges::begin(y_true);
    auto p = std::ranges::begin(y_pred);
    std::size_t count = 0;
    for (; t != std::ranges::end(y_true) && p != std::ranges::end(y_pred); ++t, ++p, ++count)
      add(static_cast<long long>(*t), static_cast<long long>(*p));
    ACNE_CHECK(t == std::ranges::end(y_true) && p == std::ranges::end(y_pred),
               "confusion_matrix: y_true and y_pred differ in length (first " << count << " labels matched)");
  }

  std::size_t num_classes() const { return n_; }
  std::size_t operator()(std::size_t truth, std::size_t predicted) const { return counts_.at(truth * n_ + predicted); }
  // Row-major counts, n x n.
  const std::vector<std::uint64_t>& counts() const { return counts_; }

  std::size_t support(std::size_t c) const {  // row sum: samples whose true label is c
    std::size_t sum = 0;
    for (std::size_t j = 0; j < n_; ++j) sum += (*this)(c, j);
    return sum;
  }
  std::size_t predicted(std::size_t c) const {  // column sum: samples predicted as c
    std::size_t sum = 0;
    for (std::size_t i = 0; i < n_; ++i) sum += (*this)(i, c);
    return sum;
  }
  std::size_t correct() const {
    std::size_t sum = 0;
    for (std::size_t i = 0; i < n_; ++i) sum += (*this)(i, i);
    return sum;
  }
  std::size_t total() const {
    std::size_t sum = 0;
    for (auto c : counts_) sum += c;
    return sum;
  }
  double accuracy() const { return total() == 0 ? 0.0 : double(correct()) / double(total()); }

  nlohmann::json to_json() const {
    nlohmann::json rows = nlohmann::json::array();
    for (std::size_t i = 0; i < n_; ++i) {
      nlohmann::json row = nlohmann::json::array();
      for (std::size_t j = 0; j < n_; ++j) row.push_back((*this)(i, j));
      rows.push_back(row);
    }
    return rows;
  }

private:
  std::size_t n_ = 0;
  std::vector<std::uint64_t> counts_;
};

struct class_scores {
  double precision = 0.0;
  double recall = 0.0;
  double f1 = 0.0;
  std::size_t support = 0;
};

// sklearn's classification_report, as data.
struct classification_report {
  std::vector<std::string> class_names;
  confusion_matrix confusion;
  std::vector<class_scores> per_class;
  double accuracy = 0.0;
  class_scores macro_avg;     // support = total
  class_scores weighted_avg;  // support = total

  // {"<class>": {"precision","recall","f1-score","support"}, ..., "accuracy", "macro avg", "weighted avg",
  //  "class_names": [...], "confusion_matrix": [[...]] (rows true, columns predicted)}
  nlohmann::json to_json() const;
  // class,precision,recall,f1-score,support; then rows "accuracy", "macro avg", "weighted avg".
  std::string to_csv(int digits = 6) const;
  // The text table sklearn prints (same widths and digits).
  std::string to_text(int digits = 2) const;
  // The confusion matrix as text: a title line, then one row per true class (name, counts).
  std::string confusion_text() const;
};

namespace detail {
inline double safe_ratio(double num, double den) { return den == 0.0 ? 0.0 : num / den; }
}  // namespace detail

// Per-class scores and averages from a confusion matrix. `class_names` defaults to "0", "1", ...
inline classification_report make_classification_report(const confusion_matrix& cm,
                                                         std::vector<std::string> class_names = {}) {
  const std::size_t n = cm.num_classes();
  ACNE_CHECK(n > 0, "classification report of an empty confusion matrix");
  if (class_names.empty())
    for (std::size_t c = 0; c < n; ++c) class_names.push_back(std::to_string(c));
  ACNE_CHECK(class_names.size() == n,
             "classification report: " << class_names.size() << " class names for " << n << " classes");
  classification_report r;
  r.class_names = std::move(class_names);
  r.confusion = cm;
  const std::size_t total = cm.total();
  for (std::size_t c = 0; c < n; ++c) {
    const double tp = double(cm(c, c));
    class_scores s;
    s.support = cm.support(c);
    s.precision = detail::safe_ratio(tp, double(cm.predicted(c)));
    s.recall = detail::safe_ratio(tp, double(s.support));
    s.f1 = detail::safe_ratio(2.0 * s.precision * s.recall, s.precision + s.recall);
    r.per_class.push_back(s);
    // Sums first, one division at the end, as numpy's mean / average(weights=support) do.
    r.macro_avg.precision += s.precision;
    r.macro_avg.recall += s.recall;
    r.macro_avg.f1 += s.f1;
    r.weighted_avg.precision += double(s.support) * s.precision;
    r.weighted_avg.recall += double(s.support) * s.recall;
    r.weighted_avg.f1 += double(s.support) * s.f1;
  }
  for (double* v : {&r.macro_avg.precision, &r.macro_avg.recall, &r.macro_avg.f1}) *v /= double(n);
  for (double* v : {&r.weighted_avg.precision, &r.weighted_avg.recall, &r.weighted_avg.f1})
    *v = detail::safe_ratio(*v, double(total));
  r.macro_avg.support = r.weighted_avg.support = total;
  r.accuracy = cm.accuracy();
  return r;
}

template <std::ranges::input_range T, std::ranges::input_range P>
classification_report make_classification_report(const T& y_true, const P& y_pred, std::size_t num_classes,
                                                  std::vector<std::string> class_names = {}) {
  return make_classification_report(confusion_matrix(y_true, y_pred, num_classes), std::move(class_names));
}

inline nlohmann::json classification_report::to_json() const {
  auto scores = [](const class_scores& s) {
    return nlohmann::json{{"precision", s.precision}, {"recall", s.recall}, {"f1-score", s.f1}, {"support", s.support}};
  };
  nlohmann::json out = nlohmann::json::object();
  for (std::size_t c = 0; c < per_class.size(); ++c) out[class_names[c]] = scores(per_class[c]);
  out["accuracy"] = accuracy;
  out["macro avg"] = scores(macro_avg);
  out["weighted avg"] = scores(weighted_avg);
  out["class_names"] = class_names;
  out["confusion_matrix"] = confusion.to_json();
  return out;
}

inline std::string classification_report::to_csv(int digits) const {
  std::ostringstream out;
  out << std::fixed << std::setprecision(digits);
  out << "class,precision,recall,f1-score,support\n";
  auto row = [&](const std::string& name, const class_scores& s) {
    out << io::csv_field(name) << ',' << s.precision << ',' << s.recall << ',' << s.f1 << ',' << s.support << '\n';
  };
  for (std::size_t c = 0; c < per_class.size(); ++c) row(class_names[c], per_class[c]);
  // sklearn's dict puts accuracy alone; in the table it sits in the f1-score column.
  out << "accuracy,,," << accuracy << ',' << macro_avg.support << '\n';
  row("macro avg", macro_avg);
  row("weighted avg", weighted_avg);
  return out.str();
}

inline std::string classification_report::confusion_text() const {
  std::ostringstream out;
  out << "confusion matrix (rows: true, columns: predicted)\n";
  for (std::size_t i = 0; i < class_names.size(); ++i) {
    out << std::setw(10) << class_names[i];
    for (std::size_t j = 0; j < class_names.size(); ++j) out << std::setw(8) << confusion(i, j);
    out << "\n";
  }
  return out.str();
}

inline std::string classification_report::to_text(int digits) const {
  // sklearn: width = max(len(longest name), len("weighted avg"), digits);
  // head "{:>{width}s} " + " {:>9}" * 4; rows "{:>{width}s} " + " {:>9.{digits}f}" * 3 + " {:>9}".
  std::size_t width = std::string("weighted avg").size();
  for (const auto& name : class_names) width = std::max(width, name.size());
  width = std::max(width, static_cast<std::size_t>(std::max(digits, 0)));
  const int w = static_cast<int>(width);
  std::ostringstream out;
  out << std::setw(w) << "" << ' ';
  for (const char* h : {"precision", "recall", "f1-score", "support"}) out << ' ' << std::setw(9) << h;
  out << "\n\n";
  out << std::fixed << std::setprecision(digits);
  auto row = [&](const std::string& name, const class_scores& s) {
    out << std::setw(w) << name << ' ' << ' ' << std::setw(9) << s.precision << ' ' << std::setw(9) << s.recall << ' '
        << std::setw(9) << s.f1 << ' ' << std::setw(9) << s.support << '\n';
  };
  for (std::size_t c = 0; c < per_class.size(); ++c) row(class_names[c], per_class[c]);
  out << '\n';
  out << std::setw(w) << "accuracy" << ' ' << ' ' << std::setw(9) << "" << ' ' << std::setw(9) << "" << ' '
      << std::setw(9) << accuracy << ' ' << std::setw(9) << macro_avg.support << '\n';
  row("macro avg", macro_avg);
  row("weighted avg", weighted_avg);
  return out.str();
}

// Writes <stem>.json, <stem>.csv and <stem>.txt (the text table), each atomically.
inline void save_classification_report(const classification_report& report, const std::filesystem::path& stem) {
  auto with = [&](const char* extension) {
    auto path = stem;
    path += extension;
    return path;
  };
  io::write_json_file(with(".json"), report.to_json());
  io::write_text_file(with(".csv"), report.to_csv());
  io::write_text_file(with(".txt"), report.to_text());
}

}  // namespace acne::metrics
