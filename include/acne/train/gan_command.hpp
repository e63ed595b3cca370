#pragma once
// The acne-stylegan2 command line as a function (apps/acne-stylegan2.cpp is its main), so tests run
// it in-process: `train`, `generate` and `grid`. Returns 0 on success, 1 when the work fails
// (training diverged, unreadable files), 2 on bad arguments.
#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "acne/command_line.hpp"
#include "acne/data/phantom_dataset.hpp"
#include "acne/device_choice.hpp"
#include "acne/io/plot.hpp"
#include "acne/metrics/fid_pipeline.hpp"
#include "acne/metrics/inception_features.hpp"
#include "acne/models/stylegan2/generate.hpp"
#include "acne/train/gan_trainer.hpp"
#ifdef ACNE_WITH_CUDA
#include "acne/backend/cuda.hpp"
#endif

namespace acne::train {

inline constexpr const char* stylegan2_usage =
    "usage: acne-stylegan2 COMMAND [options]\n"
    "\n"
    "  train      train a StyleGAN2 (the paper's Table 1 settings by default)\n"
    "  generate   images of given seeds, one PNG per seed\n"
    "  grid       a grid of samples, a style-mixing figure or an interpolation, as one PNG\n"
    "\n"
    "acne-stylegan2 COMMAND --help describes each.\n";

inline constexpr const char* stylegan2_train_usage =
    "usage: acne-stylegan2 train [options]\n"
    "\n"
    "Data (phantom faces by default):\n"
    "  --data DIR            a folder of images (searched recursively); with --class NAME, DIR/NAME\n"
    "  --class NAME          phantom class (all = mild+moderate+severe, default; healthy, mild, moderate,\n"
    "                        severe, very-severe), or the sub-folder of --data\n"
    "  --phantom-count N     phantom faces per class (default 500)\n"
    "  --phantom-seed N      (default 0)\n"
    "Network (config F by default):\n"
    "  --cfg NAME            f (config F) or paper256\n"
    "  --resolution R        (default: the images' size with --data, 256 for phantom faces)\n"
    "  --channel-base N  --channel-max N  --mapping-layers N  --z-dim N  --w-dim N   reduced configs\n"
    "Training (defaults: the paper's Table 1 and config F):\n"
    "  --kimg X (25000)  --batch N (32)  --batch-gpu N (4)  --lr X (0.002, G and D)  --g-lr X  --d-lr X\n"
    "  --gamma X (10)  --seed N (1000)  --snap N (10: image and network snapshots every N ticks)\n"
    "  --image-snap N  --network-snap N  --kimg-per-tick X (4)  --mirror 0|1 (1)  --ema-kimg X (10)\n"
    "  --ema-rampup X (0: none)  --style-mixing P (0.9)  --pl-weight X (2)  --g-reg-interval N (4)\n"
    "  --d-reg-interval N (16)  --grid COLSxROWS (8x4: the image snapshots)\n"
    "FID while training:\n"
    "  --fid N               FID of N generated images at every network snapshot (default 0: off)\n"
    "  --fid-ticks N         every N ticks instead\n"
    "  --fid-extractor NAME  random-conv-v1 (default; needs no weights, NOT a standard FID) or\n"
    "                        inception-v3-fid (the standard one, needs --fid-weights FILE)\n"
    "Output and resuming:\n"
    "  --out DIR             run folder (default stylegan2-run): log.csv, fid.png, fakes-NNNNNN.png,\n"
    "                        network-snapshot-NNNNNN.safetensors (NNNNNN: the tick)\n"
    "  --resume X            latest (the newest snapshot in --out), a run folder or a snapshot file;\n"
    "                        the run continues with the snapshot's settings and data, flags given here\n"
    "                        override them (--kimg to train longer)\n"
    "Transfer learning:\n"
    "  --pretrained FILE     start from these weights (tools/convert_stylegan2.py output or a snapshot)\n"
    "  --freeze-d N          Freeze-D: do not train the first N discriminator layers\n"
    "  --freeze NET.PREFIX   do not train parameters starting with PREFIX (NET: G or D), repeatable\n"
    "  --train-only NET.PREFIX  train only these parameters of NET, repeatable\n"
#ifdef ACNE_WITH_CUDA
    "  --device NAME         cuda (default when a GPU is present) or cpu\n"
#endif
    "  --help                this text\n"
    "Ctrl-C stops after the current minibatch and writes a snapshot; resume with --resume latest.\n";

inline constexpr const char* stylegan2_generate_usage =
    "usage: acne-stylegan2 generate --network FILE --seeds LIST --outdir DIR [options]\n"
    "\n"
    "Writes DIR/seedNNNN.png per seed. The latent of a seed is numpy's RandomState(seed).randn(z_dim), as\n"
    "the reference's generate.py draws it; each image depends on its own seed only.\n"
    "  --network FILE   a training snapshot (its G_ema) or generator weights\n"
    "  --seeds LIST     e.g. 0-99 or 1,5,7\n"
    "  --outdir DIR     output folder\n"
    "  --class NAME     write into DIR/NAME (one folder per class, as classifiers read datasets)\n"
    "  --trunc PSI      truncation psi (default 1: none; 0.7 trades variety for quality)\n"
    "  --trunc-cutoff N truncate the first N ws only (default: all)\n"
    "  --noise MODE     const (default), random or none\n"
    "  --help           this text\n";

inline constexpr const char* stylegan2_grid_usage =
    "usage: acne-stylegan2 grid --network FILE --out FILE.png [options]\n"
    "\n"
    "  --seeds LIST              samples of these seeds (default 0-31), --cols N per row (default 8)\n"
    "  --row-seeds LIST --col-seeds LIST [--styles LIST]\n"
    "                            style mixing: rows take the listed styles (default 0-3, the coarse\n"
    "                            ones) from the column seeds\n"
    "  --interpolate A,B [--steps N]  N images (default 8) along the line from seed A's w to seed B's\n"
    "  --trunc PSI  --trunc-cutoff N  --noise MODE   as for generate\n"
    "  --help                    this text\n";

namespace detail {

using cli::real_number;
using cli::usage_error;
using cli::whole_number;

// `--flag value` pairs in order (repeatable flags keep every value); `--help` is a flag alone.
struct parsed_args {
  std::vector<std::pair<std::string, std::string>> values;
  bool help = false;
  bool has(const std::string& flag) const {
    for (const auto& [f, v] : values)
      if (f == flag) return true;
    return false;
  }
  std::string get(const std::string& flag, const std::string& fallback = {}) const {
    std::string out = fallback;
    for (const auto& [f, v] : values)
      if (f == flag) out = v;
    return out;
  }
};

inline parsed_args parse_flags(const std::vector<std::string>& args, std::size_t first,
                               const std::vector<std::string>& known) {
  parsed_args p;
  for (std::size_t i = first; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      p.help = true;
      continue;
    }
    if (a.rfind("--", 0) != 0) throw usage_error("unexpected argument '" + a + "'");
    if (std::find(known.begin(), known.end(), a) == known.end()) throw usage_error("unknown option " + a);
    if (i + 1 >= args.size()) throw usage_error(a + " needs a value");
    p.values.emplace_back(a, args[++i]);
  }
  return p;
}

inline const std::vector<std::string>& train_flags() {
  static const std::vector<std::string> flags{
      "--data", "--class", "--phantom-count", "--phantom-seed", "--cfg", "--resolution", "--channel-base",
      "--channel-max", "--mapping-layers", "--z-dim", "--w-dim", "--kimg", "--batch", "--batch-gpu", "--lr", "--g-lr",
      "--d-lr", "--gamma", "--seed", "--snap", "--image-snap", "--network-snap", "--kimg-per-tick", "--mirror",
      "--ema-kimg", "--ema-rampup", "--style-mixing", "--pl-weight", "--g-reg-interval", "--d-reg-interval", "--grid",
      "--fid", "--fid-ticks", "--fid-extractor", "--fid-weights", "--out", "--resume", "--pretrained", "--freeze-d",
      "--freeze", "--train-only", "--device"};
  return flags;
}

inline bool network_flag(const std::string& f) {
  return f == "--cfg" || f == "--resolution" || f == "--channel-base" || f == "--channel-max" ||
         f == "--mapping-layers" || f == "--z-dim" || f == "--w-dim";
}

// Applies the training flags to `o` (network flags too unless resuming, where the snapshot decides).
// --cfg goes first, so that the other network flags modify the preset in any order.
inline void apply_train_flags(gan_options& o, const parsed_args& p, bool resuming) {
  for (const auto& [f, v] : p.values)
    if (resuming && network_flag(f)) throw usage_error(f + " cannot change when resuming: the snapshot fixes the network");
  if (p.has("--cfg")) {
    const std::string v = p.get("--cfg");
    if (v == "f") o.config = stylegan2::config::config_f(o.config.resolution);
    else if (v == "paper256") o.config = stylegan2::config::paper256();
    else throw usage_error("--cfg must be f or paper256, not '" + v + "'");
  }
  bool freeze_reset = false, only_reset = false;
  for (const auto& [f, v] : p.values) {
    if (f == "--resolution") {
      o.config.resolution = whole_number(f, v, true);
    } else if (f == "--channel-base") {
      o.config.channel_base = whole_number(f, v, true);
    } else if (f == "--channel-max") {
      o.config.channel_max = whole_number(f, v, true);
    } else if (f == "--mapping-layers") {
      o.config.mapping_layers = whole_number(f, v, true);
    } else if (f == "--z-dim") {
      o.config.z_dim = whole_number(f, v, true);
    } else if (f == "--w-dim") {
      o.config.w_dim = whole_number(f, v, true);
    } else if (f == "--kimg") {
      o.total_kimg = real_number(f, v);
    } else if (f == "--batch") {
      o.batch = whole_number(f, v, true);
    } else if (f == "--batch-gpu") {
      o.batch_gpu = whole_number(f, v, true);
    } else if (f == "--lr") {
      o.g_lr = o.d_lr = real_number(f, v, cli::number_sign::positive);
    } else if (f == "--g-lr") {
      o.g_lr = real_number(f, v, cli::number_sign::positive);
    } else if (f == "--d-lr") {
      o.d_lr = real_number(f, v, cli::number_sign::positive);
    } else if (f == "--gamma") {
      o.r1_gamma = real_number(f, v);
    } else if (f == "--seed") {
      o.seed = whole_number(f, v, false);
    } else if (f == "--snap") {
      o.image_snapshot_ticks = o.network_snapshot_ticks = whole_number(f, v, false);
    } else if (f == "--image-snap") {
      o.image_snapshot_ticks = whole_number(f, v, false);
    } else if (f == "--network-snap") {
      o.network_snapshot_ticks = whole_number(f, v, false);
    } else if (f == "--kimg-per-tick") {
      o.kimg_per_tick = real_number(f, v, cli::number_sign::positive);
    } else if (f == "--mirror") {
      if (v != "0" && v != "1") throw usage_error("--mirror must be 0 or 1");
      o.mirror = v == "1";
    } else if (f == "--ema-kimg") {
      o.ema_kimg = real_number(f, v);
    } else if (f == "--ema-rampup") {
      o.ema_rampup = real_number(f, v);
    } else if (f == "--style-mixing") {
      o.style_mixing_prob = real_number(f, v);
    } else if (f == "--pl-weight") {
      o.pl_weight = real_number(f, v);
    } else if (f == "--g-reg-interval") {
      o.g_reg_interval = whole_number(f, v, false);
    } else if (f == "--d-reg-interval") {
      o.d_reg_interval = whole_number(f, v, false);
    } else if (f == "--grid") {
      const auto x = v.find('x');
      if (x == std::string::npos) throw usage_error("--grid needs COLSxROWS, e.g. 8x4");
      o.grid_cols = whole_number(f, v.substr(0, x), true);
      o.grid_rows = whole_number(f, v.substr(x + 1), true);
    } else if (f == "--fid") {
      o.fid_images = whole_number(f, v, false);
    } else if (f == "--fid-ticks") {
      o.fid_ticks = whole_number(f, v, true);
    } else if (f == "--fid-extractor") {
      if (v != metrics::random_conv_name && v != metrics::inception_fid_name)
        throw usage_error("--fid-extractor must be random-conv-v1 or inception-v3-fid");
      o.fid_extractor = v;
    } else if (f == "--fid-weights") {
      o.fid_weights = v;
    } else if (f == "--out") {
      o.out_dir = v;
    } else if (f == "--pretrained") {
      o.pretrained = v;
    } else if (f == "--freeze-d") {
      o.freeze_d = whole_number(f, v, false);
    } else if (f == "--freeze") {
      if (!freeze_reset) o.freeze.clear(), freeze_reset = true;
      o.freeze.push_back(v);
    } else if (f == "--train-only") {
      if (!only_reset) o.train_only.clear(), only_reset = true;
      o.train_only.push_back(v);
    }
  }
}

// The training images, described by options.dataset so that a resumed run rebuilds the same set.
struct dataset_holder {
  data::sample_source source;
  std::string description;
};

inline nlohmann::json dataset_description(const parsed_args& p) {
  const std::string cls = p.get("--class", "all");
  if (p.has("--data")) return {{"kind", "folder"}, {"path", p.get("--data")}, {"class", p.has("--class") ? cls : ""}};
  nlohmann::json classes = nlohmann::json::array();
  if (cls == "all") {
    for (auto c : {data::acne_class::mild, data::acne_class::moderate, data::acne_class::severe})
      classes.push_back(std::string(data::class_name(c)));
  } else {
    try {
      classes.push_back(std::string(data::class_name(data::parse_acne_class(cls))));
    } catch (const acne::error& e) {
      throw usage_error(e.what());
    }
  }
  return {{"kind", "phantom"}, {"classes", classes},
          {"count", p.has("--phantom-count") ? whole_number("--phantom-count", p.get("--phantom-count"), true) : 500},
          {"seed", p.has("--phantom-seed") ? whole_number("--phantom-seed", p.get("--phantom-seed"), false) : 0}};
}

inline dataset_holder open_dataset(const nlohmann::json& d, std::size_t resolution) {
  dataset_holder h;
  if (d.at("kind") == "folder") {
    std::filesystem::path root = d.at("path").get<std::string>();
    if (!d.value("class", std::string()).empty()) root /= d.at("class").get<std::string>();
    auto files = std::make_shared<std::vector<std::filesystem::path>>(metrics::list_images(root));
    ACNE_CHECK(!files->empty(), "no images in " << root.string());
    h.source = {files->size(), [](std::size_t) { return 0; }, [files](std::size_t i) { return io::read_image(files->at(i)); }};
    h.description = std::to_string(files->size()) + " images from " + root.string();
    return h;
  }
  data::class_counts counts;
  for (const auto& c : d.at("classes")) counts.emplace_back(data::parse_acne_class(c.get<std::string>()), d.at("count").get<std::size_t>());
  data::phantom_options po;
  po.size = int(std::max<std::size_t>(resolution, 16));  // the stream resizes smaller resolutions
  auto faces = std::make_shared<data::phantom_dataset>(counts, d.at("seed").get<std::uint64_t>(), po);
  h.source = {faces->size(), [faces](std::size_t i) { return faces->label(i); }, [faces](std::size_t i) { return faces->load(i); }};
  h.description = std::to_string(faces->size()) + " phantom faces (" + d.at("classes").dump() + ")";
  return h;
}

// With --data and no --resolution: the first image's size, which must be a square power of two.
inline std::size_t data_resolution(const nlohmann::json& d) {
  if (d.at("kind") != "folder") return 256;
  const auto h = open_dataset(d, 0);
  const cv::Mat first = h.source.load(0);
  const auto side = std::size_t(first.cols);
  if (first.rows != first.cols || side < 4 || (side & (side - 1)) != 0)
    throw usage_error("the images are " + std::to_string(first.cols) + "x" + std::to_string(first.rows) +
                      ": give --resolution R (a power of two) to resize them");
  return side;
}

inline std::filesystem::path resolve_resume(const std::string& what, const std::string& out) {
  const std::filesystem::path p = what == "latest" ? std::filesystem::path(out) : std::filesystem::path(what);
  if (std::filesystem::is_regular_file(p)) return p;
  const auto latest = find_latest_snapshot(p);
  ACNE_CHECK(latest, "no network-snapshot-*.safetensors in " << p.string() << " to resume from");
  return *latest;
}

template <class D>
int run_training(const gan_options& o, const dataset_holder& data, const std::filesystem::path& resume,
                 const std::function<bool()>& abort, std::ostream& out) {
  gan_trainer<float, D> trainer(o, data.source, out);
  trainer.abort_fn = abort;
  if (o.fid_images > 0 && o.fid_extractor == metrics::inception_fid_name)
    trainer.set_fid_extractor(metrics::make_inception_fid_extractor<D>(o.fid_weights));
  if (!resume.empty()) trainer.resume(resume);
  const auto result = trainer.train();
  if (result.aborted) out << "stopped at kimg " << double(result.state.cur_nimg) / 1000 << "; continue with --resume latest\n";
  if (!result.last_snapshot.empty()) out << "last snapshot: " << result.last_snapshot.string() << "\n";
  return 0;
}

inline int train_command(const std::vector<std::string>& args, const std::function<bool()>& abort, std::ostream& out) {
  const auto p = parse_flags(args, 1, train_flags());
  if (p.help) {
    out << stylegan2_train_usage;
    return 0;
  }
  std::string device;
  try {
    device = resolve_device(p.get("--device"));  // before any work, so a bad choice costs nothing
  } catch (const device_unavailable& e) {
    throw usage_error(e.what());
  }

  gan_options o;
  std::filesystem::path resume;
  if (p.has("--resume")) {
    resume = resolve_resume(p.get("--resume"), p.get("--out", o.out_dir));
    o = read_snapshot_info(resume).options;
    if (!p.has("--out")) o.out_dir = resume.parent_path().string();
    for (const char* f : {"--data", "--class", "--phantom-count", "--phantom-seed"})
      if (p.has(f)) o.dataset = dataset_description(p);  // another dataset than the snapshot's
  } else {
    o.dataset = dataset_description(p);
    if (!p.has("--resolution") && p.get("--cfg") != "paper256") o.config.resolution = data_resolution(o.dataset);
  }
  apply_train_flags(o, p, !resume.empty());
  const bool network_flags = std::any_of(p.values.begin(), p.values.end(), [](const auto& f) { return network_flag(f.first); });
  if (resume.empty() && !o.pretrained.empty() && !network_flags) {
    // Without network flags the network is the pretrained one, whatever official cfg made it.
    std::vector<std::string> notes;
    o.config = pretrained_config(o.pretrained, &notes);
    out << "network: as the pretrained weights, " << o.config.to_json().dump() << "\n";
    for (const auto& n : notes) out << "  note: " << n << "\n";
  }
  if (o.fid_images > 0 && o.fid_extractor == metrics::inception_fid_name && o.fid_weights.empty())
    throw usage_error("inception-v3-fid needs --fid-weights FILE (tools/convert_pytorch_fid.py)");
  try {
    o.validate();
  } catch (const acne::error& e) {
    throw usage_error(e.what());
  }
  const auto data = open_dataset(o.dataset, o.config.resolution);
  out << "data: " << data.description << "\n";
  return on_device(device, out, [&](auto d) { return run_training<decltype(d)>(o, data, resume, abort, out); });
}

inline stylegan2::generation_options generation_flags(const parsed_args& p) {
  stylegan2::generation_options g;
  if (p.has("--trunc")) g.truncation_psi = real_number("--trunc", p.get("--trunc"));
  if (p.has("--trunc-cutoff")) g.truncation_cutoff = whole_number("--trunc-cutoff", p.get("--trunc-cutoff"), true);
  const std::string noise = p.get("--noise", "const");
  if (noise == "const") g.noise = noise_mode::constant;
  else if (noise == "random") g.noise = noise_mode::random;
  else if (noise == "none") g.noise = noise_mode::none;
  else throw usage_error("--noise must be const, random or none");
  return g;
}

inline std::vector<std::uint32_t> seed_flag(const parsed_args& p, const std::string& flag, const std::string& fallback = {}) {
  try {
    return stylegan2::parse_seeds(p.get(flag, fallback));
  } catch (const acne::error& e) {
    throw usage_error(flag + ": " + e.what());
  }
}

inline int generate_command(const std::vector<std::string>& args, std::ostream& out) {
  const auto p = parse_flags(args, 1, {"--network", "--seeds", "--outdir", "--class", "--trunc", "--trunc-cutoff", "--noise"});
  if (p.help) {
    out << stylegan2_generate_usage;
    return 0;
  }
  for (const char* f : {"--network", "--seeds", "--outdir"})
    if (!p.has(f)) throw usage_error(std::string("generate needs ") + f);
  const auto seeds = seed_flag(p, "--seeds");
  const auto options = generation_flags(p);
  std::filesystem::path dir = p.get("--outdir");
  if (p.has("--class")) dir /= p.get("--class");
  auto g = stylegan2::load_generator(p.get("--network"));
  const auto paths = stylegan2::write_seed_images(g, std::span<const std::uint32_t>(seeds), dir, options);
  out << paths.size() << " images (" << g.layer().cfg().resolution << "px, psi " << options.truncation_psi << ") in "
      << dir.string() << "\n";
  return 0;
}

inline int grid_command(const std::vector<std::string>& args, std::ostream& out) {
  const auto p = parse_flags(args, 1, {"--network", "--out", "--seeds", "--cols", "--row-seeds", "--col-seeds", "--styles",
                                       "--interpolate", "--steps", "--trunc", "--trunc-cutoff", "--noise"});
  if (p.help) {
    out << stylegan2_grid_usage;
    return 0;
  }
  for (const char* f : {"--network", "--out"})
    if (!p.has(f)) throw usage_error(std::string("grid needs ") + f);
  if (p.has("--row-seeds") != p.has("--col-seeds")) throw usage_error("style mixing needs both --row-seeds and --col-seeds");
  const auto options = generation_flags(p);
  auto g = stylegan2::load_generator(p.get("--network"));
  std::vector<cv::Mat> images;
  std::size_t cols = 0;
  if (p.has("--row-seeds")) {
    const auto rows = seed_flag(p, "--row-seeds"), col_seeds = seed_flag(p, "--col-seeds");
    const auto styles32 = seed_flag(p, "--styles", "0-3");
    const std::vector<std::size_t> styles(styles32.begin(), styles32.end());
    for (auto s : styles)
      if (s >= g.layer().cfg().num_ws())
        throw usage_error("--styles: index " + std::to_string(s) + " >= " + std::to_string(g.layer().cfg().num_ws()) + " ws");
    images = stylegan2::style_mixing_images(g, std::span<const std::uint32_t>(rows), std::span<const std::uint32_t>(col_seeds),
                                            std::span<const std::size_t>(styles), options);
    cols = col_seeds.size() + 1;
  } else if (p.has("--interpolate")) {
    const auto ends = seed_flag(p, "--interpolate");
    if (ends.size() != 2) throw usage_error("--interpolate needs two seeds, e.g. 3,7");
    const auto steps = p.has("--steps") ? whole_number("--steps", p.get("--steps"), true) : 8;
    if (steps < 2) throw usage_error("--steps must be at least 2");
    images = stylegan2::interpolation_images(g, ends[0], ends[1], steps, options);
    cols = steps;
  } else {
    const auto seeds = seed_flag(p, "--seeds", "0-31");
    images = stylegan2::to_images(stylegan2::generate(g, std::span<const std::uint32_t>(seeds), options));
    cols = p.has("--cols") ? whole_number("--cols", p.get("--cols"), true) : 8;
  }
  io::save_image_grid(p.get("--out"), images, {.cols = cols});
  out << images.size() << " images -> " << p.get("--out") << "\n";
  return 0;
}

}  // namespace detail

// `abort` is polled during training (e.g. set by a SIGINT handler): the run then stops after the
// current minibatch and writes a snapshot.
inline int stylegan2_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
                             const std::function<bool()>& abort = {}) {
  const std::string cmd = args.empty() ? "" : args[0];
  const char* usage = cmd == "train" ? stylegan2_train_usage : cmd == "generate" ? stylegan2_generate_usage
                      : cmd == "grid"  ? stylegan2_grid_usage : stylegan2_usage;
  try {
    if (cmd == "--help" || cmd == "-h") {
      out << stylegan2_usage;
      return 0;
    }
    if (cmd == "train") return detail::train_command(args, abort, out);
    if (cmd == "generate") return detail::generate_command(args, out);
    if (cmd == "grid") return detail::grid_command(args, out);
    throw detail::usage_error(cmd.empty() ? "no command given" : "unknown command '" + cmd + "'");
  } catch (const detail::usage_error& e) {
    err << "acne-stylegan2: " << e.what() << "\n\n" << usage;
    return 2;
  } catch (const gan_diverged& e) {
    err << "acne-stylegan2: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    err << "acne-stylegan2: error: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace acne::train
