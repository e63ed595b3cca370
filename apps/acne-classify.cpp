// acne-classify: train, evaluate and apply the paper's acne-severity classifiers (ResNet50V2,
// ResNet152V2, InceptionResNetV2) on folders of images (one sub-folder per class).
// Exit status: 0 success, 1 failure while running, 2 bad usage or unusable input (missing folder,
// empty class, checkpoint of another architecture).
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "acne/cli/flags.hpp"
#include "acne/cli/program.hpp"
#include "acne/data/image_folder.hpp"
#include "acne/device_choice.hpp"
#include "acne/data/acne04_faces.hpp"
#include "acne/data/labelled_files.hpp"
#include "acne/data/phantom_dataset.hpp"
#include "acne/io/checkpoint.hpp"
#include "acne/io/image.hpp"
#include "acne/models/classifier.hpp"
#include "acne/train/classifier_trainer.hpp"
#include "acne/train/evaluate.hpp"

namespace fs = std::filesystem;

namespace {

using acne::cli::usage_error;

const char* const about =
    "Acne-severity classifiers of the paper (Keras ResNet50V2, ResNet152V2, InceptionResNetV2) on\n"
    "folders of images with one sub-folder per class (healthy/, mild/, moderate/, severe/).";

std::vector<std::size_t> parse_list(const std::string& text, const std::string& option) {
  std::vector<std::size_t> out;
  std::istringstream in(text);
  for (std::string item; std::getline(in, item, ',');) out.push_back(acne::cli::whole_number(option, item, true));
  if (out.empty()) throw usage_error(option + " needs a comma-separated list of counts, got '" + text + "'");
  return out;
}

// What the commands that load a trained model share.
struct model_args {
  std::string checkpoint, model, device;
  std::size_t batch = 16;
};

void add_model_flags(acne::cli::flag_table& t, model_args& a) {
  t.add("--checkpoint", a.checkpoint, "a checkpoint written by 'acne-classify train'", {.metavar = "FILE", .required = true})
      .add("--model", a.model, "fail unless the checkpoint holds this architecture", {.metavar = "NAME"})
      .add("--batch", a.batch, "images per forward pass", {.positive = true})
      .add("--device", a.device, "cpu or cuda", {.metavar = "NAME", .default_text = "cuda when a GPU is present"});
}

void require_folder(const fs::path& dir, const std::string& what) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) throw usage_error(what + " '" + dir.string() + "' does not exist");
  if (!fs::is_directory(dir, ec)) throw usage_error(what + " '" + dir.string() + "' is not a folder");
}

// Where ACNE04 is and which of its folds, with the healthy faces it lacks (acne/data/acne04_faces.hpp).
struct acne04_args {
  std::string root, healthy;
  std::size_t fold = 0;
};

void add_acne04_flags(acne::cli::flag_table& t, acne04_args& a, const char* part) {
  t.add("--acne04", a.root, std::string("ACNE04 as published (NNEW_*_K.txt, JPEGImages/): fold K's ") + part +
        " faces, instead of --data", {.metavar = "DIR"})
      .add("--acne04-fold", a.fold, "the fold K of --acne04", {.metavar = "K", .max = 4})
      .add("--healthy", a.healthy, "healthy face images beside --acne04, which has none (one in five is a test face); "
           "without them, three classes", {.metavar = "DIR"});
}

// The training or the test faces of --acne04; a bad layout is a usage error naming the file.
acne::data::labelled_files acne04_part(const acne04_args& a, bool test) {
  if (a.root.empty() && !a.healthy.empty()) throw usage_error("--healthy goes with --acne04");
  try {
    auto faces = acne::data::load_acne04_faces(a.root, int(a.fold), a.healthy);
    return test ? std::move(faces.test) : std::move(faces.train);
  } catch (const acne::error& e) {
    throw usage_error(e.what());
  }
}

// Labelled files whose labels index another class list (the model's), e.g. a test set that
// lacks some of the training classes.
struct relabeled_folder {
  const acne::data::labelled_files& folder;
  std::vector<int> to_model;
  std::size_t size() const { return folder.size(); }
  int label(std::size_t i) const { return to_model.at(std::size_t(folder.label(i))); }
  cv::Mat load(std::size_t i) const { return folder.load(i); }
  const fs::path& path(std::size_t i) const { return folder.path(i); }
};

