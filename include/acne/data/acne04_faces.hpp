#pragma once
// ACNE04 as the paper's experiments use it: one fold's trainval images for training and its test
// images for the test, levels mapped as the paper did (0 mild, 1 moderate, 2 and 3 severe), and the
// healthy faces ACNE04 does not have taken from a folder of images the user gives. That folder is
// split as a fold splits ACNE04: every fifth file, in sorted order, goes to the test (20 %). With
// healthy faces the classes are healthy, mild, moderate, severe (the phantom faces' order, so that
// one classifier serves both); without them, mild, moderate, severe.
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "acne/data/acne04.hpp"
#include "acne/data/labelled_files.hpp"
#include "acne/error.hpp"
#include "acne/io/image.hpp"

namespace acne::data {

struct acne04_faces {
  labelled_files train, test;
};

// Every fifth healthy file (sorted) is a test face.
inline constexpr std::size_t acne04_healthy_test_every = 5;

inline acne04_faces load_acne04_faces(const fs::path& root, int fold, const fs::path& healthy = {}) {
  const std::vector<std::string> classes =
      healthy.empty() ? std::vector<std::string>{"mild", "moderate", "severe"}
                      : std::vector<std::string>{"healthy", "mild", "moderate", "severe"};
  acne04_faces out{{classes, {}, {}}, {classes, {}, {}}};
  for (const auto subset : {acne04_subset::trainval, acne04_subset::test}) {
    const auto part = load_acne04(root, {.fold = fold, .subset = subset, .merge_very_severe = true, .classes = classes});
    auto& into = subset == acne04_subset::test ? out.test : out.train;
    for (const auto& s : part.samples()) {
      into.files.push_back(s.path);
      into.labels.push_back(s.label);
    }
  }
  if (!healthy.empty()) {
    ACNE_CHECK(fs::is_directory(healthy), "healthy faces: '" << healthy.string() << "' is not a folder");
    const auto files = io::list_images(healthy);
    ACNE_CHECK(files.size() >= acne04_healthy_test_every,
               "healthy faces: '" << healthy.string() << "' holds " << files.size() << " image(s); at least "
                                  << acne04_healthy_test_every << " are needed (one in " << acne04_healthy_test_every
                                  << " is a test face)");
    for (std::size_t i = 0; i < files.size(); ++i) {
      auto& into = (i + 1) % acne04_healthy_test_every == 0 ? out.test : out.train;
      into.files.push_back(files[i]);
      into.labels.push_back(0);
    }
  }
  return out;
}

}  // namespace acne::data
