#pragma once
// When a CPU loop is worth an OpenMP team: below about this many multiply-adds the fork/join
// costs more than it saves, and on a loaded machine a team waiting for a busy core turns a
// microsecond loop into milliseconds (small models run thousands of such loops per step).
#include <cstddef>

namespace acne::cpu_backend {
inline constexpr std::size_t parallel_threshold = 32768;
}  // namespace acne::cpu_backend