acne::data::image_folder open_folder(const fs::path& dir, std::vector<std::string> classes = {}) {
  require_folder(dir, "data folder");
  try {
    acne::data::image_folder_options o;
    o.classes = std::move(classes);
    return acne::data::image_folder(dir, o);
  } catch (const acne::error& e) {
    throw usage_error(e.what());  // no class folders, an empty class, ...
  }
}

// A folder of class folders as labelled files (`classes`: which, in label order; empty: all).
acne::data::labelled_files labelled_folder(const fs::path& dir, std::vector<std::string> classes = {}) {
  const auto folder = open_folder(dir, std::move(classes));
  return acne::data::list_labelled_files(folder, folder.classes());
}

acne::io::checkpoint_meta open_checkpoint(const model_args& args) {
  const fs::path file = args.checkpoint;
  if (!fs::is_regular_file(file)) throw usage_error("checkpoint '" + file.string() + "' does not exist");
  acne::io::checkpoint_meta meta;
  try {
    meta = acne::io::read_checkpoint_meta(file);
  } catch (const acne::error& e) {
    throw usage_error(std::string("cannot read the checkpoint: ") + e.what());
  }
  if (meta.architecture.empty() || !meta.config.contains("architecture"))
    throw usage_error("'" + file.string() + "' is not a classifier checkpoint (no architecture metadata)");
  const std::string wanted = args.model;
  if (!wanted.empty() && wanted != meta.architecture)
    throw usage_error("checkpoint '" + file.string() + "' holds a " + meta.architecture + " model, not " + wanted);
  return meta;
}

template <class Net>
void load_weights(Net& net, const fs::path& file, const std::string& architecture) {
  try {
    acne::io::load_checkpoint(file, net, {.architecture = architecture});
  } catch (const acne::io::checkpoint_mismatch& e) {
    throw usage_error(e.what());
  }
}

// The classifier built on the device --device names, handed to f.
template <class F>
int with_classifier_on_device(const std::string& device, const acne::classifier_spec& spec, std::uint64_t seed, F&& f) {
  return acne::on_device(device, std::cout,
                         [&](auto d) { return acne::with_classifier<float, decltype(d)>(spec, seed, f); });
}

// latest (OUT's last.safetensors), a run folder, or the last.safetensors of one: the run folder to continue.
fs::path resume_folder(const std::string& what, const fs::path& out) {
  if (what == "latest") return out;
  const fs::path p = what;
  if (fs::is_directory(p)) return p;
  if (fs::is_regular_file(p) && p.filename() == "last.safetensors") return p.parent_path();
  throw usage_error("--resume: '" + what + "' is neither latest, a run folder nor a run's last.safetensors");
}

