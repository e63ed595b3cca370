// The paper's whole job, end to end:
//   1. real faces: a folder of class sub-folders, ACNE04 as published with a folder of healthy faces,
//      or, by default, phantom faces written to out/real and out/real-test;
//   2. training and test faces brought to the GAN resolution (area downsampling, or bicubic upscaling);
//   3. a StyleGAN2 trained on every acne severity at once;
//   4. one StyleGAN2 per class (mild, moderate, severe, and healthy), each transferred from (3), the
//      mild one from the moderate one by default (--mild-from);
//   5. a synthetic dataset generated from (4), and what it is worth on real test faces it never saw:
//      a classifier trained on it alone beside the same classifier trained on the real faces and on
//      both, and the real-trained classifier's labels for each class's synthetic faces; before that,
//      each class's synthetic faces are audited for copies of the real faces behind its GAN and the
//      near-copies left out.
// Every stage writes under --out and records the options that made its folder, so a rerun of the
// same command continues from what is on disk and one with other options is refused; report.json
// sums up and report.html shows it (the table, every GAN beside its real faces, the curves).
#include <algorithm>
#include <bit>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <numeric>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "acne/audit/report.hpp"
#include "acne/cli/flags.hpp"
#include "acne/cli/program.hpp"
#include "acne/data/acne04_faces.hpp"
#include "acne/data/image_folder.hpp"
#include "acne/data/joined.hpp"
#include "acne/data/labelled_files.hpp"
#include "acne/data/phantom_dataset.hpp"
#include "acne/data/preprocess.hpp"
#include "acne/device_choice.hpp"
#include "acne/face/detector.hpp"
#include "acne/face/gan_faces.hpp"
#include "acne/face/restore.hpp"
#include "acne/io/folder_record.hpp"
#include "acne/io/image.hpp"
#include "acne/io/report.hpp"
#include "acne/metrics/fid_pipeline.hpp"
#include "acne/metrics/inception_features.hpp"
#include "acne/metrics/pixel_features.hpp"
#include "acne/metrics/random_conv_features.hpp"
#include "acne/models/stylegan2/generate.hpp"
#include "acne/train/classifier_trainer.hpp"
#include "acne/train/gan_dataset.hpp"
#include "acne/train/gan_trainer.hpp"
#include "acne/train/sort_by_class.hpp"
#include "acne/train/study_page.hpp"
#include "acne/train/synthetic_study.hpp"

namespace fs = std::filesystem;
using namespace acne;

