// The acne-classify program end to end on a tiny generated dataset: train (phantom faces), resume,
// evaluate and predict succeed and write their files; bad input exits with status 2 and says why.
// Skipped when the program was not built (ACNE_BUILD_APPS=OFF).
#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <sys/wait.h>

#include "acne/io/report.hpp"
#include "train_test_util.hpp"

namespace test_train_classify_app {

namespace {

namespace fs = std::filesystem;
namespace utf = boost::unit_test;

const fs::path program = fs::path(ACNE_TEST_BINARY_DIR) / "apps" / "acne-classify";

boost::test_tools::assertion_result program_built(utf::test_unit_id) {
  boost::test_tools::assertion_result r(fs::exists(program));
  r.message() << program.string() << " was not built; app tests skipped";
  return r;
}

struct outcome {
  int status = -1;
  std::string output;
};

outcome run(const std::string& args, const fs::path& dir) {
  const fs::path log = dir / "log.txt";
  const int raw = std::system((program.string() + " " + args + " >" + log.string() + " 2>&1").c_str());
  return {WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, acne::io::read_text_file(log)};
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

const std::string tiny = " --width-multiplier 0.0625 --blocks 1,1,1,1 --size 32 --batch 8 --phantom-count 6 ";

}  // namespace

BOOST_AUTO_TEST_SUITE(classify_app, *utf::precondition(program_built))

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
  r = run("predict --checkpoint " + (dir.path() / "none.safetensors").string() + " x.png", dir.path());
  BOOST_TEST(r.status == 2);
  r = run("train --help", dir.path());
  BOOST_TEST(r.status == 0);
  BOOST_TEST(contains(r.output, "--pretrained FILE"));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_train_classify_app
