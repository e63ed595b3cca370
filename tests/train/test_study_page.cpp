// The report page: parsed back, every file it refers to exists (relative to the page), every figure
// a stage wrote is shown, a missing one is named, and the table carries the study's numbers.
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "acne/io/plot/png.hpp"
#include "acne/train/study_page.hpp"
#include "support/scratch_dir.hpp"

namespace test_train_study_page {

namespace {

namespace fs = std::filesystem;
using acne::train::evaluation;

const std::vector<std::string> classes{"healthy", "mild"};

evaluation scored(std::vector<int> truth, std::vector<int> predicted) {
  evaluation e;
  e.truth = std::move(truth);
  e.predicted = std::move(predicted);
  e.report = acne::metrics::make_classification_report(e.truth, e.predicted, classes.size(), classes);
  return e;
}

void picture(const fs::path& p) { acne::io::write_png(p, cv::Mat(4, 4, CV_8UC3, cv::Scalar(10, 20, 30))); }

// Every src and href of the page.
std::vector<std::string> references(const std::string& html) {
  static const std::regex attribute(R"re((?:src|href)="([^"]*)")re");
  std::vector<std::string> out;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), attribute); it != std::sregex_iterator(); ++it)
    out.push_back((*it)[1]);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(study_page)

BOOST_AUTO_TEST_CASE(every_referenced_file_exists_and_the_table_holds_the_study) {
  acne::test::scratch_dir dir("study-page");
  const fs::path out = dir.path() / "run";
  // The files the stages write, with one GAN that has not written its FID plot yet.
  for (const char* gan : {"all", "mild"}) {
    picture(out / "gan" / gan / "reals.png");
    picture(out / "gan" / gan / "fakes-000000.png");
    picture(out / "gan" / gan / "fakes-000004.png");
  }
  picture(out / "gan" / "all" / "fid.png");
  for (const char* name : {"real", "synthetic"}) {
    picture(out / "classifier" / name / "accuracy.png");
    picture(out / "classifier" / name / "loss.png");
    picture(out / "evaluation" / name / "confusion_matrix.png");
  }
  picture(out / "evaluation" / "class-fidelity" / "confusion_matrix.png");

  acne::train::study_page_contents c;
  c.settings = "preset <test> & more";
  c.study.real_baseline = scored({0, 1, 0, 1}, {0, 1, 0, 0});     // 0.75
  c.study.synthetic_only = scored({0, 1, 0, 1}, {0, 1, 1, 0});    // 0.5
  c.study.class_fidelity = scored({0, 0, 1, 1, 1, 1}, {0, 0, 1, 0, 0, 0});  // mild 0.25
  for (const char* gan : {"all", "mild"})
    c.gans.push_back({gan, out / "gan" / gan,
                      {{"kimg", 1.5}, {"classes", {gan}},
                       {"best_fid", {{"fid", 12.5}, {"tick", 3}, {"extractor", "random-conv-v1"}, {"against", "x"}}}}});
  for (const char* name : {"real", "synthetic"})
    c.classifiers.push_back({std::string("trained on ") + name, out / "classifier" / name, out / "evaluation" / name});
  c.class_fidelity = out / "evaluation" / "class-fidelity";
  // The page sits in its own folder, as report.html does beside report.json.
  const fs::path page = out / "report.html";
  acne::train::write_study_page(page, c);

  const std::string html = acne::io::read_text_file(page);
  const auto refs = references(html);
  std::set<fs::path> shown;
  for (const auto& r : refs) {
    BOOST_TEST_CONTEXT(r) {
      BOOST_TEST(fs::path(r).is_relative());
      BOOST_TEST(fs::is_regular_file(page.parent_path() / r));
    }
    shown.insert(fs::weakly_canonical(page.parent_path() / r));
  }
  // Every picture written above is on the page, the newest grid of each GAN rather than the first.
  for (const auto& entry : fs::recursive_directory_iterator(out)) {
    if (entry.path().extension() != ".png") continue;
    const bool first_grid = entry.path().filename() == "fakes-000000.png";
    BOOST_TEST_CONTEXT(entry.path()) { BOOST_TEST(shown.count(fs::weakly_canonical(entry.path())) == (first_grid ? 0u : 1u)); }
  }
  BOOST_TEST(html.find("not produced: fid.png") != std::string::npos);  // the mild GAN's
  BOOST_TEST(html.find("<td>synthetic only</td><td>0.5000</td>") != std::string::npos);
  BOOST_TEST(html.find("<td>0.67</td>") != std::string::npos);  // 0.5 / 0.75
  BOOST_TEST(html.find("<td>mild</td><td>0.25</td>") != std::string::npos);
  BOOST_TEST(html.find("best FID 12.5000 at tick 3 (random-conv-v1") != std::string::npos);
  BOOST_TEST(html.find("preset &lt;test&gt; &amp; more") != std::string::npos);
  BOOST_TEST(html.find("http") == std::string::npos);  // nothing fetched
}

BOOST_AUTO_TEST_CASE(the_latest_grid_is_the_highest_tick) {
  acne::test::scratch_dir dir("study-page-grid");
  BOOST_TEST(acne::train::latest_sample_grid(dir.path()).empty());
  for (const char* f : {"fakes-000002.png", "fakes-000010.png", "fakes_init.png", "fakes-000009.png"}) picture(dir / f);
  BOOST_TEST(acne::train::latest_sample_grid(dir.path()).filename() == "fakes-000010.png");
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_train_study_page
