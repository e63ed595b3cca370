#pragma once
// `acne-stylegan2 train`: its flag table (bound to train::gan_options) and the command.
#include <algorithm>
#include <filesystem>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "acne/cli/flags.hpp"
#include "acne/cli/program.hpp"
#include "acne/metrics/inception_features.hpp"
#include "acne/train/gan_dataset.hpp"
#include "acne/train/gan_snapshot.hpp"
#include "acne/train/gan_trainer.hpp"
#include "acne/train/gan_transfer.hpp"

namespace acne::cli {

// What the train command reads besides the options of the run itself.
struct stylegan2_train_args {
  std::string data, cls = "all", cfg = "f", resume, device;
  std::vector<std::string> negative_classes;
  std::size_t phantom_count = 500;
  std::uint64_t phantom_seed = 0;
};

inline const std::vector<std::string>& stylegan2_network_flags() {
  static const std::vector<std::string> flags{"--cfg", "--resolution", "--channel-base", "--channel-max",
                                              "--mapping-layers", "--z-dim", "--w-dim"};
  return flags;
}

inline flag_table stylegan2_train_flags(train::gan_options& o, stylegan2_train_args& a) {
  flag_table t("acne-stylegan2 train", "[options]",
               "Trains a StyleGAN2; the defaults are the paper's Table 1 on the official config F loop.\n"
               "Ctrl-C stops after the current minibatch and writes a snapshot; resume with --resume latest.");
  const value_rule positive{.positive = true};
  t.section("Data (phantom faces by default)")
      .add("--data", a.data, "a folder of images (searched recursively); with --class NAME, DIR/NAME", {.metavar = "DIR"})
      .add("--class", a.cls,
           "phantom class (all = mild+moderate+severe; healthy, mild, moderate, severe, very-severe), "
           "or the sub-folder of --data", {.metavar = "NAME"})
      .add("--phantom-count", a.phantom_count, "phantom faces per class", positive)
      .add("--phantom-seed", a.phantom_seed, "phantom dataset seed")
      .add("--negative-class", a.negative_classes,
           "negative data augmentation: D learns these classes' images (phantom classes or sub-folders of --data) "
           "as fakes, so G is pushed away from them", {.metavar = "NAME"})
      .add("--negative-weight", o.negative_weight, "weight of the negatives' loss",
           {.default_text = "1 with --negative-class (a resumed run's own)"});
  t.section("Network (config F by default; the other network flags modify the preset)")
      .add("--cfg", a.cfg, "preset", {.metavar = "NAME", .choices = {"f", "paper256"}})
      .add("--resolution", o.config.resolution, "image side, a power of two",
           {.metavar = "R", .positive = true, .default_text = "the images' side with --data, 256 for phantom faces"})
      .add("--channel-base", o.config.channel_base, "feature maps at resolution r: min(base / r, max)", positive)
      .add("--channel-max", o.config.channel_max, "largest feature map count", positive)
      .add("--mapping-layers", o.config.mapping_layers, "mapping network depth", positive)
      .add("--z-dim", o.config.z_dim, "latent size", positive)
      .add("--w-dim", o.config.w_dim, "intermediate latent size", positive);
  t.section("Training")
      .add("--kimg", o.total_kimg, "thousands of real images to show")
      .add("--batch", o.batch, "images per minibatch", positive)
      .add("--batch-gpu", o.batch_gpu, "images per forward pass (the minibatch accumulates over rounds)", positive)
      .add_custom("--lr", "X", "learning rate of G and D",
                  [&o](const std::string& v) { o.g_lr = o.d_lr = real_number("--lr", v, number_sign::positive); },
                  "0.002")
      .add("--g-lr", o.g_lr, "learning rate of G", positive)
      .add("--d-lr", o.d_lr, "learning rate of D", positive)
      .add("--gamma", o.r1_gamma, "R1 weight")
      .add("--seed", o.seed, "the run's seed (initialisation, latents, data order)")
      .add("--kimg-per-tick", o.kimg_per_tick, "thousands of images per tick", positive)
      .add("--mirror", o.mirror, "x-flip augmentation")
      .add("--ema-kimg", o.ema_kimg, "half-life of the G EMA, thousands of images")
      .add("--ema-rampup", o.ema_rampup, "half-life at most cur_nimg * X (0: none)")
      .add("--style-mixing", o.style_mixing_prob, "style mixing probability", {.min = 0, .max = 1})
      .add("--pl-weight", o.pl_weight, "path length weight")
      .add("--g-reg-interval", o.g_reg_interval, "path length every N minibatches (0: every one)")
      .add("--d-reg-interval", o.d_reg_interval, "R1 every N minibatches (0: every one)");
  t.section("Snapshots and FID")
      .add("--out", o.out_dir, "run folder: log.csv, fid.png, fakes-NNNNNN.png, network-snapshot-NNNNNN.safetensors",
           {.metavar = "DIR"})
      .add_custom("--snap", "N", "image and network snapshots every N ticks (0: only the last)",
                  [&o](const std::string& v) {
                    o.image_snapshot_ticks = o.network_snapshot_ticks = whole_number("--snap", v, false);
                  }, "10")
      .add("--image-snap", o.image_snapshot_ticks, "image snapshots every N ticks")
      .add("--network-snap", o.network_snapshot_ticks, "network snapshots every N ticks")
      .add_custom("--grid", "COLSxROWS", "the image snapshots' grid",
                  [&o](const std::string& v) {
                    const auto x = v.find('x');
                    if (x == std::string::npos) throw usage_error("--grid needs COLSxROWS, e.g. 8x4");
                    o.grid_cols = whole_number("--grid", v.substr(0, x), true);
                    o.grid_rows = whole_number("--grid", v.substr(x + 1), true);
                  }, "8x4")
      .add("--fid", o.fid_images, "FID of N generated images at every network snapshot (0: off)")
      .add("--fid-ticks", o.fid_ticks, "FID every N ticks instead", {.default_text = "the network snapshots'"})
      .add("--fid-extractor", o.fid_extractor,
           "random-conv-v1 needs no weights but is NOT a standard FID; inception-v3-fid needs --fid-weights",
           {.metavar = "NAME", .choices = {metrics::random_conv_name, metrics::inception_fid_name}})
      .add("--fid-weights", o.fid_weights, "inception-v3-fid weights (tools/convert_pytorch_fid.py)", {.metavar = "FILE"})
      .add("--resume", a.resume,
           "latest (the newest snapshot in --out), a run folder or a snapshot file; the run continues with the "
           "snapshot's settings and data, flags given here override them (--kimg to train longer)",
           {.metavar = "WHAT"});
  t.section("Transfer learning")
      .add("--pretrained", o.pretrained, "start from these weights (tools/convert_stylegan2.py output or a snapshot)",
           {.metavar = "FILE"})
      .add("--freeze-d", o.freeze_d, "Freeze-D: do not train the first N discriminator layers")
      .add("--freeze", o.freeze, "do not train parameters of NET (G or D) starting with PREFIX", {.metavar = "NET.PREFIX"})
      .add("--train-only", o.train_only, "train only these parameters of NET", {.metavar = "NET.PREFIX"})
      .add("--device", a.device, "cpu or cuda", {.metavar = "NAME", .default_text = "cuda when a GPU is present"});
  return t;
}

namespace detail {

inline std::filesystem::path resolve_resume(const std::string& what, const std::string& out) {
  const std::filesystem::path p = what == "latest" ? std::filesystem::path(out) : std::filesystem::path(what);
  if (std::filesystem::is_regular_file(p)) return p;
  const auto latest = train::find_latest_snapshot(p);
  ACNE_CHECK(latest, "no network-snapshot-*.safetensors in " << p.string() << " to resume from");
  return *latest;
}

inline nlohmann::json dataset_description(const stylegan2_train_args& a, const flag_table& t) {
  try {
    if (!a.data.empty()) return train::folder_dataset_description(a.data, t.given("--class") ? a.cls : "");
    return train::phantom_dataset_description(a.cls, a.phantom_count, a.phantom_seed);
  } catch (const acne::error& e) {
    throw usage_error(e.what());
  }
}

// Negatives come from where the run's images come from (a resumed run's too): other class folders
// of its folder, or phantom faces of its count and seed.
inline nlohmann::json negatives_description(const nlohmann::json& dataset, const std::vector<std::string>& classes) {
  try {
    if (dataset.at("kind") == "folder") return train::folder_dataset_description(dataset.at("path").get<std::string>(), classes);
    return train::phantom_dataset_description(classes, dataset.at("count").get<std::size_t>(), dataset.at("seed").get<std::uint64_t>());
  } catch (const acne::error& e) {
    throw usage_error(e.what());
  }
}

// The options of the run before its flags apply: a snapshot's when resuming, else a preset.
inline train::gan_options base_options(const stylegan2_train_args& a, const flag_table& given,
                                       const train::gan_options& parsed, std::filesystem::path& resume) {
  train::gan_options o;
  if (a.resume.empty()) {
    if (a.cfg == "paper256") o.config = stylegan2::config::paper256();
    return o;
  }
  for (const auto& f : stylegan2_network_flags())
    if (given.given(f)) throw usage_error(f + " cannot change when resuming: the snapshot fixes the network");
  resume = resolve_resume(a.resume, given.given("--out") ? parsed.out_dir : o.out_dir);
  o = train::read_snapshot_info(resume).options;
  o.out_dir = resume.parent_path().string();
  return o;
}

template <class D>
int run_training(const train::gan_options& o, const train::gan_dataset& data, const std::filesystem::path& resume,
                 const std::function<bool()>& abort, std::ostream& out) {
  auto extractor = o.fid_images > 0 && o.fid_extractor == metrics::inception_fid_name
                       ? metrics::make_inception_fid_extractor<D>(o.fid_weights)
                       : nullptr;
  const auto result = train::train_stylegan2<D>(o, data.source, out, resume, std::move(extractor), abort);
  if (result.aborted) out << "stopped at kimg " << double(result.state.cur_nimg) / 1000 << "; continue with --resume latest\n";
  if (!result.last_snapshot.empty()) out << "last snapshot: " << result.last_snapshot.string() << "\n";
  return done;
}

}  // namespace detail

inline int stylegan2_train(const std::vector<std::string>& args, const std::function<bool()>& abort, std::ostream& out) {
  // A first pass learns which flags are given (and --resume, --cfg, --out), a second applies them
  // over the options they modify: the snapshot's or the preset's.
  train::gan_options parsed;
  stylegan2_train_args first;
  auto probe = stylegan2_train_flags(parsed, first);
  probe.parse(args);
  if (probe.help()) {
    out << probe.usage();
    return done;
  }
  const std::string device = device_flag(first.device);
  std::filesystem::path resume;
  train::gan_options o = detail::base_options(first, probe, parsed, resume);
  stylegan2_train_args a;
  auto flags = stylegan2_train_flags(o, a);
  flags.parse(args);

  const bool dataset_given = std::any_of(flags.given_flags().begin(), flags.given_flags().end(), [](const auto& f) {
    return f == "--data" || f == "--class" || f == "--phantom-count" || f == "--phantom-seed";
  });
  if (resume.empty() || dataset_given) o.dataset = detail::dataset_description(a, flags);
  if (!a.negative_classes.empty()) {
    o.negatives = detail::negatives_description(o.dataset, a.negative_classes);
    if (!flags.given("--negative-weight") && !o.uses_negatives()) o.negative_weight = 1;
  }
  if (resume.empty() && !flags.given("--resolution") && a.cfg != "paper256") {
    o.config.resolution = train::native_resolution(o.dataset);
    if (o.config.resolution == 0) throw usage_error("the images are not square powers of two: give --resolution R to resize them");
  }
  const bool network_given = std::any_of(stylegan2_network_flags().begin(), stylegan2_network_flags().end(),
                                         [&](const auto& f) { return flags.given(f); });
  if (resume.empty() && !o.pretrained.empty() && !network_given) {
    // Without network flags the network is the pretrained one, whatever official cfg made it.
    std::vector<std::string> notes;
    o.config = train::pretrained_config(o.pretrained, &notes);
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
  const auto data = train::open_gan_dataset(o.dataset, o.config.resolution);
  out << "data: " << data.description << "\n";
  return on_device(device, out, [&](auto d) { return detail::run_training<decltype(d)>(o, data, resume, abort, out); });
}

}  // namespace acne::cli
