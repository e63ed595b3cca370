#pragma once
// The acne-dfdnet program as a function (apps/acne-dfdnet.cpp is its main), so tests run it
// in-process: a DFDNet of one's own, for users without the official release.
//   dictionaries  component dictionaries by K-means over VGG19 features of high-quality faces
//   train         the generator on those faces, degraded as the authors degraded theirs
// Faces are photographs (each face found and aligned to DFDNet's template) or, with --aligned,
// faces aligned already; the VGG19 weights come from a file with "VggExtract.*" tensors
// (tools/convert_dfdnet.py --vgg vgg19.pth writes one). `train` writes OUT/dfdnet.safetensors,
// which acne-restore and acne-pipeline --dfdnet read. Exit status 0 done, 1 failed, 2 bad usage.
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "acne/cli/flags.hpp"
#include "acne/cli/program.hpp"
#include "acne/device_choice.hpp"
#include "acne/face/detector.hpp"
#include "acne/face/restore.hpp"
#include "acne/models/pretrained.hpp"
#include "acne/train/dfdnet_dictionaries.hpp"
#include "acne/train/dfdnet_trainer.hpp"

namespace acne::cli {

struct dfdnet_faces_arguments {
  std::string faces, vgg, device, landmark_model = face::default_landmark_model.string();
  bool aligned = false;
  std::size_t width_divisor = 1;  // for tests: a narrower network
};

inline void add_face_flags(flag_table& t, dfdnet_faces_arguments& a) {
  t.section("Faces")
      .add("--faces", a.faces, "high-quality face photographs (searched recursively)", {.metavar = "DIR", .required = true})
      .add_switch("--aligned", a.aligned, true, "the faces are aligned to DFDNet's template already (512 x 512)")
      .add("--landmark-model", a.landmark_model, "dlib's 68-point landmark model", {.metavar = "FILE"});
  t.section("Model")
      .add("--vgg", a.vgg, "VGG19 weights: a file with VggExtract.* tensors (tools/convert_dfdnet.py --vgg)",
           {.metavar = "FILE", .required = true})
      .add("--width-divisor", a.width_divisor, "divide every width by this (a small network for tests)",
           {.min = 1, .max = 16})
      .add("--device", a.device, "cpu or cuda", {.metavar = "NAME", .default_text = "cuda when a GPU is present"});
}

namespace dfdnet_detail {

inline void check_faces(const dfdnet_faces_arguments& a) {
  if (!std::filesystem::is_directory(a.faces)) throw usage_error("--faces '" + a.faces + "' is not a folder");
  if (!std::filesystem::is_regular_file(a.vgg)) throw usage_error("--vgg '" + a.vgg + "' is not a file");
}

// Every face of the folder aligned to DFDNet's template with its part boxes; an image without a
// face is named and left out.
inline std::vector<dfdnet::dictionary_face> aligned_faces(const dfdnet_faces_arguments& a, std::ostream& out) {
  face::face_detector detector({.landmark_model = a.landmark_model});
  std::vector<dfdnet::dictionary_face> faces;
  for (const auto& file : io::list_images(a.faces)) {
    const cv::Mat image = io::read_image(file);
    const auto found = detector.detect(image);
    if (found.empty()) {
      out << "no face found in " << file.string() << ": left out\n";
      continue;
    }
    face::face_landmarks in_face = found[0];
    cv::Mat aligned = image;
    if (!a.aligned) {
      const auto al = face::dfdnet_align(image, found[0]);
      aligned = al.image;
      in_face = face::transformed(found[0], al.to_face);
    }
    std::vector<dfdnet::point2> points;
    for (const auto& p : in_face.points) points.push_back({p.x, p.y});
    faces.push_back({aligned, dfdnet::boxes_from_landmarks(points)});
  }
  ACNE_CHECK(!faces.empty(), "no face found in any image of '" << a.faces << "'");
  out << faces.size() << " faces from " << a.faces << "\n";
  return faces;
}

template <class D>
network<vgg19_features<float, D>> loaded_vgg(const dfdnet_faces_arguments& a) {
  network<vgg19_features<float, D>> vgg{with_name(vgg19_features<float, D>(a.width_divisor), "VggExtract")};
  vgg.setup({1, 3, dfdnet::face_side, dfdnet::face_side});
  load_pretrained(a.vgg, vgg, {.ignore_extra = true});
  return vgg;
}

}  // namespace dfdnet_detail

struct dfdnet_dictionaries_arguments : dfdnet_faces_arguments {
  std::string out;
  std::size_t atoms = 512;
  std::uint64_t seed = 0;
};

inline int dfdnet_dictionaries(const std::vector<std::string>& args, std::ostream& out) {
  dfdnet_dictionaries_arguments a;
  flag_table t("acne-dfdnet dictionaries", "--faces DIR --vgg FILE --out FILE [options]",
               "Builds DFDNet's 16 component dictionaries (left eye, right eye, nose, mouth at four VGG19 scales) by\n"
               "K-means over the features of the faces' parts; writes them as a DFDNet file of dictionaries.");
  add_face_flags(t, a);
  t.section("Dictionaries")
      .add("--atoms", a.atoms, "atoms per dictionary (K of K-means)", {.positive = true})
      .add("--seed", a.seed, "seed of the k-means++ start")
      .add("--out", a.out, "the dictionaries' file", {.metavar = "FILE", .required = true});
  t.parse(args);
  if (t.help()) {
    out << t.usage();
    return int(done);
  }
  dfdnet_detail::check_faces(a);
  return on_device(device_flag(a.device), out, [&](auto d) {
    using D = decltype(d);
    auto vgg = dfdnet_detail::loaded_vgg<D>(a);
    const auto faces = dfdnet_detail::aligned_faces(a, out);
    const auto dicts = dfdnet::build_dictionaries(vgg, faces, {.atoms = a.atoms, .seed = a.seed}, out);
    dfdnet::save_dictionaries(dicts, {.width_divisor = a.width_divisor}, a.out, "acne-dfdnet dictionaries of " + a.faces);
    out << "written to " << a.out << "\n";
    return int(done);
  });
}

struct dfdnet_train_arguments : dfdnet_faces_arguments {
  std::string dictionaries, out = "dfdnet", init;
  std::size_t steps = 20000, batch = 1, checkpoint_every = 1000, held_out = 8;
  double lr = 1e-4;
  std::string lr_schedule = "constant";
  double perceptual = dfdnet::train_options{}.perceptual_weight, adversarial = dfdnet::train_options{}.adversarial_weight;
  std::uint64_t seed = 0;
  bool resume = false;
};

inline int dfdnet_train(const std::vector<std::string>& args, std::ostream& out) {
  dfdnet_train_arguments a;
  flag_table t("acne-dfdnet train", "--faces DIR --vgg FILE --dictionaries FILE [options]",
               "Trains DFDNet to restore the faces degraded as its authors degraded theirs (blur, downsampling 1-8x,\n"
               "noise, JPEG): pixel, perceptual (VGG19) and adversarial (PatchGAN, hinge) losses. The last --held-out\n"
               "faces are not trained on: their restored PSNR is printed beside that of their degraded inputs.\n"
               "Writes OUT/dfdnet.safetensors (for acne-restore), checkpoints and OUT/log.csv.");
  add_face_flags(t, a);
  t.section("Training")
      .add("--dictionaries", a.dictionaries, "the dictionaries (acne-dfdnet dictionaries)", {.metavar = "FILE", .required = true})
      .add("--init", a.init, "start from this DFDNet file's generator (e.g. the official one, converted)",
           {.metavar = "FILE", .default_text = "a new generator"})
      .add("--steps", a.steps, "training steps", {.positive = true})
      .add("--batch", a.batch, "faces per step (the official model restores one at a time)", {.positive = true})
      .add("--lr", a.lr, "Adam's learning rate of the generator (the discriminator's is 4 times it)", {.positive = true})
      .add("--lr-schedule", a.lr_schedule, "the learning rates constant, or decaying to 0 over --steps along a half cosine",
           {.metavar = "NAME", .choices = {"constant", "cosine"}})
      .add("--perceptual", a.perceptual, "weight of the perceptual loss (0: left out)")
      .add("--adversarial", a.adversarial,
           "weight of the adversarial loss (0: left out, and no discriminator is trained)")
      .add("--held-out", a.held_out, "faces kept out of training to score it")
      .add("--checkpoint-every", a.checkpoint_every, "steps between checkpoints", {.positive = true})
      .add("--seed", a.seed, "seed of the weights, the faces' order and the degradations")
      .add_switch("--resume", a.resume, true, "continue from OUT's checkpoints")
      .add("--out", a.out, "the run's folder", {.metavar = "DIR"});
  t.parse(args);
  if (t.help()) {
    out << t.usage();
    return int(done);
  }
  dfdnet_detail::check_faces(a);
  if (!std::filesystem::is_regular_file(a.dictionaries))
    throw usage_error("--dictionaries '" + a.dictionaries + "' is not a file");
  return on_device(device_flag(a.device), out, [&](auto d) {
    using D = decltype(d);
    const auto file = io::load_safetensors(a.dictionaries);
    auto dicts = dfdnet::load_dictionaries<float, D>(file, "dictionaries '" + a.dictionaries + "'",
                                                  {.width_divisor = a.width_divisor});
    auto faces = dfdnet_detail::aligned_faces(a, out);
    ACNE_CHECK(faces.size() > a.held_out, faces.size() << " faces leave none to train on after " << a.held_out << " held out");
    const std::vector<dfdnet::dictionary_face> held_out(faces.end() - std::ptrdiff_t(a.held_out), faces.end());
    faces.resize(faces.size() - a.held_out);
    network<dfdnet::generator<float, D>> g{dfdnet::generator<float, D>({.width_divisor = a.width_divisor})};
    g.setup({1, 3, dfdnet::face_side, dfdnet::face_side}, a.seed);
    if (!a.init.empty()) {
      dfdnet::load_generator(g, io::load_safetensors(a.init), "--init '" + a.init + "'");
    } else {
      load_pretrained(a.vgg, g, {.ignore_extra = true, .only_prefix = "VggExtract."});
    }
    dfdnet::trainer<D> trainer(g, dicts, faces,
                               {.steps = a.steps, .batch = a.batch, .lr = a.lr, .discriminator_lr = 4 * a.lr,
                                .schedule = a.lr_schedule == "cosine" ? dfdnet::lr_schedule::cosine : dfdnet::lr_schedule::constant,
                                .perceptual_weight = a.perceptual, .adversarial_weight = a.adversarial, .seed = a.seed,
                                .checkpoint_every = a.checkpoint_every, .out = a.out, .resume = a.resume},
                               out);
    if (!held_out.empty()) {
      const auto before = trainer.evaluate(held_out);
      out << "held-out faces before: restored " << before.restored_psnr << " dB, degraded " << before.degraded_psnr << " dB\n";
    }
    trainer.run();
    if (!held_out.empty()) {
      const auto after = trainer.evaluate(held_out);
      out << "held-out faces after " << trainer.step() << " steps: restored " << after.restored_psnr
          << " dB PSNR, degraded (bicubic) " << after.degraded_psnr << " dB\n";
    }
    const auto result = std::filesystem::path(a.out) / "dfdnet.safetensors";
    dfdnet::save_dfdnet(g, dicts, result, "acne-dfdnet train on " + a.faces);
    out << "written to " << result.string() << "\n";
    return int(done);
  });
}

inline int dfdnet_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  const auto as = [](const char* name, auto body) {
    return [name, body](const std::vector<std::string>& a, std::ostream& o, std::ostream& e) {
      return run_program(std::string("acne-dfdnet ") + name, e, [&] { return body(a, o); });
    };
  };
  return run_commands("acne-dfdnet", "Builds DFDNet's dictionaries and trains DFDNet on one's own high-quality faces.",
                      {{"dictionaries", "component dictionaries by K-means over VGG19 features of faces",
                        as("dictionaries", dfdnet_dictionaries)},
                       {"train", "train the generator on degraded faces", as("train", dfdnet_train)}},
                      args, out, err);
}

}  // namespace acne::cli
