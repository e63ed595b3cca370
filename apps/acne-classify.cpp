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

#include "acne/data/image_folder.hpp"
#include "acne/device_choice.hpp"
#include "acne/data/phantom_dataset.hpp"
#include "acne/io/checkpoint.hpp"
#include "acne/io/image.hpp"
#include "acne/models/classifier.hpp"
#include "acne/train/classifier_trainer.hpp"
#include "acne/train/evaluate.hpp"

namespace fs = std::filesystem;

namespace {

// Bad usage or unusable input: exit status 2.
struct usage_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

const char* const main_help = R"(usage: acne-classify <command> [options]

Acne-severity classifiers of the paper (Keras ResNet50V2, ResNet152V2, InceptionResNetV2) on
folders of images with one sub-folder per class (healthy/, mild/, moderate/, severe/).

commands:
  train      train a classifier (without --data: on generated phantom faces)
  evaluate   accuracy, precision/recall/F1 and confusion matrix on a labelled folder
  predict    class probabilities of one image or of every image in a folder

Run 'acne-classify <command> --help' for its options.
)";

const char* const train_help = R"(usage: acne-classify train [options]

  --data DIR              training images, DIR/<class>/*.{png,jpg,...}; 80 % train, 20 % validation
                          (stratified). Without it, phantom faces are generated into OUT/phantom-data.
  --model NAME            resnet50v2 (default), resnet152v2 or inception_resnet_v2
  --width-multiplier W    scale every filter count (default 1: the published model)
  --blocks a,b,c[,d]      blocks per stage (ResNetV2: 4 numbers) or per block group (IRv2: 3)
  --epochs N              default 15
  --batch N               default 16
  --lr X                  Adam learning rate, default 1e-4
  --size PX               square input size, default 224
  --out DIR               checkpoints, history and plots (default: acne-classify-out)
  --resume                continue from OUT/last.safetensors at the next epoch
  --pretrained FILE       start from these weights (all but the head "predictions")
  --freeze PREFIX         do not train parameters whose names start with PREFIX (repeatable)
  --seed N                initialisation, split, order and augmentation seed (default 0)
  --no-augment            no rotation / brightness / flip augmentation
  --validation-split F    validation fraction, default 0.2
  --steps-per-epoch N     cap the steps of an epoch (quick runs)
  --phantom-count N       phantom faces per class when generating (default 100)
  --device NAME           cuda (default when this build has CUDA and a GPU is present) or cpu

Writes OUT/best.safetensors (whenever validation accuracy improves), OUT/last.safetensors,
OUT/history.{csv,json}, OUT/accuracy.png, OUT/loss.png.
)";

const char* const evaluate_help = R"(usage: acne-classify evaluate --checkpoint FILE --data DIR [options]

  --checkpoint FILE   a checkpoint written by 'acne-classify train'
  --data DIR          labelled test images, DIR/<class>/*; class folders must be classes of the model
                      (a subset is fine, e.g. a test set without healthy faces)
  --out DIR           where evaluation.{json,csv}, predictions.csv and confusion_matrix.png go
                      (default: the checkpoint's folder + /evaluation)
  --model NAME        fail unless the checkpoint holds this architecture
  --batch N           default 16
  --device NAME       cuda (default when available) or cpu
)";

const char* const predict_help = R"(usage: acne-classify predict --checkpoint FILE (IMAGE | DIR) [options]

  --checkpoint FILE   a checkpoint written by 'acne-classify train'
  IMAGE | DIR         one image, or every image below a folder (also as --input PATH)
  --model NAME        fail unless the checkpoint holds this architecture
  --batch N           default 16
  --device NAME       cuda (default when available) or cpu
)";

// --name value / --flag options after the command; positional arguments are kept in order.
class arguments {
public:
  arguments(int argc, char** argv, int first, const std::vector<std::string>& flags) {
    for (int i = first; i < argc; ++i) {
      const std::string a = argv[i];
      if (a.rfind("--", 0) != 0) {
        positional_.push_back(a);
      } else if (std::find(flags.begin(), flags.end(), a) != flags.end()) {
        values_[a].push_back("");
      } else {
        if (i + 1 >= argc) throw usage_error("option " + a + " needs a value");
        values_[a].push_back(argv[++i]);
      }
    }
  }
  void allow(const std::vector<std::string>& known) const {
    for (const auto& [name, _] : values_)
      if (std::find(known.begin(), known.end(), name) == known.end()) throw usage_error("unknown option " + name);
  }
  bool has(const std::string& name) const { return values_.contains(name); }
  std::string get(const std::string& name, const std::string& fallback = {}) const {
    const auto it = values_.find(name);
    return it == values_.end() ? fallback : it->second.back();
  }
  std::vector<std::string> all(const std::string& name) const {
    const auto it = values_.find(name);
    return it == values_.end() ? std::vector<std::string>{} : it->second;
  }
  template <class N>
  N number(const std::string& name, N fallback) const {
    if (!has(name)) return fallback;
    const std::string text = get(name);
    std::istringstream in(text);
    N value{};
    if (!(in >> value) || !in.eof() || (std::is_unsigned_v<N> && text.find('-') != std::string::npos))
      throw usage_error("option " + name + ": '" + text + "' is not a valid number");
    return value;
  }
  const std::vector<std::string>& positional() const { return positional_; }

private:
  std::map<std::string, std::vector<std::string>> values_;
  std::vector<std::string> positional_;
};

std::vector<std::size_t> parse_list(const std::string& text, const std::string& option) {
  std::vector<std::size_t> out;
  std::istringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    if (item.empty() || item.find_first_not_of("0123456789") != std::string::npos)
      throw usage_error("option " + option + ": '" + text + "' is not a comma-separated list of counts");
    out.push_back(std::stoul(item));
  }
  return out;
}

void require_folder(const fs::path& dir, const std::string& what) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) throw usage_error(what + " '" + dir.string() + "' does not exist");
  if (!fs::is_directory(dir, ec)) throw usage_error(what + " '" + dir.string() + "' is not a folder");
}

// An image folder whose labels index another class list (the model's), e.g. a test set that
// lacks some of the training classes.
struct relabeled_folder {
  const acne::data::image_folder& folder;
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

acne::io::checkpoint_meta open_checkpoint(const arguments& args) {
  if (!args.has("--checkpoint")) throw usage_error("--checkpoint FILE is required");
  const fs::path file = args.get("--checkpoint");
  if (!fs::is_regular_file(file)) throw usage_error("checkpoint '" + file.string() + "' does not exist");
  acne::io::checkpoint_meta meta;
  try {
    meta = acne::io::read_checkpoint_meta(file);
  } catch (const acne::error& e) {
    throw usage_error(std::string("cannot read the checkpoint: ") + e.what());
  }
  if (meta.architecture.empty() || !meta.config.contains("architecture"))
    throw usage_error("'" + file.string() + "' is not a classifier checkpoint (no architecture metadata)");
  const std::string wanted = args.get("--model");
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

// The device --device names (acne/device_choice.hpp), checked before any work is done.
std::string device_of(const arguments& args) {
  try {
    return acne::resolve_device(args.get("--device"));
  } catch (const acne::device_unavailable& e) {
    throw usage_error(e.what());
  }
}

// The classifier built on that device, handed to f.
template <class F>
int with_classifier_on_device(const arguments& args, const acne::classifier_spec& spec, std::uint64_t seed, F&& f) {
  return acne::on_device(device_of(args), std::cout,
                         [&](auto d) { return acne::with_classifier<float, decltype(d)>(spec, seed, f); });
}

int train(const arguments& args) {
  args.allow({"--data", "--model", "--width-multiplier", "--blocks", "--epochs", "--batch", "--lr", "--size", "--out",
              "--resume", "--pretrained", "--freeze", "--seed", "--no-augment", "--validation-split",
              "--steps-per-epoch", "--phantom-count", "--device"});
  if (!args.positional().empty()) throw usage_error("unexpected argument '" + args.positional().front() + "'");
  device_of(args);
  acne::classifier_spec spec;
  spec.architecture = args.get("--model", "resnet50v2");
  spec.width = args.number("--width-multiplier", 1.0);
  if (args.has("--blocks")) spec.blocks = parse_list(args.get("--blocks"), "--blocks");
  spec.image_size = args.number<std::size_t>("--size", 224);

  acne::train::classifier_train_options o;
  o.epochs = args.number<std::size_t>("--epochs", o.epochs);
  o.batch_size = args.number<std::size_t>("--batch", o.batch_size);
  o.learning_rate = args.number("--lr", o.learning_rate);
  o.seed = args.number<std::uint64_t>("--seed", o.seed);
  o.augment = !args.has("--no-augment");
  o.validation_fraction = args.number("--validation-split", o.validation_fraction);
  o.steps_per_epoch = args.number<std::size_t>("--steps-per-epoch", 0);
  o.out_dir = args.get("--out", "acne-classify-out");
  o.resume = args.has("--resume");
  if (o.epochs == 0 || o.batch_size == 0) throw usage_error("--epochs and --batch must be positive");
  if (!(o.learning_rate > 0)) throw usage_error("--lr must be positive");
  if (!(o.validation_fraction >= 0 && o.validation_fraction < 1)) throw usage_error("--validation-split must be in [0, 1)");

  fs::path data_dir = args.get("--data");
  if (data_dir.empty()) {
    data_dir = o.out_dir / "phantom-data";
    const std::size_t per_class = args.number<std::size_t>("--phantom-count", 100);
    if (per_class == 0) throw usage_error("--phantom-count must be positive");
    if (!fs::exists(data_dir / "labels.csv")) {
      std::cout << "no --data given: generating " << per_class << " phantom faces per class (" << spec.image_size
                << " px) in " << data_dir.string() << "\n";
      acne::data::write_phantom_dataset(data_dir, acne::data::paper_class_counts(per_class), int(spec.image_size),
                                        o.seed);
    }
  }
  const auto folder = open_folder(data_dir);
  spec.class_names = folder.classes();
  try {
    spec.validate();
  } catch (const acne::error& e) {
    throw usage_error(e.what());
  }
  std::cout << spec.architecture << " (width " << spec.width << ", " << spec.image_size << " px) on "
            << folder.size() << " images of " << data_dir.string() << ":";
  const auto counts = folder.class_counts();
  for (std::size_t c = 0; c < counts.size(); ++c) std::cout << " " << spec.class_names[c] << " " << counts[c];
  std::cout << "\n";

  return with_classifier_on_device(args, spec, o.seed, [&](auto& net) {
    if (args.has("--pretrained")) {
      const fs::path file = args.get("--pretrained");
      if (!fs::is_regular_file(file)) throw usage_error("pretrained weights '" + file.string() + "' do not exist");
      try {
        acne::train::load_pretrained(net, file, spec.architecture);
      } catch (const acne::io::checkpoint_mismatch& e) {
        throw usage_error(e.what());
      }
      std::cout << "loaded pretrained weights from " << file.string() << " (head replaced)\n";
    }
    if (args.has("--freeze")) {
      try {
        std::cout << "frozen: " << acne::train::freeze_layers(net, args.all("--freeze")) << " tensors\n";
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

int evaluate(const arguments& args) {
  args.allow({"--checkpoint", "--data", "--out", "--model", "--batch", "--device"});
  const auto meta = open_checkpoint(args);
  const auto spec = acne::classifier_spec::from_json(meta.config);
  if (!args.has("--data")) throw usage_error("--data DIR is required");
  const fs::path data_dir = args.get("--data");
  require_folder(data_dir, "data folder");
  // The folder's classes, in the model's order; any other folder is an error.
  std::vector<std::string> present;
  for (const auto& entry : fs::directory_iterator(data_dir)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_directory() || name.starts_with(".")) continue;
    if (std::find(spec.class_names.begin(), spec.class_names.end(), name) == spec.class_names.end()) {
      std::string known;
      for (const auto& c : spec.class_names) known += (known.empty() ? "" : ", ") + c;
      throw usage_error("folder '" + (data_dir / name).string() + "' is not a class of this model (" + known + ")");
    }
  }
  for (const auto& c : spec.class_names)
    if (fs::is_directory(data_dir / c)) present.push_back(c);
  const auto folder = open_folder(data_dir, present);
  relabeled_folder test{folder, {}};
  for (const auto& c : present)
    test.to_model.push_back(int(std::find(spec.class_names.begin(), spec.class_names.end(), c) - spec.class_names.begin()));

  const fs::path checkpoint = args.get("--checkpoint");
  const fs::path out = args.get("--out", (checkpoint.parent_path() / "evaluation").string());
  return with_classifier_on_device(args, spec, 0, [&](auto& net) {
    load_weights(net, checkpoint, meta.architecture);
    acne::train::evaluate_options eo;
    eo.image_size = spec.image_size;
    eo.batch_size = args.number<std::size_t>("--batch", 16);
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

int predict(const arguments& args) {
  args.allow({"--checkpoint", "--input", "--model", "--batch", "--device"});
  const auto meta = open_checkpoint(args);
  const auto spec = acne::classifier_spec::from_json(meta.config);
  std::vector<std::string> inputs = args.all("--input");
  inputs.insert(inputs.end(), args.positional().begin(), args.positional().end());
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
  const std::size_t batch = std::max<std::size_t>(1, args.number<std::size_t>("--batch", 16));
  return with_classifier_on_device(args, spec, 0, [&](auto& net) {
    load_weights(net, args.get("--checkpoint"), meta.architecture);
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
  const std::string command = argc > 1 ? argv[1] : "";
  const auto wants_help = [&] {
    for (int i = 2; i < argc; ++i)
      if (std::string(argv[i]) == "--help" || std::string(argv[i]) == "-h") return true;
    return false;
  };
  try {
    if (command == "--help" || command == "-h" || command == "help") {
      std::cout << main_help;
      return 0;
    }
    if (command == "train") {
      if (wants_help()) return std::cout << train_help, 0;
      return train(arguments(argc, argv, 2, {"--resume", "--no-augment"}));
    }
    if (command == "evaluate") {
      if (wants_help()) return std::cout << evaluate_help, 0;
      return evaluate(arguments(argc, argv, 2, {}));
    }
    if (command == "predict") {
      if (wants_help()) return std::cout << predict_help, 0;
      return predict(arguments(argc, argv, 2, {}));
    }
    std::cerr << (command.empty() ? "acne-classify: missing command\n\n" : "acne-classify: unknown command '" + command + "'\n\n")
              << main_help;
    return 2;
  } catch (const usage_error& e) {
    std::cerr << "acne-classify " << command << ": " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "acne-classify " << command << ": error: " << e.what() << "\n";
    return 1;
  }
}
