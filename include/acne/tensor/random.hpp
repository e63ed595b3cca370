#pragma once
// Seeded initialisers. Values are drawn on the host in a fixed order, so a model initialised with
// the same seed is bit-identical on every backend.
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "acne/tensor/tensor.hpp"

namespace acne {

using rng = std::mt19937_64;

enum class init_kind { zeros, ones, constant, normal, uniform, glorot_uniform, he_normal, values };

struct initializer {
  init_kind kind = init_kind::zeros;
  double a = 0.0, b = 1.0;  // constant: a; normal: mean a, std b; uniform: [a, b)

  static initializer zeros() { return {init_kind::zeros}; }
  static initializer ones() { return {init_kind::ones}; }
  static initializer constant(double v) { return {init_kind::constant, v}; }
  static initializer normal(double mean, double stddev) { return {init_kind::normal, mean, stddev}; }
  static initializer uniform(double lo, double hi) { return {init_kind::uniform, lo, hi}; }
  // Keras' default kernel initialiser: U(-l, l), l = sqrt(6 / (fan_in + fan_out)).
  static initializer glorot_uniform() { return {init_kind::glorot_uniform}; }
  static initializer he_normal() { return {init_kind::he_normal}; }
  // Given values, one per element (constants such as ImageNet's channel means).
  static initializer of_values(std::vector<double> v) { return {init_kind::values, 0.0, 1.0, std::move(v)}; }

  std::vector<double> values{};
};

template <class T>
void initialize(tensor<T, cpu>& t, const initializer& init, std::size_t fan_in, std::size_t fan_out, rng& gen) {
  switch (init.kind) {
    case init_kind::zeros: t.fill(T(0)); return;
    case init_kind::ones: t.fill(T(1)); return;
    case init_kind::constant: t.fill(T(init.a)); return;
    case init_kind::normal: {
      std::normal_distribution<double> d(init.a, init.b);
      for (auto& v : t) v = T(d(gen));
      return;
    }
    case init_kind::uniform: {
      std::uniform_real_distribution<double> d(init.a, init.b);
      for (auto& v : t) v = T(d(gen));
      return;
    }
    case init_kind::glorot_uniform: {
      const double limit = std::sqrt(6.0 / double(fan_in + fan_out));
      std::uniform_real_distribution<double> d(-limit, limit);
      for (auto& v : t) v = T(d(gen));
      return;
    }
    case init_kind::values:
      ACNE_CHECK(init.values.size() == t.size(), "initializer of " << init.values.size() << " values for " << t.shape());
      for (std::size_t i = 0; i < t.size(); ++i) t.data()[i] = T(init.values[i]);
      return;
    case init_kind::he_normal: {
      std::normal_distribution<double> d(0.0, std::sqrt(2.0 / double(fan_in)));
      for (auto& v : t) v = T(d(gen));
      return;
    }
  }
}

}  // namespace acne
