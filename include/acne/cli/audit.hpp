#pragma once
// The acne-audit program as a function (apps/acne-audit.cpp is its main), so tests run it in-process.
// Exit status 0: the synthetic set passes the audit; 3: it does not (near-copies, data copying or low
// authenticity, named on the last lines); 1 failed while auditing; 2 bad usage.
#include <filesystem>
#include <iomanip>
#include <ostream>
#include <string>
#include <vector>

#include "acne/audit/report.hpp"
#include "acne/cli/flags.hpp"
#include "acne/cli/program.hpp"
#include "acne/metrics/classifier_features.hpp"
#include "acne/metrics/inception_features.hpp"
#include "acne/metrics/pixel_features.hpp"
#include "acne/metrics/random_conv_features.hpp"

namespace acne::cli {

inline constexpr int audit_failed = 3;

struct audit_arguments {
  std::string synthetic, real, test, out = "audit", remove_to, extractor = metrics::random_conv_name, weights,
                                     classifier, device;
  std::size_t pixel_size = 32, batch = 16, cells = 0;
  std::uint64_t seed = 0;
  bool no_mirrors = false;
};

inline flag_table audit_flags(audit_arguments& a) {
  flag_table t("acne-audit", "--synthetic DIR --real DIR [options]",
               "Audits a synthetic image set for copies of the real images its generator was trained on: each\n"
               "synthetic image's nearest real image in pixels, in a feature extractor's space and in a\n"
               "classifier's, near-copy flags, authenticity, the data-copying test C_T (with --test) and MiFID.\n"
               "Writes OUT/audit.json, OUT/nearest.csv and per space a histogram and the closest pairs.\n"
               "Exit status 0 when the set passes (docs/audit.md gives the criteria), 3 when it does not.");
  t.section("Images")
      .add("--synthetic", a.synthetic, "the synthetic images (searched recursively; a sub-folder is a class)",
           {.metavar = "DIR", .required = true})
      .add("--real", a.real, "the real images the generator was trained on", {.metavar = "DIR", .required = true})
      .add("--test", a.test, "real images the generator never saw: the yardstick of C_T and authenticity",
           {.metavar = "DIR"})
      .add_switch("--no-mirrors", a.no_mirrors, true,
                  "do not count a real image's mirror image as that image (for generators trained without x-flips)");
  t.section("Spaces")
      .add("--pixel-size", a.pixel_size, "side of the images compared in pixel space (0: no pixel space)", {.max = 256})
      .add("--extractor", a.extractor, "feature space: random-conv-v1 (no weights), inception-v3-fid (needs --weights) or "
           "none", {.metavar = "NAME", .choices = {metrics::random_conv_name, metrics::inception_fid_name, "none"}})
      .add("--weights", a.weights, "inception-v3-fid weights (tools/convert_pytorch_fid.py)", {.metavar = "FILE"})
      .add("--classifier", a.classifier, "also compare in the penultimate features of this acne-classify checkpoint",
           {.metavar = "FILE"})
      .add("--cells", a.cells, "k-means cells of C_T", {.default_text = "test images / 20, 1 to 10"})
      .add("--seed", a.seed, "seed of the k-means start")
      .add("--batch", a.batch, "images per forward pass", {.positive = true})
      .add("--device", a.device, "cpu or cuda", {.metavar = "NAME", .default_text = "cuda when a GPU is present"});
  t.section("Output")
      .add("--out", a.out, "the audit's folder", {.metavar = "DIR"})
      .add("--remove-near-copies", a.remove_to, "also write the synthetic set without its near-copies to this new folder",
           {.metavar = "DIR"});
  return t;
}

namespace audit_detail {

inline void check_arguments(const audit_arguments& a) {
  if (a.extractor == metrics::inception_fid_name && a.weights.empty())
    throw usage_error("inception-v3-fid needs --weights FILE");
  if (!a.weights.empty() && a.extractor != metrics::inception_fid_name)
    throw usage_error("--weights belongs to --extractor inception-v3-fid");
  if (a.pixel_size == 0 && a.extractor == "none" && a.classifier.empty())
    throw usage_error("no space left to compare in (--pixel-size 0, --extractor none and no --classifier)");
  if (a.pixel_size != 0 && a.pixel_size < 4) throw usage_error("--pixel-size must be 0 or at least 4");
  for (const auto& [flag, dir] : {std::pair{"--synthetic", a.synthetic}, {"--real", a.real}, {"--test", a.test}})
    if (!dir.empty() && !std::filesystem::is_directory(dir))
      throw usage_error(std::string(flag) + " '" + dir + "' is not a folder");
  if (!a.classifier.empty() && !std::filesystem::is_regular_file(a.classifier))
    throw usage_error("--classifier '" + a.classifier + "' is not a file");
  namespace fs = std::filesystem;
  if (!a.remove_to.empty() && fs::exists(a.remove_to) && !fs::is_empty(a.remove_to))
    throw usage_error("--remove-near-copies '" + a.remove_to + "' exists and is not empty: give a new folder");
}

template <class D>
std::vector<audit::space> make_spaces(const audit_arguments& a) {
  std::vector<audit::space> spaces;
  if (a.pixel_size) spaces.push_back({metrics::make_pixel_extractor(a.pixel_size), metrics::distance_kind::euclidean});
  if (a.extractor == metrics::random_conv_name)
    spaces.push_back({metrics::make_random_conv_extractor<D>(), metrics::distance_kind::cosine, false});
  if (a.extractor == metrics::inception_fid_name)
    spaces.push_back({metrics::make_inception_fid_extractor<D>(a.weights), metrics::distance_kind::cosine});
  if (!a.classifier.empty())
    spaces.push_back({metrics::make_classifier_extractor<D>(a.classifier), metrics::distance_kind::cosine});
  return spaces;
}

inline void print_space(const audit::space_audit& s, std::ostream& out) {
  out << "  " << s.name << " (" << s.distance << "): near-copies " << s.flagged()
      << (s.decides_near_copies ? "" : " (its flags alone decide nothing)") << ", authenticity " << s.authenticity;
  if (s.test_authenticity) out << " (test " << *s.test_authenticity << ")";
  if (s.copying && s.copying->used_cells())
    out << ", C_T " << s.copying->c_t << " over " << s.copying->used_cells() << " cells";
  else if (s.copying)
    out << ", C_T not measured (no cell holds more than " << s.copying->tau * double(s.synthetic.size()) << " synthetic images)";
  if (s.fid) out << ", FID " << *s.fid;
  if (s.mifid_distance) out << ", MiFID distance " << *s.mifid_distance;
  out << " (" << s.seconds << " s)\n";
}

}  // namespace audit_detail

// Prints the verdict of an audit; returns its exit status.
inline int report_audit(const audit::audit_result& r, const std::filesystem::path& folder, std::ostream& out) {
  out << std::setprecision(4) << "audit of " << r.synthetic.size() << " synthetic images against " << r.real.size()
      << " real" << (r.test.empty() ? "" : " and " + std::to_string(r.test.size()) + " test") << " images, "
      << r.seconds << " s:\n";
  for (const auto& s : r.spaces) audit_detail::print_space(s, out);
  out << "written to " << folder.string() << "\n";
  if (r.passed()) {
    out << "PASSED: no near-copy, no data copying\n";
    return done;
  }
  out << "FAILED:\n";
  for (const auto& f : r.failures) out << "  " << f << "\n";
  return audit_failed;
}

inline int audit_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  return run_program("acne-audit", err, [&] {
    audit_arguments a;
    auto flags = audit_flags(a);
    flags.parse(args);
    if (flags.help()) {
      out << flags.usage();
      return int(done);
    }
    audit_detail::check_arguments(a);
    const std::string device = device_flag(a.device);
    return on_device(device, out, [&](auto d) {
      auto spaces = audit_detail::make_spaces<decltype(d)>(a);
      audit::audit_options o;
      o.mirrors = !a.no_mirrors;
      o.copying.cells = a.cells;
      o.copying.seed = a.seed;
      o.features.batch = a.batch;
      o.log = &out;
      const auto test = a.test.empty() ? audit::image_set{} : audit::list_image_set(a.test);
      const auto r = audit::run_audit<decltype(d)>(audit::list_image_set(a.synthetic), audit::list_image_set(a.real), test, spaces, o);
      audit::write_audit(a.out, r, o);
      const int status = report_audit(r, a.out, out);
      if (!a.remove_to.empty()) {
        const auto removed = audit::remove_near_copies(r, a.remove_to);
        out << "near-copies removed:";
        for (const auto& [name, count] : removed) out << " " << (name.empty() ? "(no class)" : name) << " " << count;
        out << "; the rest written to " << a.remove_to << "\n";
      }
      return status;
    });
  });
}

}  // namespace acne::cli
