#pragma once
// Shared by the FID tests: small phantom datasets
// written once per test run (rendering is the slow part, so each set is cached by its parameters).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <system_error>

#include "acne/data/phantom_dataset.hpp"
#include "support/scratch_dir.hpp"

namespace acne::test {

// `count` phantom faces of one class at `size` px under a folder that lives for the whole test run.
inline std::filesystem::path phantom_folder(data::acne_class c, std::size_t count, int size, std::uint64_t seed) {
  static const scratch_dir root("phantoms");
  const auto dir = root.path() / (std::string(data::class_name(c)) + "-" + std::to_string(count) + "-" +
                                  std::to_string(size) + "-" + std::to_string(seed));
  if (!std::filesystem::exists(dir)) data::write_phantom_dataset(dir, {{c, count}}, size, seed);
  return dir;
}

}  // namespace acne::test