namespace {

// The phantom-face GAN the project trained once (tools/pretrain_phantom_gan.sh), in its source tree:
// the cpu preset transfers from it as the paper's models transfer from FFHQ's.
const fs::path shipped_gan = ACNE_PHANTOM_GAN;

// Every value a run depends on. The defaults are the cpu preset's; preset_defaults() gives the others.
struct pipeline_options {
  std::string preset = "cpu";
  fs::path out = "out/pipeline";
  fs::path real, test;                // empty: phantom faces
  fs::path acne04, healthy;           // ACNE04's folder (instead of real and test) and healthy faces beside it
  std::size_t acne04_fold = 0;
  fs::path pretrained = shipped_gan;  // weights the all-severity GAN starts from; empty: from scratch
  std::size_t real_per_class = 200, test_per_class = 50;
  std::size_t resolution = 128;      // a typical papule 4.2 px across: the mild class's few lesions stay visible
  // The shipped GAN already draws phantom faces of every class, so the all-severity GAN only adapts it
  // to the run's faces: its FID stays flat over 4 kimg, and 2 keep the cpu preset inside 20 minutes.
  double kimg_all = 2, kimg_class = 4;
  std::size_t synthetic_per_class = 200;
  double truncation = 0.9;            // psi of the synthetic faces
  // The synthetic faces' noise inputs: each face's own, drawn from its seed, as in training. With
  // one constant map for all, every face of a class puts its noise-drawn lesions on the same pixels
  // (docs/pipeline.md: "Where the lesions sit").
  std::string draw_noise = "random";
  std::string class_source = "real";  // what each acne class's GAN learns: "real" faces or "sorted" draws
  std::size_t sorted_count = 600;     // draws of the all-severity GAN sorted by class
  std::string healthy_source = "real";  // healthy faces: a GAN on "real" ones, or the "pretrained" model as it is
  // The mild GAN's start: the "all"-severity GAN, or the "moderate" class's GAN, trained before it.
  // From the all-severity GAN the mild GAN learns to draw no lesion on many faces; from the moderate
  // one it starts with lesions on every face and learns to draw fewer (docs/pipeline.md).
  std::string mild_from = "moderate";
  // From the moderate GAN the mild GAN has the furthest to go: after 4 kimg its class fidelity read
  // 0.74 in one run and 0.42 in the next; with 8 kimg it levels out from 5.6 kimg on (docs/pipeline.md).
  double mild_kimg_factor = 1.6;
  std::size_t gan_batch = 8, gan_channel_max = 64, gan_latent = 64, gan_mapping_layers = 2;
  double r1_gamma = 1, ema_kimg = 1;
  // Negative data augmentation in each class's GAN: D learns its neighbours' real faces as fakes.
  // Without it the mild GAN drifts to faces without lesions (docs/pipeline.md has the figures).
  double negative_weight = 2;
  std::string classifier = "resnet50v2";
  double classifier_width = 0.25;
  std::size_t classifier_size = 128;  // input side in pixels
  std::size_t epochs = 60;            // 2,400 steps on 200 faces per class: the real baseline read 0.78 at 20, 0.895 at 60
  // Keras' EarlyStopping on validation accuracy, the same rule for every classifier. The synthetic-only
  // one finds its synthetic validation faces all right by epoch 9 to 27 and gains nothing after; the
  // real baseline waited up to 14 epochs for a better one in seven runs (docs/pipeline.md).
  std::size_t patience = 20;
  std::uint64_t seed = 1000;
  std::string device;                 // "cpu", "cuda"; empty: cuda when available
  fs::path fid_weights;               // Inception-v3 FID weights; empty: the random-conv extractor
  bool keep_near_copies = false;      // train stage 5 on near-copies too
  std::string align = "auto";         // stage 2: "ffhq", "none", or "auto" (ffhq for photographs, none for phantom faces)
  bool strict = false;                // a photograph without a face found stops the run
  fs::path dfdnet;                    // DFDNet weights: stage 2 restores faces smaller than the resolution
};

// Phantom faces are rendered frontal and centred; photographs are found and aligned.
bool aligns(const pipeline_options& p) {
  if (p.align != "auto") return p.align == "ffhq";
  return !p.real.empty() || !p.acne04.empty();
}

const std::vector<std::string> preset_names{"cpu", "gpu", "paper"};
const std::vector<std::string> acne_classes{"mild", "moderate", "severe"};
const std::vector<std::string> all_classes{"healthy", "mild", "moderate", "severe"};

// cpu: the README's first command, for a 2-core machine; gpu: one GPU; paper: the paper's 1024 px
// models (Tables 1 and 2), meant to start from a converted FFHQ model (--pretrained).
pipeline_options preset_defaults(const std::string& name) {
  pipeline_options o;
  o.preset = name;
  if (name == "gpu") {
    o.pretrained.clear();  // the shipped model's network is the cpu preset's, too narrow for this one
    o.resolution = 128;
    o.real_per_class = 500, o.test_per_class = 100;
    o.kimg_all = 200, o.kimg_class = 50;
    o.synthetic_per_class = 1000;
    o.gan_batch = 32, o.gan_channel_max = 256, o.gan_latent = 512, o.gan_mapping_layers = 8;
    o.classifier_width = 0.5, o.classifier_size = 224, o.epochs = 20, o.patience = 0;  // 2.5 times the faces: about as many steps as cpu's 60 epochs
  } else if (name == "paper") {
    o.pretrained.clear();  // a converted FFHQ model, given by the user
    o.resolution = 1024;
    o.real_per_class = 500, o.test_per_class = 100;
    o.kimg_all = 1000, o.kimg_class = 500;
    o.synthetic_per_class = 1500;  // the paper's per-class sets
    o.class_source = "sorted", o.sorted_count = 4500, o.healthy_source = "pretrained";  // its hierarchy
    o.mild_from = "all";  // the paper transferred each class's GAN from the all-severity model
    o.mild_kimg_factor = 1;
    o.gan_batch = 32, o.gan_channel_max = 512, o.gan_latent = 512, o.gan_mapping_layers = 8;
    o.r1_gamma = 10, o.ema_kimg = 10;  // Table 1 (config F at 1024 px)
    o.negative_weight = 0;             // the paper's GANs learnt from their own class alone
    o.classifier = "inception_resnet_v2", o.classifier_width = 1, o.classifier_size = 299, o.epochs = 15, o.patience = 0;
  }
  return o;
}

acne::cli::flag_table flags(pipeline_options& o) {
  acne::cli::flag_table t("acne-pipeline", "[options]",
                          "Real faces -> StyleGAN2 (all severities, then one per class) -> synthetic dataset ->\n"
                          "classifiers trained on real, synthetic and both -> tested on real faces.");
  t.add("--preset", o.preset, "a full set of defaults (the values below are cpu's); flags override it",
        {.metavar = "NAME", .choices = preset_names})
      .add("--out", o.out, "where every stage writes", {.metavar = "DIR"})
      .add("--real", o.real, "real training faces: DIR/{healthy,mild,moderate,severe}/*", {.metavar = "DIR", .default_text = "phantom faces"})
      .add("--test", o.test, "real test faces, same layout", {.metavar = "DIR", .default_text = "phantom faces of other seeds"})
      .add("--acne04", o.acne04, "ACNE04 as published (NNEW_*_K.txt, JPEGImages/): fold K's trainval faces to train, "
           "its test faces to test (instead of --real and --test)", {.metavar = "DIR"})
      .add("--acne04-fold", o.acne04_fold, "the fold K of --acne04", {.metavar = "K", .max = 4})
      .add("--healthy", o.healthy, "healthy face images for --acne04, which has none (one in five is a test face)",
           {.metavar = "DIR"})
      .add("--pretrained", o.pretrained, "weights the all-severity GAN starts from (its network is theirs; the --gan-* "
           "network flags do not apply); none: trained from scratch",
           {.metavar = "FILE", .default_text = "cpu: the shipped phantom-face GAN, models/" + shipped_gan.filename().string() +
                                               "; gpu and paper: none"})
      .add("--real-per-class", o.real_per_class, "phantom faces per class for training the GANs", {.positive = true})
      .add("--test-per-class", o.test_per_class, "phantom faces per class for the final test", {.positive = true})
      .add("--resolution", o.resolution, "GAN resolution, a power of two", {.metavar = "PX", .min = 4})
      .add("--kimg-all", o.kimg_all, "thousands of images shown to the all-severity GAN", {.metavar = "K", .positive = true})
      .add("--kimg-class", o.kimg_class, "thousands of images for each per-class GAN", {.metavar = "K", .positive = true})
      .add("--synthetic", o.synthetic_per_class, "synthetic images per class", {.positive = true})
      .add("--class-source", o.class_source, "what each acne class's GAN is transferred on: its real faces, or the "
           "all-severity GAN's draws sorted by the classifier trained on the real faces (the paper's hierarchy; draws it "
           "calls healthy are left out)",
           {.metavar = "real|sorted", .choices = {"real", "sorted"}})
      .add("--sorted-count", o.sorted_count, "draws of the all-severity GAN sorted with --class-source sorted", {.positive = true})
      .add("--healthy-source", o.healthy_source, "healthy faces from a GAN transferred on the real healthy faces, or drawn "
           "from --pretrained untouched (the paper drew them from FFHQ's StyleGAN2)",
           {.metavar = "real|pretrained", .choices = {"real", "pretrained"}})
      .add("--mild-from", o.mild_from, "the network the mild GAN is transferred from: the all-severity GAN, or the "
           "moderate GAN, trained before it, which draws lesions on every face (the mild GAN then learns to draw "
           "fewer, where from the all-severity GAN it learns to draw none on many faces)",
           {.metavar = "all|moderate", .choices = {"all", "moderate"}})
      .add("--mild-kimg-factor", o.mild_kimg_factor, "the mild GAN trains for this many times --kimg-class",
           {.metavar = "F", .positive = true})
      .add("--truncation", o.truncation, "truncation psi of the synthetic faces (1: none)", {.metavar = "PSI", .min = 0, .max = 1})
      .add("--draw-noise", o.draw_noise, "noise inputs of every face drawn: each face's own from its seed (random), "
           "one map for all (const, as the reference's generate.py), or none",
           {.metavar = "MODE", .choices = {"random", "const", "none"}})
      .add("--gan-batch", o.gan_batch, "GAN minibatch", {.positive = true})
      .add("--gan-channel-max", o.gan_channel_max, "widest GAN layer (config F: 512)", {.positive = true})
      .add("--gan-latent", o.gan_latent, "z and w dimensions (config F: 512)", {.positive = true})
      .add("--gan-mapping-layers", o.gan_mapping_layers, "mapping network depth (config F: 8)", {.positive = true})
      .add("--r1-gamma", o.r1_gamma, "R1 weight", {.metavar = "G", .min = 0})
      .add("--ema-kimg", o.ema_kimg, "half-life of the generator's moving average, kimg", {.metavar = "K", .positive = true})
      .add("--negatives", o.negative_weight, "negative data augmentation in each class's GAN: its discriminator "
           "learns the real faces of the neighbouring classes as fakes (healthy: mild; mild: healthy; moderate: mild and "
           "severe; severe: moderate), with this weight (0: off)", {.metavar = "W", .min = 0})
      .add("--classifier", o.classifier, "architecture",
           {.metavar = "NAME", .choices = {"resnet50v2", "resnet152v2", "inception_resnet_v2"}})
      .add("--classifier-width", o.classifier_width, "channel multiplier of the classifier (1: Keras' model)",
           {.metavar = "W", .max = 1, .positive = true})
      .add("--classifier-size", o.classifier_size, "classifier input side", {.metavar = "PX", .min = 32})
      .add("--epochs", o.epochs, "classifier epochs (the real + synthetic classifier takes as many steps in fewer epochs)",
           {.positive = true})
      .add("--patience", o.patience, "stop a classifier once N epochs in a row bring no better validation accuracy "
           "(Keras' EarlyStopping; 0: every epoch)", {.metavar = "N"})
      .add("--fid-weights", o.fid_weights, "Inception-v3 FID weights (tools/convert_inception.py) for every FID and KID",
           {.metavar = "FILE", .default_text = "random-conv-v1, comparable only with itself"})
      .add("--align", o.align, "stage 2: find each face and align it as FFHQ's faces are (what a GAN transferred from "
           "an FFHQ model expects), or resize the whole image; auto aligns photographs (--real, --test, --acne04) "
           "and not phantom faces, which are rendered frontal and centred", {.metavar = "auto|ffhq|none",
           .choices = {"auto", "ffhq", "none"}})
      .add_switch("--strict", o.strict, true, "stop at a photograph in which no face is found (without it, it is "
                  "named and left out)")
      .add("--dfdnet", o.dfdnet, "stage 2: restore aligned faces smaller than the GAN resolution with DFDNet, from this "
           "file of weights and dictionaries (tools/convert_dfdnet.py), instead of upscaling them bicubically",
           {.metavar = "FILE"})
      .add_switch("--keep-near-copies", o.keep_near_copies, true, "train the classifiers on the synthetic faces the "
                  "anonymity audit flags as near-copies of real ones too (they are left out by default)")
      .add("--seed", o.seed, "seed of every stage", {.metavar = "S"})
      .add("--device", o.device, "cpu or cuda", {.metavar = "NAME", .default_text = "cuda when a GPU is present"});
  return t;
}

// The thousands of images one class's GAN is shown: the mild GAN, from the moderate one, has further to go.
double class_kimg(const pipeline_options& p, const std::string& cls) {
  return cls == "mild" ? p.mild_kimg_factor * p.kimg_class : p.kimg_class;
}

// What a preset's whole run took where it was measured (docs/pipeline.md has the runs).
std::string expected_time(const std::string& preset) {
  if (preset == "cpu") return "17 to 20 minutes of work on a 2-core CPU (measured 16 min 40 s on a 2-core Xeon, "
                              "the audit included; its stages take up to a tenth longer on some machines of that kind)";
  return "its time is not measured yet (no GPU run)";
}

// What a run is, in one line: printed at its start and on its report page.
std::string settings_line(const pipeline_options& p) {
  std::ostringstream line;
  line << "preset " << p.preset << ": " << p.resolution << " px GANs (a typical phantom papule is "
       << std::lround(data::typical_papule_diameter(double(p.resolution)) * 10) / 10.0 << " px across), "
       << (p.pretrained.empty() ? std::string("from scratch, ") : "transferred from " + p.pretrained.filename().string() + ", ")
       << p.kimg_all << " + " << (p.mild_kimg_factor == 1 ? "4 x " : "3 x ") << p.kimg_class << " kimg, ";
  if (p.mild_kimg_factor != 1) line << "the mild GAN " << class_kimg(p, "mild") << " kimg, ";
  if (p.negative_weight > 0) line << "each class's GAN with its neighbours' faces as negatives (weight " << p.negative_weight << "), ";
  line << (p.class_source == "sorted" ? "acne GANs on " + std::to_string(p.sorted_count) + " sorted draws, " : "")
       << (p.healthy_source == "pretrained" ? "healthy faces from the pretrained model, " : "")
       << (p.mild_from == "moderate" ? "the mild GAN from the moderate one, " : "") << p.synthetic_per_class
       << " synthetic faces per class, " << p.classifier
       << " x" << p.classifier_width << " at " << p.classifier_size << " px for " << p.epochs << " epochs";
  if (p.patience > 0) line << " (early stopping, patience " << p.patience << ")";
  return line.str();
}

// The options of a command line: its preset's values, then its flags.
pipeline_options parse_options(const std::vector<std::string>& args, bool& help, std::string& usage) {
  pipeline_options probe;
  auto first = flags(probe);
  first.parse(args);
  help = first.help();
  usage = first.usage();
  pipeline_options o = preset_defaults(probe.preset);
  flags(o).parse(args);
  return o;
}

// How records name a path: absolute, so that a rerun from another folder names the same thing.
std::string absolute_text(const fs::path& p) { return fs::absolute(p).lexically_normal().string(); }

void banner(const std::string& text) { std::cout << "\n== " << text << " ==\n" << std::flush; }

// The seconds of work that made a run folder, over every invocation that worked on it, kept in
// OUT/work-seconds.json at each stage's start and at the end: a rerun that finds everything done
// reports the work of the runs before it beside its own, not its own few seconds as the run's time,
// and a killed invocation counts up to the last stage it began.
class work_clock {
public:
  explicit work_clock(fs::path file) : file_(std::move(file)) {
    if (!fs::exists(file_)) return;
    const auto j = io::read_json_file(file_);
    ACNE_CHECK(j.contains("invocations") && j.at("invocations").is_array(),
               "'" << file_.string() << "' has no list \"invocations\" (seconds of each run on this folder)");
    for (const auto& v : j.at("invocations")) {
      ACNE_CHECK(v.is_number() && v.get<double>() >= 0, "'" << file_.string() << "': " << v.dump() << " is not a number of seconds");
      earlier_.push_back(v.get<double>());
    }
  }
  // Prints a stage's banner and records the time so far.
  void stage(const std::string& text) {
    save();
    banner(text);
  }
  double this_invocation() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count(); }
  std::vector<double> invocations() const {
    auto all = earlier_;
    all.push_back(this_invocation());
    return all;
  }
  void save() const { save(invocations()); }
  void save(const std::vector<double>& all) const { io::write_json_file(file_, {{"invocations", all}}); }

private:
  fs::path file_;
  std::vector<double> earlier_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

// Where the device line goes: the terminal the first time, nowhere after. One function for every
// caller: a static inside the template below would be one per lambda type, and so one line per stage.
std::ostream& device_line_log() {
  static bool said = false;
  static std::ostream silent(nullptr);
  std::ostream& log = said ? silent : std::cout;
  said = true;
  return log;
}

// Runs f on the chosen device; the device line is printed by the first call only, not once per stage.
template <class F>
decltype(auto) on_chosen_device(const pipeline_options& p, F&& f) {
  return on_device(p.device, device_line_log(), std::forward<F>(f));
}

// Stage 1's phantom faces of no real person, written once to `dir`.
fs::path phantom_faces(const fs::path& dir, std::size_t per_class, int size, std::uint64_t seed) {
  io::claim_folder(dir, {{"phantom_faces_per_class", per_class}, {"size", size}, {"seed", seed}}, "the phantom faces");
  if (!fs::exists(dir / "labels.csv")) {
    data::write_phantom_dataset(dir, data::paper_class_counts(per_class), size, seed);
    std::cout << "wrote " << 4 * per_class << " phantom faces to " << dir << "\n";
  }
  return dir;
}

// A set of real faces and what it is, for the records of the folders made from it.
struct real_faces {
  data::labelled_files faces;
  std::string source;
};

// Stage 1: the real training and test faces: ACNE04 with healthy faces, given folders, or phantom faces.
std::pair<real_faces, real_faces> real_face_sets(const pipeline_options& p) {
  if (!p.acne04.empty()) {
    auto faces = data::load_acne04_faces(p.acne04, int(p.acne04_fold), p.healthy);
    const auto source = "ACNE04 " + absolute_text(p.acne04) + " fold " + std::to_string(p.acne04_fold) + ", healthy " +
                        absolute_text(p.healthy);
    std::cout << "ACNE04 fold " << p.acne04_fold << " (levels 0 mild, 1 moderate, 2 and 3 severe) with healthy faces of "
              << p.healthy << "\n  training: " << faces.train.counts_text() << "\n  test:     " << faces.test.counts_text() << "\n";
    return {{std::move(faces.train), source + " (trainval)"}, {std::move(faces.test), source + " (test)"}};
  }
  const int size = 4 * int(p.resolution);
  const fs::path train = p.real.empty() ? phantom_faces(p.out / "real", p.real_per_class, size, p.seed) : p.real;
  const fs::path test = p.test.empty() ? phantom_faces(p.out / "real-test", p.test_per_class, size, p.seed + 1) : p.test;
  const auto faces_of = [](const fs::path& dir) {
    return real_faces{data::list_labelled_files(data::image_folder(dir, {.classes = all_classes}), all_classes), absolute_text(dir)};
  };
  return {faces_of(train), faces_of(test)};
}

train::gan_options gan_settings(const pipeline_options& p, const fs::path& out, double kimg) {
  train::gan_options g;
  g.config = stylegan2::config::config_f(p.resolution);
  g.config.z_dim = g.config.w_dim = p.gan_latent;
  g.config.mapping_layers = p.gan_mapping_layers;
  g.config.channel_max = p.gan_channel_max;
  // Config F's base at 1024 px; below it, as many channels at the last layer as the width allows.
  g.config.channel_base = std::min<std::size_t>(32768, p.gan_channel_max * p.resolution / 4);
  g.batch = p.gan_batch;
  // Rounds of 8 keep the CPU's products wide (1.45x the speed of rounds of 4 at 64 px, channel max 64).
  g.batch_gpu = std::min<std::size_t>(p.gan_batch, 8);
  g.seed = p.seed;
  g.total_kimg = kimg;
  g.kimg_per_tick = std::max(0.1, kimg / 5);
  // A snapshot every tick: a killed run loses at most one tick.
  g.image_snapshot_ticks = 1;
  g.network_snapshot_ticks = 1;
  g.r1_gamma = p.r1_gamma;
  g.ema_kimg = p.ema_kimg;
  g.fid_images = 64;
  if (!p.fid_weights.empty()) g.fid_extractor = metrics::inception_fid_name, g.fid_weights = p.fid_weights.string();
  g.fid_ticks = 1;
  g.grid_cols = 6;
  g.grid_rows = 2;
  // Absolute, as the record compares it: a rerun naming the folder relatively or absolutely continues it.
  g.out_dir = absolute_text(out);
  return g;
}

// A class's negatives: the real faces of its neighbours on the severity scale, but not moderate for
// mild. Each GAN drifts towards its neighbours (the mild one towards faces without any lesion, the
// healthy one towards faces with some); a D that learns the neighbours as fakes holds it to its class.
// Shown moderate faces as fakes, D learns that lesions are fake, and the mild GAN, whose few lesions
// are faint, then draws none. benchmarks/class_gan_fidelity.sh measured each choice (docs/pipeline.md).
std::vector<std::string> negative_classes(const std::string& cls) {
  if (cls == "healthy") return {"mild"};
  if (cls == "mild") return {"healthy"};
  if (cls == "moderate") return {"mild", "severe"};
  if (cls == "severe") return {"moderate"};
  return {};
}

// Stages 3 and 4: one GAN on `classes` of the faces in `source`, starting from `pretrained` if
// given; `negatives` (a dataset description), when given, are shown to D as fakes with the weight
// --negatives gives.
train::gan_result train_gan(const pipeline_options& p, const fs::path& source, const std::vector<std::string>& classes,
                            const fs::path& out, double kimg, const fs::path& pretrained,
                            const nlohmann::json& negatives = nlohmann::json::object()) {
  auto options = gan_settings(p, out, kimg);
  options.pretrained = pretrained.empty() ? std::string() : absolute_text(pretrained);
  if (!pretrained.empty()) options.config = train::pretrained_config(pretrained);
  // Described as acne-stylegan2 describes its data, so that `acne-stylegan2 train --resume` continues it.
  options.dataset = train::folder_dataset_description(absolute_text(source), classes);
  if (!negatives.empty()) {
    options.negatives = negatives;
    options.negative_weight = p.negative_weight;
  }
  // Everything but the length of the run, which a rerun may extend.
  auto made_with = options.to_json();
  made_with.erase("total_kimg");
  made_with.erase("kimg_per_tick");
  io::claim_folder(out, made_with, "the GAN snapshots");
  const auto latest = train::find_latest_snapshot(out);
  auto result = on_chosen_device(p, [&](auto d) {
    using D = decltype(d);
    auto extractor = p.fid_weights.empty() ? nullptr : metrics::make_inception_fid_extractor<D>(p.fid_weights);
    return train::train_stylegan2<D>(options, train::open_gan_dataset(options.dataset, p.resolution).source, std::cout,
                                     latest ? *latest : fs::path{}, std::move(extractor));
  });
  ACNE_CHECK(!result.last_snapshot.empty(), "the GAN in " << out << " wrote no snapshot");
  return result;
}

// The per-tick FID is measured against the GAN's own training faces: its class's, for a per-class GAN.
nlohmann::json gan_summary(const train::gan_result& r, const std::vector<std::string>& classes, const std::string& extractor) {
  nlohmann::json j = {{"snapshot", r.last_snapshot.string()}, {"kimg", double(r.state.cur_nimg) / 1000},
                      {"seconds", r.state.seconds}, {"classes", classes}};
  if (r.best_fid && r.best_fid->fid)
    j["best_fid"] = {{"fid", *r.best_fid->fid}, {"tick", r.best_fid->tick}, {"extractor", extractor},
                     {"against", "the GAN's training faces"}};
  return j;
}

// Images of seeds 0..count-1 drawn by a generator on the chosen device; seeds already on disk are kept.
void draw_images(const pipeline_options& p, const fs::path& snapshot, const fs::path& dir, std::size_t count, double psi) {
  const stylegan2::generation_options o{.truncation_psi = psi, .noise = stylegan2::noise_mode_named(p.draw_noise)};
  // The record stays out of the folder, which must hold images only (it may be a class folder).
  io::claim_folder(dir, {{"snapshot", absolute_text(snapshot)}, {"truncation_psi", o.truncation_psi}, {"noise", p.draw_noise}},
                   "the drawn faces", dir.parent_path(), "made_with-" + dir.filename().string() + ".json");
  std::vector<std::uint32_t> missing;
  for (std::uint32_t seed = 0; seed < count; ++seed)
    if (!fs::exists(dir / stylegan2::seed_file_name(seed))) missing.push_back(seed);
  if (missing.empty()) return;
  on_chosen_device(p, [&](auto d) {
    auto g = stylegan2::load_generator<float, decltype(d)>(snapshot);
    stylegan2::write_seed_images(g, std::span<const std::uint32_t>(missing), dir, o);
  });
}

// FID and KID of a class's synthetic faces against the real faces of that class.
nlohmann::json synthetic_against_real(const pipeline_options& p, const fs::path& real, const fs::path& synthetic) {
  return on_chosen_device(p, [&](auto d) {
    using D = decltype(d);
    const auto extractor = p.fid_weights.empty() ? metrics::make_random_conv_extractor<D>()
                                                 : metrics::make_inception_fid_extractor<D>(p.fid_weights);
    const auto ours = metrics::folder_features(*extractor, synthetic), theirs = metrics::folder_features(*extractor, real);
    const auto distance = metrics::compare(theirs, ours);
    return nlohmann::json{{"fid", distance.fid.fid}, {"kid", distance.kid->mean}, {"kid_std", distance.kid->std},
                          {"extractor", distance.fid.extractor}, {"real_images", theirs.count()},
                          {"synthetic_images", ours.count()}};
  });
}

// The classifier every stage trains, for `classes`.
classifier_spec classifier_settings(const pipeline_options& p, const std::vector<std::string>& classes) {
  classifier_spec spec;
  spec.architecture = p.classifier;
  spec.width = p.classifier_width;
  // Below full width, one block per stage: the reduced models the CPU can train in minutes.
  if (p.classifier_width < 1)
    spec.blocks = p.classifier == "inception_resnet_v2" ? std::vector<std::size_t>{1, 1, 1} : std::vector<std::size_t>{1, 1, 1, 1};
  spec.image_size = p.classifier_size;
  spec.class_names = classes;
  return spec;
}

// The epochs over `images` that take about as many steps as `epochs` over `baseline_images`: the
// real + synthetic classifier gets the real baseline's training time, not twice it.
std::size_t steps_matched_epochs(std::size_t epochs, std::size_t baseline_images, std::size_t images) {
  return std::max<std::size_t>(1, (epochs * baseline_images + images / 2) / images);
}

// Stage 5's Adam learning rate, for every training set (report.json records it).
constexpr double classifier_learning_rate = 1e-3;

// Stage 5's classifier: trained on `data` for `epochs` in `dir` (continuing what is there), at its best epoch.
template <class Net, class Dataset>
std::size_t train_at_best_epoch(Net& net, const classifier_spec& spec, const pipeline_options& p, const Dataset& data,
                                const fs::path& dir, const std::string& training_set, std::size_t epochs) {
  io::claim_folder(dir, {{"spec", spec.to_json()}, {"seed", p.seed}, {"training_set", training_set}, {"images", data.size()},
                         {"patience", p.patience}},
                   "the classifier checkpoints");
  train::classifier_train_options o;
  o.epochs = epochs;
  o.learning_rate = classifier_learning_rate;
  o.seed = p.seed;
  o.out_dir = dir;
  o.resume = true;
  o.patience = p.patience;
  o.filter = data::resize_filter::area;
  std::cout << "classifier on " << training_set << " (" << data.size() << " images, " << epochs << " epochs)\n";
  const auto trained = train::train_classifier(net, spec, data, o);
  if (!trained.best_checkpoint.empty()) io::load_checkpoint(trained.best_checkpoint, net);
  return trained.history.epochs.size();
}

// The real baseline: one definition for stage 3b, which sorts with it, and stage 5, which reports it,
// so that stage 5 finds trained (the same folder and record) what stage 3b trained.
template <class Net>
std::size_t train_real_baseline(Net& net, const classifier_spec& spec, const pipeline_options& p,
                                const data::labelled_files& real) {
  return train_at_best_epoch(net, spec, p, real, p.out / "classifier" / "real", "real faces", p.epochs);
}

// Stage 3b of the paper's hierarchy (--class-source sorted): the classifier trained on the real faces
// sorts draws of the all-severity GAN into out/sorted/<class>/, on which each acne class's GAN is then
// transferred. The sorter knows the healthy class too: the all-severity GAN draws faces without
// lesions, which a sorter of the three acne classes alone would call mild; they are sorted into
// out/sorted/healthy/ and left out. It is stage 5's real baseline (the same architecture, faces, seed
// and folder), which stage 5 then finds trained. Returns out/sorted.
fs::path sorted_draws(const pipeline_options& p, const fs::path& all_snapshot, const data::labelled_files& real,
                      nlohmann::json& report) {
  const fs::path drawn = p.out / "drawn" / "all", sorted = p.out / "sorted", sorter = p.out / "classifier" / "real";
  // Drawn without truncation: the per-class GANs learn from these, so they are the GAN's whole range.
  draw_images(p, all_snapshot, drawn, p.sorted_count, 1.0);
  const auto spec = classifier_settings(p, all_classes);
  io::claim_folder(sorted, {{"drawn", absolute_text(drawn)}, {"count", p.sorted_count}, {"sorter", absolute_text(sorter)}},
                   "the sorted draws");
  const auto sorted_faces = on_chosen_device(p, [&](auto d) {
    return with_classifier<float, decltype(d)>(spec, p.seed, [&](auto& net) {
      train_real_baseline(net, spec, p, real);
      return train::sort_by_class(net, io::list_images(drawn), all_classes, sorted,
                                  {.image_size = spec.image_size, .filter = data::resize_filter::area});
    });
  });
  const std::size_t healthy = sorted_faces.counts[0];  // all_classes begins with healthy
  report["sorter"] = {{"classifier", absolute_text(sorter)}, {"sorted", sorted_faces.to_json()},
                      {"left_out", {{"class", "healthy"}, {"images", healthy}}}};
  std::cout << p.sorted_count << " draws sorted into " << sorted << ": " << sorted_faces.text() << "; the " << healthy
            << " sorted as healthy are left out (they belong to no acne class)\n";
  for (std::size_t c = 1; c < all_classes.size(); ++c)
    if (sorted_faces.counts[c] < 2)
      throw error("the sorter put " + std::to_string(sorted_faces.counts[c]) + " of " + std::to_string(p.sorted_count) +
                  " draws into " + all_classes[c] + ", too few to train its GAN: raise --sorted-count or train the "
                  "all-severity GAN longer (--kimg-all)");
  return sorted;
}

// Stage 4b: a class's synthetic faces audited for copies of the real faces behind its GAN (its class's
// and the all-severity GAN's), with the real test faces of the class as the yardstick, in pixels and in
// the FID extractor's features; out/audit/<class>/ holds the audit. Unless --keep-near-copies, the
// faces it does not flag are copied to `released`/<class>, the set stage 5 trains on.
nlohmann::json audit_synthetic(const pipeline_options& p, const std::string& cls, const fs::path& synthetic,
                               const fs::path& released) {
  std::vector<std::string> seen = acne_classes;
  if (cls == "healthy") seen.push_back(cls);
  const auto real = audit::only_classes(audit::list_image_set(p.out / "prepared"), seen);
  const fs::path test_dir = p.out / "prepared-test" / cls;
  const auto test = fs::is_directory(test_dir) ? audit::list_image_set(test_dir) : audit::image_set{};
  audit::audit_options o;
  o.copying.seed = p.seed;
  const auto r = on_chosen_device(p, [&](auto d) {
    using D = decltype(d);
    std::vector<audit::space> spaces;
    spaces.push_back({metrics::make_pixel_extractor(32), metrics::distance_kind::euclidean});
    // random-conv-v1's flags alone do not decide (audit/audit.hpp); Inception's do.
    spaces.push_back({p.fid_weights.empty() ? metrics::make_random_conv_extractor<D>()
                                            : metrics::make_inception_fid_extractor<D>(p.fid_weights),
                      metrics::distance_kind::cosine, !p.fid_weights.empty()});
    return audit::run_audit<D>(audit::list_image_set(synthetic / cls), real, test, spaces, o);
  });
  const fs::path folder = p.out / "audit" / cls;
  audit::write_audit(folder, r, o);
  auto summary = audit::audit_summary(r);
  std::cout << "audit of the " << r.synthetic.size() << " synthetic " << cls << " faces against " << r.real.size()
            << " real faces: " << (r.passed() ? "passed" : "FAILED") << ", " << r.flagged_count() << " near-copies";
  for (const auto& s : r.spaces)
    std::cout << "; " << s.name << " C_T " << (s.copying && s.copying->used_cells() ? std::to_string(s.copying->c_t) : "-")
              << ", authenticity " << s.authenticity;
  std::cout << " (" << folder.string() << ")\n";
  for (const auto& f : r.failures) std::cout << "  " << f << "\n";
  if (p.keep_near_copies) {
    if (r.flagged_count()) std::cout << "  --keep-near-copies: the classifiers train on them too\n";
    return summary;
  }
  fs::remove_all(released / cls);
  const auto removed = audit::remove_near_copies(r, released / cls);
  const std::size_t kept = r.synthetic.size() - r.flagged_count();
  summary["released"] = {{"folder", absolute_text(released / cls)}, {"images", kept}, {"near_copies_left_out", r.flagged_count()}};
  if (r.flagged_count()) std::cout << "  " << r.flagged_count() << " near-copies left out of " << (released / cls).string() << "\n";
  if (kept < 2)
    throw error("the audit flagged " + std::to_string(r.flagged_count()) + " of the " + std::to_string(r.synthetic.size()) +
                " synthetic " + cls + " faces as near-copies of real ones (" + folder.string() + "), leaving " +
                std::to_string(kept) + ": train the GANs longer or on more faces (--keep-near-copies keeps them, and the "
                "dataset is then not anonymous)");
  return summary;
}

// Every option is checked before stage 1: first those that cannot go together, then the files they name
// (stage 1 then reads every given face before any training).
void validate(pipeline_options& p) {
  using acne::cli::usage_error;
  if (!std::has_single_bit(p.resolution)) throw usage_error("--resolution must be a power of two");
  if (!p.dfdnet.empty() && !aligns(p))
    throw usage_error("--dfdnet restores aligned faces: it goes with photographs (--real, --acne04) or --align ffhq");
  if (!p.dfdnet.empty() && !fs::is_regular_file(p.dfdnet)) throw usage_error("--dfdnet: no file " + p.dfdnet.string());
  if (!p.acne04.empty() && (!p.real.empty() || !p.test.empty()))
    throw usage_error("--acne04 gives the real training and test faces: leave out --real and --test");
  if (!p.acne04.empty() && p.healthy.empty())
    throw usage_error("ACNE04 has no healthy faces: give --healthy DIR, a folder of healthy face images");
  if (p.acne04.empty() && !p.healthy.empty())
    throw usage_error("--healthy goes with --acne04 (with --real, healthy faces are its healthy/ folder)");
  if (p.pretrained == "none") p.pretrained.clear();
  if (p.healthy_source == "pretrained" && p.pretrained.empty())
    throw usage_error("--healthy-source pretrained (the paper preset's) draws the healthy faces from --pretrained: give "
                      "--pretrained FILE (tools/convert_stylegan2.py) or --healthy-source real");
  if (!p.pretrained.empty()) {
    if (!fs::is_regular_file(p.pretrained))
      throw usage_error("--pretrained: no file " + p.pretrained.string() +
                        (p.pretrained == shipped_gan ? " (tools/pretrain_phantom_gan.sh makes it; --pretrained none trains from scratch)" : ""));
    const auto c = train::pretrained_config(p.pretrained);
    if (c.resolution != p.resolution)
      throw usage_error("--pretrained is a " + std::to_string(c.resolution) + " px model: give --resolution " +
                        std::to_string(c.resolution) + " or --pretrained none");
  }
  if (!p.fid_weights.empty() && !fs::is_regular_file(p.fid_weights))
    throw usage_error("--fid-weights: no file " + p.fid_weights.string());
}

int run(const std::vector<std::string>& args) {
  bool help = false;
  std::string usage;
  pipeline_options p = parse_options(args, help, usage);
  if (help) return std::cout << usage, 0;
  p.device = acne::cli::device_flag(p.device);
  validate(p);
  const std::string fid_extractor = p.fid_weights.empty() ? metrics::random_conv_name : metrics::inception_fid_name;
  {
    work_clock clock(p.out / "work-seconds.json");
    nlohmann::json report = {{"resolution", p.resolution}, {"seed", p.seed}, {"device", resolve_device(p.device)}};

    // The preset's measured time holds for its own values only.
    const bool as_measured = settings_line(p) == settings_line(preset_defaults(p.preset));
    std::cout << settings_line(p) << "; "
              << (as_measured ? expected_time(p.preset) : "the preset's values overridden, so its measured time does not apply")
              << "\n";
    clock.stage("1. real faces");
    const auto [real, test] = real_face_sets(p);

    clock.stage("2. faces at the GAN resolution");
    const fs::path prepared = p.out / "prepared";
    // The test faces go through it too, so that every classifier is trained and tested at the
    // resolution the GANs draw.
    std::unique_ptr<face::face_detector> detector;
    const auto to_gan_resolution = [&](const real_faces& faces, const fs::path& dst) {
      face::gan_face_options o{int(p.resolution), aligns(p), p.strict, faces.source};
      if (p.dfdnet.empty()) return face::faces_at_gan_resolution(faces.faces, dst, o, detector, std::cout);
      return on_chosen_device(p, [&](auto d) {
        face::face_restorer<decltype(d)> restorer(p.dfdnet);
        o.restore_small = [&](const cv::Mat& image, const face::face_landmarks& f, int side) {
          return face::restored_ffhq_face(image, f, restorer, side);
        };
        o.restorer = "dfdnet " + absolute_text(p.dfdnet);
        return face::faces_at_gan_resolution(faces.faces, dst, o, detector, std::cout);
      });
    };
    const auto real_set = to_gan_resolution(real, prepared);
    const auto test_set = to_gan_resolution(test, p.out / "prepared-test");
    for (std::size_t c = 0; c < all_classes.size(); ++c)
      if (std::count(real_set.labels.begin(), real_set.labels.end(), int(c)) == 0)
        throw error("no " + all_classes[c] + " training face is left after stage 2" +
                    (aligns(p) ? " (faces were looked for and aligned: --align none resizes whole images instead)" : ""));

    clock.stage("3. StyleGAN2 on every acne severity");
    const auto all = train_gan(p, prepared, acne_classes, p.out / "gan" / "all", p.kimg_all, p.pretrained);
    report["gan"]["all"] = gan_summary(all, acne_classes, fid_extractor);
    train::study_page_contents page{.settings = settings_line(p)};
    page.gans.push_back({"all severities", p.out / "gan" / "all", report["gan"]["all"]});

    // Where each acne class's GAN learns: the real faces, or the draws sorted by class.
    fs::path acne_source = prepared;
    if (p.class_source == "sorted") {
      clock.stage("3b. draws of the all-severity model sorted by the classifier trained on the real faces");
      acne_source = sorted_draws(p, all.last_snapshot, real_set, report);
    }

    clock.stage(std::string("4. one StyleGAN2 per class, transferred from the all-severity model") +
           (p.mild_from == "moderate" ? " (mild: from the moderate one)" : "") + "; synthetic dataset and its audit");
    const fs::path synthetic = p.out / "synthetic", released = p.out / "synthetic-released";
    std::map<std::string, fs::path> last_snapshot{{"all", all.last_snapshot}};
    const std::vector<std::string> training_order =
        p.mild_from == "moderate" ? std::vector<std::string>{"healthy", "moderate", "mild", "severe"} : all_classes;
    for (const auto& cls : training_order) {
      const bool untouched = cls == "healthy" && p.healthy_source == "pretrained";
      if (untouched) {
        report["gan"][cls] = {{"snapshot", absolute_text(p.pretrained)}, {"source", "the pretrained model, untouched"}};
        draw_images(p, p.pretrained, synthetic / cls, p.synthetic_per_class, p.truncation);
      } else {
        const auto negatives = p.negative_weight > 0 ? negative_classes(cls) : std::vector<std::string>{};
        const std::string start = cls == "mild" ? p.mild_from : "all";
        const auto r = train_gan(p, cls == "healthy" ? prepared : acne_source, {cls}, p.out / "gan" / cls, class_kimg(p, cls),
                                 last_snapshot.at(start),
                                 negatives.empty() ? nlohmann::json::object()
                                                   : train::folder_dataset_description(absolute_text(prepared), negatives));
        report["gan"][cls] = gan_summary(r, {cls}, fid_extractor);
        report["gan"][cls]["transferred_from"] = {{"gan", start}, {"snapshot", absolute_text(last_snapshot.at(start))}};
        last_snapshot[cls] = r.last_snapshot;
        report["gan"][cls]["trained_on"] = cls == "healthy" || p.class_source == "real" ? "real faces" : "sorted draws";
        if (!negatives.empty())
          report["gan"][cls]["negatives"] = {{"classes", negatives}, {"weight", p.negative_weight}, {"faces", "real"}};
        draw_images(p, r.last_snapshot, synthetic / cls, p.synthetic_per_class, p.truncation);
      }
      report["gan"][cls]["drawn"] = {{"faces", p.synthetic_per_class}, {"truncation_psi", p.truncation}, {"noise", p.draw_noise}};
      // FID and KID need two faces on each side.
      if (const auto real_count = io::list_images(prepared / cls).size(); real_count >= 2 && p.synthetic_per_class >= 2) {
        const auto distance = synthetic_against_real(p, prepared / cls, synthetic / cls);
        report["gan"][cls]["synthetic_against_real"] = distance;
        std::cout << p.synthetic_per_class << " synthetic " << cls << " faces in " << synthetic / cls << "; against the real " << cls << " faces FID " << distance["fid"].get<double>() << ", KID "
                  << distance["kid"].get<double>() << " (" << distance["extractor"].get<std::string>() << ")\n";
      } else {
        std::cout << p.synthetic_per_class << " synthetic " << cls << " faces in " << synthetic / cls << "; FID and KID against the " << real_count << " real " << cls << " face(s) not measured (they need 2)\n";
      }
      if (!untouched) page.gans.push_back({cls, p.out / "gan" / cls, report["gan"][cls]});
      report["audit"][cls] = audit_synthetic(p, cls, synthetic, released);
      page.audits.push_back({cls, p.out / "audit" / cls, report["audit"][cls]});
    }

    clock.stage("5. classifiers trained on real, synthetic, and both, tested on real faces");
    const auto spec = classifier_settings(p, all_classes);
    // The audited set, near-copies left out (or, with --keep-near-copies, every synthetic face).
    const data::image_folder synthetic_set(p.keep_near_copies ? synthetic : released, {.classes = all_classes});
    const data::joined both_sets(real_set, synthetic_set);
    const std::size_t both_epochs = steps_matched_epochs(p.epochs, real_set.size(), both_sets.size());
    const train::evaluate_options measured{.image_size = spec.image_size, .filter = data::resize_filter::area};
    train::synthetic_study study;
    std::map<std::string, std::size_t> epochs_run;
    on_chosen_device(p, [&](auto d) {
      using D = decltype(d);
      const auto tested = [&](auto& net, const auto& images, const std::string& name, const std::string& title) {
        auto ev = train::evaluate_classifier(net, images, spec.class_names, measured);
        train::write_evaluation(ev, p.out / "evaluation" / name, spec.architecture + " " + title);
        return ev;
      };
      with_classifier<float, D>(spec, p.seed, [&](auto& net) {
        epochs_run["real"] = train_real_baseline(net, spec, p, real_set);
        study.real_baseline = tested(net, test_set, "real", "trained on real faces, tested on real faces");
        study.class_fidelity = tested(net, synthetic_set, "class-fidelity", "trained on real faces, labelling synthetic faces");
      });
      with_classifier<float, D>(spec, p.seed, [&](auto& net) {
        epochs_run["synthetic"] =
            train_at_best_epoch(net, spec, p, synthetic_set, p.out / "classifier" / "synthetic", "synthetic faces", p.epochs);
        study.synthetic_only = tested(net, test_set, "synthetic", "trained on synthetic faces, tested on real faces");
      });
      with_classifier<float, D>(spec, p.seed, [&](auto& net) {
        epochs_run["real+synthetic"] = train_at_best_epoch(net, spec, p, both_sets, p.out / "classifier" / "real+synthetic",
                                                           "real and synthetic faces", both_epochs);
        study.real_and_synthetic = tested(net, test_set, "real+synthetic", "trained on real and synthetic faces, tested on real faces");
      });
    });
    report["classifier"] = {{"architecture", spec.architecture}, {"test_faces", test_set.size()},
                            {"epochs", {{"real", p.epochs}, {"synthetic", p.epochs}, {"real+synthetic", both_epochs}}},
                            {"patience", p.patience},
                            {"epochs_run", epochs_run},
                            {"learning_rate", classifier_learning_rate},
                            {"folders", {{"real", absolute_text(prepared)},
                                         {"synthetic", absolute_text(p.keep_near_copies ? synthetic : released)},
                                         {"test", absolute_text(p.out / "prepared-test")}}}};
    report["evaluation"] = study.to_json();
    std::cout << "\n" << study.table();
    page.study = study;
    const std::string real_title = p.class_source == "sorted" ? "trained on real faces (and the sorter of stage 3b)"
                                                              : "trained on real faces";
    for (const auto& [name, title] : {std::pair<std::string, std::string>{"real", real_title},
                                      {"synthetic", "trained on synthetic faces"},
                                      {"real+synthetic", "trained on real and synthetic faces"}})
      page.classifiers.push_back({title, p.out / "classifier" / name, p.out / "evaluation" / name});
    page.class_fidelity = p.out / "evaluation" / "class-fidelity";
    train::write_study_page(p.out / "report.html", page);

    // "seconds": every invocation's work on this folder; what this one did is the last of them.
    const auto invocations = clock.invocations();
    report["seconds"] = std::accumulate(invocations.begin(), invocations.end(), 0.0);
    report["invocation_seconds"] = invocations;
    clock.save(invocations);
    io::write_json_file(p.out / "report.json", report);
    std::cout << "\nreport: " << (p.out / "report.json").string() << " and " << (p.out / "report.html").string() << "\n" << report.dump(2) << "\n";
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return acne::cli::run_program("acne-pipeline", std::cerr, [&] { return run(std::vector<std::string>(argv + 1, argv + argc)); });
}
