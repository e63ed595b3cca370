#pragma once
// A GAN's training images described as JSON, so that a snapshot records them and a resumed run
// rebuilds the same set: {"kind": "folder", "path", "class"} (a folder searched recursively, or its
// sub-folder `class`), {"kind": "folder", "path", "classes": [...]} (the images of several class
// sub-folders, as one set), or {"kind": "phantom", "classes", "count", "seed"} (phantom faces).
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "acne/data/phantom_dataset.hpp"
#include "acne/io/image.hpp"
#include "acne/data/loader.hpp"

namespace acne::train {

struct gan_dataset {
  data::sample_source source;
  std::string description;
};

// Phantom faces of several classes, `count` per class.
inline nlohmann::json phantom_dataset_description(const std::vector<std::string>& classes, std::size_t count, std::uint64_t seed) {
  nlohmann::json names = nlohmann::json::array();
  for (const auto& c : classes) names.push_back(std::string(data::class_name(data::parse_acne_class(c))));
  return {{"kind", "phantom"}, {"classes", names}, {"count", count}, {"seed", seed}};
}

// Phantom faces of `cls` ("all": mild, moderate and severe), `count` per class.
inline nlohmann::json phantom_dataset_description(const std::string& cls, std::size_t count, std::uint64_t seed) {
  const auto classes = cls == "all" ? std::vector<std::string>{"mild", "moderate", "severe"} : std::vector<std::string>{cls};
  return phantom_dataset_description(classes, count, seed);
}

inline nlohmann::json folder_dataset_description(const std::filesystem::path& root, const std::string& cls) {
  return {{"kind", "folder"}, {"path", root.string()}, {"class", cls}};
}

inline nlohmann::json folder_dataset_description(const std::filesystem::path& root, const std::vector<std::string>& classes) {
  return {{"kind", "folder"}, {"path", root.string()}, {"classes", classes}};
}

inline gan_dataset open_gan_dataset(const nlohmann::json& d, std::size_t resolution) {
  gan_dataset h;
  if (d.at("kind") == "folder") {
    const std::filesystem::path root = d.at("path").get<std::string>();
    std::vector<std::filesystem::path> folders;
    if (d.contains("classes")) {
      for (const auto& c : d.at("classes")) folders.push_back(root / c.get<std::string>());
    } else {
      folders.push_back(d.value("class", std::string()).empty() ? root : root / d.at("class").get<std::string>());
    }
    auto files = std::make_shared<std::vector<std::filesystem::path>>();
    for (const auto& folder : folders) {
      const auto found = io::list_images(folder);
      ACNE_CHECK(!found.empty(), "no images in " << folder.string());
      files->insert(files->end(), found.begin(), found.end());
    }
    h.source = {files->size(), [](std::size_t) { return 0; }, [files](std::size_t i) { return io::read_image(files->at(i)); }};
    h.description = std::to_string(files->size()) + " images from " + root.string();
    if (d.contains("classes")) h.description += " " + d.at("classes").dump();
    return h;
  }
  data::class_counts counts;
  for (const auto& c : d.at("classes")) counts.emplace_back(data::parse_acne_class(c.get<std::string>()), d.at("count").get<std::size_t>());
  data::phantom_options po;
  po.size = int(std::max<std::size_t>(resolution, 16));  // the stream resizes smaller resolutions
  auto faces = std::make_shared<data::phantom_dataset>(counts, d.at("seed").get<std::uint64_t>(), po);
  h.source = {faces->size(), [faces](std::size_t i) { return faces->label(i); }, [faces](std::size_t i) { return faces->load(i); }};
  h.description = std::to_string(faces->size()) + " phantom faces (" + d.at("classes").dump() + ")";
  return h;
}

// The side of a folder dataset's first image (phantom faces: 256), which must be a square power of
// two to train at without resizing; 0 when it is not.
inline std::size_t native_resolution(const nlohmann::json& d) {
  if (d.at("kind") != "folder") return 256;
  const cv::Mat first = open_gan_dataset(d, 0).source.load(0);
  const auto side = std::size_t(first.cols);
  return first.rows == first.cols && side >= 4 && (side & (side - 1)) == 0 ? side : 0;
}

}  // namespace acne::train
