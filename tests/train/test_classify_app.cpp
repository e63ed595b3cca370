// The acne-classify program end to end on a tiny generated dataset: train (phantom faces), resume,
// evaluate and predict succeed and write their files; bad input exits with status 2 and says why.
// Skipped when the program was not built (ACNE_BUILD_APPS=OFF).
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include "acne/io/image.hpp"
#include "acne/io/report.hpp"
#include "support/app_runner.hpp"
#include "support/fake_acne04.hpp"
#include "train_test_util.hpp"

namespace test_train_classify_app {

namespace {

namespace fs = std::filesystem;
namespace utf = boost::unit_test;

acne::test::app_outcome run(const std::string& args, const fs::path& dir) { return acne::test::run_app("acne-classify", args, dir); }

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

const std::string tiny = " --width-multiplier 0.0625 --blocks 1,1,1,1 --size 32 --batch 8 --phantom-count 6 ";

}  // namespace

BOOST_AUTO_TEST_SUITE(classify_app, *utf::precondition(acne::test::app_built{"acne-classify"}))

BOOST_AUTO_TEST_CASE(train_resume_evaluate_predict) {
  acne::test::scratch_dir dir("app");
  const fs::path out = dir.path() / "run";
  auto r = run("train --epochs 1" + tiny + "--out " + out.string(), dir.path());
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  BOOST_TEST(contains(r.output, "generating 6 phantom faces per class"));
  for (const char* f : {"best.safetensors", "last.safetensors", "history.csv", "accuracy.png", "loss.png"})
    BOOST_TEST(fs::exists(out / f), f);

  r = run("train --epochs 2 --resume latest" + tiny + "--out " + out.string(), dir.path());
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  BOOST_TEST(contains(r.output, "after epoch 1"));
  BOOST_TEST(acne::io::read_json_file(out / "history.json").size() == 2u);

  r = run("evaluate --checkpoint " + (out / "best.safetensors").string() + " --data " + (out / "phantom-data").string() +
              " --out " + (dir.path() / "eval").string(), dir.path());
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  BOOST_TEST(contains(r.output, "weighted avg"));
  for (const char* f : {"evaluation.json", "evaluation.csv", "predictions.csv", "confusion_matrix.png"})
    BOOST_TEST(fs::exists(dir.path() / "eval" / f), f);
  BOOST_TEST(acne::io::read_json_file(dir.path() / "eval" / "evaluation.json").at("samples").get<int>() == 24);

  r = run("predict --checkpoint " + (out / "best.safetensors").string() + " " +
              (out / "phantom-data" / "mild" / "mild_00000.png").string(), dir.path());
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  BOOST_TEST(contains(r.output, "mild_00000.png"));
  BOOST_TEST(contains(r.output, "healthy"));

  // A checkpoint of another architecture, for evaluation and for a resume.
  r = run("evaluate --model inception_resnet_v2 --checkpoint " + (out / "best.safetensors").string() + " --data " +
              (out / "phantom-data").string(), dir.path());
  BOOST_TEST(r.status == 2);
  BOOST_TEST(contains(r.output, "holds a resnet50v2 model, not inception_resnet_v2"));
  r = run("train --model resnet152v2 --epochs 3 --resume latest" + tiny + "--out " + out.string(), dir.path());
  BOOST_TEST(r.status == 2);
  BOOST_TEST(contains(r.output, "not resnet152v2"));
}

BOOST_AUTO_TEST_CASE(acne04_with_healthy_faces_trains_and_evaluates) {
  acne::test::scratch_dir dir("app-acne04");
  const fs::path root = dir.path() / "ACNE04", healthy = dir.path() / "healthy", out = dir.path() / "run";
  acne::test::fake_acne04(root);
  acne::test::fake_healthy_faces(healthy, 12, 10, 30);
  const std::string acne04 = " --acne04 " + root.string() + " --healthy " + healthy.string();
  auto r = run("train --epochs 1 --validation-split 0" + tiny + acne04 + " --out " + out.string(), dir.path());
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  BOOST_TEST(contains(r.output, "healthy 4, mild 2, moderate 1, severe 2"), r.output);  // levels 0 0 1 2 3, h4 is a test face

  r = run("evaluate --checkpoint " + (out / "last.safetensors").string() + acne04 + " --out " + (dir.path() / "eval").string(),
          dir.path());
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  BOOST_TEST(acne::io::read_json_file(dir.path() / "eval" / "evaluation.json").at("samples").get<int>() == 3);  // h4, 1_2, 3_2

  r = run("train --data " + root.string() + acne04, dir.path());
  BOOST_TEST(r.status == 2);
  BOOST_TEST(contains(r.output, "not both"));
  r = run("evaluate --checkpoint " + (out / "last.safetensors").string() + " --acne04 " + (dir.path() / "none").string(),
          dir.path());
  BOOST_TEST(r.status == 2);
  BOOST_TEST(contains(r.output, "does not exist"));
}

BOOST_AUTO_TEST_CASE(unusable_input_exits_with_status_two) {
  acne::test::scratch_dir dir("app-errors");
  auto r = run("train --data " + (dir.path() / "missing").string(), dir.path());
  BOOST_TEST(r.status == 2);
  BOOST_TEST(contains(r.output, "does not exist"));

  fs::create_directories(dir.path() / "data" / "healthy");
  fs::create_directories(dir.path() / "data" / "mild");
  std::ofstream(dir.path() / "data" / "mild" / "a.png") << "not a png";
  r = run("train --data " + (dir.path() / "data").string(), dir.path());
  BOOST_TEST(r.status == 2);
  BOOST_TEST(contains(r.output, "'healthy' has no readable images"));

  r = run("train --epochs -3", dir.path());
  BOOST_TEST(r.status == 2);
  r = run("train --patience 5 --validation-split 0", dir.path());
  BOOST_TEST(r.status == 2);
  BOOST_TEST(contains(r.output, "--patience needs validation images"), r.output);
  r = run("predict --checkpoint " + (dir.path() / "none.safetensors").string() + " x.png", dir.path());
  BOOST_TEST(r.status == 2);
  r = run("train --help", dir.path());
  BOOST_TEST(r.status == 0);
  BOOST_TEST(contains(r.output, "--pretrained FILE"));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_train_classify_app
