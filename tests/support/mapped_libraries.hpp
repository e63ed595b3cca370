#pragma once
// Whether this process has mapped a shared library whose path contains `name` (/proc/self/maps).
#include <fstream>
#include <iterator>
#include <string>

namespace acne::test {

inline bool library_mapped(const std::string& name) {
  std::ifstream maps("/proc/self/maps");
  const std::string text((std::istreambuf_iterator<char>(maps)), std::istreambuf_iterator<char>());
  return text.find(name) != std::string::npos;
}

}  // namespace acne::test
