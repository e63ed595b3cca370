#pragma once
// The acne-fid program as a function (apps/acne-fid.cpp is its main), so tests run it in-process.
// Exit status 0 done, 1 failed while measuring, 2 bad usage.
//
// An input is a folder of images, a statistics file (--save-stats) or a StyleGAN2 generator (weights
// or a training snapshot, told apart by their safetensors metadata "format"); a generator's images
// are drawn by stylegan2::metric_images, as the trainer's per-tick FID draws them.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <iomanip>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include <nlohmann/json.hpp>

#include "acne/cli/flags.hpp"
#include "acne/cli/program.hpp"
#include "acne/io/safetensors/header.hpp"
#include "acne/metrics/fid_pipeline.hpp"
#include "acne/metrics/inception_features.hpp"
#include "acne/metrics/random_conv_features.hpp"
#include "acne/models/stylegan2/generate.hpp"
#include "acne/train/gan_snapshot.hpp"

namespace acne::cli {

namespace fid_detail {

using namespace acne::metrics;

// A generator's default image count: the real set's, at most stylegan2-ada's fid50k_full count.
inline constexpr std::size_t max_default_generated_images = 50000;

struct fid_arguments {
  std::vector<std::string> inputs;
  std::string extractor = inception_fid_name, weights, save_stats, json, device, resize = "bilinear";
  std::size_t dims = 2048, batch = 16, kid_subsets = 100, kid_subset_size = 1000;
  // generator input
  std::size_t num_images = 0;  // 0: the default
  std::uint64_t seed = 0;
  double truncation_psi = 1.0;
  bool generator_flags = false;  // any of the three given
  fid_resize resize_filter() const { return parse_fid_resize(resize); }
};

inline cli::flag_table fid_flags(fid_arguments& a) {
  cli::flag_table t("acne-fid", "[options] A B | --save-stats FILE A | GENERATOR B",
                    "FID and KID between A and B, the statistics of a folder for later runs, or FID and KID of a\n"
                    "generator's images against B.\n"
                    "A, B: a folder of images (.png .jpg .jpeg .bmp, searched recursively) or a statistics file\n"
                    "written by --save-stats. KID needs the features of every image, so it is reported for two folders\n"
                    "(a generator counts as a folder).\n"
                    "GENERATOR (either side, at most one): a StyleGAN2 training snapshot (network-snapshot-*.safetensors,\n"
                    "its G_ema is used) or generator weights (acne.stylegan2 G or G_ema: save_weights,\n"
                    "tools/convert_stylegan2.py). It generates the images measured, as stylegan2-ada's metrics do:\n"
                    "random latents, random noise, 8-bit images, resized to the extractor's input like any folder's.");
  t.allow_positional();
  t.section("Measurement")
      .add("--extractor", a.extractor,
           "inception-v3-fid is the standard FID network and needs --weights; random-conv-v1 (seeded random conv "
           "features, no weights) is NOT a standard FID",
           {.metavar = "NAME", .choices = {inception_fid_name, random_conv_name}})
      .add("--weights", a.weights, "inception-v3-fid weights (tools/convert_pytorch_fid.py converts pytorch-fid's "
           "pt_inception-2015-12-05-6726825d.pth)", {.metavar = "FILE"})
      .add("--dims", a.dims, "inception-v3-fid feature tap: 64, 192, 768 or 2048", {.positive = true})
      .add("--resize", a.resize, "how images reach the extractor's input size (pytorch-fid: bilinear, clean-fid: "
           "bicubic); it changes FID and is recorded with the statistics", {.metavar = "NAME", .choices = {"bilinear", "bicubic"}})
      .add("--batch", a.batch, "images per forward pass", {.positive = true})
      .add("--save-stats", a.save_stats, "write the statistics of A (a folder) to FILE", {.metavar = "FILE"})
      .add("--kid-subsets", a.kid_subsets, "KID subsets", {.positive = true})
      .add("--kid-subset-size", a.kid_subset_size, "largest KID subset", {.min = 2})
      .add("--json", a.json, "also write the results as JSON", {.metavar = "FILE"})
      .add("--device", a.device, "cpu or cuda", {.metavar = "NAME", .default_text = "cuda when a GPU is present"});
  const auto generator = [&a](auto set) {
    return [&a, set](const std::string& v) {
      set(v);
      a.generator_flags = true;
    };
  };
  t.section("Generator input")
      .add_custom("--num-images", "N", "images to generate; at least 2",
                  generator([&a](const std::string& v) { a.num_images = cli::whole_number("--num-images", v, true); }),
                  "as many as the other input holds, at most 50000 (stylegan2-ada's fid50k_full)")
      .add_custom("--seed", "N", "batch i of --batch images draws its latents and noise from (N, i): the same seed "
                  "and --batch give the same images; a run's --seed, fid_batch and fid_images measure the images of its "
                  "per-tick FID", generator([&a](const std::string& v) { a.seed = cli::whole_number("--seed", v, false); }), "0")
      .add_custom("--trunc", "PSI", "truncation of w (FID is measured without truncation)",
                  generator([&a](const std::string& v) { a.truncation_psi = cli::real_number("--trunc", v, cli::number_sign::any); }),
                  "1");
  return t;
}

// The arguments checked whole before any work; a usage_error names what is wrong.
inline fid_arguments parse_fid_arguments(const std::vector<std::string>& args, cli::flag_table& t, fid_arguments& a) {
  a.inputs = t.parse(args);
  if (t.help()) return a;
  if (a.extractor == inception_fid_name && a.weights.empty())
    throw cli::usage_error("inception-v3-fid needs --weights FILE (convert pytorch-fid's weights with "
                           "tools/convert_pytorch_fid.py), or use --extractor random-conv-v1 (not a standard FID)");
  if (a.extractor == random_conv_name && a.dims != 2048)
    throw cli::usage_error("--dims selects an inception-v3-fid tap; random-conv-v1 always has 256 features");
  if (a.extractor == inception_fid_name && a.dims != 64 && a.dims != 192 && a.dims != 768 && a.dims != 2048)
    throw cli::usage_error("--dims must be 64, 192, 768 or 2048");
  if (a.inputs.empty() || a.inputs.size() > 2) throw cli::usage_error("give one or two inputs");
  if (a.inputs.size() == 1 && a.save_stats.empty()) throw cli::usage_error("one input needs --save-stats FILE");
  if (a.num_images == 1) throw cli::usage_error("--num-images must be at least 2 (FID and KID need 2 images)");
  a.device = cli::device_flag(a.device);
  return a;
}

template <class D>
std::unique_ptr<feature_extractor> make_extractor(const fid_arguments& a) {
  if (a.extractor == random_conv_name) return make_random_conv_extractor<D>();
  return make_inception_fid_extractor<D>(a.weights, a.dims);
}

enum class input_kind { folder, statistics, generator };

struct input_info {
  std::string path;
  input_kind kind = input_kind::folder;
  std::string description;  // for a generator: what the file is
};

// The metadata of a safetensors file, from its header alone (a snapshot's tensors stay on disk).
inline std::map<std::string, std::string> safetensors_metadata(const fs::path& path) {
  const std::string source = path.string(), where = "safetensors file '" + source + "': ";
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  ACNE_CHECK(!ec, "cannot read '" << source << "': " << ec.message());
  ACNE_CHECK(size >= 8, where << "only " << size << " bytes, too short for the 8-byte header length");
  std::ifstream in(path, std::ios::binary);
  ACNE_CHECK(in, "cannot open '" << source << "'");
  unsigned char length[8] = {};
  in.read(reinterpret_cast<char*>(length), 8);
  std::uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= std::uint64_t(length[i]) << (8 * i);
  ACNE_CHECK(in && n <= io::max_header_size && n <= size - 8,
             where << "header length " << n << " does not fit the " << size << "-byte file");
  std::string text(n, '\0');
  in.read(text.data(), std::streamsize(n));
  ACNE_CHECK(in, where << "read failed");
  return io::detail::parse_header(text, size - 8 - n, where).metadata;
}

// A folder, a statistics file or a generator; anything else is an error naming the input.
inline input_info classify_input(const std::string& input) {
  const auto neither = "input '" + input + "' is neither a folder nor a statistics file nor a StyleGAN2 generator";
  std::error_code ec;
  if (fs::is_directory(input, ec)) return {input, input_kind::folder, "folder"};
  ACNE_CHECK(fs::exists(input, ec), neither << ": it does not exist");
  ACNE_CHECK(fs::is_regular_file(input, ec), neither << ": it is not a regular file");
  std::map<std::string, std::string> meta;
  try {
    meta = safetensors_metadata(input);
  } catch (const std::exception& e) {
    throw acne::error(neither + " (not a safetensors file: " + e.what() + ")");
  }
  const auto get = [&](const char* key) {
    const auto it = meta.find(key);
    return it == meta.end() ? std::string() : it->second;
  };
  const std::string format = get("format"), network = get("network");
  if (format == metrics::detail::feature_statistics_format) return {input, input_kind::statistics, "statistics"};
  if (format == train::gan_snapshot_format)
    return {input, input_kind::generator, "StyleGAN2 training snapshot (its G_ema)"};
  if (format == "acne.stylegan2") {
    ACNE_CHECK(network != "D", neither << ": it holds a StyleGAN2 discriminator");
    return {input, input_kind::generator, "StyleGAN2 generator weights (" + (network.empty() ? "G" : network) + ")"};
  }
  ACNE_THROW(neither << ": its metadata says format '" << format << "' (statistics files are "
                     << metrics::detail::feature_statistics_format << ", generators acne.stylegan2 weights or "
                     << train::gan_snapshot_format << " snapshots)");
}

inline void warn_if_singular(const feature_set& set, const std::string& input, std::ostream& err) {
  if (set.count() < set.dims())
    err << "acne-fid: warning: " << input << " has fewer images (" << set.count() << ") than feature dimensions ("
        << set.dims() << "): its covariance is singular, so FID is biased and unstable\n";
}

inline feature_set load_input(feature_extractor& e, const input_info& input, const fid_pipeline_options& o,
                              std::ostream& out, std::ostream& err) {
  feature_set set;
  if (input.kind == input_kind::statistics) {
    set.statistics = feature_statistics::load(input.path);
    out << input.path << ": statistics of " << set.count() << " images (" << set.statistics.extractor() << ")\n";
    return set;
  }
  set = folder_features(e, input.path, o);
  out << input.path << ": " << set.count() << " images\n";
  warn_if_singular(set, input.path, err);
  return set;
}

// Features of `count` images of the generator in input.path, made on the extractor's device.
template <class D>
feature_set generator_features(feature_extractor& e, const input_info& input, std::size_t count, const fid_arguments& a,
                               const fid_pipeline_options& o, std::ostream& out, std::ostream& err) {
  auto g = stylegan2::load_generator<float, D>(input.path);
  const auto& c = g.layer().cfg();
  ACNE_CHECK(c.img_channels == 3, input.path << ": the generator makes " << c.img_channels
                                             << "-channel images; FID needs RGB");
  out << input.path << ": " << input.description << ", " << c.resolution << "x" << c.resolution << "; generating "
      << count << " images (seed " << a.seed << ", truncation psi " << a.truncation_psi << ", batches of " << o.batch
      << ")" << std::endl;
  const stylegan2::generation_options go{.truncation_psi = a.truncation_psi, .noise = noise_mode::random};
  const auto start = std::chrono::steady_clock::now();
  std::uint64_t index = 0;
  std::size_t done = 0, reported = 0;
  feature_set set = generated_features(e, count, [&](std::size_t n) {
    // Progress at every tenth of the way: the images generated so far, and the rate with their features.
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (done > 0 && done * 10 / count > reported) {
      reported = done * 10 / count;
      std::ostringstream rate;
      rate << std::setprecision(3) << double(done) / std::max(seconds, 1e-9);
      out << "generated " << done << "/" << count << " images (" << rate.str() << " images/s with features)"
          << std::endl;
    }
    auto images = stylegan2::metric_images(g, n, a.seed, index++, go);
    done += n;
    return images;
  }, o);
  std::ostringstream seconds;
  seconds << std::setprecision(3) << std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  out << input.path << ": " << set.count() << " generated images in " << seconds.str() << " s" << std::endl;
  warn_if_singular(set, input.path, err);
  return set;
}

inline void describe_extractor(const feature_extractor& e, fid_resize resize, std::ostream& out) {
  out << "extractor: " << measurement_name(e, resize) << ", " << e.dims() << " features, " << e.input_size() << "x"
      << e.input_size() << " input";
  if (!e.standard()) out << " -- NOT a standard FID: compare only with numbers from the same extractor";
  else if (e.dims() != 2048) out << " -- a " << e.dims() << "-d tap, not the standard 2048-d FID";
  out << "\n";
}

template <class D>
int measure(const fid_arguments& a, const std::vector<input_info>& inputs, std::ostream& out, std::ostream& err) {
  const auto extractor = make_extractor<D>(a);
  describe_extractor(*extractor, a.resize_filter(), out);
  const fid_pipeline_options options{.resize = a.resize_filter(), .batch = a.batch, .keep_features = inputs.size() == 2};
  // Folders and statistics first: a generator's default image count is theirs.
  ACNE_CHECK(a.save_stats.empty() || inputs[0].kind == input_kind::folder,
             "--save-stats needs a folder as the first input");
  std::vector<feature_set> sets(inputs.size());
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].kind == input_kind::generator) continue;
    sets[i] = load_input(*extractor, inputs[i], options, out, err);
    if (i == 0 && !a.save_stats.empty()) {
      sets[0].statistics.save(a.save_stats);
      out << "statistics written to " << a.save_stats << "\n";
    }
  }
  if (inputs.size() == 1) return 0;
  std::optional<std::size_t> generator;
  for (std::size_t i = 0; i < inputs.size(); ++i)
    if (inputs[i].kind == input_kind::generator) {
      generator = i;
      const std::size_t count = a.num_images ? a.num_images
                                             : std::min(sets[1 - i].count(), max_default_generated_images);
      sets[i] = generator_features<D>(*extractor, inputs[i], count, a, options, out, err);
    }

  const distance_report r =
      compare(sets[0], sets[1], {.num_subsets = a.kid_subsets, .max_subset_size = a.kid_subset_size, .seed = 0});
  // Too few images was said per input; clamped negative eigenvalues are news.
  if (r.fid.details.significant_negative) err << "acne-fid: warning: " << r.fid.warning() << "\n";
  out << std::setprecision(6) << std::fixed << "FID: " << r.fid.fid << "\n";
  if (r.kid)
    out << "KID: " << r.kid->mean << " (std " << r.kid->std << ", " << r.kid->num_subsets << " subsets of "
        << r.kid->subset_size << ")\n";
  else
    out << "KID: not available (a statistics file holds no per-image features; give two folders)\n";
  out.unsetf(std::ios::floatfield);

  if (!a.json.empty()) {
    std::vector<std::string> paths;
    for (const auto& in : inputs) paths.push_back(in.path);
    nlohmann::json j = {{"fid", r.fid.to_json()}, {"inputs", paths}, {"resize", fid_resize_name(a.resize_filter())},
                        {"standard_fid", extractor->standard() && extractor->dims() == 2048}};
    j["kid"] = r.kid ? r.kid->to_json() : nlohmann::json(nullptr);
    if (generator)
      j["generator"] = {{"file", inputs[*generator].path}, {"images", sets[*generator].count()}, {"seed", a.seed},
                        {"truncation_psi", a.truncation_psi}, {"batch", a.batch}};
    io::create_parent_directories(a.json);
    std::ofstream(a.json) << j.dump(2) << "\n";
    out << "results written to " << a.json << "\n";
  }
  return 0;
}

}  // namespace fid_detail

inline int fid_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  return run_program("acne-fid", err, [&] {
    fid_detail::fid_arguments a;
    auto flags = fid_detail::fid_flags(a);
    fid_detail::parse_fid_arguments(args, flags, a);
    if (flags.help()) {
      out << flags.usage();
      return int(done);
    }
    std::vector<fid_detail::input_info> inputs;
    for (const auto& input : a.inputs) inputs.push_back(fid_detail::classify_input(input));
    const auto generators = std::count_if(inputs.begin(), inputs.end(),
                                          [](const auto& in) { return in.kind == fid_detail::input_kind::generator; });
    if (generators > 1) throw usage_error("two generators: compare a generator with a folder or a statistics file");
    if (generators == 1 && inputs.size() == 1)
      throw usage_error("a generator needs a folder or statistics file to compare with");
    if (generators == 0 && a.generator_flags)
      throw usage_error("--num-images, --seed and --trunc apply to a generator input, and none was given");
    // The extractor (and a generator) run there.
    return on_device(a.device, out, [&](auto d) { return fid_detail::measure<decltype(d)>(a, inputs, out, err); });
  });
}

}  // namespace acne::cli
