// acne-pipeline end to end at a tiny size on a made-up ACNE04 folder with healthy faces: every stage
// runs, the report page refers only to files that exist, a rerun continues without redoing work, and
// options that cannot go together exit with status 2 before any stage.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <filesystem>
#include <map>
#include <regex>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "acne/io/image.hpp"
#include "acne/io/report.hpp"
#include "support/astronaut.hpp"
#include "support/app_runner.hpp"
#include "support/fake_acne04.hpp"
#include "support/scratch_dir.hpp"

namespace test_train_pipeline_app {

namespace {

namespace fs = std::filesystem;
namespace utf = boost::unit_test;

acne::test::app_outcome run(const std::string& args, const fs::path& dir) { return acne::test::run_app("acne-pipeline", args, dir); }

const std::string tiny =
    " --resolution 16 --kimg-all 0.016 --kimg-class 0.008 --synthetic 4 --gan-batch 2 --gan-channel-max 16 --gan-latent 8"
    " --gan-mapping-layers 1 --classifier-width 0.0625 --classifier-size 32 --epochs 1 --device cpu --pretrained none";

}  // namespace

BOOST_AUTO_TEST_SUITE(pipeline_app, *utf::precondition(acne::test::app_built{"acne-pipeline"}))

BOOST_AUTO_TEST_CASE(acne04_end_to_end_with_its_report_page_and_a_rerun) {
  acne::test::scratch_dir dir("pipeline-app");
  const fs::path root = dir.path() / "ACNE04", healthy = dir.path() / "healthy", out = dir.path() / "run";
  acne::test::fake_acne04(root);
  acne::test::fake_healthy_faces(healthy, 20, 18, 40);
  // The made-up faces are flat grey: nothing for the face detector to find, so stage 2 resizes them.
  // Two epochs, so that the real + synthetic classifier's fewer epochs show.
  std::string args = "--acne04 " + root.string() + " --healthy " + healthy.string() + " --out " + out.string() +
                     " --align none" + tiny;
  args.replace(args.find("--epochs 1"), 10, "--epochs 2");
  auto r = run(args, dir.path());
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  BOOST_TEST(r.says("the preset's values overridden, so its measured time does not apply"), r.output);
  BOOST_TEST(!r.says("minutes of work"), r.output);
  BOOST_TEST(r.says("training: healthy 4, mild 2, moderate 1, severe 2"), r.output);
  BOOST_TEST(r.says("test:     healthy 1, mild 0, moderate 1, severe 1"), r.output);
  BOOST_TEST(r.says("synthetic only"));
  BOOST_TEST(acne::io::list_images(out / "prepared-test").size() == 3u);

  const auto report = acne::io::read_json_file(out / "report.json");
  BOOST_TEST(report.at("evaluation").at("synthetic_only").at("samples").get<int>() == 3);
  const double first_seconds = report.at("seconds").get<double>();
  BOOST_TEST(first_seconds > 0.0);
  BOOST_TEST(report.at("invocation_seconds") == nlohmann::json::array({first_seconds}));
  BOOST_TEST(report.at("gan").at("healthy").contains("synthetic_against_real"));   // 4 real healthy faces
  BOOST_TEST(!report.at("gan").at("moderate").contains("synthetic_against_real"));  // 1 real face: not measured
  // Each class's GAN learnt its neighbours' real faces as fakes.
  const std::map<std::string, nlohmann::json> neighbours{{"healthy", nlohmann::json::array({"mild"})},
                                                         {"mild", nlohmann::json::array({"healthy"})},
                                                         {"moderate", nlohmann::json::array({"mild", "severe"})},
                                                         {"severe", nlohmann::json::array({"moderate"})}};
  for (const auto& [cls, negatives] : neighbours) {
    BOOST_TEST(report.at("gan").at(cls).at("negatives").at("classes") == negatives, cls);
    const auto options = acne::io::read_json_file(out / "gan" / cls / "options.json");
    BOOST_TEST(options.at("negatives").at("classes") == negatives, cls);
    BOOST_TEST(options.at("negative_weight").get<double>() == 2.0);
  }
  // The mild GAN started from the moderate one (trained first), the others from the all-severity GAN.
  for (const char* cls : {"healthy", "moderate", "severe"})
    BOOST_TEST(report.at("gan").at(cls).at("transferred_from").at("gan").get<std::string>() == "all", cls);
  const auto& mild_start = report.at("gan").at("mild").at("transferred_from");
  BOOST_TEST(mild_start.at("gan").get<std::string>() == "moderate");
  BOOST_TEST(fs::equivalent(mild_start.at("snapshot").get<std::string>(),
                            report.at("gan").at("moderate").at("snapshot").get<std::string>()));
  const auto mild_options = acne::io::read_json_file(out / "gan" / "mild" / "options.json");
  BOOST_TEST(fs::equivalent(mild_options.at("pretrained").get<std::string>(),
                            report.at("gan").at("moderate").at("snapshot").get<std::string>()));
  // and, having further to go, trains 1.6 times as long (the cpu preset's --mild-kimg-factor).
  BOOST_TEST(mild_options.at("total_kimg").get<double>() == 1.6 * 0.008, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(acne::io::read_json_file(out / "gan" / "severe" / "options.json").at("total_kimg").get<double>() == 0.008);
  // Each face drawn with noise inputs of its own (one constant map would put the noise-drawn lesions
  // of every face of a class on the same pixels), and the folder's record says so.
  for (const char* cls : {"healthy", "mild", "moderate", "severe"}) {
    BOOST_TEST(report.at("gan").at(cls).at("drawn").at("noise").get<std::string>() == "random", cls);
    BOOST_TEST(acne::io::read_json_file(out / "synthetic" / ("made_with-" + std::string(cls) + ".json"))
                       .at("noise")
                       .get<std::string>() == "random",
               cls);
  }
  // Each class's synthetic faces audited; the set stage 5 trained on is what the audit released.
  std::size_t released = 0;
  for (const char* cls : {"healthy", "mild", "moderate", "severe"}) {
    const auto& audit = report.at("audit").at(cls);
    BOOST_TEST(audit.at("synthetic_images").get<std::size_t>() == 4u);
    BOOST_TEST(audit.at("spaces").size() == 2u);
    const auto kept = acne::io::list_images(out / "synthetic-released" / cls).size();
    BOOST_TEST(kept + audit.at("near_copies").get<std::size_t>() == 4u, cls);
    BOOST_TEST(audit.at("released").at("images").get<std::size_t>() == kept);
    BOOST_TEST(fs::is_regular_file(out / "audit" / cls / "audit.json"));
    released += kept;
  }
  BOOST_TEST(acne::io::read_json_file(out / "classifier" / "synthetic" / "made_with.json").at("images").get<std::size_t>() ==
             released);
  BOOST_TEST(r.says("audit of the 4 synthetic mild faces against"), r.output);
  // The real + synthetic classifier takes as many steps as the real one: fewer epochs over more faces.
  const std::size_t both = 9 + released, both_epochs = std::max<std::size_t>(1, (2 * 9 + both / 2) / both);
  BOOST_TEST(both_epochs < 2u);
  const auto& epochs = report.at("classifier").at("epochs");
  BOOST_TEST(epochs.at("real").get<std::size_t>() == 2u);
  BOOST_TEST(epochs.at("synthetic").get<std::size_t>() == 2u);
  BOOST_TEST(epochs.at("real+synthetic").get<std::size_t>() == both_epochs);
  for (const auto& [name, count] : {std::pair<const char*, std::size_t>{"real", 2}, {"real+synthetic", both_epochs}}) {
    BOOST_TEST(acne::io::read_json_file(out / "classifier" / name / "history.json").size() == count, name);
    BOOST_TEST(report.at("classifier").at("epochs_run").at(name).get<std::size_t>() == count, name);
  }
  BOOST_TEST(report.at("classifier").at("patience").get<std::size_t>() == 20u);  // the cpu preset's

  const std::string html = acne::io::read_text_file(out / "report.html");
  static const std::regex attribute(R"re((?:src|href)="([^"]*)")re");
  std::size_t images = 0;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), attribute); it != std::sregex_iterator(); ++it, ++images)
    BOOST_TEST(fs::is_regular_file(out / (*it)[1].str()), (*it)[1].str());
  // reals and fakes of each GAN, the confusion matrix of each classifier and of class fidelity; each
  // image sits inside a link to itself
  // and the audit's two pictures per space and class
  BOOST_TEST(images >= 2 * (5 * 2 + 3 + 1 + 4 * 2 * 2));
  BOOST_TEST(html.find("Anonymity audit") != std::string::npos);

  // A rerun redoes nothing: no GAN tick, no classifier epoch, also when it names the folder by a
  // relative path (the records hold absolute ones).
  args.replace(args.find(out.string()), out.string().size(), fs::relative(out).string());
  r = run(args, dir.path());
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  BOOST_TEST(!r.says("tick 0 "), r.output);
  BOOST_TEST(r.says("already reached total_kimg"), r.output);
  for (const auto& [name, count] : {std::pair<const char*, std::size_t>{"real", 2}, {"synthetic", 2}, {"real+synthetic", both_epochs}})
    BOOST_TEST(r.says(name + std::string("/last.safetensors after epoch ") + std::to_string(count)), r.output);
  // and reports the first run's work beside its own, not its own few seconds as the run's time.
  const auto again = acne::io::read_json_file(out / "report.json");
  const auto invocations = again.at("invocation_seconds").get<std::vector<double>>();
  BOOST_TEST_REQUIRE(invocations.size() == 2u);
  BOOST_TEST(invocations[0] == first_seconds);
  BOOST_TEST(again.at("seconds").get<double>() == invocations[0] + invocations[1], boost::test_tools::tolerance(1e-9));
}

// The paper's hierarchy: the classifier trained on the real faces (stage 5's baseline) sorts the
// all-severity GAN's draws, each acne class's GAN learns from its sorted draws, and draws it calls
// healthy are left out. Tiny networks may sort every draw into one class; the run must then stop with
// the advice, after writing what it sorted.
BOOST_AUTO_TEST_CASE(sorted_class_source_sorts_the_draws_of_the_all_severity_gan) {
  acne::test::scratch_dir dir("pipeline-app-sorted");
  const fs::path out = dir.path() / "run";
  const auto r = run("--class-source sorted --mild-from all --sorted-count 24 --real-per-class 6 --test-per-class 2 --out " + out.string() + tiny,
                     dir.path());
  BOOST_TEST(r.says("3b. draws of the all-severity model sorted"), r.output);
  // One device line for the whole run, not one per stage.
  std::size_t device_lines = 0;
  for (auto at = r.output.find("device: "); at != std::string::npos; at = r.output.find("device: ", at + 1)) ++device_lines;
  BOOST_TEST(device_lines == 1u, r.output);
  BOOST_TEST(acne::io::list_images(out / "drawn" / "all").size() == 24u);
  const std::string csv = acne::io::read_text_file(out / "sorted" / "sorted.csv");
  BOOST_TEST(std::count(csv.begin(), csv.end(), '\n') == 25);
  BOOST_TEST(csv.starts_with("image,class,confidence,p_healthy,p_mild,p_moderate,p_severe\n"), csv);
  std::size_t sorted = 0;
  for (const auto& c : {"healthy", "mild", "moderate", "severe"}) sorted += acne::io::list_images(out / "sorted" / c).size();
  BOOST_TEST(sorted == 24u);
  const std::size_t left_out = acne::io::list_images(out / "sorted" / "healthy").size();
  BOOST_TEST(r.says("the " + std::to_string(left_out) + " sorted as healthy are left out"), r.output);
  // The sorter is the real baseline, trained once: no folder of its own, and stage 5 finds it trained.
  BOOST_TEST(!fs::exists(out / "classifier" / "sorter"));
  BOOST_TEST(fs::is_regular_file(out / "classifier" / "real" / "best.safetensors"));
  if (r.status != 0) {
    BOOST_TEST(r.status == 1);
    BOOST_TEST(r.says("too few to train its GAN: raise --sorted-count"), r.output);
    return;
  }
  BOOST_TEST(r.says("real/last.safetensors after epoch 1"), r.output);
  const auto report = acne::io::read_json_file(out / "report.json");
  BOOST_TEST(report.at("gan").at("mild").at("trained_on").get<std::string>() == "sorted draws");
  BOOST_TEST(report.at("gan").at("healthy").at("trained_on").get<std::string>() == "real faces");
  // As in the paper, every class's GAN starts from the all-severity one.
  BOOST_TEST(report.at("gan").at("mild").at("transferred_from").at("gan").get<std::string>() == "all");
  BOOST_TEST(report.at("sorter").at("sorted").at("severe").at("images").get<std::size_t>() ==
             acne::io::list_images(out / "sorted" / "severe").size());
  BOOST_TEST(report.at("sorter").at("left_out").at("images").get<std::size_t>() == left_out);
}

// Photographs are found and FFHQ-aligned in stage 2: a real face (astronaut.png of python3-imageio)
// in every class, and in one class an image without a face, which is named and left out, or, with
// --strict, stops the run.
const fs::path& photo = acne::test::astronaut;

BOOST_AUTO_TEST_CASE(photographs_are_aligned_and_one_without_a_face_is_left_out, *utf::precondition(acne::test::astronaut_and_landmarks{})) {
  acne::test::scratch_dir dir("pipeline-align");
  const cv::Mat face = acne::io::read_image(photo);
  cv::Mat mirrored;
  cv::flip(face, mirrored, 1);
  for (const char* set : {"real", "test"})
    for (const char* cls : {"healthy", "mild", "moderate", "severe"}) {
      acne::io::write_image(dir.path() / set / cls / "a.jpg", face);
      acne::io::write_image(dir.path() / set / cls / "b.jpg", mirrored);
    }
  acne::io::write_image(dir.path() / "real" / "mild" / "wall.jpg", cv::Mat(200, 200, CV_8UC3, cv::Scalar::all(90)));
  const std::string data = " --real " + (dir.path() / "real").string() + " --test " + (dir.path() / "test").string();
  auto r = run("--strict --out " + (dir.path() / "strict").string() + data + tiny, dir.path());
  BOOST_TEST(r.status == 1);
  BOOST_TEST(r.says("no face found in " + (dir.path() / "real" / "mild" / "wall.jpg").string()), r.output);
  const fs::path out = dir.path() / "run";
  r = run("--out " + out.string() + data + tiny, dir.path());
  BOOST_TEST_REQUIRE(r.status == 0, r.output);
  BOOST_TEST(r.says("wall.jpg: left out"), r.output);
  BOOST_TEST(r.says("8 faces at 16 px"), r.output);
  BOOST_TEST(acne::io::list_images(out / "prepared" / "mild").size() == 2u);
  // Aligned, not resized whole: far from the whole photograph at 16 px, and the mirrored photograph's
  // face is the mirror image of the face's (alignment commutes with mirroring).
  const cv::Mat a = acne::io::read_image(out / "prepared" / "healthy" / "a.png");
  const cv::Mat b = acne::io::read_image(out / "prepared" / "healthy" / "b.png");
  BOOST_REQUIRE(a.rows == 16);
  cv::Mat whole, b_mirrored;
  cv::resize(face, whole, {16, 16}, 0, 0, cv::INTER_AREA);
  cv::flip(b, b_mirrored, 1);
  const double pixels = 16 * 16 * 3;
  BOOST_TEST(cv::norm(a, whole, cv::NORM_L1) / pixels > 40);
  BOOST_TEST(cv::norm(a, b_mirrored, cv::NORM_L1) / pixels < 8);
}

BOOST_AUTO_TEST_CASE(options_that_cannot_go_together_exit_with_status_two) {
  acne::test::scratch_dir dir("pipeline-app-usage");
  auto r = run("--acne04 " + dir.path().string() + " --out " + (dir.path() / "x").string(), dir.path());
  BOOST_TEST(r.status == 2);
  BOOST_TEST(r.says("ACNE04 has no healthy faces: give --healthy DIR"), r.output);
  r = run("--healthy " + dir.path().string(), dir.path());
  BOOST_TEST(r.status == 2);
  BOOST_TEST(r.says("--healthy goes with --acne04"));
  r = run("--acne04 a --healthy b --real c", dir.path());
  BOOST_TEST(r.status == 2);
  BOOST_TEST(r.says("leave out --real and --test"));
  r = run("--healthy-source pretrained --pretrained none", dir.path());
  BOOST_TEST(r.status == 2);
  BOOST_TEST(r.says("give --pretrained FILE"), r.output);
  r = run("--class-source fake", dir.path());
  BOOST_TEST(r.status == 2);
  r = run("--negatives -1", dir.path());
  BOOST_TEST(r.status == 2);
  BOOST_TEST(r.says("--negatives"), r.output);
  r = run("--pretrained " + (dir.path() / "missing.safetensors").string(), dir.path());
  BOOST_TEST(r.status == 2);
  BOOST_TEST(r.says("--pretrained: no file"), r.output);
  r = run("--dfdnet " + (dir.path() / "dfdnet.safetensors").string(), dir.path());  // phantom faces: nothing to align
  BOOST_TEST(r.status == 2);
  BOOST_TEST(r.says("--dfdnet restores aligned faces"), r.output);
  r = run("--align ffhq --dfdnet " + (dir.path() / "missing.safetensors").string(), dir.path());
  BOOST_TEST(r.status == 2);
  BOOST_TEST(r.says("--dfdnet: no file"), r.output);
  BOOST_TEST(!fs::exists(dir.path() / "x"));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_train_pipeline_app
