// The anonymity audit on phantom faces: a "generator" that returns its training faces with a little
// noise, half of them mirrored, must be caught by every statistic; independent phantom faces of another
// seed must pass; an exact copy planted among them must be found and removed; on a hand-made set the
// CSV must name the right nearest image. acne-audit's exit statuses.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "acne/audit/report.hpp"
#include "acne/cli/audit.hpp"
#include "acne/data/phantom_dataset.hpp"
#include "acne/io/image.hpp"
#include "acne/metrics/pixel_features.hpp"
#include "acne/metrics/random_conv_features.hpp"
#include "support/scratch_dir.hpp"

namespace test_audit_audit {

namespace fs = std::filesystem;
using acne::test::scratch_dir;
namespace audit = acne::audit;

namespace {

// Real faces (seed 1), unseen real test faces (seed 2), independent faces (seed 3) and the noisy,
// half-mirrored copies of the real faces, made once for the suite.
struct faces {
  scratch_dir dir{"audit"};
  fs::path real = dir / "real", test = dir / "test", independent = dir / "independent", copies = dir / "copies";
  std::vector<bool> mirrored;  // per copy, in file order

  faces() {
    using acne::data::paper_class_counts;
    acne::data::write_phantom_dataset(real, paper_class_counts(20), 64, 1);
    acne::data::write_phantom_dataset(test, paper_class_counts(8), 64, 2);
    acne::data::write_phantom_dataset(independent, paper_class_counts(20), 64, 3);
    std::mt19937_64 rng(7);
    std::normal_distribution<double> noise(0, 4);
    for (const auto& f : acne::io::list_images(real)) {
      cv::Mat image = acne::io::read_image(f), noisy;
      image.convertTo(noisy, CV_64FC3);
      for (auto it = noisy.begin<cv::Vec3d>(); it != noisy.end<cv::Vec3d>(); ++it)
        for (int c = 0; c < 3; ++c) (*it)[c] += noise(rng);
      noisy.convertTo(image, CV_8UC3);
      mirrored.push_back(rng() % 2 == 1);
      if (mirrored.back()) cv::flip(image, image, 1);
      acne::io::write_image(copies / f.lexically_relative(real), image);
    }
  }
};

const faces& shared_faces() {
  static const faces f;
  return f;
}

std::vector<audit::space> pixel_and_feature_spaces() {
  std::vector<audit::space> spaces;
  spaces.push_back({acne::metrics::make_pixel_extractor(32), acne::metrics::distance_kind::euclidean});
  spaces.push_back({acne::metrics::make_random_conv_extractor(), acne::metrics::distance_kind::cosine, false});
  return spaces;
}

audit::audit_result audit_of(const fs::path& synthetic, const faces& f) {
  auto spaces = pixel_and_feature_spaces();
  return audit::run_audit(audit::list_image_set(synthetic), audit::list_image_set(f.real), audit::list_image_set(f.test),
                          spaces);
}

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(anonymity_audit)

BOOST_AUTO_TEST_CASE(noisy_mirrored_copies_of_the_training_faces_are_caught_by_every_statistic) {
  const auto& f = shared_faces();
  const auto r = audit_of(f.copies, f);
  BOOST_TEST(!r.passed());
  BOOST_REQUIRE(r.spaces.size() == 2u);
  for (const auto& s : r.spaces) {
    BOOST_TEST_CONTEXT(s.name) {
      BOOST_REQUIRE(s.copying.has_value());
      BOOST_TEST(s.copying->c_t < -3);
      BOOST_TEST(s.authenticity < 0.1);
      BOOST_TEST(s.flagged() >= s.synthetic.size() * 9 / 10);
    }
  }
  // In pixel space every copy names its own original, and the mirrored ones as mirrored.
  const auto& pixels = r.spaces[0];
  for (std::size_t i = 0; i < pixels.synthetic.size(); ++i) {
    BOOST_TEST(pixels.synthetic[i].real == i);
    BOOST_TEST(pixels.synthetic[i].mirrored == f.mirrored[i], "copy " << i);
  }
}

BOOST_AUTO_TEST_CASE(a_space_whose_flags_do_not_decide_still_fails_the_copies_on_c_t) {
  const auto& f = shared_faces();
  std::vector<audit::space> spaces;
  spaces.push_back({acne::metrics::make_random_conv_extractor(), acne::metrics::distance_kind::cosine, false});
  const auto r = audit::run_audit(audit::list_image_set(f.copies), audit::list_image_set(f.real),
                                  audit::list_image_set(f.test), spaces);
  BOOST_TEST(r.spaces[0].flagged() >= r.synthetic.size() * 9 / 10);  // scored and reported
  BOOST_TEST(r.flagged_count() == 0u);                                 // but not near-copies for it
  BOOST_REQUIRE(!r.passed());
  for (const auto& failure : r.failures) BOOST_TEST(failure.find("near-copies") == std::string::npos, failure);
  BOOST_TEST(r.failures.front().find("C_T") != std::string::npos, r.failures.front());
}

BOOST_AUTO_TEST_CASE(independent_faces_of_another_seed_pass) {
  const auto& f = shared_faces();
  const auto r = audit_of(f.independent, f);
  for (const auto& failure : r.failures) BOOST_TEST_MESSAGE("failure: " << failure);
  BOOST_TEST(r.passed());
  BOOST_TEST(r.flagged_count() == 0u);
  for (const auto& s : r.spaces) {
    BOOST_TEST_CONTEXT(s.name) {
      BOOST_TEST(s.copying->c_t > -3);
      BOOST_TEST(s.authenticity > 0.5 * *s.test_authenticity);
      BOOST_TEST(s.fid.has_value() == (s.distance == "cosine"));
    }
  }
}

BOOST_AUTO_TEST_CASE(an_exact_copy_planted_among_fresh_faces_is_found_and_removed) {
  const auto& f = shared_faces();
  scratch_dir dir("planted");
  const fs::path synthetic = dir / "synthetic", kept = dir / "kept";
  fs::copy(f.independent, synthetic, fs::copy_options::recursive);
  const auto original = acne::io::list_images(f.real)[27];  // a mild face
  fs::copy_file(original, synthetic / "mild" / "planted.png");
  const auto r = audit_of(synthetic, f);
  BOOST_TEST(!r.passed());
  BOOST_TEST(r.flagged_count() == 1u);
  const auto at = std::find(r.synthetic.files.begin(), r.synthetic.files.end(), synthetic / "mild" / "planted.png");
  BOOST_REQUIRE(at != r.synthetic.files.end());
  const auto planted = std::size_t(at - r.synthetic.files.begin());
  BOOST_TEST(r.flagged[planted]);
  for (const auto& s : r.spaces) {
    BOOST_TEST(s.synthetic[planted].real == 27u);
    BOOST_TEST(s.synthetic[planted].score.nearest < 1e-3);
  }
  const auto removed = audit::remove_near_copies(r, kept);
  BOOST_TEST(removed.at("mild") == 1u);
  BOOST_TEST(removed.at("healthy") == 0u);
  BOOST_TEST(!fs::exists(kept / "mild" / "planted.png"));
  BOOST_TEST(acne::io::list_images(kept).size() == r.synthetic.size() - 1);
}

BOOST_AUTO_TEST_CASE(the_csv_names_the_nearest_real_image_of_a_hand_made_set) {
  scratch_dir dir("hand");
  // Real: a left-to-right ramp, a top-to-bottom ramp and two flat greys. Synthetic: the first ramp
  // mirrored (right to left), the second with a little noise, the darker grey a shade lighter.
  cv::Mat ramp(16, 16, CV_8UC3), down(16, 16, CV_8UC3);
  for (int y = 0; y < 16; ++y)
    for (int x = 0; x < 16; ++x) ramp.at<cv::Vec3b>(y, x) = cv::Vec3b::all(uchar(16 * x)), down.at<cv::Vec3b>(y, x) = cv::Vec3b::all(uchar(16 * y));
  acne::io::write_image(dir / "real" / "a_ramp.png", ramp);
  acne::io::write_image(dir / "real" / "b_down.png", down);
  acne::io::write_image(dir / "real" / "c_dark.png", cv::Mat(16, 16, CV_8UC3, cv::Scalar::all(40)));
  acne::io::write_image(dir / "real" / "d_light.png", cv::Mat(16, 16, CV_8UC3, cv::Scalar::all(220)));
  cv::Mat mirrored, noisy = down.clone();
  cv::flip(ramp, mirrored, 1);
  noisy.at<cv::Vec3b>(3, 3) = cv::Vec3b::all(200);
  acne::io::write_image(dir / "synthetic" / "x.png", mirrored);
  acne::io::write_image(dir / "synthetic" / "y.png", noisy);
  acne::io::write_image(dir / "synthetic" / "z.png", cv::Mat(16, 16, CV_8UC3, cv::Scalar::all(50)));
  std::vector<audit::space> spaces;
  spaces.push_back({acne::metrics::make_pixel_extractor(8), acne::metrics::distance_kind::euclidean});
  const auto r = audit::run_audit(audit::list_image_set(dir / "synthetic"), audit::list_image_set(dir / "real"), {}, spaces);
  audit::write_nearest_csv(dir / "nearest.csv", r);
  std::istringstream csv(read(dir / "nearest.csv"));
  std::string line;
  std::getline(csv, line);
  BOOST_TEST(line == "synthetic,class,space,nearest_real,mirrored,distance,second_distance,calibrated,ratio,near_copy");
  const std::vector<std::string> expected{"x.png,,pixels-8,a_ramp.png,1,0,", "y.png,,pixels-8,b_down.png,0,",
                                          "z.png,,pixels-8,c_dark.png,0,"};
  for (const auto& start : expected) {
    BOOST_REQUIRE(std::getline(csv, line));
    BOOST_TEST(line.rfind(start, 0) == 0u, line << " does not start with " << start);
  }
  BOOST_TEST(!std::getline(csv, line));
}

BOOST_AUTO_TEST_CASE(acne_audit_exits_0_when_the_set_passes_3_when_it_copies_2_on_bad_usage) {
  const auto& f = shared_faces();
  scratch_dir dir("program");
  const auto run = [&](const std::string& synthetic, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"--synthetic", synthetic, "--real", f.real.string(), "--test", f.test.string(),
                                  "--out", (dir / fs::path(synthetic).filename()).string()};
    args.insert(args.end(), extra.begin(), extra.end());
    std::ostringstream out, err;
    const int rc = acne::cli::audit_command(args, out, err);
    BOOST_TEST_MESSAGE(out.str() << err.str());
    return std::pair{rc, out.str() + err.str()};
  };
  const auto fresh = run(f.independent.string());
  BOOST_TEST(fresh.first == 0);
  const auto copied = run(f.copies.string(), {"--remove-near-copies", (dir / "cleaned").string()});
  BOOST_TEST(copied.first == 3);
  BOOST_TEST(copied.second.find("FAILED") != std::string::npos);
  BOOST_TEST(acne::io::list_images(dir / "cleaned").size() < 8u);  // at most a few copies escape
  const auto json = nlohmann::json::parse(read(dir / "copies" / "audit.json"));
  BOOST_TEST(json.at("passed") == false);
  BOOST_TEST(json.at("spaces").size() == 2u);
  for (const char* file : {"nearest.csv", "nearest-pixels-32.png", "closest-pixels-32.png", "nearest-random-conv-v1.png",
                           "closest-random-conv-v1.png"})
    BOOST_TEST(fs::exists(dir / "copies" / file), file);
  BOOST_TEST(run(f.copies.string(), {"--real"}).first == 2);
  std::ofstream(dir / "occupied.txt") << "a file the audit must not overwrite";
  BOOST_TEST(run(f.copies.string(), {"--remove-near-copies", dir.path().string()}).first == 2);  // not empty
  BOOST_TEST(run(f.copies.string(), {"--extractor", "inception-v3-fid"}).first == 2);                  // no weights
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace test_audit_audit
