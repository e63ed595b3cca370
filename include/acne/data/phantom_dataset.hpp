#pragma once
// The phantom dataset, on disk (root/<class>/<class>_NNNNN.png, labels.csv, landmarks.csv) or in memory (rendered on
// demand, same interface as image_folder: size / label / load).
#include <array>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <iomanip>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <opencv2/core.hpp>

#include "acne/data/acne_class.hpp"
#include "acne/data/phantom.hpp"
#include "acne/error.hpp"
#include "acne/io/atomic_file.hpp"
#include "acne/io/image.hpp"

namespace acne::data {

namespace fs = std::filesystem;

using class_counts = std::vector<std::pair<acne_class, std::size_t>>;

inline class_counts paper_class_counts(std::size_t per_class) {
  class_counts out;
  for (acne_class c : paper_classes()) out.emplace_back(c, per_class);
  return out;
}

struct phantom_record {
  std::string file;  // relative to the dataset root, '/' separated
  acne_class cls = acne_class::healthy;
  int lesion_count = 0;
  int lesion_total = 0;
};

inline std::string phantom_file_name(acne_class c, std::size_t index) {
  std::ostringstream name;
  name << class_name(c) << '/' << class_name(c) << '_' << std::setw(5) << std::setfill('0') << index << ".png";
  return name.str();
}

// Writes root/<class>/<class>_NNNNN.png for every class and count, root/labels.csv with the
// columns file,class,lesion_count (file relative to root), and root/landmarks.csv with each face's 68
// landmarks (file,x0,y0,...,x67,y67 in pixels, pixel centres at integers; phantom_landmarks.hpp). Images are rendered in parallel (OpenMP);
// the output does not depend on the thread count. `resolution` overrides options.size. Returns the
// records in labels.csv order.
inline std::vector<phantom_record> write_phantom_dataset(const fs::path& root, const class_counts& per_class,
                                                         int resolution, std::uint64_t seed,
                                                         phantom_options options = {}) {
  ACNE_CHECK(!per_class.empty(), "write_phantom_dataset: no classes given");
  options.size = resolution;
  std::vector<std::pair<acne_class, std::size_t>> jobs;  // (class, index)
  for (std::size_t k = 0; k < per_class.size(); ++k) {
    const auto [c, n] = per_class[k];
    for (std::size_t j = 0; j < k; ++j)
      ACNE_CHECK(per_class[j].first != c, "write_phantom_dataset: class '" << class_name(c) << "' given twice");
    for (std::size_t i = 0; i < n; ++i) jobs.emplace_back(c, i);
    fs::create_directories(root / std::string(class_name(c)));
  }
  std::vector<phantom_record> records(jobs.size());
  std::vector<std::array<cv::Point2d, 68>> landmarks(jobs.size());
  std::exception_ptr failure;
  const auto count = static_cast<std::ptrdiff_t>(jobs.size());
#pragma omp parallel for schedule(dynamic, 1)
  for (std::ptrdiff_t j = 0; j < count; ++j) {
    try {
      const auto [c, i] = jobs[static_cast<std::size_t>(j)];
      const phantom_face face = make_phantom(options, c, phantom_sample_seed(seed, c, i));
      const std::string file = phantom_file_name(c, i);
      io::write_image(root / file, face.image);
      records[static_cast<std::size_t>(j)] = {file, c, face.lesion_count, face.lesion_total};
      landmarks[static_cast<std::size_t>(j)] = face.landmarks;
    } catch (...) {
#pragma omp critical(acne_phantom_failure)
      if (!failure) failure = std::current_exception();
    }
  }
  if (failure) std::rethrow_exception(failure);
  std::ostringstream labels, points;
  labels << "file,class,lesion_count\n";
  points << "file";
  for (int k = 0; k < 68; ++k) points << ",x" << k << ",y" << k;
  points << "\n" << std::fixed << std::setprecision(2);
  for (std::size_t j = 0; j < records.size(); ++j) {
    const auto& r = records[j];
    labels << r.file << ',' << class_name(r.cls) << ',' << r.lesion_count << '\n';
    points << r.file;
    for (const auto& q : landmarks[j]) points << ',' << q.x << ',' << q.y;
    points << '\n';
  }
  io::write_file_atomically(root / "landmarks.csv", points.str());
  io::write_file_atomically(root / "labels.csv", labels.str());
  return records;
}

// In-memory phantom dataset: sample i is rendered when loaded (deterministic, thread-safe).
class phantom_dataset {
public:
  phantom_dataset(const class_counts& per_class, std::uint64_t seed, phantom_options options = {})
      : options_(options), seed_(seed) {
    for (std::size_t label = 0; label < per_class.size(); ++label) {
      classes_.emplace_back(class_name(per_class[label].first));
      for (std::size_t i = 0; i < per_class[label].second; ++i)
        items_.push_back({per_class[label].first, static_cast<int>(label), i});
    }
  }

  const std::vector<std::string>& classes() const noexcept { return classes_; }
  std::size_t size() const noexcept { return items_.size(); }
  int label(std::size_t i) const { return at(i).label; }
  acne_class cls(std::size_t i) const { return at(i).cls; }
  phantom_face face(std::size_t i) const {
    const auto& it = at(i);
    return make_phantom(options_, it.cls, phantom_sample_seed(seed_, it.cls, it.index));
  }
  cv::Mat load(std::size_t i) const { return face(i).image; }
  std::vector<int> labels() const {
    std::vector<int> out;
    for (const auto& it : items_) out.push_back(it.label);
    return out;
  }

private:
  struct item {
    acne_class cls;
    int label;
    std::size_t index;
  };
  const item& at(std::size_t i) const {
    ACNE_CHECK(i < items_.size(), "phantom_dataset: sample " << i << " out of range (size " << items_.size() << ")");
    return items_[i];
  }
  phantom_options options_;
  std::uint64_t seed_;
  std::vector<std::string> classes_;
  std::vector<item> items_;
};

}  // namespace acne::data
