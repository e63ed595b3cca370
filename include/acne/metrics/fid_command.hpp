#pragma once
// The acne-fid command line as a function (apps/acne-fid.cpp is its main), so tests run it in-process.
// Returns 0 on success, 1 on an error while measuring, 2 on bad arguments.
#include <fstream>
#include <iomanip>
#include <memory>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "acne/io/safetensors.hpp"
#include "acne/metrics/fid_pipeline.hpp"
#include "acne/metrics/inception_features.hpp"
#include "acne/metrics/random_conv_features.hpp"
#ifdef ACNE_WITH_CUDA
#include "acne/backend/cuda.hpp"
#endif

namespace acne::metrics {

inline constexpr const char* fid_usage =
    "usage: acne-fid [options] A B        FID and KID between A and B\n"
    "       acne-fid [options] --save-stats FILE A   statistics of the folder A, for later runs\n"
    "\n"
    "A, B: a folder of images (.png .jpg .jpeg .bmp, searched recursively) or a statistics file\n"
    "written by --save-stats. KID needs the features of every image, so it is reported for two folders.\n"
    "\n"
    "  --extractor NAME   inception-v3-fid (default): the standard FID network, needs --weights;\n"
    "                     random-conv-v1: seeded random conv features, no weights needed, NOT a\n"
    "                     standard FID (comparable only with other random-conv-v1 numbers)\n"
    "  --weights FILE     inception-v3-fid weights (tools/convert_pytorch_fid.py converts pytorch-fid's\n"
    "                     pt_inception-2015-12-05-6726825d.pth)\n"
    "  --dims N           inception-v3-fid feature tap: 64, 192, 768 or 2048 (default 2048, the standard)\n"
    "  --resize NAME      bilinear (pytorch-fid, default) or bicubic (clean-fid): how images reach the\n"
    "                     extractor's input size; it changes FID, and is recorded with the statistics\n"
    "  --batch N          images per forward pass (default 16)\n"
    "  --save-stats FILE  write the statistics of A (a folder) to FILE\n"
    "  --kid-subsets N    KID subsets (default 100)\n"
    "  --kid-subset-size N  largest KID subset (default 1000)\n"
    "  --json FILE        also write the results as JSON\n"
#ifdef ACNE_WITH_CUDA
    "  --device NAME      cuda (default when a GPU is present) or cpu\n"
#endif
    "  --help             this text\n";

namespace detail {

struct fid_arguments {
  std::vector<std::string> inputs;
  std::string extractor = inception_fid_name, weights, save_stats, json, device;
  std::size_t dims = 2048, batch = 16, kid_subsets = 100, kid_subset_size = 1000;
  fid_resize resize = fid_resize::bilinear;
  bool help = false;
};

struct usage_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

inline std::size_t positive_number(const std::string& flag, const std::string& text) {
  std::size_t used = 0;
  unsigned long long v = 0;
  try {
    v = std::stoull(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (text.empty() || text[0] == '-' || used != text.size() || v == 0)
    throw usage_error(flag + " needs a positive whole number, got '" + text + "'");
  return std::size_t(v);
}

inline fid_arguments parse_fid_arguments(const std::vector<std::string>& args) {
  fid_arguments a;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    const auto value = [&]() -> const std::string& {
      if (i + 1 >= args.size()) throw usage_error(arg + " needs a value");
      return args[++i];
    };
    if (arg == "--help" || arg == "-h") a.help = true;
    else if (arg == "--extractor") a.extractor = value();
    else if (arg == "--weights") a.weights = value();
    else if (arg == "--dims") a.dims = positive_number(arg, value());
    else if (arg == "--resize") {
      try {
        a.resize = parse_fid_resize(value());
      } catch (const acne::error& e) {
        throw usage_error(e.what());
      }
    } else if (arg == "--batch") a.batch = positive_number(arg, value());
    else if (arg == "--save-stats") a.save_stats = value();
    else if (arg == "--kid-subsets") a.kid_subsets = positive_number(arg, value());
    else if (arg == "--kid-subset-size") a.kid_subset_size = positive_number(arg, value());
    else if (arg == "--json") a.json = value();
    else if (arg == "--device") a.device = value();
    else if (arg.rfind("--", 0) == 0) throw usage_error("unknown option " + arg);
    else a.inputs.push_back(arg);
  }
  if (a.help) return a;
  if (a.extractor != inception_fid_name && a.extractor != random_conv_name)
    throw usage_error("unknown extractor '" + a.extractor + "' (inception-v3-fid or random-conv-v1)");
  if (a.extractor == inception_fid_name && a.weights.empty())
    throw usage_error("inception-v3-fid needs --weights FILE (convert pytorch-fid's weights with "
                      "tools/convert_pytorch_fid.py), or use --extractor random-conv-v1 (not a standard FID)");
  if (a.extractor == random_conv_name && a.dims != 2048)
    throw usage_error("--dims selects an inception-v3-fid tap; random-conv-v1 always has 256 features");
  if (a.extractor == inception_fid_name && a.dims != 64 && a.dims != 192 && a.dims != 768 && a.dims != 2048)
    throw usage_error("--dims must be 64, 192, 768 or 2048");
  if (a.inputs.empty() || a.inputs.size() > 2) throw usage_error("give one or two inputs");
  if (a.inputs.size() == 1 && a.save_stats.empty()) throw usage_error("one input needs --save-stats FILE");
  if (a.kid_subset_size < 2) throw usage_error("--kid-subset-size must be at least 2");
  if (!a.device.empty() && a.device != "cpu" && a.device != "cuda")
    throw usage_error("--device must be cpu or cuda");
  return a;
}

template <class D>
std::unique_ptr<feature_extractor> make_extractor(const fid_arguments& a) {
  if (a.extractor == random_conv_name) return make_random_conv_extractor<D>();
  return make_inception_fid_extractor<D>(a.weights, a.dims);
}

inline std::unique_ptr<feature_extractor> make_extractor_on_device(const fid_arguments& a, std::ostream& out) {
#ifdef ACNE_WITH_CUDA
  if (a.device == "cuda" || (a.device.empty() && cuda_available())) {
    ACNE_CHECK(cuda_available(), "--device cuda, but no CUDA device is available");
    out << "device: cuda\n";
    return make_extractor<cuda>(a);
  }
#else
  ACNE_CHECK(a.device != "cuda", "--device cuda, but this acne-fid was built without CUDA");
#endif
  out << "device: cpu\n";
  return make_extractor<cpu>(a);
}

inline bool is_statistics_file(const fs::path& p) { return fs::is_regular_file(p); }

inline feature_set load_input(feature_extractor& e, const std::string& input, const fid_pipeline_options& o,
                              std::ostream& out, std::ostream& err) {
  feature_set set;
  if (is_statistics_file(input)) {
    set.statistics = feature_statistics::load(input);
    out << input << ": statistics of " << set.count() << " images (" << set.statistics.extractor() << ")\n";
    return set;
  }
  ACNE_CHECK(fs::is_directory(input), "input '" << input << "' is neither a folder nor a statistics file");
  set = folder_features(e, input, o);
  out << input << ": " << set.count() << " images\n";
  if (set.count() < set.dims())
    err << "acne-fid: warning: " << input << " has fewer images (" << set.count() << ") than feature dimensions ("
        << set.dims() << "): its covariance is singular, so FID is biased and unstable\n";
  return set;
}

inline void describe_extractor(const feature_extractor& e, fid_resize resize, std::ostream& out) {
  out << "extractor: " << measurement_name(e, resize) << ", " << e.dims() << " features, " << e.input_size() << "x"
      << e.input_size() << " input";
  if (!e.standard()) out << " -- NOT a standard FID: compare only with numbers from the same extractor";
  else if (e.dims() != 2048) out << " -- a " << e.dims() << "-d tap, not the standard 2048-d FID";
  out << "\n";
}

}  // namespace detail

inline int fid_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  detail::fid_arguments a;
  try {
    a = detail::parse_fid_arguments(args);
  } catch (const detail::usage_error& e) {
    err << "acne-fid: " << e.what() << "\n\n" << fid_usage;
    return 2;
  }
  if (a.help) {
    out << fid_usage;
    return 0;
  }
  try {
    const auto extractor = detail::make_extractor_on_device(a, out);
    detail::describe_extractor(*extractor, a.resize, out);
    const fid_pipeline_options options{.resize = a.resize, .batch = a.batch, .keep_features = a.inputs.size() == 2};
    const feature_set first = detail::load_input(*extractor, a.inputs[0], options, out, err);
    if (!a.save_stats.empty()) {
      ACNE_CHECK(fs::is_directory(a.inputs[0]), "--save-stats needs a folder as the first input");
      first.statistics.save(a.save_stats);
      out << "statistics written to " << a.save_stats << "\n";
    }
    if (a.inputs.size() == 1) return 0;
    const feature_set second = detail::load_input(*extractor, a.inputs[1], options, out, err);

    const distance_report r =
        compare(first, second, {.num_subsets = a.kid_subsets, .max_subset_size = a.kid_subset_size, .seed = 0});
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
      nlohmann::json j = {{"fid", r.fid.to_json()}, {"inputs", a.inputs}, {"resize", fid_resize_name(a.resize)},
                          {"standard_fid", extractor->standard() && extractor->dims() == 2048}};
      j["kid"] = r.kid ? r.kid->to_json() : nlohmann::json(nullptr);
      io::create_parent_directories(a.json);
      std::ofstream(a.json) << j.dump(2) << "\n";
      out << "results written to " << a.json << "\n";
    }
    return 0;
  } catch (const std::exception& e) {
    err << "acne-fid: error: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace acne::metrics
