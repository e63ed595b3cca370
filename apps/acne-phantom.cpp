// acne-phantom: writes the embedded synthetic dataset (procedural faces with graded acne) as an image
// folder root/<class>/*.png plus root/labels.csv, and optionally a labelled sample grid.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "acne/cli/flags.hpp"
#include "acne/cli/program.hpp"
#include "acne/data/acne_class.hpp"
#include "acne/data/grid.hpp"
#include "acne/data/phantom.hpp"
#include "acne/data/phantom_dataset.hpp"
#include "acne/io/image.hpp"

namespace {

using acne::cli::usage_error;

std::vector<acne::data::acne_class> parse_classes(const std::string& list) {
  std::vector<acne::data::acne_class> out;
  std::stringstream in(list);
  for (std::string name; std::getline(in, name, ',');) {
    if (name.empty()) throw usage_error("--classes: empty class name in '" + list + "'");
    try {
      const auto c = acne::data::parse_acne_class(name);
      for (auto d : out)
        if (d == c) throw usage_error("--classes: '" + name + "' given twice");
      out.push_back(c);
    } catch (const acne::error&) {
      throw usage_error("--classes: unknown class '" + name + "' (want healthy, mild, moderate, severe, very-severe)");
    }
  }
  if (out.empty()) throw usage_error("--classes: no classes given");
  return out;
}

struct arguments {
  std::filesystem::path out, grid;
  std::uint64_t per_class = 100, size = 256, seed = 1000, grid_per_class = 6;
  std::vector<acne::data::acne_class> classes = acne::data::paper_classes();
};

acne::cli::flag_table flags(arguments& a) {
  acne::cli::flag_table t(
      "acne-phantom", "--out DIR [options]",
      "Writes procedural face images of no real person with acne lesions counted by the Hayashi grading\n"
      "(half face: healthy 0, mild 1-5, moderate 6-20, severe 21-50, very-severe 51-80) into\n"
      "DIR/<class>/<class>_NNNNN.png and DIR/labels.csv (file,class,lesion_count).");
  t.add("--out", a.out, "output folder (created; existing files of the same names are replaced)", {.metavar = "DIR"})
      .add("--per-class", a.per_class, "images per class", {.min = 1, .max = 10'000'000})
      .add("--size", a.size, "width = height in pixels", {.metavar = "PX", .min = 16, .max = 4096})
      .add("--seed", a.seed, "dataset seed; same seed, same bytes", {.metavar = "S"})
      .add_custom("--classes", "LIST", "comma-separated classes (very-severe is also available)",
                  [&a](const std::string& v) { a.classes = parse_classes(v); }, "healthy,mild,moderate,severe")
      .add("--grid", a.grid, "also write a labelled grid of samples (may be given without --out)", {.metavar = "FILE.png"})
      .add("--grid-per-class", a.grid_per_class, "samples per class in the grid", {.metavar = "K", .min = 1, .max = 64});
  return t;
}

// The dataset and/or the grid the arguments ask for.
void write(const arguments& args) {
  using namespace acne::data;
  const int size = static_cast<int>(args.size);
  if (!args.out.empty()) {
    class_counts counts;
    for (auto c : args.classes) counts.emplace_back(c, static_cast<std::size_t>(args.per_class));
    const auto records = write_phantom_dataset(args.out, counts, size, args.seed);
    std::map<std::string, std::pair<std::size_t, std::pair<int, int>>> summary;  // class -> n, (min, max)
    for (const auto& r : records) {
      auto& s = summary[std::string(class_name(r.cls))];
      s.second = s.first++ == 0 ? std::make_pair(r.lesion_count, r.lesion_count)
                                : std::make_pair(std::min(s.second.first, r.lesion_count), std::max(s.second.second, r.lesion_count));
    }
    std::cout << "acne-phantom: wrote " << records.size() << " images of " << size << "x" << size << " px (seed "
              << args.seed << ") to " << args.out.string() << "\n";
    for (auto c : args.classes) {
      const auto& s = summary[std::string(class_name(c))];
      std::cout << "  " << class_name(c) << ": " << s.first << " images in " << (args.out / std::string(class_name(c))).string()
                << ", lesions per graded half face " << s.second.first << ".." << s.second.second << "\n";
    }
    std::cout << "  labels: " << (args.out / "labels.csv").string() << "\n";
  }
  if (!args.grid.empty()) {
    std::vector<cv::Mat> images;
    std::vector<std::string> captions;
    phantom_options options;
    options.size = size;
    for (auto c : args.classes)
      for (std::uint64_t i = 0; i < args.grid_per_class; ++i) {
        const auto face = make_phantom(options, c, phantom_sample_seed(args.seed, c, i));
        images.push_back(face.image);
        captions.push_back(std::string(class_name(c)) + " " + std::to_string(face.lesion_count));
      }
    acne::io::write_image(args.grid, make_grid(images, captions, static_cast<int>(args.grid_per_class), std::min(size, 256)));
    std::cout << "acne-phantom: wrote a " << args.classes.size() << "x" << args.grid_per_class << " sample grid to "
              << args.grid.string() << " (caption: class and lesion count)\n";
  }
}

}  // namespace

int main(int argc, char** argv) {
  return acne::cli::run_program("acne-phantom", std::cerr, [&] {
    arguments args;
    auto table = flags(args);
    table.parse(std::vector<std::string>(argv + 1, argv + argc));
    if (table.help()) return std::cout << table.usage(), 0;
    if (args.out.empty() && args.grid.empty()) throw usage_error("--out DIR (or --grid FILE.png) is required");
    const auto ext = acne::io::lower_extension(args.grid);
    if (!args.grid.empty() && ext != ".png" && ext != ".jpg")
      throw usage_error("--grid: '" + args.grid.string() + "' should end in .png or .jpg");
    write(args);
    return 0;
  });
}