int train(const std::vector<std::string>& argv) {
  acne::classifier_spec spec;
  acne::train::classifier_train_options o;
  o.out_dir = "acne-classify-out";
  std::string data, resume, pretrained, device;
  std::vector<std::string> freeze;
  std::size_t phantom_count = 100;
  acne04_args acne04;
  acne::cli::flag_table t("acne-classify train", "[options]",
                          "Writes OUT/best.safetensors (whenever validation accuracy improves), OUT/last.safetensors,\n"
                          "OUT/history.{csv,json}, OUT/accuracy.png, OUT/loss.png.");
  t.section("Data")
      .add("--data", data, "training images, DIR/<class>/*.{png,jpg,...}; stratified train/validation split "
           "(without it, phantom faces are generated into OUT/phantom-data)", {.metavar = "DIR"});
  add_acne04_flags(t, acne04, "trainval");
  t.add("--validation-split", o.validation_fraction, "validation fraction, in [0, 1)", {.max = 1})
      .add("--phantom-count", phantom_count, "phantom faces per class when generating", {.positive = true})
      .add("--size", spec.image_size, "square input size in pixels", {.metavar = "PX", .positive = true})
      .add_switch("--no-augment", o.augment, false, "no rotation / brightness / flip augmentation")
      .add("--blur", o.augmentation.blur_sigma_max,
           "Gaussian blur augmentation: sigma drawn uniformly from [0, S] pixels for each training image",
           {.metavar = "S", .min = 0})
      .add("--erase", o.augmentation.erase_probability,
           "random erasing: the share of training images in which one rectangle (2 to 33 % of the image) "
           "is filled with the image's mean colour", {.metavar = "P", .min = 0, .max = 1})
      .add("--noise", o.augmentation.noise_sigma_max,
           "Gaussian noise augmentation: sigma drawn uniformly from [0, S] 8-bit levels for each training "
           "image, added to every pixel", {.metavar = "S", .min = 0})
      .add("--colour-shift", o.augmentation.colour_shift_max,
           "colour shift augmentation: each channel of each training image shifted by its own level drawn "
           "uniformly from [-L, L]", {.metavar = "L", .min = 0});
  t.section("Model")
      .add("--model", spec.architecture, "architecture",
           {.metavar = "NAME", .choices = {"resnet50v2", "resnet152v2", "inception_resnet_v2"}})
      .add("--width-multiplier", spec.width, "scale every filter count (1: the published model)", {.metavar = "W", .positive = true})
      .add_custom("--blocks", "a,b,c[,d]", "blocks per stage (ResNetV2: 4 numbers) or per block group (IRv2: 3)",
                  [&](const std::string& v) { spec.blocks = parse_list(v, "--blocks"); }, "the published depth")
      .add("--pretrained", pretrained, "start from these weights (all but the head \"predictions\")", {.metavar = "FILE"})
      .add("--freeze", freeze, "do not train parameters whose names start with PREFIX", {.metavar = "PREFIX"});
  t.section("Training")
      .add("--epochs", o.epochs, "epochs", {.positive = true})
      .add("--batch", o.batch_size, "images per step", {.positive = true})
      .add("--lr", o.learning_rate, "Adam learning rate", {.positive = true})
      .add("--steps-per-epoch", o.steps_per_epoch, "cap the steps of an epoch (quick runs; 0: no cap)")
      .add("--patience", o.patience, "stop once N epochs in a row bring no better validation accuracy (Keras' "
           "EarlyStopping on val_accuracy; 0: train every epoch)", {.metavar = "N"})
      .add("--seed", o.seed, "initialisation, split, order and augmentation seed")
      .add("--out", o.out_dir, "checkpoints, history and plots", {.metavar = "DIR"})
      .add("--resume", resume, "latest (OUT/last.safetensors) or a run folder: continue at its next epoch", {.metavar = "WHAT"})
      .add("--device", device, "cpu or cuda", {.metavar = "NAME", .default_text = "cuda when a GPU is present"});
  t.parse(argv);
  if (t.help()) return std::cout << t.usage(), 0;
  device = acne::cli::device_flag(device);
  if (!(o.validation_fraction < 1)) throw usage_error("--validation-split must be in [0, 1)");
  if (o.patience > 0 && o.validation_fraction == 0)
    throw usage_error("--patience needs validation images to wait on: give --validation-split above 0");
  if (!resume.empty()) {
    o.out_dir = resume_folder(resume, o.out_dir);
    o.resume = true;
  }

  if (!acne04.root.empty() && !data.empty()) throw usage_error("give --data or --acne04, not both");
  fs::path data_dir = acne04.root.empty() ? fs::path(data) : fs::path(acne04.root);
  if (data_dir.empty()) {
    data_dir = o.out_dir / "phantom-data";
    const std::size_t per_class = phantom_count;
    if (!fs::exists(data_dir / "labels.csv")) {
      std::cout << "no --data given: generating " << per_class << " phantom faces per class (" << spec.image_size
                << " px) in " << data_dir.string() << "\n";
      acne::data::write_phantom_dataset(data_dir, acne::data::paper_class_counts(per_class), int(spec.image_size),
                                        o.seed);
    }
  }
  const auto folder = acne04.root.empty() ? labelled_folder(data_dir)
                                           : acne04_part(acne04, false);
  spec.class_names = folder.classes;
  try {
    spec.validate();
  } catch (const acne::error& e) {
    throw usage_error(e.what());
  }
  std::cout << spec.architecture << " (width " << spec.width << ", " << spec.image_size << " px) on "
            << folder.size() << " images of " << data_dir.string() << ": " << folder.counts_text() << "\n";

  return with_classifier_on_device(device, spec, o.seed, [&](auto& net) {
    if (!pretrained.empty()) {
      const fs::path file = pretrained;
      if (!fs::is_regular_file(file)) throw usage_error("pretrained weights '" + file.string() + "' do not exist");
      try {
        acne::train::load_pretrained(net, file, spec.architecture);
      } catch (const acne::io::checkpoint_mismatch& e) {
        throw usage_error(e.what());
      }
      std::cout << "loaded pretrained weights from " << file.string() << " (head replaced)\n";
    }
    if (!freeze.empty()) {
      try {
        std::cout << "frozen: " << acne::train::freeze_layers(net, freeze) << " tensors\n";
      } catch (const acne::error& e) {
        throw usage_error(e.what());
      }
    }
    std::cout << "parameters: " << net.parameter_count() << " (trainable " << net.trainable_parameter_count() << ")\n";
    acne::train::classifier_train_result r;
    try {
      r = acne::train::train_classifier(net, spec, folder, o);
    } catch (const acne::io::checkpoint_mismatch& e) {
      throw usage_error(std::string("cannot resume: ") + e.what());
    }
    std::cout << "best validation accuracy " << std::fixed << std::setprecision(4) << r.best_val_accuracy
              << " (epoch " << r.best_epoch << "); checkpoint " << r.best_checkpoint.string() << "\n";
    return 0;
  });
}

