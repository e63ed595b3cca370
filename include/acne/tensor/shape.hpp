#pragma once
// NCHW shape of every tensor in the library; a matrix [rows, cols] is stored as [rows, cols, 1, 1].
#include <array>
#include <cstddef>
#include <ostream>
#include <sstream>
#include <string>

namespace acne {

struct shape4 {
  std::size_t n = 0, c = 0, h = 1, w = 1;

  constexpr std::size_t size() const { return n * c * h * w; }
  constexpr std::size_t sample_size() const { return c * h * w; }
  constexpr std::size_t plane() const { return h * w; }
  constexpr bool operator==(const shape4&) const = default;
  std::string str() const {
    std::ostringstream out;
    out << "[" << n << "," << c << "," << h << "," << w << "]";
    return out.str();
  }
};

inline std::ostream& operator<<(std::ostream& out, const shape4& s) { return out << s.str(); }

}  // namespace acne
