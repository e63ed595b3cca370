#pragma once
// The acne-restore program as a function (apps/acne-restore.cpp is its main), so tests run it
// in-process: a folder of photographs in, each face found restored by DFDNet and pasted back into
// its photograph (enlarged by --upscale), or, with --aligned, a folder of faces already aligned to
// DFDNet's template restored as they are. Writes OUT/<name>.png (the photograph or the face),
// OUT/faces/<name>-<k>.png (each restored face) and OUT/restore.json (what was found, restored and
// skipped, per image). An image without a face is named and skipped, or with --strict stops the
// run (exit 1). Exit status 0 done, 1 failed, 2 bad usage.
#include <chrono>
#include <filesystem>
#include <iomanip>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "acne/cli/flags.hpp"
#include "acne/cli/program.hpp"
#include "acne/device_choice.hpp"
#include "acne/face/detector.hpp"
#include "acne/face/restore.hpp"
#include "acne/io/atomic_file.hpp"
#include "acne/io/image.hpp"

namespace acne::cli {

struct restore_arguments {
  std::string in, out, weights, device, landmark_model = face::default_landmark_model.string();
  int upscale = 4;
  bool aligned = false, strict = false, surest_only = false;
};

inline flag_table restore_flags(restore_arguments& a) {
  flag_table t("acne-restore", "--in DIR --out DIR --weights FILE [options]",
               "Restores the faces of photographs with DFDNet (Li et al., ECCV 2020): each face is found, aligned to\n"
               "DFDNet's 512 x 512 template, restored from its component dictionaries and pasted back into the\n"
               "photograph, enlarged by --upscale, through a soft mask. --weights is the file tools/convert_dfdnet.py\n"
               "writes from the official release (generator and dictionaries).");
  t.section("Images")
      .add("--in", a.in, "the photographs (searched recursively; .png .jpg .jpeg .bmp)", {.metavar = "DIR", .required = true})
      .add("--out", a.out, "where the restored images go", {.metavar = "DIR", .required = true})
      .add_switch("--aligned", a.aligned, true,
                  "the images are faces aligned to DFDNet's template already (512 x 512): restore them as they are")
      .add("--upscale", a.upscale, "the photograph's enlargement that restored faces are pasted into",
           {.min = 1, .max = 8})
      .add_switch("--surest-only", a.surest_only, true, "restore only the surest face of each photograph")
      .add_switch("--strict", a.strict, true, "an image without a face stops the run instead of being skipped");
  t.section("Model")
      .add("--weights", a.weights, "DFDNet weights and dictionaries (tools/convert_dfdnet.py)",
           {.metavar = "FILE", .required = true})
      .add("--landmark-model", a.landmark_model, "dlib's 68-point landmark model", {.metavar = "FILE"})
      .add("--device", a.device, "cpu or cuda", {.metavar = "NAME", .default_text = "cuda when a GPU is present"});
  return t;
}

namespace restore_detail {

inline void check_arguments(const restore_arguments& a) {
  namespace fs = std::filesystem;
  if (!fs::is_directory(a.in)) throw usage_error("--in '" + a.in + "' is not a folder");
  if (!fs::is_regular_file(a.weights)) throw usage_error("--weights '" + a.weights + "' is not a file");
  if (fs::exists(a.out) && fs::equivalent(a.out, a.in)) throw usage_error("--out must not be --in");
}

// OUT/<path below --in, as .png>.
inline std::filesystem::path output_path(const restore_arguments& a, const std::filesystem::path& file) {
  return std::filesystem::path(a.out) / std::filesystem::relative(file, a.in).replace_extension(".png");
}

template <class D>
int restore_all(const restore_arguments& a, std::ostream& out) {
  namespace fs = std::filesystem;
  const auto files = io::list_images(a.in);
  ACNE_CHECK(!files.empty(), "no images in '" << a.in << "'");
  const auto started = std::chrono::steady_clock::now();
  face::face_restorer<D> restorer(a.weights);
  face::face_detector detector({.landmark_model = a.landmark_model});
  out << "DFDNet from " << a.weights << " (widths / " << restorer.width_divisor() << ")\n";
  nlohmann::json report = nlohmann::json::array();
  std::size_t restored = 0, without_face = 0;
  for (std::size_t i = 0; i < files.size(); ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    const cv::Mat image = io::read_image(files[i]);
    auto faces = detector.detect(image);
    nlohmann::json entry{{"file", fs::relative(files[i], a.in).string()}, {"faces_found", faces.size()}};
    out << "[" << i + 1 << "/" << files.size() << "] " << entry["file"].get<std::string>() << ": ";
    if (faces.empty()) {
      ACNE_CHECK(!a.strict, "no face found in " << files[i].string() << " (--strict stops at the first such image)");
      out << "no face found, skipped\n";
      entry["skipped"] = "no face found";
      report.push_back(entry);
      ++without_face;
      continue;
    }
    if (a.surest_only || a.aligned) faces.resize(1);
    const fs::path target = output_path(a, files[i]);
    std::vector<cv::Mat> restored_faces;
    if (a.aligned) {
      restored_faces.push_back(restorer.restore_aligned(image, faces[0]));
      io::write_image(target, restored_faces[0]);
    } else {
      auto photo = face::restore_photo(image, faces, restorer, a.upscale);
      io::write_image(target, photo.image);
      restored_faces = std::move(photo.faces);
      for (std::size_t k = 0; k < restored_faces.size(); ++k)
        io::write_image(fs::path(a.out) / "faces" /
                            (fs::relative(files[i], a.in).replace_extension("").string() + "-" + std::to_string(k) + ".png"),
                        restored_faces[k]);
    }
    restored += restored_faces.size();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    entry["faces_restored"] = restored_faces.size();
    entry["seconds"] = seconds;
    report.push_back(entry);
    out << restored_faces.size() << " face" << (restored_faces.size() == 1 ? "" : "s") << " restored (" << std::fixed
        << std::setprecision(2) << seconds << " s)\n"
        << std::defaultfloat;
  }
  io::write_file_atomically(fs::path(a.out) / "restore.json",
                            nlohmann::json{{"weights", a.weights}, {"aligned", a.aligned}, {"upscale", a.upscale},
                                           {"images", report}}
                                .dump(2));
  const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  out << restored << (restored == 1 ? " face" : " faces") << " restored in " << files.size() - without_face << " of " << files.size() << " images"
      << (without_face ? ", " + std::to_string(without_face) + " without a face found (skipped)" : std::string()) << ", "
      << total << " s; written to " << a.out << "\n";
  return done;
}

}  // namespace restore_detail

inline int restore_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  return run_program("acne-restore", err, [&] {
    restore_arguments a;
    auto flags = restore_flags(a);
    flags.parse(args);
    if (flags.help()) {
      out << flags.usage();
      return int(done);
    }
    restore_detail::check_arguments(a);
    const std::string device = device_flag(a.device);
    return on_device(device, out, [&](auto d) { return restore_detail::restore_all<decltype(d)>(a, out); });
  });
}

}  // namespace acne::cli