// The class folders of `dir` that are classes of the model, in its order; any other folder is an error.
acne::data::labelled_files class_folders_of(const fs::path& dir, const std::vector<std::string>& model_classes) {
  require_folder(dir, "data folder");
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_directory() || name.starts_with(".")) continue;
    if (std::find(model_classes.begin(), model_classes.end(), name) == model_classes.end()) {
      std::string known;
      for (const auto& c : model_classes) known += (known.empty() ? "" : ", ") + c;
      throw usage_error("folder '" + (dir / name).string() + "' is not a class of this model (" + known + ")");
    }
  }
  std::vector<std::string> present;
  for (const auto& c : model_classes)
    if (fs::is_directory(dir / c)) present.push_back(c);
  return labelled_folder(dir, present);
}

int evaluate(const std::vector<std::string>& argv) {
  model_args args;
  std::string data, out_flag;
  acne04_args acne04;
  acne::cli::flag_table t("acne-classify evaluate", "--checkpoint FILE (--data DIR | --acne04 DIR) [options]",
                          "Accuracy, precision/recall/F1 and the confusion matrix on a labelled folder.");
  add_model_flags(t, args);
  t.add("--data", data, "labelled test images, DIR/<class>/*; class folders must be classes of the model "
        "(a subset is fine, e.g. a test set without healthy faces)", {.metavar = "DIR"})
      .add("--out", out_flag, "where evaluation.{json,csv}, predictions.csv and confusion_matrix.png go",
           {.metavar = "DIR", .default_text = "the checkpoint's folder + /evaluation"});
  add_acne04_flags(t, acne04, "test");
  t.parse(argv);
  if (t.help()) return std::cout << t.usage(), 0;
  const std::string device = acne::cli::device_flag(args.device);
  const auto meta = open_checkpoint(args);
  const auto spec = acne::classifier_spec::from_json(meta.config);
  if (data.empty() == acne04.root.empty()) throw usage_error("give one of --data DIR and --acne04 DIR");
  const fs::path data_dir = data.empty() ? fs::path(acne04.root) : fs::path(data);
  const auto folder = data.empty() ? acne04_part(acne04, true) : class_folders_of(data_dir, spec.class_names);
  relabeled_folder test{folder, {}};
  for (const auto& c : folder.classes) {
    const auto at = std::find(spec.class_names.begin(), spec.class_names.end(), c);
    if (at == spec.class_names.end()) throw usage_error("class '" + c + "' of " + data_dir.string() + " is not a class of this model");
    test.to_model.push_back(int(at - spec.class_names.begin()));
  }

  const fs::path checkpoint = args.checkpoint;
  const fs::path out = out_flag.empty() ? checkpoint.parent_path() / "evaluation" : fs::path(out_flag);
  return with_classifier_on_device(device, spec, 0, [&](auto& net) {
    load_weights(net, checkpoint, meta.architecture);
    acne::train::evaluate_options eo;
    eo.image_size = spec.image_size;
    eo.batch_size = args.batch;
    const auto ev = acne::train::evaluate_classifier(net, test, spec.class_names, eo);
    const auto table = acne::train::write_evaluation(ev, out, spec.architecture + " on " + data_dir.filename().string());
    std::cout << spec.architecture << " (" << checkpoint.string() << ", epoch " << meta.epoch << ") on " << ev.truth.size()
              << " images of " << data_dir.string() << "\n\n"
              << table << "\n"
              << ev.report.confusion_text() << "\naccuracy " << std::fixed << std::setprecision(4) << ev.report.accuracy << "; reports in "
              << out.string() << "\n";
    return 0;
  });
}

