// The side-by-side evaluation of a synthetic dataset: the ratio to the real baseline, class
// fidelity as the per-class share of the intended label beside the same judge's recall on real test
// faces, and what the JSON and the table leave out.
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "acne/train/synthetic_study.hpp"

namespace test_train_synthetic_study {

namespace {

using acne::train::evaluation;

const std::vector<std::string> classes{"healthy", "mild", "severe"};

evaluation scored(std::vector<int> truth, std::vector<int> predicted) {
  evaluation e;
  e.truth = std::move(truth);
  e.predicted = std::move(predicted);
  e.report = acne::metrics::make_classification_report(e.truth, e.predicted, classes.size(), classes);
  return e;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(synthetic_study)

BOOST_AUTO_TEST_CASE(the_ratio_is_synthetic_accuracy_over_the_baselines) {
  acne::train::synthetic_study s;
  s.real_baseline = scored({0, 1, 2, 0, 1, 2, 0, 1}, {0, 1, 2, 0, 1, 2, 1, 1});      // 7 of 8
  s.synthetic_only = scored({0, 1, 2, 0, 1, 2, 0, 1}, {0, 0, 2, 0, 2, 2, 1, 1});     // 5 of 8
  BOOST_TEST(*s.ratio_to_baseline() == (5.0 / 8) / (7.0 / 8), boost::test_tools::tolerance(1e-12));
  const auto j = s.to_json();
  BOOST_TEST(j.at("real_baseline").at("accuracy").get<double>() == 7.0 / 8, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(j.at("synthetic_only").at("ratio_to_baseline").get<double>() == 5.0 / 7, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(!j.contains("real_and_synthetic"));
  BOOST_TEST(!j.contains("class_fidelity"));
  const auto table = s.table();
  BOOST_TEST(table.find("synthetic only") != std::string::npos);
  BOOST_TEST(table.find("0.71") != std::string::npos);  // 5/7, the ratio column
  BOOST_TEST(table.find("real + synthetic") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(without_a_baseline_there_is_no_ratio) {
  acne::train::synthetic_study s;
  s.synthetic_only = scored({0, 1}, {0, 1});
  BOOST_TEST(!s.ratio_to_baseline());
  BOOST_TEST(!s.to_json().at("synthetic_only").contains("ratio_to_baseline"));
  s.real_baseline = scored({0, 1}, {1, 0});  // accuracy 0: a ratio would divide by zero
  BOOST_TEST(!s.ratio_to_baseline());
}

BOOST_AUTO_TEST_CASE(class_fidelity_is_the_share_given_the_intended_class) {
  acne::train::synthetic_study s;
  // healthy 2 of 2, mild 1 of 4 (three taken for severe), severe 2 of 3
  s.class_fidelity = scored({0, 0, 1, 1, 1, 1, 2, 2, 2}, {0, 0, 1, 2, 2, 2, 2, 2, 0});
  const auto j = s.to_json().at("class_fidelity");
  BOOST_TEST(j.at("per_class").at("healthy").get<double>() == 1.0);
  BOOST_TEST(j.at("per_class").at("mild").get<double>() == 0.25);
  BOOST_TEST(j.at("per_class").at("severe").get<double>() == 2.0 / 3, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(j.at("worst").get<double>() == 0.25);
  BOOST_TEST(*s.worst_class_fidelity() == 0.25);
  BOOST_TEST(j.at("samples").get<std::size_t>() == 9u);
  BOOST_TEST(s.table().find("mild 0.25") != std::string::npos);
  BOOST_TEST(!j.contains("real_test_faces_per_class"));  // no baseline: nothing to set beside it
}

BOOST_AUTO_TEST_CASE(the_judges_recall_on_real_faces_stands_beside_class_fidelity) {
  acne::train::synthetic_study s;
  // The judge gets healthy 3 of 3, mild 1 of 2 (one taken for healthy), severe 2 of 3 real test faces.
  s.real_baseline = scored({0, 0, 0, 1, 1, 2, 2, 2}, {0, 0, 0, 0, 1, 2, 2, 1});
  s.class_fidelity = scored({0, 1, 1, 2}, {0, 0, 1, 2});
  const auto j = s.to_json().at("class_fidelity").at("real_test_faces_per_class");
  BOOST_TEST(j.at("healthy").get<double>() == 1.0);
  BOOST_TEST(j.at("mild").get<double>() == 0.5);
  BOOST_TEST(j.at("severe").get<double>() == 2.0 / 3, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(!s.judge_on_real("moderate"));
  const auto table = s.table();
  BOOST_TEST(table.find("real test faces of each class: healthy 1.00 mild 0.50 severe 0.67") != std::string::npos,
             table);
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_train_synthetic_study
