#pragma once
// ACNE04 importer (Wu et al., ICCV 2019; xpwu95/LDL): label files NNEW_trainval_{k}.txt and
// NNEW_test_{k}.txt (k = 0..4, lines "filename label lesion_count") and images in JPEGImages/.
// Levels 0..3 are mild, moderate, severe, very severe; by default very severe is merged into severe
// (three classes, as the paper did).
#include <algorithm>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include <opencv2/core.hpp>

#include "acne/data/hayashi.hpp"
#include "acne/error.hpp"
#include "acne/io/image.hpp"

namespace acne::data {

namespace fs = std::filesystem;

struct acne04_entry {
  std::string filename;
  int level = 0;         // 0..3 as in the label file
  int lesion_count = 0;
  std::size_t line = 0;  // 1-based line in the label file
};

// Parses one label file; malformed lines are errors naming file:line. Blank lines are ignored.
inline std::vector<acne04_entry> read_acne04_labels(const fs::path& file) {
  std::ifstream in(file);
  ACNE_CHECK(in, "ACNE04: cannot open label file '" << file.string() << "'");
  std::vector<acne04_entry> entries;
  std::string text;
  for (std::size_t line = 1; std::getline(in, text); ++line) {
    std::istringstream fields(text);
    std::vector<std::string> tokens;
    for (std::string t; fields >> t;) tokens.push_back(t);
    if (tokens.empty()) continue;
    const auto where = [&] { return file.string() + ":" + std::to_string(line); };
    ACNE_CHECK(tokens.size() == 3, where() << ": expected 'filename label lesion_count', got " << tokens.size()
                                           << " fields: '" << text << "'");
    acne04_entry e;
    e.filename = tokens[0];
    e.line = line;
    const auto parse_int = [&](const std::string& s, const char* what) {
      std::size_t used = 0;
      int v = 0;
      try {
        v = std::stoi(s, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      ACNE_CHECK(used == s.size() && !s.empty(), where() << ": " << what << " '" << s << "' is not an integer");
      return v;
    };
    e.level = parse_int(tokens[1], "label");
    e.lesion_count = parse_int(tokens[2], "lesion count");
    ACNE_CHECK(e.level >= 0 && e.level <= 3, where() << ": label " << e.level << " outside 0..3");
    ACNE_CHECK(e.lesion_count >= 0, where() << ": negative lesion count " << e.lesion_count);
    entries.push_back(std::move(e));
  }
  return entries;
}

enum class acne04_subset { trainval, test, all };

struct acne04_options {
  int fold = 0;                                   // 0..4: which NNEW_*_{fold}.txt
  acne04_subset subset = acne04_subset::trainval;  // all = trainval + test of the fold (every image once)
  bool merge_very_severe = true;                  // level 3 -> "severe" (3 classes) or its own class
  // Label space: empty = acne04_class_names(merge_very_severe); otherwise labels index this list by
  // name, e.g. {"healthy", "mild", "moderate", "severe"} to test a classifier trained on the phantoms.
  std::vector<std::string> classes;
  fs::path labels_dir;  // default: root, or root/Classification when the label files are there
  fs::path images_dir;  // default: <labels_dir>/JPEGImages, else root/JPEGImages
};

inline std::vector<std::string> acne04_class_names(bool merge_very_severe) {
  if (merge_very_severe) return {"mild", "moderate", "severe"};
  return {"mild", "moderate", "severe", "very-severe"};
}

struct acne04_sample {
  fs::path path;
  int label = 0;         // index into classes()
  int level = 0;         // original ACNE04 level 0..3
  int lesion_count = 0;
};

class acne04_dataset {
public:
  acne04_dataset(std::vector<std::string> classes, std::vector<acne04_sample> samples)
      : classes_(std::move(classes)), samples_(std::move(samples)) {}

  const std::vector<std::string>& classes() const noexcept { return classes_; }
  const std::vector<acne04_sample>& samples() const noexcept { return samples_; }
  std::size_t size() const noexcept { return samples_.size(); }
  int label(std::size_t i) const { return at(i).label; }
  const fs::path& path(std::size_t i) const { return at(i).path; }
  cv::Mat load(std::size_t i) const { return io::read_image(at(i).path); }

  std::vector<int> labels() const {
    std::vector<int> out;
    for (const auto& s : samples_) out.push_back(s.label);
    return out;
  }
  std::vector<std::size_t> class_counts() const {
    std::vector<std::size_t> counts(classes_.size(), 0);
    for (const auto& s : samples_) ++counts[static_cast<std::size_t>(s.label)];
    return counts;
  }

private:
  const acne04_sample& at(std::size_t i) const {
    ACNE_CHECK(i < samples_.size(), "acne04: sample " << i << " out of range (size " << samples_.size() << ")");
    return samples_[i];
  }
  std::vector<std::string> classes_;
  std::vector<acne04_sample> samples_;
};

// Reads one fold/subset of ACNE04 under root. Missing label files or images are errors naming them.
inline acne04_dataset load_acne04(const fs::path& root, const acne04_options& options = {}) {
  ACNE_CHECK(options.fold >= 0 && options.fold <= 4, "ACNE04: fold " << options.fold << " outside 0..4");
  std::error_code ec;
  ACNE_CHECK(fs::is_directory(root, ec), "ACNE04: root folder '" << root.string() << "' does not exist");
  const std::string k = std::to_string(options.fold);
  std::vector<std::string> names;
  if (options.subset != acne04_subset::test) names.push_back("NNEW_trainval_" + k + ".txt");
  if (options.subset != acne04_subset::trainval) names.push_back("NNEW_test_" + k + ".txt");

  fs::path labels_dir = options.labels_dir;
  if (labels_dir.empty()) {
    labels_dir = root;
    if (!fs::exists(root / names[0], ec) && fs::exists(root / "Classification" / names[0], ec))
      labels_dir = root / "Classification";
  }
  fs::path images_dir = options.images_dir;
  if (images_dir.empty()) {
    images_dir = labels_dir / "JPEGImages";
    if (!fs::is_directory(images_dir, ec)) images_dir = root / "JPEGImages";
  }
  ACNE_CHECK(fs::is_directory(images_dir, ec), "ACNE04: image folder '" << images_dir.string() << "' does not exist");

  const std::vector<std::string> own = acne04_class_names(options.merge_very_severe);
  const std::vector<std::string> classes = options.classes.empty() ? own : options.classes;
  std::vector<int> label_of(own.size());
  for (std::size_t i = 0; i < own.size(); ++i) {
    const auto it = std::find(classes.begin(), classes.end(), own[i]);
    ACNE_CHECK(it != classes.end(), "ACNE04: class '" << own[i] << "' is missing from the requested class list");
    label_of[i] = static_cast<int>(it - classes.begin());
  }
  std::vector<acne04_sample> samples;
  for (const auto& name : names) {
    const fs::path file = labels_dir / name;
    ACNE_CHECK(fs::is_regular_file(file, ec), "ACNE04: label file '" << file.string() << "' does not exist");
    std::size_t missing = 0;
    std::string first_missing;
    for (const auto& e : read_acne04_labels(file)) {
      const fs::path image = images_dir / e.filename;
      if (!fs::is_regular_file(image, ec)) {
        if (missing++ == 0) first_missing = image.string() + " (listed at " + file.string() + ":" + std::to_string(e.line) + ")";
        continue;
      }
      const int own_label = options.merge_very_severe && e.level == 3 ? 2 : e.level;
      samples.push_back({image, label_of[static_cast<std::size_t>(own_label)], e.level, e.lesion_count});
    }
    ACNE_CHECK(missing == 0, "ACNE04: " << missing << " image(s) listed in '" << file.string()
                                        << "' are missing; first: " << first_missing);
  }
  return acne04_dataset(classes, std::move(samples));
}

// Copies the dataset into an image-folder layout out/<class>/<filename> (existing files are replaced;
// a class without samples gets an empty folder).
// Returns the number of files written.
inline std::size_t export_image_folder(const acne04_dataset& dataset, const fs::path& out) {
  for (const auto& name : dataset.classes()) fs::create_directories(out / name);
  std::size_t written = 0;
  for (const auto& s : dataset.samples()) {
    const fs::path target = out / dataset.classes()[static_cast<std::size_t>(s.label)] / s.path.filename();
    std::error_code ec;
    fs::copy_file(s.path, target, fs::copy_options::overwrite_existing, ec);
    ACNE_CHECK(!ec, "ACNE04 export: cannot copy '" << s.path.string() << "' to '" << target.string() << "': " << ec.message());
    ++written;
  }
  return written;
}

}  // namespace acne::data