int predict(const std::vector<std::string>& argv) {
  model_args args;
  std::vector<std::string> inputs;
  acne::cli::flag_table t("acne-classify predict", "--checkpoint FILE (IMAGE | DIR)... [options]",
                          "Class probabilities of images, or of every image below a folder.");
  add_model_flags(t, args);
  t.add("--input", inputs, "an image or a folder (also given without the flag)", {.metavar = "PATH"});
  t.allow_positional();
  const auto positional = t.parse(argv);
  if (t.help()) return std::cout << t.usage(), 0;
  const std::string device = acne::cli::device_flag(args.device);
  const auto meta = open_checkpoint(args);
  const auto spec = acne::classifier_spec::from_json(meta.config);
  inputs.insert(inputs.end(), positional.begin(), positional.end());
  if (inputs.empty()) throw usage_error("give an image or a folder to classify");
  std::vector<fs::path> files;
  for (const fs::path p : inputs) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      const std::size_t before = files.size();
      for (const auto& e : fs::recursive_directory_iterator(p))
        if (e.is_regular_file() && acne::io::is_image_extension(e.path())) files.push_back(e.path());
      std::sort(files.begin() + std::ptrdiff_t(before), files.end());
      if (files.size() == before) throw usage_error("folder '" + p.string() + "' holds no images");
    } else if (fs::is_regular_file(p, ec)) {
      files.push_back(p);
    } else {
      throw usage_error("'" + p.string() + "' does not exist");
    }
  }
  const std::size_t batch = args.batch;
  return with_classifier_on_device(device, spec, 0, [&](auto& net) {
    load_weights(net, args.checkpoint, meta.architecture);
    std::cout << std::left << std::setw(12) << "predicted";
    for (const auto& c : spec.class_names) std::cout << std::setw(10) << c;
    std::cout << "image\n" << std::fixed << std::setprecision(4);
    for (std::size_t first = 0; first < files.size(); first += batch) {
      std::vector<cv::Mat> images;
      const std::size_t last = std::min(files.size(), first + batch);
      for (std::size_t i = first; i < last; ++i) images.push_back(acne::io::read_image(files[i]));
      const auto probs = acne::train::predict_probabilities(net, images, spec.image_size);
      for (std::size_t i = 0; i < probs.size(); ++i) {
        const auto best = std::size_t(std::max_element(probs[i].begin(), probs[i].end()) - probs[i].begin());
        std::cout << std::setw(12) << spec.class_names[best];
        for (float p : probs[i]) std::cout << std::setw(10) << p;
        std::cout << files[first + i].string() << "\n";
      }
    }
    return 0;
  });
}

}  // namespace

int main(int argc, char** argv) {
  const auto as = [](const char* name, int (*body)(const std::vector<std::string>&)) {
    return [name, body](const std::vector<std::string>& a, std::ostream&, std::ostream& err) {
      return acne::cli::run_program(std::string("acne-classify ") + name, err, [&] { return body(a); });
    };
  };
  return acne::cli::run_commands("acne-classify", about,
                                 {{"train", "train a classifier (without --data: on generated phantom faces)", as("train", train)},
                                  {"evaluate", "accuracy, precision/recall/F1 and confusion matrix on a labelled folder",
                                   as("evaluate", evaluate)},
                                  {"predict", "class probabilities of one image or of every image in a folder", as("predict", predict)}},
                                 std::vector<std::string>(argv + 1, argv + argc), std::cout, std::cerr);
}
