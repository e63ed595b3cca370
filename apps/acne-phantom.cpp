// acne-phantom: writes the embedded synthetic dataset (procedural faces with graded acne) as an image
// folder root/<class>/*.png plus root/labels.csv, and optionally a labelled sample grid.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "acne/data/acne_class.hpp"
#include "acne/data/grid.hpp"
#include "acne/data/phantom.hpp"
#include "acne/data/phantom_dataset.hpp"
#include "acne/io/image.hpp"

namespace {

const char* usage =
    "usage: acne-phantom --out DIR [--per-class N] [--size PX] [--seed S]\n"
    "                    [--classes healthy,mild,moderate,severe] [--grid FILE.png] [--grid-per-class K]\n"
    "\n"
    "Writes procedural face images of no real person with acne lesions counted by the Hayashi grading\n"
    "(half face: healthy 0, mild 1-5, moderate 6-20, severe 21-50, very-severe 51-80) into\n"
    "DIR/<class>/<class>_NNNNN.png and DIR/labels.csv (file,class,lesion_count).\n"
    "\n"
    "  --out DIR            output folder (created; existing files of the same names are replaced)\n"
    "  --per-class N        images per class (default 100)\n"
    "  --size PX            width = height in pixels, 16..4096 (default 256)\n"
    "  --seed S             dataset seed (default 1000); same seed, same bytes\n"
    "  --classes LIST       comma-separated classes (default healthy,mild,moderate,severe;\n"
    "                       very-severe is also available)\n"
    "  --grid FILE.png      also write a labelled grid of samples (may be given without --out)\n"
    "  --grid-per-class K   samples per class in the grid (default 6)\n"
    "  --help               this text\n";

struct bad_arguments : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::uint64_t parse_number(const std::string& flag, const std::string& text, std::uint64_t lo, std::uint64_t hi) {
  std::size_t used = 0;
  unsigned long long v = 0;
  try {
    if (!text.empty() && text[0] == '-') throw std::invalid_argument("negative");
    v = std::stoull(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || text.empty()) throw bad_arguments(flag + ": '" + text + "' is not a non-negative integer");
  if (v < lo || v > hi)
    throw bad_arguments(flag + ": " + text + " outside " + std::to_string(lo) + ".." + std::to_string(hi));
  return v;
}

std::vector<acne::data::acne_class> parse_classes(const std::string& list) {
  std::vector<acne::data::acne_class> out;
  std::stringstream in(list);
  for (std::string name; std::getline(in, name, ',');) {
    if (name.empty()) throw bad_arguments("--classes: empty class name in '" + list + "'");
    try {
      const auto c = acne::data::parse_acne_class(name);
      for (auto d : out)
        if (d == c) throw bad_arguments("--classes: '" + name + "' given twice");
      out.push_back(c);
    } catch (const acne::error&) {
      throw bad_arguments("--classes: unknown class '" + name + "' (want healthy, mild, moderate, severe, very-severe)");
    }
  }
  if (out.empty()) throw bad_arguments("--classes: no classes given");
  return out;
}

struct arguments {
  std::filesystem::path out, grid;
  std::uint64_t per_class = 100, size = 256, seed = 1000, grid_per_class = 6;
  std::vector<acne::data::acne_class> classes = acne::data::paper_classes();
  bool help = false;
};

arguments parse(int argc, char** argv) {
  arguments a;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      a.help = true;
      continue;
    }
    if (i + 1 >= argc) throw bad_arguments(flag.rfind("--", 0) == 0 ? flag + " needs a value" : "unexpected argument '" + flag + "'");
    const std::string value = argv[++i];
    if (flag == "--out") a.out = value;
    else if (flag == "--per-class") a.per_class = parse_number(flag, value, 1, 10'000'000);
    else if (flag == "--size") a.size = parse_number(flag, value, 16, 4096);
    else if (flag == "--seed") a.seed = parse_number(flag, value, 0, ~std::uint64_t{0});
    else if (flag == "--classes") a.classes = parse_classes(value);
    else if (flag == "--grid") a.grid = value;
    else if (flag == "--grid-per-class") a.grid_per_class = parse_number(flag, value, 1, 64);
    else throw bad_arguments("unknown option '" + flag + "'");
  }
  if (!a.help && a.out.empty() && a.grid.empty()) throw bad_arguments("--out DIR (or --grid FILE.png) is required");
  if (!a.grid.empty() && acne::io::lower_extension(a.grid) != ".png" && acne::io::lower_extension(a.grid) != ".jpg")
    throw bad_arguments("--grid: '" + a.grid.string() + "' should end in .png or .jpg");
  return a;
}

}  // namespace

int main(int argc, char** argv) {
  arguments args;
  try {
    args = parse(argc, argv);
  } catch (const bad_arguments& e) {
    std::cerr << "acne-phantom: " << e.what() << "\n(see acne-phantom --help)\n";
    return 2;
  }
  if (args.help) {
    std::cout << usage;
    return 0;
  }
  try {
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
  } catch (const std::exception& e) {
    std::cerr << "acne-phantom: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
