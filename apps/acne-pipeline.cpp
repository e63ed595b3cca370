// The paper's whole job, end to end:
//   1. real faces: a folder of class sub-folders (or, by default, phantom faces written to out/real);
//   2. brought to the GAN resolution (area downsampling, or bicubic upscaling of small faces);
//   3. a StyleGAN2 trained on every acne severity at once;
//   4. one StyleGAN2 per class (mild, moderate, severe, and healthy), each transferred from (3);
//   5. a synthetic dataset generated from (4), a classifier trained on it alone, and tested on real
//      faces it never saw: accuracy, precision, recall, F1, confusion matrix, curves.
// Every stage writes under --out; report.json sums up.
#include <bit>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <numeric>
#include <string>

#include "acne/cli/flags.hpp"
#include "acne/cli/program.hpp"
#include "acne/data/image_folder.hpp"
#include "acne/data/phantom_dataset.hpp"
#include "acne/data/preprocess.hpp"
#include "acne/device_choice.hpp"
#include "acne/io/image.hpp"
#include "acne/io/report.hpp"
#include "acne/models/stylegan2/generate.hpp"
#include "acne/train/classifier_trainer.hpp"
#include "acne/train/gan_trainer.hpp"

namespace fs = std::filesystem;
using namespace acne;

namespace {

struct pipeline_options {
  fs::path out = "out/pipeline";
  fs::path real, test;                // empty: phantom faces
  std::size_t real_per_class = 64, test_per_class = 24;
  std::size_t resolution = 32;
  double kimg_all = 0.8, kimg_class = 0.2;
  std::size_t synthetic_per_class = 64;
  std::string classifier = "resnet50v2";
  std::size_t epochs = 8;
  std::uint64_t seed = 1000;
  std::string device;                 // "cpu", "cuda"; empty: cuda when available
};

const std::vector<std::string> acne_classes{"mild", "moderate", "severe"};
const std::vector<std::string> all_classes{"healthy", "mild", "moderate", "severe"};

acne::cli::flag_table flags(pipeline_options& o) {
  acne::cli::flag_table t("acne-pipeline", "[options]",
                          "Real faces -> StyleGAN2 (all severities, then one per class) -> synthetic dataset ->\n"
                          "classifier trained on synthetic faces only -> tested on real faces.");
  t.add("--out", o.out, "where every stage writes", {.metavar = "DIR"})
      .add("--real", o.real, "real training faces: DIR/{healthy,mild,moderate,severe}/*", {.metavar = "DIR", .default_text = "phantom faces"})
      .add("--test", o.test, "real test faces, same layout", {.metavar = "DIR", .default_text = "phantom faces of other seeds"})
      .add("--real-per-class", o.real_per_class, "phantom faces per class for training the GANs", {.positive = true})
      .add("--test-per-class", o.test_per_class, "phantom faces per class for the final test", {.positive = true})
      .add("--resolution", o.resolution, "GAN resolution, a power of two", {.metavar = "PX", .min = 4})
      .add("--kimg-all", o.kimg_all, "thousands of images shown to the all-severity GAN", {.metavar = "K", .positive = true})
      .add("--kimg-class", o.kimg_class, "thousands of images for each per-class GAN", {.metavar = "K", .positive = true})
      .add("--synthetic", o.synthetic_per_class, "synthetic images per class", {.positive = true})
      .add("--classifier", o.classifier, "architecture (reduced width)",
           {.metavar = "NAME", .choices = {"resnet50v2", "resnet152v2", "inception_resnet_v2"}})
      .add("--epochs", o.epochs, "classifier epochs", {.positive = true})
      .add("--seed", o.seed, "seed of every stage", {.metavar = "S"})
      .add("--device", o.device, "cpu or cuda", {.metavar = "NAME", .default_text = "cuda when a GPU is present"});
  return t;
}

void banner(const std::string& text) { std::cout << "\n== " << text << " ==\n" << std::flush; }

// Stage 1: the real faces, as given or as phantom faces of no real person.
fs::path real_faces(const fs::path& given, const fs::path& dir, std::size_t per_class, int size, std::uint64_t seed) {
  if (!given.empty()) return given;
  if (!fs::exists(dir / "labels.csv")) {
    data::write_phantom_dataset(dir, data::paper_class_counts(per_class), size, seed);
    std::cout << "wrote " << 4 * per_class << " phantom faces to " << dir << "\n";
  }
  return dir;
}

// Stage 2: every image of every class brought to resolution x resolution.
fs::path to_gan_resolution(const fs::path& src, const fs::path& dst, int resolution) {
  data::image_folder folder(src, {.classes = all_classes});
  std::size_t down = 0, up = 0;
  for (std::size_t i = 0; i < folder.size(); ++i) {
    const cv::Mat image = folder.load(i);
    const bool small = std::min(image.rows, image.cols) < resolution;
    (small ? up : down) += 1;
    // Small faces are upscaled bicubically: a restoration network such as DFDNet is not part of acne.
    const auto filter = small ? data::resize_filter::bicubic : data::resize_filter::area;
    const fs::path out = dst / all_classes[folder.label(i)] / folder.path(i).filename().replace_extension(".png");
    if (!fs::exists(out)) io::write_image(out, data::resize_to(image, resolution, resolution, filter));
  }
  std::cout << folder.size() << " faces at " << resolution << " px (" << down << " downsampled, " << up
            << " upscaled) in " << dst << "\n";
  return dst;
}

train::gan_options gan_settings(const pipeline_options& p, const fs::path& out, double kimg) {
  train::gan_options g;
  g.config = stylegan2::config::config_f(p.resolution);
  g.config.z_dim = g.config.w_dim = 64;
  g.config.mapping_layers = 2;
  g.config.channel_base = 16 * p.resolution;
  g.config.channel_max = 64;
  g.batch = 8;
  g.batch_gpu = 4;
  g.seed = p.seed;
  g.total_kimg = kimg;
  g.kimg_per_tick = std::max(0.1, kimg / 5);
  g.image_snapshot_ticks = 5;
  g.network_snapshot_ticks = 5;
  g.r1_gamma = 1;
  g.ema_kimg = 0.1;
  g.fid_images = 64;
  g.fid_ticks = 1;
  g.grid_cols = 6;
  g.grid_rows = 2;
  g.out_dir = out.string();
  return g;
}

// Stages 3 and 4: one GAN on `classes` of the prepared faces, starting from `pretrained` if given.
train::gan_result train_gan(const pipeline_options& p, const fs::path& prepared, const std::vector<std::string>& classes,
                            const fs::path& out, double kimg, const fs::path& pretrained) {
  data::image_folder folder(prepared, {.classes = classes});
  auto options = gan_settings(p, out, kimg);
  options.pretrained = pretrained.string();
  options.dataset = {{"root", prepared.string()}, {"classes", classes}};
  const auto latest = train::find_latest_snapshot(out);
  auto result = on_device(p.device, std::cout, [&](auto d) {
    return train::train_stylegan2<decltype(d)>(options, data::make_source(folder), std::cout, latest ? *latest : fs::path{});
  });
  ACNE_CHECK(!result.last_snapshot.empty(), "the GAN in " << out << " wrote no snapshot");
  return result;
}

nlohmann::json gan_summary(const train::gan_result& r) {
  nlohmann::json j = {{"snapshot", r.last_snapshot.string()}, {"kimg", double(r.state.cur_nimg) / 1000}, {"seconds", r.state.seconds}};
  if (r.best_fid && r.best_fid->fid) j["best_fid"] = {{"fid", *r.best_fid->fid}, {"tick", r.best_fid->tick}};
  return j;
}

int run(const std::vector<std::string>& args) {
  pipeline_options p;
  auto table = flags(p);
  table.parse(args);
  if (table.help()) return std::cout << table.usage(), 0;
  p.device = acne::cli::device_flag(p.device);
  if (!std::has_single_bit(p.resolution)) throw acne::cli::usage_error("--resolution must be a power of two");
  {
    const auto t0 = std::chrono::steady_clock::now();
    nlohmann::json report = {{"resolution", p.resolution}, {"seed", p.seed}, {"device", resolve_device(p.device)}};

    banner("1. real faces");
    const fs::path real = real_faces(p.real, p.out / "real", p.real_per_class, 4 * int(p.resolution), p.seed);
    const fs::path test = real_faces(p.test, p.out / "real-test", p.test_per_class, 4 * int(p.resolution), p.seed + 1);

    banner("2. faces at the GAN resolution");
    const fs::path prepared = to_gan_resolution(real, p.out / "prepared", int(p.resolution));

    banner("3. StyleGAN2 on every acne severity");
    const auto all = train_gan(p, prepared, acne_classes, p.out / "gan" / "all", p.kimg_all, {});
    report["gan"]["all"] = gan_summary(all);

    banner("4. one StyleGAN2 per class, transferred from the all-severity model; synthetic dataset");
    const fs::path synthetic = p.out / "synthetic";
    std::vector<std::uint32_t> seeds(p.synthetic_per_class);
    std::iota(seeds.begin(), seeds.end(), 0u);
    for (const auto& cls : all_classes) {
      const auto r = train_gan(p, prepared, {cls}, p.out / "gan" / cls, p.kimg_class, all.last_snapshot);
      report["gan"][cls] = gan_summary(r);
      auto g = stylegan2::load_generator<float>(r.last_snapshot);
      fs::create_directories(synthetic / cls);
      stylegan2::write_seed_images(g, std::span<const std::uint32_t>(seeds), synthetic / cls, {.truncation_psi = 0.9});
      std::cout << "wrote " << seeds.size() << " synthetic " << cls << " faces to " << synthetic / cls << "\n";
    }

    banner("5. classifier trained on synthetic faces only, tested on real faces");
    classifier_spec spec;
    spec.architecture = p.classifier;
    spec.width = 0.125;
    spec.blocks = p.classifier == "inception_resnet_v2" ? std::vector<std::size_t>{1, 1, 1}
                                                         : std::vector<std::size_t>{1, 1, 1, 1};
    spec.image_size = p.classifier == "inception_resnet_v2" ? 75 : 2 * p.resolution;
    spec.class_names = all_classes;
    data::image_folder train_set(synthetic, {.classes = all_classes});
    data::image_folder test_set(test, {.classes = all_classes});
    on_device(p.device, std::cout, [&](auto d) {
      with_classifier<float, decltype(d)>(spec, p.seed, [&](auto& net) {
        train::classifier_train_options o;
        o.epochs = p.epochs;
        o.learning_rate = 1e-3;
        o.seed = p.seed;
        o.out_dir = p.out / "classifier";
        o.resume = true;
        o.filter = data::resize_filter::area;
        const auto trained = train::train_classifier(net, spec, train_set, o);
        if (!trained.best_checkpoint.empty()) io::load_checkpoint(trained.best_checkpoint, net);
        const auto ev = train::evaluate_classifier(net, test_set, spec.class_names,
                                                   {.image_size = spec.image_size, .filter = data::resize_filter::area});
        std::cout << train::write_evaluation(ev, p.out / "evaluation", spec.architecture + " on real faces");
        report["classifier"] = {{"architecture", spec.architecture}, {"best_validation_accuracy", trained.best_val_accuracy},
                                {"test_accuracy", ev.report.accuracy}, {"test_macro_f1", ev.report.macro_avg.f1}};
      });
    });

    report["seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    io::write_json_file(p.out / "report.json", report);
    std::cout << "\nreport: " << (p.out / "report.json").string() << "\n" << report.dump(2) << "\n";
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return acne::cli::run_program("acne-pipeline", std::cerr, [&] { return run(std::vector<std::string>(argv + 1, argv + argc)); });
}
