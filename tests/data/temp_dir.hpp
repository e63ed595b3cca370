#pragma once
// A fresh folder for one test (removed when it ends) and a file-writing helper.
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "support/scratch_dir.hpp"

namespace acne_test {

using temp_dir = acne::test::scratch_dir;

inline void write_bytes(const std::filesystem::path& p, const std::string& bytes) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << bytes;
}

}  // namespace acne_test
