#pragma once
// Devices are types: a model picks its backend with one template argument, resolved at compile time.
#include <type_traits>

namespace acne {

struct cpu {
  static constexpr const char* name = "cpu";
};
struct cuda {
  static constexpr const char* name = "cuda";
};

template <class D>
concept device = std::is_same_v<D, cpu> || std::is_same_v<D, cuda>;

}  // namespace acne
