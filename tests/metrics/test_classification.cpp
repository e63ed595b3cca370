#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "acne/metrics/classification.hpp"

namespace test_metrics_classification {

namespace m = acne::metrics;

namespace {
// Hand example, 4 classes (0 healthy, 1 mild, 2 moderate, 3 severe):
//   y_true = 0 0 0 1 1 1 1 2 2 2   (class 3 has no support)
//   y_pred = 0 0 1 1 1 3 0 1 1 0   (class 2 is never predicted)
// Confusion (rows true, columns predicted):
//   [2 1 0 0]   row sums (support) 3 4 3 0, total 10
//   [1 2 0 1]   column sums (predicted) 4 5 0 1
//   [1 2 0 0]   trace 4 -> accuracy 0.4
//   [0 0 0 0]
// class 0: P = 2/4 = 0.5, R = 2/3, F1 = 2*0.5*(2/3)/(0.5+2/3) = 4/7
// class 1: P = 2/5 = 0.4, R = 2/4 = 0.5, F1 = 2*0.4*0.5/0.9 = 4/9
// class 2: no predictions -> P = 0 (zero division), R = 0/3 = 0, F1 = 0
// class 3: P = 0/1 = 0, no support -> R = 0 (zero division), F1 = 0
// macro:    P = 0.9/4 = 0.225, R = (2/3+1/2)/4 = 7/24, F1 = (4/7+4/9)/4 = 16/63
// weighted: P = (3*0.5+4*0.4)/10 = 0.31, R = (2+2)/10 = 0.4, F1 = (12/7+16/9)/10 = 22/63
const std::vector<int> y_true{0, 0, 0, 1, 1, 1, 1, 2, 2, 2};
const std::vector<int> y_pred{0, 0, 1, 1, 1, 3, 0, 1, 1, 0};
const std::vector<std::string> names{"healthy", "mild", "moderate", "severe"};
constexpr double tol = 1e-12;
}  // namespace

BOOST_AUTO_TEST_SUITE(classification)

BOOST_AUTO_TEST_CASE(confusion_matrix_counts) {
  const m::confusion_matrix cm(y_true, y_pred, 4);
  const std::size_t expected[4][4] = {{2, 1, 0, 0}, {1, 2, 0, 1}, {1, 2, 0, 0}, {0, 0, 0, 0}};
  for (std::size_t i = 0; i < 4; ++i)
    for (std::size_t j = 0; j < 4; ++j) BOOST_TEST(cm(i, j) == expected[i][j], "cell " << i << "," << j);
  BOOST_TEST(cm.total() == 10u);
  BOOST_TEST(cm.correct() == 4u);
  BOOST_TEST(cm.support(1) == 4u);
  BOOST_TEST(cm.predicted(1) == 5u);
  BOOST_TEST(cm.predicted(2) == 0u);
  BOOST_TEST(cm.accuracy() == 0.4, boost::test_tools::tolerance(tol));
}

BOOST_AUTO_TEST_CASE(per_class_and_averages) {
  const auto r = m::make_classification_report(y_true, y_pred, 4, names);
  BOOST_TEST(r.accuracy == 0.4, boost::test_tools::tolerance(tol));
  const double precision[] = {0.5, 0.4, 0.0, 0.0};
  const double recall[] = {2.0 / 3.0, 0.5, 0.0, 0.0};
  const double f1[] = {4.0 / 7.0, 4.0 / 9.0, 0.0, 0.0};
  const std::size_t support[] = {3, 4, 3, 0};
  for (std::size_t c = 0; c < 4; ++c) {
    BOOST_TEST_CONTEXT("class " << c) {
      BOOST_TEST(r.per_class[c].precision == precision[c], boost::test_tools::tolerance(tol));
      BOOST_TEST(r.per_class[c].recall == recall[c], boost::test_tools::tolerance(tol));
      BOOST_TEST(r.per_class[c].f1 == f1[c], boost::test_tools::tolerance(tol));
      BOOST_TEST(r.per_class[c].support == support[c]);
    }
  }
  BOOST_TEST(r.macro_avg.precision == 0.225, boost::test_tools::tolerance(tol));
  BOOST_TEST(r.macro_avg.recall == 7.0 / 24.0, boost::test_tools::tolerance(tol));
  BOOST_TEST(r.macro_avg.f1 == 16.0 / 63.0, boost::test_tools::tolerance(tol));
  BOOST_TEST(r.weighted_avg.precision == 0.31, boost::test_tools::tolerance(tol));
  BOOST_TEST(r.weighted_avg.recall == 0.4, boost::test_tools::tolerance(tol));
  BOOST_TEST(r.weighted_avg.f1 == 22.0 / 63.0, boost::test_tools::tolerance(tol));
  BOOST_TEST(r.macro_avg.support == 10u);
  BOOST_TEST(r.weighted_avg.support == 10u);
}

BOOST_AUTO_TEST_CASE(perfect_predictions) {
  const std::vector<std::size_t> labels{0, 1, 2, 2, 1, 0, 2};
  const auto r = m::make_classification_report(labels, labels, 3);
  BOOST_TEST(r.accuracy == 1.0);
  for (const auto& s : r.per_class) BOOST_TEST((s.precision == 1.0 && s.recall == 1.0 && s.f1 == 1.0));
  BOOST_TEST(r.class_names[2] == "2");  // default names
}

BOOST_AUTO_TEST_CASE(json_and_csv) {
  const auto r = m::make_classification_report(y_true, y_pred, 4, names);
  const auto j = r.to_json();
  BOOST_TEST(j.at("mild").at("precision").get<double>() == 0.4, boost::test_tools::tolerance(tol));
  BOOST_TEST(j.at("severe").at("support").get<std::size_t>() == 0u);
  BOOST_TEST(j.at("accuracy").get<double>() == 0.4, boost::test_tools::tolerance(tol));
  BOOST_TEST(j.at("macro avg").at("f1-score").get<double>() == 16.0 / 63.0, boost::test_tools::tolerance(tol));
  BOOST_TEST(j.at("weighted avg").at("support").get<std::size_t>() == 10u);
  BOOST_TEST(j.at("confusion_matrix").at(1).at(3).get<int>() == 1);

  std::istringstream csv(r.to_csv(4));
  std::vector<std::string> lines;
  for (std::string line; std::getline(csv, line);) lines.push_back(line);
  BOOST_REQUIRE(lines.size() == 8u);  // header + 4 classes + accuracy + 2 averages
  BOOST_TEST(lines[0] == "class,precision,recall,f1-score,support");
  BOOST_TEST(lines[1] == "healthy,0.5000,0.6667,0.5714,3");
  BOOST_TEST(lines[5] == "accuracy,,,0.4000,10");
  BOOST_TEST(lines[7] == "weighted avg,0.3100,0.4000,0.3492,10");
}

BOOST_AUTO_TEST_CASE(text_table_like_sklearn) {
  // sklearn.metrics.classification_report(y_true, y_pred, labels=[0,1,2,3], target_names=names):
  // width = len("weighted avg") = 12; header "{:>12s} " + " {:>9}"*4; rows " {:>9.2f}"*3 + " {:>9}".
  const std::string expected =
      "              precision    recall  f1-score   support\n"
      "\n"
      "     healthy       0.50      0.67      0.57         3\n"
      "        mild       0.40      0.50      0.44         4\n"
      "    moderate       0.00      0.00      0.00         3\n"
      "      severe       0.00      0.00      0.00         0\n"
      "\n"
      "    accuracy                           0.40        10\n"
      "   macro avg       0.23      0.29      0.25        10\n"
      "weighted avg       0.31      0.40      0.35        10\n";
  const auto r = m::make_classification_report(y_true, y_pred, 4, names);
  BOOST_TEST(r.to_text() == expected);
}

BOOST_AUTO_TEST_CASE(save_writes_json_csv_and_text) {
  const auto r = m::make_classification_report(y_true, y_pred, 4, names);
  const auto stem = std::filesystem::path(ACNE_TEST_BINARY_DIR) / "test_output" / "metrics" / "report";
  m::save_classification_report(r, stem);
  BOOST_TEST(acne::io::read_json_file(stem.string() + ".json") == r.to_json());
  BOOST_TEST(acne::io::read_text_file(stem.string() + ".csv") == r.to_csv());
  BOOST_TEST(acne::io::read_text_file(stem.string() + ".txt") == r.to_text());
}

BOOST_AUTO_TEST_CASE(rejects_bad_input) {
  m::confusion_matrix cm(3);
  BOOST_CHECK_THROW(cm.add(3, 0), acne::error);
  BOOST_CHECK_THROW(cm.add(0, -1), acne::error);
  const std::vector<int> a{0, 1, 2}, b{0, 1};
  BOOST_CHECK_THROW(m::confusion_matrix(a, b, 3), acne::error);
  BOOST_CHECK_THROW(m::make_classification_report(a, a, 3, {"x", "y"}), acne::error);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_metrics_classification
