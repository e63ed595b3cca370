#pragma once
// An image-folder dataset: root/<class>/**/*.{jpg,jpeg,png,bmp} (extension case ignored), the layout
// Keras flow_from_directory reads. Files are checked cheaply while scanning (size and signature) and
// decoded lazily by load(). Bad files are skipped and reported by path, or rejected with strict = true.
#include <algorithm>
#include <cstddef>
#include <filesystem>
#include <iostream>
#include <ostream>
#include <string>
#include <system_error>
#include <vector>

#include <opencv2/core.hpp>

#include "acne/error.hpp"
#include "acne/io/image.hpp"

namespace acne::data {

namespace fs = std::filesystem;

struct sample {
  fs::path path;
  int label = 0;
};

struct skipped_file {
  fs::path path;
  std::string reason;
};

struct image_folder_options {
  // Class folder names in label order; empty: every sub-folder of root, sorted by name.
  std::vector<std::string> classes;
  // Throw on the first unusable file (naming it) instead of skipping it.
  bool strict = false;
  // Decode every image while scanning (slow, catches truncated files); default: signature check only.
  bool verify_decode = false;
  // Where warnings about skipped files go; nullptr silences them (they stay in skipped()).
  std::ostream* warnings = &std::cerr;
};

class image_folder {
public:
  explicit image_folder(fs::path root, image_folder_options options = {}) : root_(std::move(root)) {
    std::error_code ec;
    ACNE_CHECK(fs::exists(root_, ec), "image_folder: root folder '" << root_.string() << "' does not exist");
    ACNE_CHECK(fs::is_directory(root_, ec), "image_folder: root '" << root_.string() << "' is not a folder");
    classes_ = options.classes.empty() ? list_class_folders(root_) : options.classes;
    ACNE_CHECK(!classes_.empty(), "image_folder: no class sub-folders in '" << root_.string() << "'");
    for (std::size_t label = 0; label < classes_.size(); ++label) {
      const fs::path dir = root_ / classes_[label];
      ACNE_CHECK(fs::is_directory(dir, ec), "image_folder: class folder '" << dir.string() << "' does not exist");
      const std::size_t before = samples_.size();
      for (const fs::path& file : list_files(dir)) add_file(file, static_cast<int>(label), options);
      ACNE_CHECK(samples_.size() > before,
                 "image_folder: class '" << classes_[label] << "' has no readable images in '" << dir.string() << "'");
    }
  }

  const fs::path& root() const noexcept { return root_; }
  const std::vector<std::string>& classes() const noexcept { return classes_; }
  const std::vector<sample>& samples() const noexcept { return samples_; }
  const std::vector<skipped_file>& skipped() const noexcept { return skipped_; }

  std::size_t size() const noexcept { return samples_.size(); }
  int label(std::size_t i) const { return at(i).label; }
  const fs::path& path(std::size_t i) const { return at(i).path; }
  // Decodes sample i as 8-bit BGR; throws acne::error naming the path if it cannot.
  cv::Mat load(std::size_t i) const { return io::read_image(at(i).path); }

  std::vector<std::size_t> class_counts() const {
    std::vector<std::size_t> counts(classes_.size(), 0);
    for (const auto& s : samples_) ++counts[static_cast<std::size_t>(s.label)];
    return counts;
  }
  std::vector<int> labels() const {
    std::vector<int> out;
    out.reserve(samples_.size());
    for (const auto& s : samples_) out.push_back(s.label);
    return out;
  }

private:
  const sample& at(std::size_t i) const {
    ACNE_CHECK(i < samples_.size(), "image_folder: sample " << i << " out of range (size " << samples_.size() << ")");
    return samples_[i];
  }

  static bool hidden(const fs::path& p) {
    const std::string name = p.filename().string();
    return !name.empty() && name[0] == '.';
  }

  static std::vector<std::string> list_class_folders(const fs::path& root) {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(root))
      if (entry.is_directory() && !hidden(entry.path())) names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }

  // Regular files below dir (recursively, hidden files and folders ignored), sorted by path.
  static std::vector<fs::path> list_files(const fs::path& dir) {
    std::vector<fs::path> files;
    auto it = fs::recursive_directory_iterator(dir, fs::directory_options::follow_directory_symlink);
    for (auto end = fs::recursive_directory_iterator(); it != end; ++it) {
      if (hidden(it->path())) {
        if (it->is_directory()) it.disable_recursion_pending();
        continue;
      }
      if (!it->is_directory()) files.push_back(it->path());
    }
    std::sort(files.begin(), files.end());
    return files;
  }

  void add_file(const fs::path& file, int label, const image_folder_options& options) {
    std::string reason;
    if (!io::is_image_extension(file)) {
      reason = "not an image file extension (want .jpg, .jpeg, .png or .bmp)";
    } else {
      reason = io::image_problem(file);
      if (reason.empty() && options.verify_decode) {
        try {
          (void)io::read_image(file);
        } catch (const acne::error& e) {
          reason = e.what();
        }
      }
    }
    if (reason.empty()) {
      samples_.push_back({file, label});
      return;
    }
    ACNE_CHECK(!options.strict, "image_folder (strict): unusable file '" << file.string() << "': " << reason);
    if (options.warnings)
      *options.warnings << "acne: warning: image_folder skips '" << file.string() << "': " << reason << "\n";
    skipped_.push_back({file, std::move(reason)});
  }

  fs::path root_;
  std::vector<std::string> classes_;
  std::vector<sample> samples_;
  std::vector<skipped_file> skipped_;
};

}  // namespace acne::data
